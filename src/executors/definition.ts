import type { IdealSchedule } from '../stats/ideal.ts';
import type { ToolRuntime } from '../tools/runtime.ts';
import type { CallRunner } from './call.ts';
import type { CallPolicy } from './policy.ts';
import type { QueueSettings } from './queue-settings.ts';
import type { Executor } from './types.ts';

export { IDEAL_SCHEDULES, type IdealSchedule } from '../stats/ideal.ts';

/** What a strategy gets to build its executor with. */
export interface ExecutorContext {
  /**
   * Runs one call where the harness decides (this thread, the cell's tools, faults and policy) and resolves with
   * its value or rejects with its error: a strategy decides only *when* calls start.
   */
  invoke: CallRunner;
  /** The cell's tools (read-only: a strategy that runs calls elsewhere, like a worker pool, passes its config on). */
  runtime: ToolRuntime;
  /** Timeout, retries and error policy of every call (already applied by `invoke`). */
  policy: CallPolicy;
  /** Where `queue(k)` finds Redis and its workers, as the CLI's flags say. @default REDIS_URL (else local), 1 worker */
  queue?: QueueSettings;
}

/** A strategy by name, as built-ins and configs declare it (`defineExecutor`). */
export interface ExecutorDefinition {
  /** Name used in `--executors`; lowercase letters, digits, `-` and `_`, e.g. `my-batcher`. */
  name: string;
  /** One line for `fanout-bench list`. */
  description: string;
  /** Whether the strategy takes a limit k (`name(k)`, or expanded over `--limits`). */
  takesLimit: boolean;
  /** The schedule it aims at, for its ideal time and efficiency; without one the ideal reads "—". */
  ideal?: IdealSchedule;
  /** Calls run on other threads, so CPU-bound tools get up to min(k, cores) slots instead of one. @default false */
  offMainThread?: boolean;
  /** Builds the executor for one cell; `limit` is k (0 when the strategy takes none). Pools start and warm here. */
  create(context: ExecutorContext, limit: number): Executor | Promise<Executor>;
}

/** Returns its argument: a typed way to declare an executor in `fanout.config.ts`. */
export function defineExecutor(definition: ExecutorDefinition): ExecutorDefinition {
  return definition;
}
