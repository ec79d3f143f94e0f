/** What every profile format's parser checks with: the one-line `ProfileError`, durations, tool names, values shown. */
import { InputError } from '../../core/errors.ts';

/** A profile file that cannot be used; the message is one line: `<file>: <field or place>: <problem; what to do>`. */
export class ProfileError extends InputError {
  override name = 'ProfileError';
}

/** The formats a profile may be in, for messages. */
export const EXPECTED = 'expected {"tool": [ms, …]}, a CSV with header tool,ms, or an OTLP JSON trace';
/** A decimal number as text (a CSV field, or a JSON string that should have been a number). */
export const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/** Throws a ProfileError for `place` in `file`, on one line. */
export function fail(file: string, place: string, problem: string): never {
  throw new ProfileError(`${file}: ${place}: ${problem}`.replace(/\s*[\r\n\u2028\u2029]+\s*/g, ' '));
}

/** A JSON object (not null, not an array). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** What a JSON value is, for messages: `null`, `an array`, `a string ("…")`, `the number 3`. */
export function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return `a string (${show(value)})`;
  return `${typeof value === 'number' ? 'the number' : `a ${typeof value}`} ${String(value)}`;
}

/** A value as JSON, cut to 40 characters. */
export function show(value: unknown): string {
  const text = typeof value === 'number' ? String(value) : (JSON.stringify(value) ?? String(value));
  return text.length > 40 ? `${text.slice(0, 37)}…` : text;
}

/** The longest recorded call accepted, as for `--latency`: longer ones are most likely in the wrong unit. */
const MAX_DURATION_MS = 600_000;

/** Checks one duration (ms) and returns it; `place` locates it in messages. */
export function duration(value: unknown, file: string, place: string): number {
  if (typeof value === 'string' && DECIMAL.test(value.trim())) {
    fail(file, place, `${show(value)} is a string; write durations as JSON numbers (${value.trim()})`);
  }
  if (typeof value !== 'number') fail(file, place, `${kindOf(value)} is not a duration; give milliseconds as a number`);
  if (!Number.isFinite(value)) fail(file, place, `${value} is not finite; give milliseconds as a finite number`);
  if (value < 0) fail(file, place, `${value} is negative; durations are milliseconds ≥ 0`);
  if (value > MAX_DURATION_MS) {
    fail(
      file,
      place,
      `${value} ms is more than ${MAX_DURATION_MS} ms (10 minutes); is the unit right? durations are ms`,
    );
  }
  return value;
}

/** Durations per tool in file order, refusing a tool name the APIs would refuse. */
export class Collector {
  private readonly byTool = new Map<string, number[]>();
  add(tool: string, ms: number, file: string, place: string): void {
    // a tool name the APIs would refuse cannot be called: say so here, with the file and place
    if (!/^[a-zA-Z0-9_-]{1,64}$/.test(tool)) {
      fail(file, place, `tool name ${JSON.stringify(tool)} is not 1-64 letters, digits, _ or -`);
    }
    const list = this.byTool.get(tool);
    if (list) list.push(ms);
    else this.byTool.set(tool, [ms]);
  }
  get size(): number {
    return this.byTool.size;
  }
  /** A plain record (`Object.fromEntries`, so a tool named `__proto__` stays an own key). */
  toRecord(): Record<string, number[]> {
    return Object.fromEntries(this.byTool);
  }
}
