import type { ToolCall } from '../tools/definition.ts';

export type { ToolCall };

interface OutcomeTiming {
  id: string;
  /** When the call began, in ms since the batch started. */
  startedMs: number;
  /** When the call settled, in ms since the batch started. */
  endedMs: number;
}

/** The result of one call. Every strategy returns exactly one per call, in call order. */
export type ToolOutcome =
  | (OutcomeTiming & { status: 'ok'; value: unknown })
  | (OutcomeTiming & { status: 'error' | 'timeout' | 'cancelled'; error: string });

export type OutcomeStatus = ToolOutcome['status'];

/** A strategy for running the calls of one model turn. */
export interface Executor {
  /** Display name with its parameter, e.g. `limited(4)`. */
  readonly name: string;
  /** Runs every call; resolves with one outcome per call in call order and never rejects. */
  run(calls: readonly ToolCall[], signal?: AbortSignal): Promise<ToolOutcome[]>;
  /** Releases threads and timers. Safe to call twice. */
  close(): Promise<void>;
  /** Resolves when the executor is at full strength again (a pool has replaced dead workers). */
  ready?(): Promise<void>;
  /** Executors that start workers: ms to start and warm them, reported apart from the samples. */
  readonly startupMs?: number;
  /** Workers that died and were replaced since creation: ms each from the death to the replacement serving. */
  readonly replacementsMs?: readonly number[];
  /** queue(k): calls a live worker ran again after theirs died, ms from the death to the new run (NaN: not seen). */
  readonly recoveriesMs?: readonly number[];
}
