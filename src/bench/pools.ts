/** Worker pools kept warm across the groups of a kind ({@link WarmPools}), and closing executors under a deadline. */
import { withDeadline } from '../core/time.ts';
import type { Executor } from '../executors/types.ts';
import type { WorkloadKind } from '../tools/config.ts';
import { ToolRuntime } from '../tools/runtime.ts';
import { type MatrixOptions, matrixRegistries } from './plan.ts';

/** How long closing an executor may take once its cells are measured (a pool's threads take a few ms). */
const CLOSE_DEADLINE_MS = 30_000;

/** Closes executors by name; one whose `close()` fails or hangs cannot take the others down. */
export async function closeExecutors(executors: Iterable<readonly [string, Executor]>): Promise<void> {
  await Promise.all(
    [...executors].map(([name, e]) =>
      withDeadline(
        Promise.resolve().then(() => e.close()),
        CLOSE_DEADLINE_MS,
        `${name}: close()`,
      ).catch(() => {}),
    ),
  );
}

/**
 * Executors that run calls off the main thread (worker pools), kept started and warm across the groups of a run
 * that share a kind: a pool starts once per run rather than once per call count. Each kind has one runtime, so a
 * kept pool's tasks carry the same tool config in every group. Main-thread executors cost nothing to create and
 * are made fresh per group.
 */
export class WarmPools {
  readonly #runtimes = new Map<WorkloadKind, ToolRuntime>();
  readonly #pools = new Map<string, Executor>();

  runtime(kind: WorkloadKind, options: MatrixOptions): ToolRuntime {
    let runtime = this.#runtimes.get(kind);
    if (!runtime) {
      runtime = new ToolRuntime({ ...options.tools, kind }, { tools: matrixRegistries(options).tools });
      this.#runtimes.set(kind, runtime);
    }
    return runtime;
  }

  take(kind: WorkloadKind, name: string): Executor | undefined {
    return this.#pools.get(`${kind}\n${name}`);
  }

  keep(kind: WorkloadKind, name: string, executor: Executor): void {
    this.#pools.set(`${kind}\n${name}`, executor);
  }

  forget(kind: WorkloadKind, name: string): void {
    this.#pools.delete(`${kind}\n${name}`);
  }

  kept(executor: Executor): boolean {
    return [...this.#pools.values()].includes(executor);
  }

  /** Closes every kept pool; one that fails or hangs to close cannot take the others down. */
  async close(): Promise<void> {
    const pools = [...this.#pools];
    this.#pools.clear();
    await closeExecutors(pools.map(([key, e]) => [key.split('\n')[1] as string, e]));
  }
}
