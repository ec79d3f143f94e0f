import { setTimeout as sleep } from 'node:timers/promises';
import type { ToolCall } from '../executors/types.ts';
import type { ToolRuntimeConfig } from './config.ts';
import { burnCpu } from './cpu.ts';
import type { Email, ToolContext } from './definition.ts';
import { AbortError, RateLimitError, ToolError } from './errors.ts';
import { type CallPlan, planCall } from './latency.ts';
import { registerRecordedTools } from './recorded-tools.ts';
import { bindCall } from './registry.ts';

/** What to do when a call draws the `crash` fault: in a worker, kill the thread; on the main thread, throw. */
export type CrashHandler = (call: ToolCall) => never;

const throwOnCrash: CrashHandler = (call) => {
  throw new ToolError(`injected crash in ${call.name} (no worker thread to kill on the main thread)`);
};

function abortReason(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  return reason instanceof Error ? reason : new AbortError('the call was aborted');
}

/** Waits `ms` without blocking the event loop; rejects as soon as `signal` aborts. */
async function waitIo(ms: number, signal?: AbortSignal): Promise<void> {
  if (ms <= 0) return; // 0 ms is no wait at all, not a timer's minimum of 1 ms: what is left is pure overhead
  try {
    await sleep(ms, undefined, signal ? { signal } : undefined);
  } catch (error) {
    if (signal?.aborted) throw abortReason(signal);
    throw error;
  }
}

function waitForever(signal?: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    if (!signal) return; // a hang without a signal never settles: that is the fault being simulated
    if (signal.aborted) reject(abortReason(signal));
    signal.addEventListener('abort', () => reject(abortReason(signal)), { once: true });
  });
}

/**
 * Runs simulated tools on the current thread: binds arguments, spends the call's seeded latency as a timer
 * (`io`) or as calibrated computation (`cpu`), applies its seeded fault, then answers.
 */
export class ToolRuntime {
  readonly config: ToolRuntimeConfig;
  /** Emails that `send_email` delivered through this runtime (or, for worker pools, reported back to it). */
  readonly mailbox: Email[] = [];
  readonly #onCrash: CrashHandler;
  #inFlight = 0;
  #peakInFlight = 0;

  constructor(config: ToolRuntimeConfig, onCrash: CrashHandler = throwOnCrash) {
    if (config.kind === 'cpu' && !(config.cpuUnitsPerMs && config.cpuUnitsPerMs > 0)) {
      throw new Error('cpu tools need a calibration: set cpuUnitsPerMs (see calibrateCpu)');
    }
    this.config = config;
    this.#onCrash = onCrash;
    if (config.recordedFile !== undefined) registerRecordedTools(config.recordedFile);
  }

  /** Calls whose work is still going on (including ones whose caller gave up after a timeout). */
  get inFlight(): number {
    return this.#inFlight;
  }

  /** Highest {@link inFlight} seen since the last call of {@link resetPeak}. */
  get peakInFlight(): number {
    return this.#peakInFlight;
  }

  resetPeak(): void {
    this.#peakInFlight = this.#inFlight;
  }

  plan(call: ToolCall): CallPlan {
    return planCall(this.config, call.id, call.name);
  }

  /**
   * Runs one call; rejects with {@link ToolError}, the signal's reason, or a tool's own error. A simulated tool
   * spends the call's drawn latency (timer or calibrated CPU work) before `execute`; a tool with its own latency
   * is its `execute`. Faults apply to both: a hang never runs the tool, a failure or crash comes after its work.
   */
  async invoke(call: ToolCall, signal?: AbortSignal, context: Pick<ToolContext, 'mailbox'> = this): Promise<unknown> {
    const { definition, args } = bindCall(call.name, call.arguments);
    if (signal?.aborted) throw abortReason(signal);
    const { rateLimit, honorAbort = true } = this.config.faults;
    if (rateLimit !== undefined && this.#inFlight >= rateLimit) {
      throw new RateLimitError(
        `429 Too Many Requests from ${call.name}: more than ${rateLimit} calls at once, retry after a moment`,
      );
    }
    const plan = this.plan(call);
    const workSignal = honorAbort ? signal : undefined;
    const toolContext: ToolContext = { signal: workSignal, mailbox: context.mailbox };
    const simulated = definition.latency === 'simulated';
    let value: unknown;
    this.#inFlight++;
    this.#peakInFlight = Math.max(this.#peakInFlight, this.#inFlight);
    try {
      if (plan.fault === 'hang') return await waitForever(workSignal);
      if (!simulated) value = await definition.execute(args, toolContext);
      else if (this.config.kind === 'io') await waitIo(plan.latencyMs, workSignal);
      else burnCpu(plan.latencyMs * (this.config.cpuUnitsPerMs ?? 0));
    } finally {
      this.#inFlight--;
    }
    if (plan.fault === 'crash') this.#onCrash(call);
    if (plan.fault === 'fail') throw new ToolError(`injected failure in ${call.name}`);
    return simulated ? await definition.execute(args, toolContext) : value;
  }
}
