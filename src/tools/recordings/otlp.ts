/**
 * Profiles as OTLP JSON traces: one export request, or JSON lines of them (the collector's file exporter). Walking
 * the spans is apart from reading them; the tools' durations come from the `execute_tool` spans.
 */
import { readFileSync } from 'node:fs';
import { errorMessage } from '../../core/errors.ts';
import { Collector, duration, fail, isRecord, kindOf, ProfileError } from './checks.ts';

/** One export request; `prefix` locates it in messages (`line 3: ` in JSON lines, '' for a whole file). */
export interface OtlpRequest {
  data: Record<string, unknown>;
  prefix: string;
}

/** One span, its attributes, and its path in the file for messages. */
interface OtlpSpan {
  span: Record<string, unknown>;
  attributes: unknown[];
  path: string;
}

/** True when a JSON object is an export request (it has `resourceSpans`). */
export function isOtlpRequest(data: Record<string, unknown>): boolean {
  return 'resourceSpans' in data;
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

/** Every span of the requests in file order; a part that is not OTLP JSON fails where it is. */
function* otlpSpans(requests: readonly OtlpRequest[], file: string): Generator<OtlpSpan> {
  for (const { data, prefix } of requests) {
    if (!Array.isArray(data.resourceSpans)) {
      fail(file, `${prefix}resourceSpans`, `is ${kindOf(data.resourceSpans)}; expected an array (OTLP JSON)`);
    }
    for (const [r, resourceSpan] of data.resourceSpans.entries()) {
      const resourcePath = `${prefix}resourceSpans[${r}]`;
      const resource = objectAt(resourceSpan, file, resourcePath);
      const scopeKey = resource.scopeSpans === undefined ? 'instrumentationLibrarySpans' : 'scopeSpans';
      for (const [s, scopeSpan] of listAt(resource, scopeKey, file, `${resourcePath}.${scopeKey}`).entries()) {
        const scopePath = `${resourcePath}.${scopeKey}[${s}]`;
        const scope = objectAt(scopeSpan, file, scopePath);
        for (const [k, item] of listAt(scope, 'spans', file, `${scopePath}.spans`).entries()) {
          const path = `${scopePath}.spans[${k}]`;
          const span = objectAt(item, file, path);
          yield { span, attributes: listAt(span, 'attributes', file, `${path}.attributes`), path };
        }
      }
    }
  }
}

/** The string value of attribute `key`: found (or not), and its `stringValue` if it has one. */
function stringAttribute(attributes: unknown[], key: string): { found: boolean; value?: string } {
  for (const attribute of attributes) {
    if (!isRecord(attribute) || attribute.key !== key) continue;
    const value = isRecord(attribute.value) ? attribute.value.stringValue : undefined;
    return typeof value === 'string' ? { found: true, value } : { found: true };
  }
  return { found: false };
}

/** A span time (`startTimeUnixNano`, `endTimeUnixNano`): a decimal string or a whole number of nanoseconds. */
function unixNanos(value: unknown, file: string, place: string): bigint {
  if (typeof value === 'string' && /^\d+$/.test(value)) return BigInt(value);
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0) return BigInt(value);
  if (value === undefined) fail(file, place, 'missing; an OTLP span needs start and end times in nanoseconds');
  fail(file, place, `${kindOf(value)} is not a time; expected a decimal string of nanoseconds since the epoch`);
}

/** Durations (ms) per tool from the `execute_tool` spans (`gen_ai.tool.name` names the tool). */
export function otlpToolSamples(requests: readonly OtlpRequest[], file: string): Record<string, number[]> {
  const samples = new Collector();
  for (const { span, attributes, path } of otlpSpans(requests, file)) {
    if (stringAttribute(attributes, 'gen_ai.operation.name').value !== 'execute_tool') continue;
    const tool = stringAttribute(attributes, 'gen_ai.tool.name');
    if (!tool.found) {
      fail(file, path, 'execute_tool span has no gen_ai.tool.name attribute; the exporter must record the tool name');
    }
    if (tool.value === undefined) fail(file, path, 'gen_ai.tool.name is not a stringValue; it must be the tool name');
    if (tool.value.trim() === '') fail(file, path, 'empty tool name in gen_ai.tool.name; it must be the tool name');
    const start = unixNanos(span.startTimeUnixNano, file, `${path}.startTimeUnixNano`);
    const end = unixNanos(span.endTimeUnixNano, file, `${path}.endTimeUnixNano`);
    if (end < start) {
      fail(
        file,
        path,
        `span of tool ${JSON.stringify(tool.value)} ends before it starts (endTimeUnixNano ${end} < startTimeUnixNano ${start}); fix or drop the span`,
      );
    }
    samples.add(tool.value, duration(Number(end - start) / 1e6, file, path), file, path);
  }
  if (samples.size === 0) {
    fail(file, 'resourceSpans', 'no spans with gen_ai.operation.name = execute_tool; is this a GenAI trace?');
  }
  return samples.toRecord();
}

/** The export requests of OTLP JSON lines (one request per line), or undefined if the text is not that. */
export function otlpLines(text: string, file: string): OtlpRequest[] | undefined {
  const lines = text.split(/\r?\n/).map((line, index) => ({ line, number: index + 1 }));
  const filled = lines.filter(({ line }) => line.trim() !== '');
  const first = filled[0];
  if (filled.length < 2 || !first) return undefined;
  try {
    const data: unknown = JSON.parse(first.line);
    if (!isRecord(data) || !isOtlpRequest(data)) return undefined;
  } catch {
    return undefined;
  }
  return filled.map(({ line, number }) => {
    let data: unknown;
    try {
      data = JSON.parse(line);
    } catch {
      fail(file, `line ${number}`, 'not valid JSON; an OTLP JSON-lines file holds one export request per line');
    }
    if (!isRecord(data)) fail(file, `line ${number}`, `is ${kindOf(data)}; expected an OTLP export request object`);
    return { data, prefix: `line ${number}: ` };
  });
}

/** A span as a trace reader needs it: ids, name, times (ns) and attributes by key, with its place in the file. */
export interface TraceSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  startNs: bigint;
  endNs: bigint;
  attributes: ReadonlyMap<string, string | number | boolean>;
  /** Where it is in the file, for messages: `resourceSpans[0].scopeSpans[0].spans[3]`. */
  path: string;
}

/** An attribute's value: OTLP JSON's `stringValue`, `intValue` (a string or a number), `doubleValue` or `boolValue`. */
function attributeValue(value: unknown): string | number | boolean | undefined {
  if (!isRecord(value)) return undefined;
  if (typeof value.stringValue === 'string') return value.stringValue;
  if (typeof value.intValue === 'string' || typeof value.intValue === 'number') return Number(value.intValue);
  if (typeof value.doubleValue === 'number') return value.doubleValue;
  if (typeof value.boolValue === 'boolean') return value.boolValue;
  return undefined;
}

/** Every span of the requests with its times checked (start ≤ end, both present), in file order. */
export function traceSpans(requests: readonly OtlpRequest[], file: string): TraceSpan[] {
  const spans: TraceSpan[] = [];
  for (const { span, attributes, path } of otlpSpans(requests, file)) {
    const startNs = unixNanos(span.startTimeUnixNano, file, `${path}.startTimeUnixNano`);
    const endNs = unixNanos(span.endTimeUnixNano, file, `${path}.endTimeUnixNano`);
    if (endNs < startNs) fail(file, path, `ends before it starts (endTimeUnixNano ${endNs} < ${startNs})`);
    const values = new Map<string, string | number | boolean>();
    for (const attribute of attributes) {
      if (!isRecord(attribute) || typeof attribute.key !== 'string') continue;
      const value = attributeValue(attribute.value);
      if (value !== undefined) values.set(attribute.key, value);
    }
    const id = (key: string) => (typeof span[key] === 'string' && span[key] !== '' ? (span[key] as string) : undefined);
    const parentSpanId = id('parentSpanId');
    spans.push({
      traceId: id('traceId') ?? '',
      spanId: id('spanId') ?? path,
      ...(parentSpanId ? { parentSpanId } : {}),
      name: typeof span.name === 'string' ? span.name : '',
      startNs,
      endNs,
      attributes: values,
      path,
    });
  }
  return spans;
}

/** What a span is in OpenTelemetry's GenAI conventions or the Vercel AI SDK's telemetry; undefined for others. */
export function spanOperation(span: TraceSpan): 'agent' | 'chat' | 'tool' | undefined {
  const op = span.attributes.get('gen_ai.operation.name');
  if (op === 'invoke_agent') return 'agent';
  if (op === 'chat' || op === 'text_completion' || op === 'generate_content') return 'chat';
  if (op === 'execute_tool') return 'tool';
  const ai = span.attributes.get('ai.operationId') ?? span.name;
  if (ai === 'ai.generateText' || ai === 'ai.streamText') return 'agent';
  if (ai === 'ai.generateText.doGenerate' || ai === 'ai.streamText.doStream') return 'chat';
  if (ai === 'ai.toolCall') return 'tool';
  return undefined;
}

/**
 * A span's time: what fanout-bench planned for it when it wrote the trace (`fanout.planned_ms`: a call's drawn
 * latency, a turn's model latency; the span itself also holds the timer's lateness, which a replay adds again), else
 * its duration.
 */
export function spanMs(span: TraceSpan): number {
  const planned = span.attributes.get('fanout.planned_ms');
  return typeof planned === 'number' && Number.isFinite(planned) && planned >= 0
    ? planned
    : Number(span.endNs - span.startNs) / 1e6;
}

/** The model's time per turn: the durations (ms) of the `chat` spans of a trace. */
export function otlpChatDurations(requests: readonly OtlpRequest[], file: string): number[] {
  const durations = traceSpans(requests, file)
    .filter((span) => spanOperation(span) === 'chat')
    .map((span) => duration(spanMs(span), file, span.path));
  if (durations.length === 0) {
    fail(file, 'resourceSpans', 'no chat spans (gen_ai.operation.name = chat, or the AI SDK’s doGenerate/doStream)');
  }
  return durations;
}

/** The export requests in a trace file: one JSON request, or JSON lines of them. */
export function readTraceFile(file: string): OtlpRequest[] {
  return traceRequests(readTraceBytes(file).toString('utf8'), file);
}

/** A trace file's bytes; a missing or unreadable file is a one-line ProfileError. */
export function readTraceBytes(file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    fail(
      file,
      'file',
      code === 'ENOENT' ? 'no such file; check the path' : `cannot read it (${code ?? errorMessage(error)})`,
    );
  }
}

/** The export requests of a trace's text: one JSON request, or JSON lines of them. */
export function traceRequests(text: string, file: string): OtlpRequest[] {
  const body = text.replace(/^\uFEFF/, '');
  try {
    const data: unknown = JSON.parse(body);
    if (!isRecord(data) || !isOtlpRequest(data)) {
      fail(file, 'top level', 'is not an OTLP JSON export request (no resourceSpans); export traces as OTLP JSON');
    }
    return [{ data, prefix: '' }];
  } catch (error) {
    if (error instanceof ProfileError) throw error;
    const lines = otlpLines(body, file);
    if (!lines) fail(file, 'file', 'is neither OTLP JSON nor OTLP JSON lines; export traces as OTLP JSON');
    return lines;
  }
}
