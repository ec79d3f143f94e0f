import { HttpResponse } from 'msw';
import { sleep } from '../core/time.ts';
import type { ToolCall } from '../executors/types.ts';
import { drawRecorded } from '../tools/recorded.ts';
import { eventStream } from './chat-stream.ts';
import { errorResponse, type Violation } from './rules.ts';
import type { Scenario } from './scenario.ts';
import type { Step } from './script.ts';

export const OPENAI_BASE_URL = 'https://api.openai.com/v1';
export const DEFAULT_ARGUMENT_FRAGMENT_CHARS = 8;

/** One endpoint of the mocked API: a request in, the API's response out (msw wraps it, or a client calls it). */
export type Route = (request: Request) => Promise<Response>;

/** Settings of the mock that can change between runs (see `ModelMock.configure`). */
export interface StreamSettings {
  /** Forces every turn's model latency, e.g. 0 to measure the harness's own overhead. @default undefined (use the scenario's) */
  latencyOverrideMs?: number | undefined;
  /** Delay between chunks of a streamed answer, to simulate a slow stream. @default 0 */
  streamChunkDelayMs?: number;
  /**
   * The model's output rate after its first token, in tokens per second (about 4 characters a token, see
   * {@link textTokens}): each streamed chunk takes its tokens' time, a whole response all of them. Overrides the
   * scenario's. @default undefined (the scenario's; none: the answer comes at once after the first token)
   */
  tokensPerSecond?: number | undefined;
  /**
   * Recorded model turns (ms): without an override, each turn's latency is drawn from them, seeded by the turn
   * (the same turn meets the same latency under every strategy). @default undefined (the scenario's latencies)
   */
  latencySamples?: readonly number[] | undefined;
  /** Seed of the draws from `latencySamples`. @default 42 */
  seed?: number;
  /** Interleave the argument fragments of different calls by index instead of sending call after call. @default false */
  interleave?: boolean;
  /** Characters of arguments per streamed fragment. @default 8 */
  argumentFragmentChars?: number;
}

/**
 * How long the model takes, as a run states it: the time to the first token (`--model-latency`; else each turn's
 * scripted latency), a fixed delay between streamed chunks (`--stream-delay`), and the output rate after the first
 * token (`--tokens-per-second`; else the scenario's). One mechanism: the shorthands and the rate all become the
 * mock's settings.
 */
export interface ModelTiming {
  modelLatencyMs?: number;
  streamChunkDelayMs?: number;
  tokensPerSecond?: number;
  /** Recorded model turns (ms): each turn's time to first token drawn from them, seeded by the turn. */
  latencySamples?: readonly number[];
  /** Seed of those draws. @default 42 */
  seed?: number;
}

/** The mock settings of a model timing. */
export function timingSettings(timing: ModelTiming): StreamSettings {
  return {
    ...(timing.modelLatencyMs === undefined ? {} : { latencyOverrideMs: timing.modelLatencyMs }),
    ...(timing.streamChunkDelayMs === undefined ? {} : { streamChunkDelayMs: timing.streamChunkDelayMs }),
    ...(timing.tokensPerSecond === undefined ? {} : { tokensPerSecond: timing.tokensPerSecond }),
    ...(timing.latencySamples === undefined ? {} : { latencySamples: timing.latencySamples }),
    ...(timing.seed === undefined ? {} : { seed: timing.seed }),
  };
}

/** Counts of what the mock did, for tests and reports. */
export interface ModelMockCounters {
  /** Requests answered, violations included. */
  requests: number;
  chatRequests: number;
  /** Requests with `stream: true` (Chat Completions or Responses). */
  streamRequests: number;
  responsesRequests: number;
  /** Anthropic Messages requests (`POST /v1/messages`). */
  messagesRequests: number;
  /** Requests refused with a 400 for breaking an API rule. */
  violations: number;
  /** Message of the last violation. */
  lastViolation: string | null;
}

export function emptyCounters(): ModelMockCounters {
  return {
    requests: 0,
    chatRequests: 0,
    streamRequests: 0,
    responsesRequests: 0,
    messagesRequests: 0,
    violations: 0,
    lastViolation: null,
  };
}

/**
 * One answered request as the server saw it: when it came, when the response (or a stream's last byte) went out,
 * the tool results it carried for the previous response's calls (in the order the client sent them) and the calls
 * it asked for. Whoever drives the client (our loop, a framework's) is observed the same way from here.
 */
export interface Exchange {
  api: 'chat' | 'responses' | 'messages';
  stream: boolean;
  /** `performance.now()` when the request arrived. */
  receivedAt: number;
  /** `performance.now()` when the response was complete; NaN until then. */
  respondedAt: number;
  /** The model latency the mock waited. */
  latencyMs: number;
  /** Results for the calls of the previous response, as sent: id and content text (Messages: `is_error` too). */
  answered: { id: string; content: string; isError?: boolean }[];
  calls: ToolCall[];
  text: string | null;
  /** Streamed responses: `performance.now()` when each call's last argument chunk went out, by call id. */
  readyAt?: Record<string, number>;
  /** A planner's turn: the ids of the plan's tasks, which the client runs after (and while) it streams. */
  planTasks?: string[];
  /** The output rate the answer was paced at, tokens per second (none: at once). */
  tokensPerSecond?: number;
}

/** Exchanges kept beyond this are dropped oldest first (a caller that never takes them does not grow memory). */
export const MAX_EXCHANGES = 10_000;

/** What the handlers share with the mock that owns them. */
export interface MockContext {
  readonly settings: Required<Omit<StreamSettings, 'latencyOverrideMs' | 'tokensPerSecond' | 'latencySamples'>> & {
    latencyOverrideMs: number | undefined;
    tokensPerSecond: number | undefined;
    latencySamples: readonly number[] | undefined;
  };
  readonly counters: ModelMockCounters;
  /** Answered requests since the last {@link ModelMock.takeExchanges}. */
  readonly exchanges: Exchange[];
  /** The scenario a request plays: the one named by its `model` if registered, else the active one. */
  scenarioFor(model: unknown): Scenario | undefined;
  /** A fresh id with this prefix, unique within the mock. */
  nextId(prefix: string): string;
}

/** Logs an exchange (its `respondedAt` is filled in when the response is complete). */
export function logExchange(context: MockContext, exchange: Exchange): Exchange {
  context.exchanges.push(exchange);
  if (context.exchanges.length > MAX_EXCHANGES) context.exchanges.shift();
  return exchange;
}

/** Logs the exchange of a scripted step as it starts: what it answered, and the calls or text it will send. */
export function logStep(
  context: MockContext,
  api: Exchange['api'],
  stream: boolean,
  latencyMs: number,
  step: Step,
  answered: Exchange['answered'],
): Exchange {
  const calls = step.kind === 'calls' ? step.calls : [];
  const tokensPerSecond = context.settings.tokensPerSecond ?? step.tokensPerSecond;
  const exchange: Exchange = {
    api,
    stream,
    receivedAt: performance.now(),
    respondedAt: Number.NaN,
    latencyMs,
    answered,
    calls,
    text: step.text,
    ...(tokensPerSecond === undefined ? {} : { tokensPerSecond }),
    ...(step.kind === 'answer' && step.plan ? { planTasks: step.plan.map((task) => task.id) } : {}),
  };
  return logExchange(context, exchange);
}

/** The call ids whose last argument event is the event at each index of a stream: when each call is complete. */
export type ReadyEvents = ReadonlyMap<number, readonly string[]>;

/**
 * For a planner's streamed text, in any API's events, the index of the event that completes each task's line (its
 * newline, or the end of the text): when that event goes out, the task is known to the client.
 */
export function planReadyEvents(
  events: readonly unknown[],
  text: string,
  tasks: readonly { id: string; line: string }[],
): ReadyEvents {
  // where each task's line ends in the text, found in order
  let from = 0;
  const ends = tasks.map((task) => {
    const at = text.indexOf(task.line, from);
    if (at < 0) return Number.POSITIVE_INFINITY;
    from = at + task.line.length;
    return Math.min(text.length, from + 1);
  });
  const ready = new Map<number, string[]>();
  let sent = 0;
  let next = 0;
  events.forEach((event, position) => {
    sent += streamedText(event).length;
    while (next < tasks.length && (ends[next] ?? 0) <= sent) {
      ready.set(position, [...(ready.get(position) ?? []), (tasks[next] as { id: string }).id]);
      next++;
    }
  });
  return ready;
}

/**
 * Sends an exchange's answer: the JSON body at once, or its events as a stream (`named` for the APIs that name
 * them); the exchange's `respondedAt` is set when the last byte is out, and with `ready` its `readyAt`: when the
 * event that completes each call went out.
 */
export async function respond(
  context: MockContext,
  exchange: Exchange,
  body: unknown,
  stream?: { events: readonly unknown[]; named: boolean; ready?: ReadyEvents },
): Promise<Response> {
  const rate = exchange.tokensPerSecond;
  // pacing counts characters ÷ 4 without rounding, so a streamed answer costs what it costs whole
  const tokensMs = (text: string) => (rate === undefined ? 0 : (text.length / 4 / rate) * 1000);
  if (!stream) {
    // a whole answer after all its tokens: the calls' names and arguments, and the text
    const output = (exchange.text ?? '') + exchange.calls.map((call) => call.name + call.arguments).join('');
    const wait = tokensMs(output);
    if (wait > 0) await sleep(wait);
    const response = HttpResponse.json(body as Parameters<typeof HttpResponse.json>[0]);
    exchange.respondedAt = performance.now();
    return response;
  }
  const done = () => {
    exchange.respondedAt = performance.now();
  };
  const { ready } = stream;
  let onEvent: ((index: number) => void) | undefined;
  if (ready) {
    const readyAt: Record<string, number> = {};
    exchange.readyAt = readyAt;
    onEvent = (index) => {
      for (const id of ready.get(index) ?? []) readyAt[id] = performance.now();
    };
  }
  // before each chunk after the first: the fixed delay, and the time its tokens take at the model's rate
  const chunkDelay = context.settings.streamChunkDelayMs;
  // a timer cannot wait less than 1 ms: shorter waits are carried to the next chunk, so high rates stay exact
  let owed = 0;
  const delays = (index: number) => {
    owed += chunkDelay + tokensMs(streamedText(stream.events[index]));
    if (owed < 1) return 0;
    const wait = owed;
    owed = 0;
    return wait;
  };
  const events = eventStream(stream.events, delays, done, stream.named, onEvent);
  return new HttpResponse(events, {
    headers: { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache' },
  });
}

/** The model latency of a step: the override, else a recorded turn drawn for this turn, else the scenario's. */
export function latencyOf(context: MockContext, step: Step): number {
  const { latencyOverrideMs, latencySamples, seed } = context.settings;
  if (latencyOverrideMs !== undefined) return latencyOverrideMs;
  if (latencySamples?.length) return drawRecorded(latencySamples, seed, `model-turn-${step.turnIndex}`);
  return step.latencyMs;
}

/** Rough token count, for `usage`: about four characters a token. */
export function tokens(text: string): number {
  return Math.max(1, textTokens(text));
}

/** The tokens a text costs the model, by the estimate used everywhere here: four characters a token, rounded up. */
export function textTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

/** The text an event of a stream carries (what the model generated for it), in any of the three APIs' shapes. */
export function streamedText(event: unknown): string {
  if (typeof event !== 'object' || event === null) return '';
  const e = event as {
    type?: string;
    delta?: unknown;
    choices?: {
      delta?: { content?: string | null; tool_calls?: { function?: { name?: string; arguments?: string } }[] };
    }[];
  };
  if (Array.isArray(e.choices)) {
    const delta = e.choices[0]?.delta;
    const calls = (delta?.tool_calls ?? []).map((c) => (c.function?.name ?? '') + (c.function?.arguments ?? ''));
    return (delta?.content ?? '') + calls.join('');
  }
  if (typeof e.type === 'string' && e.type.endsWith('.delta') && typeof e.delta === 'string') return e.delta;
  if (e.type === 'content_block_delta') {
    const delta = e.delta as { text?: string; partial_json?: string } | undefined;
    return delta?.text ?? delta?.partial_json ?? '';
  }
  // a call's name goes out with its header event (Responses: the item added; Messages: the block started)
  const item = (event as { item?: { type?: string; name?: string } }).item;
  if (e.type === 'response.output_item.added' && item?.type === 'function_call') return item.name ?? '';
  const block = (event as { content_block?: { type?: string; name?: string } }).content_block;
  if (e.type === 'content_block_start' && block?.type === 'tool_use') return block.name ?? '';
  return '';
}

export const NO_SCENARIO: Violation = {
  message: 'fanout-bench model mock: no scenario to play; call mock.use(scenario) before the first request.',
  param: 'model',
};

/** Counts the violation and answers it as the API does. */
export function refuse(context: MockContext, violation: Violation): Response {
  context.counters.violations++;
  context.counters.lastViolation = violation.message;
  return errorResponse(violation);
}

export function modelName(model: unknown): string {
  return typeof model === 'string' && model !== '' ? model : 'gpt-4o-mini';
}
