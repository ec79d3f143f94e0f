/**
 * The text form of LLMCompiler plans (Kim et al. 2024): task lines `3. tool(arguments)` whose arguments are Python
 * literals and may name earlier results (`$1`, `${2}`), and a reader of the planner's text as it streams.
 */
import type { Plan, PlanTask } from './plan.ts';
import { mapStrings } from './references.ts';

/** Ends the planner's output, after the join: `8. join()<END_OF_PLAN>`. */
export const END_OF_PLAN = '<END_OF_PLAN>';

/** The joiner's task: always last, never run as a tool. */
export const JOIN = 'join';

/** `$N` or `${N}`: task N's result, as LLMCompiler's `ID_PATTERN` reads it. */
const REFERENCE = /\$\{?(\d+)\}?/g;

/** A line that starts like a task, whether or not the rest reads. */
const NUMBERED = /^\d+\./;

/** LLMCompiler's `ACTION_PATTERN` on one trimmed line: `N. tool(arguments)`, maybe with a `#E1` comment. */
const TASK_LINE = /^(\d+)\. ([A-Za-z0-9_-]+)\((.*)\)(?:\s*#\w+)?$/;

/** A task line as written: its number, tool and the text between its parentheses. */
export interface TaskLine {
  index: number;
  tool: string;
  args: string;
  /** The line trimmed, without `<END_OF_PLAN>`. */
  line: string;
}

/** A line that starts with a task number (`3.`), readable or not. */
export function isNumbered(line: string): boolean {
  return NUMBERED.test(line.trim());
}

/** Reads a task line; undefined when it is not `N. tool(arguments)`. */
export function readTaskLine(raw: string): TaskLine | undefined {
  let line = raw.trim();
  if (line.endsWith(END_OF_PLAN)) line = line.slice(0, -END_OF_PLAN.length).trimEnd();
  const match = TASK_LINE.exec(line);
  if (!match) return undefined;
  return { index: Number(match[1]), tool: match[2] ?? '', args: match[3] ?? '', line };
}

/** A task's line in the text form: arguments as JSON, which the argument reader reads back. */
export function renderTaskLine(index: number, tool: string, args: readonly unknown[]): string {
  return `${index}. ${tool}(${args.map((arg) => JSON.stringify(arg)).join(', ')})`;
}

/** Every reference in the strings of a JSON value, in order: its text as written and the task it names. */
export function referencesIn(value: unknown): { text: string; task: number }[] {
  const found: { text: string; task: number }[] = [];
  mapStrings(value, (text) => {
    for (const match of text.matchAll(REFERENCE)) found.push({ text: match[0], task: Number(match[1]) });
    return text;
  });
  return found;
}

/** A deep copy of a JSON value with every reference in its strings replaced by `replace(task, text)`. */
export function replaceReferences(value: unknown, replace: (task: number, text: string) => string): unknown {
  return mapStrings(value, (text) => text.replace(REFERENCE, (match, task: string) => replace(Number(task), match)));
}

/** Source text quoted for a message, cut short. */
export function quoteSource(text: string): string {
  return JSON.stringify(text.length > 60 ? `${text.slice(0, 57)}...` : text);
}

const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', b: '\b', f: '\f', v: '\v', a: '\x07', 0: '\0' };
const NUMBER = /[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/y;
const WORD = /[A-Za-z_]\w*/y;
const BARE_REFERENCE = /\$\{?\d+\}?/y;
const WORDS: Record<string, unknown> = { True: true, False: false, None: null, true: true, false: false, null: null };

/**
 * Reads a task's arguments as the planner writes them: Python literals (strings in ' or ", numbers, lists, tuples,
 * dicts, True/False/None) and bare references (`$1` becomes the string "$1"). Throws an Error saying where it stopped.
 */
export function readArguments(text: string): unknown[] {
  let i = 0;
  const fail = (what: string): never => {
    const found = i < text.length ? JSON.stringify(text.charAt(i)) : 'the end';
    throw new Error(`expected ${what} at column ${i + 1}, found ${found}`);
  };
  const space = (): void => {
    while (i < text.length && /\s/.test(text.charAt(i))) i++;
  };
  const sticky = (pattern: RegExp): string | undefined => {
    pattern.lastIndex = i;
    const match = pattern.exec(text)?.[0];
    if (match !== undefined) i += match.length;
    return match;
  };
  const string = (): string => {
    const quote = text.charAt(i);
    const start = i++;
    let out = '';
    for (;;) {
      const ch = text.charAt(i++);
      if (ch === '') {
        i = start;
        throw new Error(`the string at column ${start + 1} is not closed`);
      }
      if (ch === quote) return out;
      if (ch !== '\\') {
        out += ch;
        continue;
      }
      const escaped = text.charAt(i++);
      const digits = escaped === 'x' ? 2 : escaped === 'u' ? 4 : 0;
      const hex = text.slice(i, i + digits);
      if (digits > 0 && hex.length === digits && /^[0-9a-fA-F]+$/.test(hex)) {
        out += String.fromCharCode(Number.parseInt(hex, 16));
        i += digits;
      } else if (escaped === '\\' || escaped === "'" || escaped === '"') out += escaped;
      else out += ESCAPES[escaped] ?? `\\${escaped}`; // Python keeps an unknown escape as written
    }
  };
  const items = (close: string | undefined): unknown[] => {
    const out: unknown[] = [];
    for (;;) {
      space();
      if (close === undefined ? i >= text.length : text.charAt(i) === close) break;
      out.push(value());
      space();
      if (text.charAt(i) === ',') i++;
      else if (close === undefined ? i < text.length : text.charAt(i) !== close)
        fail(close === undefined ? '","' : `"," or "${close}"`);
    }
    i++;
    return out;
  };
  const dict = (): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    for (;;) {
      space();
      if (text.charAt(i) === '}') break;
      if (text.charAt(i) !== '"' && text.charAt(i) !== "'") fail('a quoted key or "}"');
      const key = string();
      space();
      if (text.charAt(i++) !== ':') {
        i--;
        fail('":"');
      }
      out[key] = value();
      space();
      if (text.charAt(i) === ',') i++;
      else if (text.charAt(i) !== '}') fail('"," or "}"');
    }
    i++;
    return out;
  };
  const value = (): unknown => {
    space();
    const ch = text.charAt(i);
    if (ch === '"' || ch === "'") return string();
    if (ch === '[' || ch === '(' || ch === '{') {
      i++;
      return ch === '{' ? dict() : items(ch === '[' ? ']' : ')');
    }
    const reference = sticky(BARE_REFERENCE);
    if (reference !== undefined) return reference;
    const number = sticky(NUMBER);
    if (number !== undefined) return Number(number);
    const start = i;
    const word = sticky(WORD);
    if (word !== undefined && Object.hasOwn(WORDS, word)) return WORDS[word];
    i = start;
    if (word !== undefined && /^\s*=/.test(text.slice(start + word.length))) {
      throw new Error(`keyword argument "${word}" at column ${start + 1}: write the arguments in order, unnamed`);
    }
    return fail('a string, number, list or $N reference');
  };
  return items(undefined);
}

/**
 * Reads the planner's text as it streams, in pieces of any size, and tells which of the plan's tasks the model has
 * just finished writing: a task's line completes at its newline (or at `end()`). Lines that name no task of the plan
 * (Thought lines, the join) are passed over, and each task is returned once.
 */
export class PlanStreamParser {
  readonly #tasks: ReadonlyMap<number, PlanTask>;
  readonly #done = new Set<number>();
  #pending = '';

  constructor(plan: Plan) {
    this.#tasks = new Map(plan.tasks.map((task) => [task.index, task]));
  }

  /** Takes the next piece of text; returns the tasks whose lines it completed, in order. */
  push(delta: string): PlanTask[] {
    if (!delta.includes('\n')) {
      this.#pending += delta;
      return [];
    }
    const lines = (this.#pending + delta).split('\n');
    this.#pending = lines.pop() ?? '';
    return lines.flatMap((line) => this.#complete(line));
  }

  /** The stream has ended: the last line, if it had no newline, completes now. */
  end(): PlanTask[] {
    const last = this.#pending;
    this.#pending = '';
    return this.#complete(last);
  }

  #complete(line: string): PlanTask[] {
    const written = readTaskLine(line);
    const task = written === undefined ? undefined : this.#tasks.get(written.index);
    if (task === undefined || this.#done.has(task.index)) return [];
    this.#done.add(task.index);
    return [task];
  }
}
