import { expandExecutors } from '../bench/matrix.ts';
import { createExecutor, executorDefinitions, parseSpec } from '../executors/registry.ts';
import { toolRuntimeConfig } from '../tools/config.ts';
import { ToolRuntime } from '../tools/runtime.ts';
import { ConfigError } from './validate.ts';

/**
 * Creates and closes every user executor a run names, before anything is measured: a `create` that throws or
 * returns no executor is a config error (exit 2) naming the file, not a cell that failed an hour in.
 */
export async function preflightExecutors(executors: readonly string[], limits: readonly number[]): Promise<void> {
  const sources = new Map(executorDefinitions().map((e) => [e.definition.name, e.source]));
  const specs = expandExecutors(executors.map(parseSpec), limits).filter((s) => sources.get(s.strategy) !== 'built-in');
  for (const spec of specs) {
    const name = spec.limit === undefined ? spec.strategy : `${spec.strategy}(${spec.limit})`;
    try {
      const executor = await createExecutor(spec, { runtime: new ToolRuntime(toolRuntimeConfig({ latencyMs: 1 })) });
      await executor.close();
    } catch (error) {
      const first = ((error as Error)?.message ?? String(error)).split('\n')[0];
      throw new ConfigError(`${sources.get(spec.strategy)}: executor \`${name}\`: create() failed: ${first}`);
    }
  }
}
