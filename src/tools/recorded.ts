/**
 * Recorded latencies (`--profile`): a profile file read in whichever format it is in (`recordings/`), cached per
 * thread, summarized, and drawn from by seeded resampling.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { errorMessage } from '../core/errors.ts';
import { quantileSorted } from '../stats/summary.ts';
import { keyedRandom } from './random.ts';
import { EXPECTED, fail, isRecord, kindOf } from './recordings/checks.ts';
import { parseCsv } from './recordings/csv.ts';
import { jsonSyntaxError, parseToolMap } from './recordings/json.ts';
import {
  isOtlpRequest,
  otlpChatDurations,
  otlpLines,
  otlpToolSamples,
  readTraceBytes,
  traceRequests,
} from './recordings/otlp.ts';

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

/** Parses a profile's text, detecting the format from the content; `file` is only used in messages. */
export function parseProfile(text: string, file: string): Omit<RecordedProfile, 'sha256'> {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const first = body.trimStart()[0];
  if (first === '{' || first === '[') return { file, ...parseJsonText(body, file) };
  if (first === undefined) fail(file, 'file', `is empty; ${EXPECTED}`);
  return { file, format: 'csv', samples: parseCsv(body, file) };
}

/** JSON text: a tool map, one OTLP export request, or OTLP JSON lines (not JSON as a whole). */
function parseJsonText(text: string, file: string): Pick<RecordedProfile, 'format' | 'samples'> {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    const requests = otlpLines(text, file);
    if (requests) return { format: 'otlp', samples: otlpToolSamples(requests, file) };
    jsonSyntaxError(text, error, file);
  }
  if (!isRecord(data)) fail(file, 'top level', `is ${kindOf(data)}; ${EXPECTED}`);
  if (isOtlpRequest(data)) return { format: 'otlp', samples: otlpToolSamples([{ data, prefix: '' }], file) };
  return { format: 'json', samples: parseToolMap(data, file) };
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

/** The model's recorded time per turn: the `chat` spans of a trace (GenAI conventions or the AI SDK's telemetry). */
export interface ModelProfile {
  file: string;
  sha256: string;
  /** Each recorded model turn's duration, ms, in file order. */
  turnsMs: number[];
}

const modelProfiles = new Map<string, ModelProfile>();

/** Reads (once per path) a trace's model turns; a file without chat spans is a one-line ProfileError. */
export function readModelProfile(path: string): ModelProfile {
  let profile = modelProfiles.get(resolve(path));
  if (!profile) {
    const bytes = readTraceBytes(path);
    const turnsMs = otlpChatDurations(traceRequests(bytes.toString('utf8'), path), path);
    profile = { file: resolve(path), sha256: createHash('sha256').update(bytes).digest('hex'), turnsMs };
    modelProfiles.set(resolve(path), profile);
  }
  return profile;
}
