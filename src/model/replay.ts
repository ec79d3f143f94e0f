import { fail, isRecord } from '../tools/recordings/checks.ts';
import { readTraceFile, spanMs, spanOperation, type TraceSpan, traceSpans } from '../tools/recordings/otlp.ts';
import type { ToolRegistry } from '../tools/registry.ts';
import { type Scenario, validateScenario } from './scenario.ts';

export interface RecordedCall {
  id: string;
  name: string;
  /** The arguments as recorded (`gen_ai.tool.call.arguments`, `ai.toolCall.args`); absent when not recorded. */
  arguments?: string;
  durationMs: number;
}

export interface RecordedTurn {
  /** The model's time for this turn: its `chat` span (and any `chat` span before it that asked for no call). */
  modelMs: number;
  calls: RecordedCall[];
}

export interface RecordedRun {
  /** The agent's name (`gen_ai.agent.name`, the AI SDK's `ai.telemetry.functionId`), else the trace id. */
  name: string;
  traceId: string;
  /** The run as recorded: its agent span, else from its first span's start to its last span's end. */
  wallMs: number;
  /** Turns with calls, in order. */
  turns: RecordedTurn[];
  /** The model's time for the answer after the last calls (0 when the trace ends with tools). */
  answerMs: number;
}

const text = (span: TraceSpan, ...keys: string[]): string | undefined => {
  for (const key of keys) {
    const value = span.attributes.get(key);
    if (typeof value === 'string' && value !== '') return value;
  }
  return undefined;
};

const ms = (ns: bigint): number => Number(ns) / 1e6;

/** The runs in a trace file, in the order their agents started. */
export function readRecordedRuns(file: string): RecordedRun[] {
  const spans = traceSpans(readTraceFile(file), file);
  const byId = new Map(spans.map((span) => [`${span.traceId}/${span.spanId}`, span]));
  const parentOf = (span: TraceSpan) =>
    span.parentSpanId === undefined ? undefined : byId.get(`${span.traceId}/${span.parentSpanId}`);
  /** The outermost agent span above a span (itself included), or undefined. */
  const agentOf = (span: TraceSpan): TraceSpan | undefined => {
    let found: TraceSpan | undefined;
    for (let at: TraceSpan | undefined = span; at; at = parentOf(at)) if (spanOperation(at) === 'agent') found = at;
    return found;
  };
  /** Whether a span runs inside a tool call (a sub-agent, an instrumented tool server): its time is that call's. */
  const insideTool = (span: TraceSpan): boolean => {
    for (let at = parentOf(span); at; at = parentOf(at)) if (spanOperation(at) === 'tool') return true;
    return false;
  };
  const runs = new Map<string, { agent?: TraceSpan; traceId: string; members: TraceSpan[] }>();
  for (const span of spans) {
    const op = spanOperation(span);
    if ((op !== 'chat' && op !== 'tool') || insideTool(span)) continue;
    const agent = agentOf(span);
    const key = agent ? `${agent.traceId}/${agent.spanId}` : `trace/${span.traceId}`;
    const run = runs.get(key) ?? { ...(agent ? { agent } : {}), traceId: span.traceId, members: [] };
    run.members.push(span);
    runs.set(key, run);
  }
  if (![...runs.values()].some((run) => run.members.some((s) => spanOperation(s) === 'chat'))) {
    fail(
      file,
      'resourceSpans',
      'no model turns: replay needs chat spans (gen_ai.operation.name = chat, or the AI SDK’s doGenerate/doStream) of an agent run',
    );
  }
  const ordered = [...runs.values()]
    .map((run) => recordedRun(run.members, run.agent, run.traceId, file))
    .sort((a, b) => (a.startNs === b.startNs ? 0 : a.startNs < b.startNs ? -1 : 1));
  // runs of one agent name stay apart: `support`, `support #2`, … (their cells are named by them)
  const seen = new Map<string, number>();
  return ordered.map(({ startNs: _, ...run }) => {
    const count = (seen.get(run.name) ?? 0) + 1;
    seen.set(run.name, count);
    return count === 1 ? run : { ...run, name: `${run.name} #${count}` };
  });
}

function recordedRun(
  members: readonly TraceSpan[],
  agent: TraceSpan | undefined,
  traceId: string,
  file: string,
): RecordedRun & { startNs: bigint } {
  const name = (agent && text(agent, 'gen_ai.agent.name', 'ai.telemetry.functionId')) ?? traceId;
  const chats = members.filter((s) => spanOperation(s) === 'chat').sort((a, b) => (a.startNs < b.startNs ? -1 : 1));
  const tools = members.filter((s) => spanOperation(s) === 'tool').sort((a, b) => (a.startNs < b.startNs ? -1 : 1));
  if (chats.length === 0) {
    const first = tools[0] as TraceSpan;
    fail(file, first.path, `tool span "${first.name}" of run ${name} has no model turn (no chat span in its run)`);
  }
  // a call belongs to the last model turn that started before it (a streamed turn's calls may start during it;
  // 1 ms of clock slack)
  const slack = 1_000_000n;
  const callsOf = new Map<TraceSpan, RecordedCall[]>();
  for (const [index, tool] of tools.entries()) {
    const turn = chats.filter((chat) => chat.startNs <= tool.startNs + slack).at(-1);
    if (!turn) {
      fail(
        file,
        tool.path,
        `tool span "${tool.name}" starts before any model turn of run ${name}; its turn is missing`,
      );
    }
    const recordedName = text(tool, 'gen_ai.tool.name', 'ai.toolCall.name');
    if (!recordedName) fail(file, tool.path, 'tool span names no tool (gen_ai.tool.name or ai.toolCall.name)');
    // the APIs take function names of 1-64 letters, digits, _ or -: `files.read` plays as `files_read`
    const toolName = recordedName.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 64);
    const args = text(tool, 'gen_ai.tool.call.arguments', 'ai.toolCall.args');
    const calls = callsOf.get(turn) ?? [];
    calls.push({
      id: text(tool, 'gen_ai.tool.call.id', 'ai.toolCall.id') ?? `call-${index}`,
      name: toolName,
      ...(args === undefined ? {} : { arguments: args }),
      durationMs: spanMs(tool),
    });
    callsOf.set(turn, calls);
  }
  const turns: RecordedTurn[] = [];
  let carried = 0; // model turns that asked for nothing count toward the next one
  for (const chat of chats) {
    const calls = callsOf.get(chat);
    if (!calls) {
      carried += spanMs(chat);
      continue;
    }
    turns.push({ modelMs: carried + spanMs(chat), calls });
    carried = 0;
  }
  const all = [...members, ...(agent ? [agent] : [])];
  // biome-ignore lint/complexity/useMathMinMax: bigint nanoseconds; Math.min takes numbers only
  const startNs = all.reduce((min, s) => (s.startNs < min ? s.startNs : min), all[0]?.startNs ?? 0n);
  // biome-ignore lint/complexity/useMathMinMax: bigint nanoseconds; Math.max takes numbers only
  const endNs = all.reduce((max, s) => (s.endNs > max ? s.endNs : max), 0n);
  const wallMs = agent ? ms(agent.endNs - agent.startNs) : ms(endNs - startNs);
  return { name, traceId, wallMs, turns, answerMs: carried, startNs };
}

/** A name a scenario accepts for a call id (1-64 letters, digits, _ or -). */
const CALL_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** The tools a run calls, each once: the caller registers them (as simulated tools) before building its scenario. */
export function toolNamesOf(run: RecordedRun): string[] {
  return [...new Set(run.turns.flatMap((t) => t.calls.map((c) => c.name)))];
}

/**
 * A recorded run as a scenario: each turn's model time as its latency, its calls with their recorded arguments
 * (none when not recorded), then the answer; and each call's recorded duration by the id the scenario gives it.
 * `tools` holds the run's tools (see `toolNamesOf`).
 */
export function replayScenario(
  run: RecordedRun,
  tools: ToolRegistry,
): { scenario: Scenario; latencyByCall: Record<string, number> } {
  const latencyByCall: Record<string, number> = {};
  const seen = new Set<string>();
  const turns = run.turns.map((turn, t) => ({
    latencyMs: turn.modelMs,
    calls: turn.calls.map((call, c) => {
      let id = CALL_ID.test(call.id) && !seen.has(call.id) ? call.id : `t${t}-c${c}`;
      while (seen.has(id)) id = `${id}x`;
      seen.add(id);
      latencyByCall[id] = call.durationMs;
      const args = parseArguments(call.arguments) ?? {};
      return { id, name: call.name, arguments: args };
    }),
  }));
  const name = run.name.replace(/[^A-Za-z0-9._-]+/g, '-').slice(0, 64) || 'replay';
  const scenario = validateScenario(
    {
      name,
      description: `replay of ${run.name} (${run.turns.length} turns with calls)`,
      question: `Replay of the recorded run ${run.name}.`,
      modelLatencyMs: 0,
      turns: [...turns, { answer: `Replayed ${run.name}.`, latencyMs: run.answerMs }],
    },
    name,
    tools,
  );
  return { scenario, latencyByCall };
}

/** Recorded arguments as an object, or undefined when absent or not a JSON object. */
function parseArguments(text: string | undefined): Record<string, unknown> | undefined {
  if (text === undefined) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return isRecord(value) ? value : undefined;
  } catch {
    return undefined;
  }
}
