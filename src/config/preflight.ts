import { expandExecutors } from '../bench/plan.ts';
import { firstLine } from '../core/errors.ts';
import { withDeadline } from '../core/time.ts';
import type { QueueSettings } from '../executors/queue-settings.ts';
import { createExecutor, parseSpec } from '../executors/registry.ts';
import { toolRuntimeConfig } from '../tools/config.ts';
import { ToolRuntime } from '../tools/runtime.ts';
import type { Registries } from './registries.ts';
import { ConfigError } from './validate.ts';

/** Where pre-flight says which user code it waits on right now (for a message when it can never settle). */
export interface PreflightWatch {
  waitingOn?: string | undefined;
}

export interface PreflightOptions {
  /** Where the executors (and the tools of the runtime they are created with) are looked up. */
  registries: Pick<Registries, 'tools' | 'executors'>;
  /** Updated while user code runs. */
  watch?: PreflightWatch;
  /** Where `queue(k)` finds Redis and its workers. */
  queue?: QueueSettings;
}

/** How long a user's create() and close() may take before the run is refused. */
const PREFLIGHT_DEADLINE_MS = 30_000;

/**
 * Creates and closes every user executor a run names, before anything is measured: a `create` that throws or
 * returns no executor is a config error (exit 2) naming the file, not a cell that failed an hour in.
 */
export async function preflightExecutors(
  executors: readonly string[],
  limits: readonly number[],
  options: PreflightOptions,
): Promise<void> {
  const watch = options.watch ?? {};
  const registry = options.registries.executors;
  const specs = expandExecutors(
    executors.map((text) => parseSpec(text, registry)),
    limits,
    true,
    registry,
  ).filter((s) => registry.source(s.strategy) !== 'built-in');
  for (const spec of specs) {
    const name = spec.limit === undefined ? spec.strategy : `${spec.strategy}(${spec.limit})`;
    const where = `${registry.source(spec.strategy)}: executor \`${name}\``;
    const step = async <T>(what: string, action: () => Promise<T>): Promise<T> => {
      watch.waitingOn = `${where}: ${what}`;
      try {
        return await withDeadline(action(), PREFLIGHT_DEADLINE_MS, `${what}`);
      } finally {
        watch.waitingOn = undefined;
      }
    };
    const guarded = async <T>(what: string, action: () => Promise<T>): Promise<T> => {
      try {
        return await step(what, action);
      } catch (error) {
        throw new ConfigError(`${where}: ${what} failed: ${firstLine(error)}`);
      }
    };
    const runtime = new ToolRuntime(toolRuntimeConfig({ latencyMs: 1 }), { tools: options.registries.tools });
    const executor = await guarded('create()', () =>
      createExecutor(spec, { runtime, registry, ...(options.queue ? { queue: options.queue } : {}) }),
    );
    await guarded('close()', () => executor.close());
  }
}
