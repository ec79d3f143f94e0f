import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { errorMessage, InputError } from '../core/errors.ts';
import { findJsonError } from '../core/json-syntax.ts';
import { quantileSorted } from '../stats/summary.ts';
import { keyedRandom } from './random.ts';

/** How a profile file is written: `{ "tool": [ms, …] }`, a `tool,ms` CSV, or an OTLP JSON trace export. */
export type RecordedFormat = 'json' | 'csv' | 'otlp';

/** Count and quantiles (ms) of one tool's recorded samples. */
export interface RecordedToolStats {
  count: number;
  p50: number;
  p90: number;
  p99: number;
}

/** Recorded latencies per tool, read from a `--profile` file. */
export interface RecordedProfile {
  /** The path as given, for messages. */
  file: string;
  format: RecordedFormat;
  /** Hex SHA-256 of the file's bytes, so a gate can tell the file changed. */
  sha256: string;
  /** Durations (ms) per tool, in file order (not sorted). */
  samples: Record<string, number[]>;
}

/** A profile file that cannot be used; the message is one line: `<file>: <field or place>: <problem; what to do>`. */
export class ProfileError extends InputError {
  override name = 'ProfileError';
}

const EXPECTED = 'expected {"tool": [ms, …]}, a CSV with header tool,ms, or an OTLP JSON trace';
const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

function fail(file: string, place: string, problem: string): never {
  throw new ProfileError(`${file}: ${place}: ${problem}`.replace(/\s*[\r\n\u2028\u2029]+\s*/g, ' '));
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return `a string (${show(value)})`;
  return `${typeof value === 'number' ? 'the number' : `a ${typeof value}`} ${String(value)}`;
}

function show(value: unknown): string {
  const text = typeof value === 'number' ? String(value) : (JSON.stringify(value) ?? String(value));
  return text.length > 40 ? `${text.slice(0, 37)}…` : text;
}

/** Checks one duration (ms) and returns it; `place` locates it in messages. */
/** The longest recorded call accepted, as for `--latency`: longer ones are most likely in the wrong unit. */
const MAX_DURATION_MS = 600_000;

function duration(value: unknown, file: string, place: string): number {
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

class Collector {
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

// --- JSON { "tool": [ms, …] } -------------------------------------------------------------------------------

function parseToolMap(data: Record<string, unknown>, file: string): Record<string, number[]> {
  const entries = Object.entries(data);
  if (entries.length === 0) fail(file, 'top level', `no tools, so no samples; ${EXPECTED}`);
  const samples = new Collector();
  for (const [tool, values] of entries) {
    const field = JSON.stringify(tool);
    if (tool.trim() === '') fail(file, field, 'empty tool name; use the name the model calls the tool by');
    if (!Array.isArray(values)) fail(file, field, `is ${kindOf(values)}; give an array of durations in ms`);
    if (values.length === 0) fail(file, field, 'has no samples; give at least one duration in ms or drop the tool');
    values.forEach((value, index) => {
      samples.add(tool, duration(value, file, `${field}[${index}]`), file, field);
    });
  }
  return samples.toRecord();
}

// --- OTLP JSON trace export -------------------------------------------------------------------------------

function stringValue(attributes: unknown[], key: string): { found: boolean; value?: string } {
  for (const attribute of attributes) {
    if (!isRecord(attribute) || attribute.key !== key) continue;
    const value = isRecord(attribute.value) ? attribute.value.stringValue : undefined;
    return typeof value === 'string' ? { found: true, value } : { found: true };
  }
  return { found: false };
}

function nanos(value: unknown, file: string, place: string): bigint {
  if (typeof value === 'string' && /^\d+$/.test(value)) return BigInt(value);
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0) return BigInt(value);
  if (value === undefined) fail(file, place, 'missing; an OTLP span needs start and end times in nanoseconds');
  fail(file, place, `${kindOf(value)} is not a time; expected a decimal string of nanoseconds since the epoch`);
}

function listAt(owner: Record<string, unknown>, key: string, file: string, place: string): unknown[] {
  const value = owner[key];
  if (value === undefined) return [];
  if (!Array.isArray(value)) fail(file, place, `is ${kindOf(value)}; expected an array (OTLP JSON)`);
  return value;
}

function objectAt(value: unknown, file: string, place: string): Record<string, unknown> {
  if (!isRecord(value)) fail(file, place, `is ${kindOf(value)}; expected an object (OTLP JSON)`);
  return value;
}

/** Reads the `execute_tool` spans of OTLP export requests; `prefix` locates each request (`line 3: ` in JSON lines). */
function parseOtlp(
  requests: { data: Record<string, unknown>; prefix: string }[],
  file: string,
): Record<string, number[]> {
  const samples = new Collector();
  for (const { data, prefix } of requests) {
    if (!Array.isArray(data.resourceSpans)) {
      fail(file, `${prefix}resourceSpans`, `is ${kindOf(data.resourceSpans)}; expected an array (OTLP JSON)`);
    }
    data.resourceSpans.forEach((resourceSpan, r) => {
      const resourcePath = `${prefix}resourceSpans[${r}]`;
      const resource = objectAt(resourceSpan, file, resourcePath);
      const scopeKey = resource.scopeSpans === undefined ? 'instrumentationLibrarySpans' : 'scopeSpans';
      listAt(resource, scopeKey, file, `${resourcePath}.${scopeKey}`).forEach((scopeSpan, s) => {
        const scopePath = `${resourcePath}.${scopeKey}[${s}]`;
        const scope = objectAt(scopeSpan, file, scopePath);
        listAt(scope, 'spans', file, `${scopePath}.spans`).forEach((item, k) => {
          const path = `${scopePath}.spans[${k}]`;
          const span = objectAt(item, file, path);
          const attributes = listAt(span, 'attributes', file, `${path}.attributes`);
          if (stringValue(attributes, 'gen_ai.operation.name').value !== 'execute_tool') return;
          const tool = stringValue(attributes, 'gen_ai.tool.name');
          if (!tool.found) {
            fail(
              file,
              path,
              'execute_tool span has no gen_ai.tool.name attribute; the exporter must record the tool name',
            );
          }
          if (tool.value === undefined)
            fail(file, path, 'gen_ai.tool.name is not a stringValue; it must be the tool name');
          if (tool.value.trim() === '')
            fail(file, path, 'empty tool name in gen_ai.tool.name; it must be the tool name');
          const start = nanos(span.startTimeUnixNano, file, `${path}.startTimeUnixNano`);
          const end = nanos(span.endTimeUnixNano, file, `${path}.endTimeUnixNano`);
          if (end < start) {
            fail(
              file,
              path,
              `span of tool ${JSON.stringify(tool.value)} ends before it starts (endTimeUnixNano ${end} < startTimeUnixNano ${start}); fix or drop the span`,
            );
          }
          samples.add(tool.value, duration(Number(end - start) / 1e6, file, path), file, path);
        });
      });
    });
  }
  if (samples.size === 0) {
    fail(file, 'resourceSpans', 'no spans with gen_ai.operation.name = execute_tool; is this a GenAI trace?');
  }
  return samples.toRecord();
}

/** OTLP JSON lines (the collector's file exporter: one export request per line), or undefined if it is not that. */
function parseOtlpLines(text: string, file: string): Record<string, number[]> | undefined {
  const lines = text.split(/\r?\n/).map((line, index) => ({ line, number: index + 1 }));
  const filled = lines.filter(({ line }) => line.trim() !== '');
  const first = filled[0];
  if (filled.length < 2 || !first) return undefined;
  try {
    const data: unknown = JSON.parse(first.line);
    if (!isRecord(data) || !('resourceSpans' in data)) return undefined;
  } catch {
    return undefined;
  }
  const requests = filled.map(({ line, number }) => {
    let data: unknown;
    try {
      data = JSON.parse(line);
    } catch {
      fail(file, `line ${number}`, 'not valid JSON; an OTLP JSON-lines file holds one export request per line');
    }
    if (!isRecord(data)) fail(file, `line ${number}`, `is ${kindOf(data)}; expected an OTLP export request object`);
    return { data, prefix: `line ${number}: ` };
  });
  return parseOtlp(requests, file);
}

/** Fails naming where the JSON breaks (the end of file when the text stops short) and why. */
function jsonSyntaxError(text: string, error: unknown, file: string): never {
  const message = errorMessage(error);
  const reason = message.split(/, (?:\.\.\.)?"| in JSON| after JSON| at position/)[0] ?? message;
  const where = /end of JSON/i.test(message) ? undefined : findJsonError(text);
  const place = where ? `line ${where.line} column ${where.column}` : 'end of file';
  fail(file, place, `not valid JSON (${reason}); ${EXPECTED}`);
}

function parseJsonText(text: string, file: string): Omit<RecordedProfile, 'sha256'> {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    const lines = parseOtlpLines(text, file);
    if (lines) return { file, format: 'otlp', samples: lines };
    jsonSyntaxError(text, error, file);
  }
  if (!isRecord(data)) fail(file, 'top level', `is ${kindOf(data)}; ${EXPECTED}`);
  if ('resourceSpans' in data) return { file, format: 'otlp', samples: parseOtlp([{ data, prefix: '' }], file) };
  return { file, format: 'json', samples: parseToolMap(data, file) };
}

// --- CSV (RFC 4180) -----------------------------------------------------------------------------------------

interface CsvRecord {
  /** 1-based line on which the record starts. */
  line: number;
  fields: string[];
  blank: boolean;
}

/** Splits CSV text into records: quoted fields may hold commas, `""` and line breaks; CRLF, LF or CR ends a record. */
function csvRecords(text: string, file: string): CsvRecord[] {
  const records: CsvRecord[] = [];
  let i = 0;
  let line = 1;
  while (i < text.length) {
    const start = line;
    const fields: string[] = [];
    let quoted = false;
    for (;;) {
      let value = '';
      let j = i;
      while (text[j] === ' ' || text[j] === '\t') j++;
      if (text[j] === '"') {
        quoted = true;
        i = j + 1;
        for (;;) {
          const c = text[i];
          if (c === undefined)
            fail(file, `line ${start}`, 'quoted field never closed; end it with " (write "" for a quote)');
          if (c === '"') {
            if (text[i + 1] !== '"') break;
            value += '"';
            i += 2;
            continue;
          }
          if (c === '\n') line++;
          value += c;
          i++;
        }
        i++;
      }
      // Unquoted text (or text after a closing quote) runs to the next comma or line end, kept as written.
      while (i < text.length && text[i] !== ',' && text[i] !== '\n' && text[i] !== '\r') value += text[i++];
      fields.push(value);
      if (text[i] !== ',') break;
      i++;
    }
    if (text[i] === '\r') i++;
    if (text[i] === '\n') i++;
    line++;
    records.push({ line: start, fields, blank: !quoted && fields.length === 1 && (fields[0] ?? '').trim() === '' });
  }
  return records;
}

function parseCsv(text: string, file: string): Record<string, number[]> {
  const records = csvRecords(text, file).filter((record) => !record.blank);
  const [header, ...rows] = records;
  if (!header) fail(file, 'file', `is empty; ${EXPECTED}`);
  const names = header.fields.map((field) => field.trim().toLowerCase());
  const toolAt = names.indexOf('tool');
  const msAt = names.indexOf('ms');
  const place = `line ${header.line} (header)`;
  if (toolAt < 0 && msAt < 0 && header.fields.length < 2)
    fail(file, `line ${header.line}`, `not a profile; ${EXPECTED}`);
  const missing = [toolAt < 0 ? 'tool' : '', msAt < 0 ? 'ms' : ''].filter(Boolean);
  if (missing.length > 0) {
    fail(
      file,
      place,
      `no column ${missing.join(' or ')} (found ${show(header.fields.join(','))}); the first row must name the columns tool and ms`,
    );
  }
  for (const name of ['tool', 'ms']) {
    if (names.indexOf(name) !== names.lastIndexOf(name)) fail(file, place, `column ${name} appears twice; keep one`);
  }
  if (rows.length === 0) fail(file, place, 'no rows after the header, so no samples; add rows like search_docs,120');
  const samples = new Collector();
  for (const { line, fields } of rows) {
    if (fields.length !== header.fields.length) {
      fail(
        file,
        `line ${line}`,
        `${fields.length} fields where the header has ${header.fields.length}; quote fields that hold commas ("a,b")`,
      );
    }
    const tool = (fields[toolAt] ?? '').trim();
    if (tool === '') fail(file, `line ${line}`, 'empty tool name; every row needs the tool it timed');
    const raw = (fields[msAt] ?? '').trim();
    if (raw === '') fail(file, `line ${line}`, `ms is empty for tool ${JSON.stringify(tool)}; give the duration in ms`);
    if (!DECIMAL.test(raw)) fail(file, `line ${line}`, `ms ${show(raw)} is not a number; give milliseconds like 120.5`);
    samples.add(tool, duration(Number(raw), file, `line ${line}`), file, `line ${line}`);
  }
  return samples.toRecord();
}

// --- entry points -------------------------------------------------------------------------------------------

/** Parses a profile's text, detecting the format from the content; `file` is only used in messages. */
export function parseProfile(text: string, file: string): Omit<RecordedProfile, 'sha256'> {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const first = body.trimStart()[0];
  if (first === '{' || first === '[') return parseJsonText(body, file);
  if (first === undefined) fail(file, 'file', `is empty; ${EXPECTED}`);
  return { file, format: 'csv', samples: parseCsv(body, file) };
}

function readProblem(error: unknown, path: string): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const where = resolve(path) === path ? '' : ` (looked at ${resolve(path)})`;
  if (code === 'ENOENT') return `no such file${where}; check the --profile path`;
  if (code === 'EISDIR') return 'is a directory; give a profile file';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied; make the file readable';
  return `cannot read the file (${code ?? errorMessage(error)}); check the path`;
}

/** Reads and parses a profile file (synchronously); any problem, including a missing file, is a ProfileError. */
export function readProfile(path: string): RecordedProfile {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    fail(path, 'file', readProblem(error, path));
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    fail(path, 'file', 'is not UTF-8 text (binary or UTF-16?); save the profile as UTF-8 JSON or CSV');
  }
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  return { ...parseProfile(text, path), sha256 };
}

const cache = new Map<string, RecordedProfile>();

/** `readProfile` memoized by absolute path, once per thread; the result is shared, so do not mutate it. */
export function loadProfileCached(path: string): RecordedProfile {
  const key = resolve(path);
  const hit = cache.get(key);
  if (hit) return hit;
  const profile = readProfile(path);
  cache.set(key, profile);
  return profile;
}

/** Count, p50, p90 and p99 (ms) of a list of latencies. */
export function sampleStats(samples: readonly number[]): RecordedToolStats {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    count: sorted.length,
    p50: quantileSorted(sorted, 0.5),
    p90: quantileSorted(sorted, 0.9),
    p99: quantileSorted(sorted, 0.99),
  };
}

/** Count, p50, p90 and p99 (ms) of each tool's samples. */
export function profileStats(profile: RecordedProfile): Record<string, RecordedToolStats> {
  return Object.fromEntries(Object.entries(profile.samples).map(([tool, samples]) => [tool, sampleStats(samples)]));
}

/** One of `samples`, drawn from (seed, callId) alone (bootstrap resampling), so every thread draws the same. */
export function drawRecorded(samples: readonly number[], seed: number, callId: string): number {
  const u = keyedRandom(seed, `recorded:${callId}`)();
  const value = samples[Math.floor(u * samples.length)];
  if (value === undefined) throw new RangeError('drawRecorded: no samples to draw from');
  return value;
}

/** True when `text` names a file (has / or \ or ends in .json, .jsonl or .csv) rather than a built-in profile. */
export function looksLikeProfilePath(text: string): boolean {
  return /[/\\]/.test(text) || /\.(?:json|jsonl|csv)$/i.test(text);
}
