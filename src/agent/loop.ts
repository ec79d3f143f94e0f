import type OpenAI from 'openai';
import { epochNow } from '../executors/call.ts';
import type { IdealSchedule } from '../executors/definition.ts';
import type { Executor, ToolCall, ToolOutcome } from '../executors/types.ts';
import { StreamAccumulator } from '../model/stream.ts';
import type { ChatFunctionTool } from '../tools/catalog.ts';
import {
  AgentError,
  type AgentRun,
  type AgentStep,
  type ApiMode,
  DEFAULT_MAX_STEPS,
  type DispatchMode,
} from './types.ts';

export interface AgentOptions {
  client: OpenAI;
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
  /** Throw {@link AgentError} when every call of a turn failed (the model has nothing to work with). @default true */
  stopWhenAllFail?: boolean;
  signal?: AbortSignal;
  onStep?: (step: AgentStep) => void;
}

/**
 * What goes back to the model for one call: the value, or `{"error": …}` so it can react. A value JSON cannot
 * carry (a BigInt, a cycle, a function) is that call's error, not the end of the run.
 */
export function toolContent(outcome: ToolOutcome): string {
  if (outcome.status === 'ok') {
    try {
      const text = JSON.stringify(outcome.value ?? null);
      if (text !== undefined) return text;
    } catch (error) {
      return JSON.stringify({ error: `the tool's result is not JSON: ${(error as Error).message}` });
    }
    return JSON.stringify({ error: `the tool's result is not JSON (a ${typeof outcome.value})` });
  }
  return JSON.stringify({ error: outcome.status === 'error' ? outcome.error : `${outcome.status}: ${outcome.error}` });
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
 * The function calls of a chat message, read defensively: a non-conforming server (live mode) may send
 * `tool_calls` that is not a list, calls without an id or function, or arguments as an object. A call without an
 * id cannot be answered and is skipped with a warning; any other defect becomes that call's error outcome.
 */
export function chatToolCalls(raw: unknown): { calls: ToolCall[]; warnings: string[] } {
  if (raw === undefined || raw === null) return { calls: [], warnings: [] };
  if (!Array.isArray(raw)) return { calls: [], warnings: ['tool_calls is not a list; treated as no calls'] };
  if (raw.length === 0) return { calls: [], warnings: ['the model sent an empty tool_calls list'] };
  const calls: ToolCall[] = [];
  const warnings: string[] = [];
  for (const [index, item] of raw.entries()) {
    const call = (item ?? {}) as { id?: unknown; type?: unknown; function?: { name?: unknown; arguments?: unknown } };
    if (typeof call.id !== 'string') {
      warnings.push(`tool_calls[${index}] has no id and cannot be answered; skipped`);
      continue;
    }
    if (call.type !== undefined && call.type !== 'function') {
      warnings.push(`tool_calls[${index}] is of type ${String(call.type)}, not function; skipped`);
      continue;
    }
    const name = typeof call.function?.name === 'string' ? call.function.name : '';
    const args = call.function?.arguments;
    calls.push({ id: call.id, name, arguments: typeof args === 'string' ? args : JSON.stringify(args ?? {}) });
  }
  return { calls, warnings };
}

type TurnResult = Omit<AgentStep, 'index' | 'turnMs'> & {
  /** Responses API: the id the next request continues from. */
  responseId?: string;
};

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

async function runCalls(executor: Executor, calls: ToolCall[], signal?: AbortSignal): Promise<ToolOutcome[]> {
  return calls.length === 0 ? [] : executor.run(calls, signal);
}

type ChatMessage = OpenAI.Chat.Completions.ChatCompletionMessageParam;

/** The assistant turn as it goes back into the history: its text and the calls that will be answered. */
function assistantMessage(text: string | null, calls: readonly ToolCall[]): ChatMessage {
  return {
    role: 'assistant',
    content: text,
    ...(calls.length > 0
      ? {
          tool_calls: calls.map((c) => ({
            id: c.id,
            type: 'function' as const,
            function: { name: c.name, arguments: c.arguments },
          })),
        }
      : {}),
  };
}

async function chatTurn(options: AgentOptions, messages: ChatMessage[]): Promise<TurnResult> {
  const { client, executor, signal } = options;
  const request = {
    model: options.model,
    messages,
    tools: options.tools as unknown as OpenAI.Chat.Completions.ChatCompletionTool[],
    ...(options.parallelToolCalls === undefined ? {} : { parallel_tool_calls: options.parallelToolCalls }),
  };
  const sent = performance.now();
  if (options.api === 'chat-stream') {
    const stream = await client.chat.completions.create({ ...request, stream: true }, signal ? { signal } : {});
    const accumulator = new StreamAccumulator();
    const early = options.dispatch === 'early' ? earlyDispatcher(executor, options.schedule, signal) : undefined;
    let firstByte: number | undefined;
    let lastReady: number | undefined;
    let readyCount = 0;
    for await (const chunk of stream) {
      firstByte ??= performance.now();
      accumulator.add(chunk);
      const ready = accumulator.readyCalls();
      if (ready.length > readyCount) {
        readyCount = ready.length;
        lastReady = performance.now();
        for (const call of uniqueCalls(ready).calls) early?.dispatch(call);
      }
    }
    const streamEnd = performance.now();
    const startedDuringStream = early?.started.size ?? 0;
    const { calls, warnings } = uniqueCalls(accumulator.toolCalls());
    let outcomes: ToolOutcome[];
    if (early) {
      for (const call of calls) early.dispatch(call); // calls whose arguments never parsed go now, and fail there
      outcomes = await Promise.all(calls.map((c) => early.started.get(c.id) as Promise<ToolOutcome>));
    } else {
      outcomes = await runCalls(executor, calls, signal);
    }
    const allCalls = accumulator.toolCalls();
    messages.push(assistantMessage(accumulator.text || null, calls));
    return {
      text: accumulator.text,
      calls: allCalls,
      outcomes,
      modelMs: streamEnd - sent,
      toolsMs: performance.now() - streamEnd,
      streamMs: (lastReady ?? streamEnd) - (firstByte ?? sent),
      startedDuringStream,
      warnings,
    };
  }
  const completion = await client.chat.completions.create(request, signal ? { signal } : {});
  const received = performance.now();
  const message = completion.choices[0]?.message;
  if (!message) throw new AgentError('the model answered with no choices');
  const parsed = chatToolCalls(message.tool_calls as unknown);
  const functionCalls = parsed.calls;
  const { calls, warnings } = uniqueCalls(functionCalls);
  warnings.unshift(...parsed.warnings);
  messages.push(assistantMessage(message.content ?? null, calls));
  const outcomes = await runCalls(executor, calls, signal);
  return {
    text: message.content ?? '',
    calls: functionCalls,
    outcomes,
    modelMs: received - sent,
    toolsMs: performance.now() - received,
    warnings,
  };
}

function responsesTools(tools: readonly ChatFunctionTool[]): OpenAI.Responses.FunctionTool[] {
  return tools.map((t) => ({
    type: 'function',
    name: t.function.name,
    description: t.function.description,
    parameters: t.function.parameters as unknown as Record<string, unknown>,
    strict: false,
  }));
}

async function responsesTurn(
  options: AgentOptions,
  input: OpenAI.Responses.ResponseInput,
  previousId: string | undefined,
): Promise<TurnResult> {
  const sent = performance.now();
  const response = await options.client.responses.create(
    {
      model: options.model,
      input,
      tools: responsesTools(options.tools),
      ...(previousId ? { previous_response_id: previousId } : {}),
      ...(options.parallelToolCalls === undefined ? {} : { parallel_tool_calls: options.parallelToolCalls }),
    },
    options.signal ? { signal: options.signal } : {},
  );
  const received = performance.now();
  const functionCalls = response.output.flatMap((item) =>
    item.type === 'function_call' ? [{ id: item.call_id, name: item.name, arguments: item.arguments }] : [],
  );
  const { calls, warnings } = uniqueCalls(functionCalls);
  const outcomes = await runCalls(options.executor, calls, options.signal);
  return {
    text: response.output_text ?? '',
    calls: functionCalls,
    outcomes,
    modelMs: received - sent,
    toolsMs: performance.now() - received,
    warnings,
    responseId: response.id,
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
  const messages: ChatMessage[] = [{ role: 'user', content: options.question }];
  let responseInput: OpenAI.Responses.ResponseInput = [{ role: 'user', content: options.question }];
  let previousId: string | undefined;
  for (let index = 1; index <= maxSteps; index++) {
    const turnStart = performance.now();
    const turn =
      api === 'responses'
        ? await responsesTurn(options, responseInput, previousId)
        : await chatTurn({ ...options, api }, messages);
    const { responseId, ...measured } = turn;
    const step: AgentStep = { index, ...measured, turnMs: performance.now() - turnStart };
    const failed = turn.outcomes.filter((o) => o.status !== 'ok');
    if (failed.length > 0)
      step.errorSummary = `${failed.length} of ${turn.outcomes.length} calls failed: ${aggregateErrors(failed)}`;
    steps.push(step);
    options.onStep?.(step);
    if (turn.outcomes.length === 0) {
      return summarize(options.question, steps, turn.text, 'answered', started);
    }
    if (options.stopWhenAllFail !== false && turn.outcomes.every((o) => o.status !== 'ok')) {
      throw new AgentError(
        `all ${turn.outcomes.length} tool calls of step ${index} failed: ${aggregateErrors(turn.outcomes)}`,
      );
    }
    if (api === 'responses') {
      previousId = responseId;
      responseInput = turn.outcomes.map((o) => ({
        type: 'function_call_output',
        call_id: o.id,
        output: toolContent(o),
      }));
    } else {
      for (const o of turn.outcomes) messages.push({ role: 'tool', tool_call_id: o.id, content: toolContent(o) });
    }
  }
  return summarize(options.question, steps, '', 'max-steps', started);
}

function summarize(
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
