import { errorMessage } from '../core/errors.ts';
import { AbortError, TimeoutError } from '../tools/errors.ts';
import type { ToolCall, ToolOutcome } from './types.ts';

/**
 * Runs one call somewhere (this thread, a worker) and resolves with its value or rejects with its error.
 * Strategies decide only *when* each call starts; a runner decides *where* it runs. A runner that queues
 * (a worker pool, a job queue) reports through `onStart` when the work really began, and may say when it ended
 * where it ran (a worker process answers some time after its job ended).
 */
export type CallRunner = (
  call: ToolCall,
  signal?: AbortSignal,
  onStart?: (epochMs: number, endedEpochMs?: number) => void,
) => Promise<unknown>;

/** Absolute wall-clock milliseconds with sub-ms precision, comparable across worker threads. */
export function epochNow(): number {
  return performance.timeOrigin + performance.now();
}

/** A call's outcome as an error message names it: `call_0_1: error (unknown city)`. */
export function describeFailure(outcome: ToolOutcome): string {
  return outcome.status === 'ok' ? `${outcome.id}: ok` : `${outcome.id}: ${outcome.status} (${outcome.error})`;
}

/** Maps a rejection to the outcome status callers branch on. */
export function failureStatus(error: unknown): 'error' | 'timeout' | 'cancelled' {
  if (error instanceof TimeoutError || (error as Error)?.name === 'TimeoutError') return 'timeout';
  if (error instanceof AbortError || (error as Error)?.name === 'AbortError') return 'cancelled';
  return 'error';
}

function settled(
  call: ToolCall,
  value: unknown,
  startedMs: number,
  batchStartEpoch: number,
  endedEpoch = epochNow(),
): ToolOutcome {
  return { id: call.id, status: 'ok', value, startedMs, endedMs: endedEpoch - batchStartEpoch };
}

function failed(
  call: ToolCall,
  error: unknown,
  startedMs: number,
  batchStartEpoch: number,
  endedEpoch = epochNow(),
): ToolOutcome {
  const endedMs = endedEpoch - batchStartEpoch;
  return { id: call.id, status: failureStatus(error), error: errorMessage(error), startedMs, endedMs };
}

/**
 * Runs one call that starts at once and turns whatever happens into exactly one outcome; never rejects. Written
 * with `then` rather than as an async function: it is on the path of every call, and thousands in flight each hold
 * what it allocates.
 */
export function settleCall(
  call: ToolCall,
  runner: CallRunner,
  batchStartEpoch: number,
  signal?: AbortSignal,
): Promise<ToolOutcome> {
  const startedMs = epochNow() - batchStartEpoch;
  let running: Promise<unknown>;
  try {
    running = Promise.resolve(runner(call, signal));
  } catch (error) {
    return Promise.resolve(failed(call, error, startedMs, batchStartEpoch));
  }
  return running.then(
    (value) => settled(call, value, startedMs, batchStartEpoch),
    (error: unknown) => failed(call, error, startedMs, batchStartEpoch),
  );
}

/**
 * {@link settleCall} for a runner that queues (a worker pool, a job queue): it reports through `onStart` when the
 * work really began, which is when the call's time starts, and when it ended, if it knows.
 */
export async function settleQueuedCall(
  call: ToolCall,
  runner: CallRunner,
  batchStartEpoch: number,
  signal?: AbortSignal,
): Promise<ToolOutcome> {
  let startedMs = epochNow() - batchStartEpoch;
  let endedEpoch: number | undefined;
  const onStart = (epochMs: number, endedEpochMs?: number) => {
    startedMs = epochMs - batchStartEpoch;
    endedEpoch = endedEpochMs;
  };
  try {
    return settled(call, await runner(call, signal, onStart), startedMs, batchStartEpoch, endedEpoch);
  } catch (error) {
    return failed(call, error, startedMs, batchStartEpoch, endedEpoch);
  }
}
