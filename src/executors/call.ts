import { AbortError, TimeoutError } from '../tools/errors.ts';
import type { ToolCall, ToolOutcome } from './types.ts';

/**
 * Runs one call somewhere (this thread, a worker) and resolves with its value or rejects with its error.
 * Strategies decide only *when* each call starts; a runner decides *where* it runs. A runner that queues
 * (a worker pool) reports through `onStart` when the work really began.
 */
export type CallRunner = (
  call: ToolCall,
  signal?: AbortSignal,
  onStart?: (epochMs: number) => void,
) => Promise<unknown>;

/** Absolute wall-clock milliseconds with sub-ms precision, comparable across worker threads. */
export function epochNow(): number {
  return performance.timeOrigin + performance.now();
}

function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}

/** Maps a rejection to the outcome status callers branch on. */
export function failureStatus(error: unknown): 'error' | 'timeout' | 'cancelled' {
  if (error instanceof TimeoutError || (error as Error)?.name === 'TimeoutError') return 'timeout';
  if (error instanceof AbortError || (error as Error)?.name === 'AbortError') return 'cancelled';
  return 'error';
}

/** Runs one call and turns whatever happens into exactly one outcome; never rejects. */
export async function settleCall(
  call: ToolCall,
  runner: CallRunner,
  batchStartEpoch: number,
  signal?: AbortSignal,
): Promise<ToolOutcome> {
  let startedMs = epochNow() - batchStartEpoch;
  const onStart = (epochMs: number) => {
    startedMs = epochMs - batchStartEpoch;
  };
  try {
    const value = await runner(call, signal, onStart);
    return { id: call.id, status: 'ok', value, startedMs, endedMs: epochNow() - batchStartEpoch };
  } catch (error) {
    return {
      id: call.id,
      status: failureStatus(error),
      error: errorMessage(error),
      startedMs,
      endedMs: epochNow() - batchStartEpoch,
    };
  }
}
