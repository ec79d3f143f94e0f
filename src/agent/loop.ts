import type Anthropic from '@anthropic-ai/sdk';
import type OpenAI from 'openai';
import { epochNow } from '../executors/call.ts';
import type { IdealSchedule } from '../executors/definition.ts';
import type { Executor, ToolCall, ToolOutcome } from '../executors/types.ts';
import { isAnthropicClient } from '../model/anthropic-sdk.ts';
import type { ChatFunctionTool } from '../tools/catalog.ts';
import type { Provider } from './provider.ts';
import { chatProvider } from './providers/chat.ts';
import { messagesProvider } from './providers/messages.ts';
import { responsesProvider } from './providers/responses.ts';
import {
  AgentError,
  type AgentRun,
  type AgentStep,
  type ApiMode,
  DEFAULT_MAX_STEPS,
  type DispatchMode,
  isAnthropicApi,
} from './types.ts';

export interface AgentOptions {
  /** The SDK client of the API: OpenAI for `chat` and `responses` (and their streams), Anthropic for `messages`. */
  client: OpenAI | Anthropic;
  model: string;
  executor: Executor;
  question: string;
  tools: ChatFunctionTool[];
  /** @default 'chat' */
  api?: ApiMode;
  /** Streams only. @default 'after-stream' */
  dispatch?: DispatchMode;
  /** The executor's declared schedule: early dispatch chains a `serial` one and refuses `chunks`. */
  schedule?: IdealSchedule;
  /** Sent as `parallel_tool_calls` when set. */
  parallelToolCalls?: boolean;
  /** Guard against a model that never stops asking for tools. @default 10 */
  maxSteps?: number;
  /**
   * Throw {@link AgentError} when every call of a turn failed, instead of sending the failures back to the model as
   * each call's result (what every framework does, and the default: a real model may recover). @default false
   */
  stopWhenAllFail?: boolean;
  signal?: AbortSignal;
  onStep?: (step: AgentStep) => void;
}

/** Keeps the first call of each id: the API wants exactly one answer per id. */
export function uniqueCalls(calls: readonly ToolCall[]): { calls: ToolCall[]; warnings: string[] } {
  const seen = new Set<string>();
  const unique: ToolCall[] = [];
  const warnings: string[] = [];
  for (const call of calls) {
    if (seen.has(call.id)) {
      warnings.push(`duplicate call id ${call.id} (${call.name}) ignored; answered once`);
      continue;
    }
    seen.add(call.id);
    unique.push(call);
  }
  return { calls: unique, warnings };
}

/** One summary message when some calls of a turn failed, for logs and the all-failed error. */
export function aggregateErrors(outcomes: readonly ToolOutcome[]): string {
  return outcomes.flatMap((o) => (o.status === 'ok' ? [] : [`${o.id}: ${o.status} (${o.error})`])).join('; ');
}

/**
 * Starts calls one by one as they become ready, honouring the executor's own limits (a window's or a pool's hold
 * across one-call batches; a serial schedule is kept by chaining them; fixed chunks cannot be kept).
 */
function earlyDispatcher(executor: Executor, schedule: IdealSchedule | undefined, signal?: AbortSignal) {
  if (schedule === 'chunks') {
    throw new AgentError(
      `early dispatch cannot keep the fixed chunks of ${executor.name}; use \`--dispatch after-stream\``,
    );
  }
  const serial = schedule === 'serial';
  let chain: Promise<unknown> = Promise.resolve();
  const started = new Map<string, Promise<ToolOutcome>>();
  // each call is a one-call batch timed from its own start: shift it onto one origin for the whole turn, so the
  // turn's timeline (and its peak in flight) holds
  const origin = epochNow();
  return {
    started,
    dispatch(call: ToolCall) {
      if (started.has(call.id)) return;
      const run = () => {
        const batchStart = epochNow();
        return executor.run([call], signal).then((outcomes) => {
          const outcome = outcomes[0] as ToolOutcome;
          const shift = batchStart - origin;
          return { ...outcome, startedMs: outcome.startedMs + shift, endedMs: outcome.endedMs + shift };
        });
      };
      const promise = serial ? chain.then(run) : run();
      chain = promise;
      started.set(call.id, promise);
    },
  };
}

/**
 * The agent loop: ask the model, run every call of the turn with the executor, answer every call id, repeat
 * until the model answers without calls (or `maxSteps` is reached).
 */
export async function runAgent(options: AgentOptions): Promise<AgentRun> {
  const api = options.api ?? 'chat';
  const maxSteps = options.maxSteps ?? DEFAULT_MAX_STEPS;
  const started = performance.now();
  const steps: AgentStep[] = [];
  const provider = createProvider(api, options);
  const { executor, signal } = options;
  for (let index = 1; index <= maxSteps; index++) {
    const turnStart = performance.now();
    const early =
      provider.streams && options.dispatch === 'early'
        ? earlyDispatcher(executor, options.schedule, signal)
        : undefined;
    // early dispatch times calls from the turn's start, a batch after the stream from when it is handed over
    let batchStart = turnStart;
    const turn = await provider.ask({ signal, onCallReady: early ? (call) => early.dispatch(call) : undefined });
    const answered = performance.now();
    const startedDuringStream = early?.started.size ?? 0;
    const { calls, warnings } = uniqueCalls(turn.calls);
    let outcomes: ToolOutcome[];
    if (early) {
      for (const call of calls) early.dispatch(call); // calls whose arguments never parsed go now, and fail there
      outcomes = await Promise.all(calls.map((c) => early.started.get(c.id) as Promise<ToolOutcome>));
    } else {
      batchStart = performance.now();
      outcomes = calls.length === 0 ? [] : await executor.run(calls, signal);
    }
    const step: AgentStep = {
      index,
      text: turn.text,
      calls: turn.calls,
      outcomes,
      modelMs: turn.modelMs,
      toolsMs: performance.now() - answered,
      ...(turn.streamMs === undefined ? {} : { streamMs: turn.streamMs, startedDuringStream }),
      turnMs: performance.now() - turnStart,
      startedMs: turnStart - started,
      batchStartedMs: batchStart - started,
      warnings: [...turn.warnings, ...warnings],
    };
    const failed = outcomes.filter((o) => o.status !== 'ok');
    if (failed.length > 0)
      step.errorSummary = `${failed.length} of ${outcomes.length} calls failed: ${aggregateErrors(failed)}`;
    steps.push(step);
    options.onStep?.(step);
    if (outcomes.length === 0) return summarize(options.question, steps, turn.text, 'answered', started);
    if (options.stopWhenAllFail === true && outcomes.every((o) => o.status !== 'ok')) {
      throw new AgentError(`all ${outcomes.length} tool calls of step ${index} failed: ${aggregateErrors(outcomes)}`);
    }
    provider.answer(turn, calls, outcomes);
  }
  return summarize(options.question, steps, '', 'max-steps', started);
}

/**
 * The provider of an API mode, with the client it needs: OpenAI's for `chat` and `responses` (and their streams),
 * Anthropic's for `messages` and `messages-stream`.
 */
export function createProvider(
  api: ApiMode,
  options: Pick<AgentOptions, 'client' | 'model' | 'question' | 'tools' | 'parallelToolCalls'>,
): Provider {
  const { client } = options;
  const context = {
    model: options.model,
    question: options.question,
    tools: options.tools,
    parallelToolCalls: options.parallelToolCalls,
  };
  const wants = isAnthropicApi(api) ? 'an Anthropic' : 'an OpenAI';
  if (isAnthropicClient(client) !== isAnthropicApi(api)) {
    throw new AgentError(`\`--api ${api}\` needs ${wants} SDK client`);
  }
  switch (api) {
    case 'chat':
    case 'chat-stream':
      return chatProvider({ ...context, client: client as OpenAI }, api === 'chat-stream');
    case 'responses':
    case 'responses-stream':
      return responsesProvider({ ...context, client: client as OpenAI }, api === 'responses-stream');
    case 'messages':
    case 'messages-stream':
      return messagesProvider({ ...context, client: client as Anthropic }, api === 'messages-stream');
  }
}

export function summarize(
  question: string,
  steps: AgentStep[],
  answer: string,
  status: AgentRun['status'],
  started: number,
): AgentRun {
  return {
    question,
    steps,
    answer,
    status,
    totalMs: performance.now() - started,
    modelMs: steps.reduce((sum, s) => sum + s.modelMs, 0),
    toolsMs: steps.reduce((sum, s) => sum + s.toolsMs, 0),
  };
}
