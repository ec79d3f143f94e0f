/**
 * Traces in OpenTelemetry's GenAI conventions (OTLP JSON): an `invoke_agent` span per run, a `chat` span per model
 * turn and an `execute_tool` span per call under it, so a run opens in any OpenTelemetry viewer and `fanout-bench
 * replay` reads it back. `bench --export-otlp` writes each cell's median sample (its timeline); `run --export-otlp`
 * the whole conversation.
 */
import { createHash } from 'node:crypto';
import type { ResultsDocument, TimelineSpan } from '../results/document.ts';

/** One run to write: its name (`gen_ai.agent.name`), when it started, its timeline, and what its calls carried. */
export interface TracedRun {
  name: string;
  /** The model the run asked (`gen_ai.request.model`). */
  model: string;
  startedAtMs: number;
  /** The whole run, from its start; the last span's end when absent. */
  durationMs?: number;
  spans: readonly TimelineSpan[];
  /** The arguments of each call by id, where known (a `run` knows them; a cell's timeline does not). */
  arguments?: ReadonlyMap<string, string>;
}

type Attribute = { key: string; value: { stringValue: string } | { intValue: string } | { doubleValue: number } };
const text = (key: string, value: string): Attribute => ({ key, value: { stringValue: value } });
const whole = (key: string, value: number): Attribute => ({ key, value: { intValue: String(value) } });
/** What the harness planned for a span (a call's drawn latency, a turn's model latency): replay takes it exactly. */
const planned = (span: TimelineSpan): Attribute[] =>
  span.plannedMs === undefined ? [] : [{ key: 'fanout.planned_ms', value: { doubleValue: span.plannedMs } }];

/** A hex id of `bytes` bytes, fixed by `seed` (the same run always gets the same ids). */
function hexId(seed: string, bytes: number): string {
  return createHash('sha256')
    .update(seed)
    .digest('hex')
    .slice(0, bytes * 2);
}

const nanos = (ms: number): string => (BigInt(Math.round(ms * 1000)) * 1000n).toString();

/** The spans of one run: the agent, then each model turn and each call as its children. */
function runSpans(run: TracedRun): Record<string, unknown>[] {
  const traceId = hexId(`trace/${run.startedAtMs}/${run.name}`, 16);
  const root = hexId(`${traceId}/agent`, 8);
  const end = run.durationMs ?? Math.max(0, ...run.spans.map((s) => s.endMs));
  const at = (ms: number) => nanos(run.startedAtMs + ms);
  const spans: Record<string, unknown>[] = [
    {
      traceId,
      spanId: root,
      name: `invoke_agent ${run.name}`,
      kind: 1,
      startTimeUnixNano: at(0),
      endTimeUnixNano: at(end),
      attributes: [text('gen_ai.operation.name', 'invoke_agent'), text('gen_ai.agent.name', run.name)],
    },
  ];
  for (const [index, span] of run.spans.entries()) {
    const common = { traceId, spanId: hexId(`${traceId}/${index}`, 8), parentSpanId: root };
    const times = { startTimeUnixNano: at(span.startMs), endTimeUnixNano: at(span.endMs) };
    if (span.kind === 'model') {
      spans.push({
        ...common,
        name: `chat ${run.model}`,
        kind: 3,
        ...times,
        attributes: [
          text('gen_ai.operation.name', 'chat'),
          text('gen_ai.provider.name', 'openai'),
          text('gen_ai.request.model', run.model),
          whole('fanout.turn', span.turn),
          ...planned(span),
        ],
      });
      continue;
    }
    const args = run.arguments?.get(span.id);
    spans.push({
      ...common,
      name: `execute_tool ${span.tool}`,
      kind: 1,
      ...times,
      attributes: [
        text('gen_ai.operation.name', 'execute_tool'),
        text('gen_ai.tool.name', span.tool),
        text('gen_ai.tool.call.id', span.id),
        text('gen_ai.tool.type', 'function'),
        ...(args === undefined ? [] : [text('gen_ai.tool.call.arguments', args)]),
        ...(span.turn === undefined ? [] : [whole('fanout.turn', span.turn)]),
        ...planned(span),
      ],
      status: span.status === 'ok' ? { code: 1 } : { code: 2, message: span.status },
    });
  }
  return spans;
}

/** One OTLP JSON export request holding the runs. */
export function otlpTrace(runs: readonly TracedRun[], version: string): string {
  const request = {
    resourceSpans: [
      {
        resource: { attributes: [text('service.name', 'fanout-bench')] },
        scopeSpans: [{ scope: { name: 'fanout-bench', version }, spans: runs.flatMap(runSpans) }],
      },
    ],
  };
  return `${JSON.stringify(request, null, 2)}\n`;
}

/** A results document's agent cells, each its median sample's timeline, as one trace per cell (named by its id). */
export function serializeOtlp(results: ResultsDocument): string {
  const started = Date.parse(results.createdAt);
  const runs = results.cells.flatMap((cell): TracedRun[] =>
    cell.status === 'ok' && cell.agent && cell.timeline
      ? [
          {
            name: cell.id,
            model: cell.agent.scenario,
            startedAtMs: started,
            durationMs: cell.timeline.durationMs,
            spans: cell.timeline.spans,
          },
        ]
      : [],
  );
  return otlpTrace(runs, results.tool.version);
}
