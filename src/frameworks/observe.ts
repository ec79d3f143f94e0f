import type { AgentRun, AgentStep } from '../agent/types.ts';
import { errorMessage } from '../core/errors.ts';
import { type CallRunner, failureStatus } from '../executors/call.ts';
import type { ToolCall, ToolOutcome } from '../executors/types.ts';
import type { Exchange } from '../model/context.ts';
import type { FrameworkTool } from './definition.ts';

/** One call as a tool saw it: when it ran (`performance.now()`), whether it got a signal, how it ended. */
interface CallRecord {
  call: ToolCall;
  startedAt: number;
  endedAt: number;
  signalled: boolean;
  result: { status: 'ok'; value: unknown } | { status: 'error' | 'timeout' | 'cancelled'; error: string };
}

function canonicalArguments(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text));
  } catch {
    return text;
  }
}

/**
 * Wraps the scenario's tools for a framework: each call runs through the harness (seeded latency and faults by
 * call id, policy) and is recorded as the tool saw it. A framework that does not tell its tools the call id gets
 * its calls matched to the model's last response by name and arguments, in order.
 */
export class CallRecorder {
  readonly #invoke: CallRunner;
  readonly #exchanges: () => readonly Exchange[];
  readonly #records = new Map<string, CallRecord>();
  #unmatched = 0;

  constructor(invoke: CallRunner, exchanges: () => readonly Exchange[]) {
    this.#invoke = invoke;
    this.#exchanges = exchanges;
  }

  /** Forgets the calls of the previous run. */
  reset(): void {
    this.#records.clear();
    this.#unmatched = 0;
  }

  get records(): ReadonlyMap<string, CallRecord> {
    return this.#records;
  }

  /** The call of the latest response with this name and arguments that no tool has run yet. */
  #match(name: string, argumentsText: string): string | undefined {
    const exchanges = this.#exchanges();
    for (let i = exchanges.length - 1; i >= 0; i--) {
      const calls = exchanges[i]?.calls ?? [];
      if (calls.length === 0) continue;
      const wanted = canonicalArguments(argumentsText);
      return calls.find(
        (c) => c.name === name && !this.#records.has(c.id) && canonicalArguments(c.arguments) === wanted,
      )?.id;
    }
    return undefined;
  }

  tool(name: string, description: string, parameters: FrameworkTool['parameters']): FrameworkTool {
    return {
      name,
      description,
      parameters,
      execute: async (args, callId, signal) => {
        const argumentsText = JSON.stringify(args ?? {});
        const id = callId ?? this.#match(name, argumentsText) ?? `unmatched-${name}-${++this.#unmatched}`;
        const call: ToolCall = { id, name, arguments: argumentsText };
        const record: CallRecord = {
          call,
          startedAt: performance.now(),
          endedAt: Number.NaN,
          signalled: signal !== undefined,
          result: { status: 'ok', value: undefined },
        };
        this.#records.set(id, record);
        try {
          const value = await this.#invoke(call, signal);
          record.result = { status: 'ok', value };
          return value;
        } catch (error) {
          const message = errorMessage(error);
          record.result = { status: failureStatus(error), error: message };
          throw error;
        } finally {
          record.endedAt = performance.now();
        }
      },
    };
  }
}

/** A call's outcome as its tool saw it, timed from when the model's response was complete. */
function outcomeOf(call: ToolCall, record: CallRecord | undefined, origin: number): ToolOutcome {
  if (!record)
    return { id: call.id, status: 'error', error: 'the framework never ran this call', startedMs: 0, endedMs: 0 };
  const timing = { id: call.id, startedMs: record.startedAt - origin, endedMs: record.endedAt - origin };
  return record.result.status === 'ok'
    ? { ...timing, status: 'ok', value: record.result.value }
    : { ...timing, status: record.result.status, error: record.result.error };
}

/**
 * Where a run's time went, as the model API saw it: `modelMs` from each request's arrival to its response's end,
 * `toolsMs` from a response with calls (or a plan) to the next request (the tools and the loop's own work around
 * them; a plan's tasks that ran while it streamed count as model time).
 * The same for our loop and a framework's, so they compare.
 */
export function exchangeTimes(exchanges: readonly Exchange[], endedAt: number): { modelMs: number; toolsMs: number } {
  let modelMs = 0;
  let toolsMs = 0;
  for (const [i, exchange] of exchanges.entries()) {
    const responded = Number.isFinite(exchange.respondedAt) ? exchange.respondedAt : exchange.receivedAt;
    modelMs += responded - exchange.receivedAt;
    // a planner's turn has no calls, but its tasks run after it (and while it streams)
    if (exchange.calls.length > 0 || exchange.planTasks?.length) {
      toolsMs += (exchanges[i + 1]?.receivedAt ?? endedAt) - responded;
    }
  }
  return { modelMs, toolsMs };
}

/**
 * A framework's run, observed from outside: turns and their timings from the mock's exchanges (what the model was
 * asked and answered), calls from the tools. Each step's `answered` is what the framework sent back for its calls.
 */
export function observedRun(
  question: string,
  answer: string,
  exchanges: readonly Exchange[],
  records: ReadonlyMap<string, CallRecord>,
  startedAt: number,
  endedAt: number,
): AgentRun {
  const steps: AgentStep[] = [];
  for (const [i, exchange] of exchanges.entries()) {
    const next = exchanges[i + 1];
    const responded = Number.isFinite(exchange.respondedAt) ? exchange.respondedAt : exchange.receivedAt;
    const modelMs = responded - exchange.receivedAt;
    const toolsMs = (next?.receivedAt ?? endedAt) - responded;
    const ids = new Set(exchange.calls.map((c) => c.id));
    // a framework that merges assistant turns into one message sends earlier turns' results after it too
    const answered = (next?.answered ?? []).filter((a) => ids.has(a.id));
    const warnings: string[] = [];
    const missing = exchange.calls.filter((c) => !answered.some((a) => a.id === c.id));
    if (next && missing.length > 0) warnings.push(`not answered: ${missing.map((c) => c.id).join(', ')}`);
    steps.push({
      index: i + 1,
      text: exchange.text ?? '',
      calls: exchange.calls,
      outcomes: exchange.calls.map((c) => outcomeOf(c, records.get(c.id), responded)),
      modelMs,
      toolsMs: exchange.calls.length > 0 ? toolsMs : 0,
      turnMs: modelMs + (exchange.calls.length > 0 ? toolsMs : 0),
      // seen from the server: the turn from the request's arrival, calls from the response's end
      startedMs: exchange.receivedAt - startedAt,
      batchStartedMs: responded - startedAt,
      ...(exchange.calls.length > 0 ? { answered } : {}),
      warnings,
    });
  }
  const last = exchanges.at(-1);
  return {
    question,
    steps,
    answer,
    status: last && last.calls.length === 0 ? 'answered' : 'max-steps',
    totalMs: endedAt - startedAt,
    modelMs: steps.reduce((sum, s) => sum + s.modelMs, 0),
    toolsMs: steps.reduce((sum, s) => sum + s.toolsMs, 0),
  };
}
