import { withDeadline } from '../bench/deadline.ts';
import { expandExecutors } from '../bench/matrix.ts';
import { createExecutor, executorSource, parseSpec } from '../executors/registry.ts';
import { toolRuntimeConfig } from '../tools/config.ts';
import { ToolRuntime } from '../tools/runtime.ts';
import { ConfigError } from './validate.ts';

let waitingOn: string | undefined;

/** The user code pre-flight is waiting on right now (for a message when it can never settle). */
export function preflightWaitingOn(): string | undefined {
  return waitingOn;
}

/** How long a user's create() and close() may take before the run is refused. */
const PREFLIGHT_DEADLINE_MS = 30_000;

/**
 * Creates and closes every user executor a run names, before anything is measured: a `create` that throws or
 * returns no executor is a config error (exit 2) naming the file, not a cell that failed an hour in.
 */
export async function preflightExecutors(executors: readonly string[], limits: readonly number[]): Promise<void> {
  const specs = expandExecutors(executors.map(parseSpec), limits).filter(
    (s) => executorSource(s.strategy) !== 'built-in',
  );
  for (const spec of specs) {
    const name = spec.limit === undefined ? spec.strategy : `${spec.strategy}(${spec.limit})`;
    const where = `${executorSource(spec.strategy)}: executor \`${name}\``;
    const step = async <T>(what: string, action: () => Promise<T>): Promise<T> => {
      waitingOn = `${where}: ${what}`;
      try {
        return await withDeadline(action(), PREFLIGHT_DEADLINE_MS, `${what}`);
      } finally {
        waitingOn = undefined;
      }
    };
    const guarded = async <T>(what: string, action: () => Promise<T>): Promise<T> => {
      try {
        return await step(what, action);
      } catch (error) {
        throw new ConfigError(
          `${where}: ${what} failed: ${((error as Error)?.message ?? String(error)).split('\n')[0]}`,
        );
      }
    };
    const runtime = new ToolRuntime(toolRuntimeConfig({ latencyMs: 1 }));
    const executor = await guarded('create()', () => createExecutor(spec, { runtime }));
    await guarded('close()', () => executor.close());
  }
}
