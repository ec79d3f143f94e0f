import { onAbort } from '../tools/abort.ts';
import { AbortError, TimeoutError } from '../tools/errors.ts';
import { keyedRandom } from '../tools/random.ts';
import type { CallRunner } from './call.ts';
import type { Executor, ToolCall, ToolOutcome } from './types.ts';

export type ErrorPolicy = 'as-result' | 'fail-fast';
export const ERROR_POLICIES: readonly ErrorPolicy[] = ['as-result', 'fail-fast'];

/** How every call of a batch is run, whatever the strategy. */
export interface CallPolicy {
  /** Per-call deadline in ms; the call's signal aborts when it passes. @default undefined (none) */
  timeoutMs?: number;
  /** Extra attempts for retryable failures (timeouts, 429). @default 0 */
  retries: number;
  /** Base of the exponential backoff between attempts, in ms (full jitter). @default 50 */
  backoffMs: number;
  /** `as-result`: a failure is that call's answer. `fail-fast`: the first failure cancels its siblings. @default 'as-result' */
  errorPolicy: ErrorPolicy;
}

export const DEFAULT_POLICY: CallPolicy = { retries: 0, backoffMs: 50, errorPolicy: 'as-result' };

/** Deadline per call: the runner's signal aborts with a {@link TimeoutError}, and the call rejects at the deadline
 * even when the runner ignores its signal (the work may then keep running: a timeout is not a cancellation). */
export function withTimeout(runner: CallRunner, timeoutMs: number): CallRunner {
  return (call, signal, onStart) => {
    const controller = new AbortController();
    const stopListening = onAbort(signal, (reason) => controller.abort(reason));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        const error = new TimeoutError(`${call.name} timed out after ${timeoutMs} ms`);
        controller.abort(error);
        reject(error);
      }, timeoutMs);
      runner(call, controller.signal, onStart)
        .then(resolve, reject)
        .finally(() => {
          clearTimeout(timer);
          stopListening();
        });
    });
  };
}

export function isRetryable(error: unknown): boolean {
  const name = (error as Error)?.name;
  return name === 'TimeoutError' || name === 'RateLimitError';
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      stop();
      resolve();
    }, ms);
    const stop = onAbort(signal, () => {
      clearTimeout(timer);
      reject(new AbortError('cancelled during backoff'));
    });
  });
}

/** Exponential backoff with full jitter, seeded by the call id so runs repeat. */
export function backoffDelayMs(baseMs: number, attempt: number, callId: string): number {
  return keyedRandom(attempt, callId)() * baseMs * 2 ** attempt;
}

/** Retries retryable failures up to `retries` times; every attempt gets a fresh attempt id for its seeded draws. */
export function withRetry(runner: CallRunner, retries: number, backoffMs: number): CallRunner {
  return async (call, signal, onStart) => {
    for (let attempt = 0; ; attempt++) {
      const attemptCall: ToolCall = attempt === 0 ? call : { ...call, id: `${call.id}#retry${attempt}` };
      try {
        return await runner(attemptCall, signal, attempt === 0 ? onStart : undefined);
      } catch (error) {
        if (attempt >= retries || !isRetryable(error) || signal?.aborted) throw error;
        await sleep(backoffDelayMs(backoffMs, attempt, call.id), signal);
      }
    }
  };
}

const batchControllers = new WeakMap<AbortSignal, AbortController>();

/** Under fail-fast, a failing call aborts its batch's controller, so its siblings end as `cancelled`. */
function withFailFast(runner: CallRunner): CallRunner {
  return async (call, signal, onStart) => {
    try {
      return await runner(call, signal, onStart);
    } catch (error) {
      const controller = signal ? batchControllers.get(signal) : undefined;
      if (controller && !controller.signal.aborted) {
        controller.abort(new AbortError(`cancelled: sibling call ${call.id} failed`));
      }
      throw error;
    }
  };
}

/** Wraps a runner with the policy's timeout, retries and fail-fast (in that order, innermost first). */
export function applyPolicy(runner: CallRunner, policy: CallPolicy): CallRunner {
  let wrapped = runner;
  if (policy.timeoutMs !== undefined) wrapped = withTimeout(wrapped, policy.timeoutMs);
  if (policy.retries > 0) wrapped = withRetry(wrapped, policy.retries, policy.backoffMs);
  if (policy.errorPolicy === 'fail-fast') wrapped = withFailFast(wrapped);
  return wrapped;
}

/** Gives each batch of a fail-fast executor its own controller; every call id still gets exactly one outcome. */
export function failFastExecutor(inner: Executor): Executor {
  return {
    name: inner.name,
    run(calls: readonly ToolCall[], signal?: AbortSignal): Promise<ToolOutcome[]> {
      const controller = new AbortController();
      const stopListening = onAbort(signal, (reason) => controller.abort(reason));
      batchControllers.set(controller.signal, controller);
      return inner.run(calls, controller.signal).finally(stopListening);
    },
    close: () => inner.close(),
  };
}
