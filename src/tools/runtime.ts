import { setTimeout as sleep } from 'node:timers/promises';
import type { ToolCall } from '../executors/types.ts';
import { bindCall, type Email, type ToolContext } from './catalog.ts';
import type { ToolRuntimeConfig } from './config.ts';
import { burnCpu } from './cpu.ts';
import { AbortError, ToolError } from './errors.ts';
import { type CallPlan, planCall } from './latency.ts';

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

  constructor(config: ToolRuntimeConfig, onCrash: CrashHandler = throwOnCrash) {
    if (config.kind === 'cpu' && !(config.cpuUnitsPerMs && config.cpuUnitsPerMs > 0)) {
      throw new Error('cpu tools need a calibration: set cpuUnitsPerMs (see calibrateCpu)');
    }
    this.config = config;
    this.#onCrash = onCrash;
  }

  plan(call: ToolCall): CallPlan {
    return planCall(this.config, call.id);
  }

  /** Runs one call; rejects with {@link ToolError}, the signal's reason, or a tool's own error. */
  async invoke(call: ToolCall, signal?: AbortSignal, context: ToolContext = this): Promise<unknown> {
    const bound = bindCall(call.name, call.arguments);
    if (signal?.aborted) throw abortReason(signal);
    const plan = this.plan(call);
    if (plan.fault === 'hang') return waitForever(signal);
    if (this.config.kind === 'io') {
      await waitIo(plan.latencyMs, signal);
    } else {
      burnCpu(plan.latencyMs * (this.config.cpuUnitsPerMs ?? 0));
    }
    if (plan.fault === 'crash') this.#onCrash(call);
    if (plan.fault === 'fail') throw new ToolError(`injected failure in ${call.name}`);
    return bound.implementation(bound.args, context);
  }
}
