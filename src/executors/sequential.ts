import { type CallRunner, epochNow, settleCall } from './call.ts';
import { defineExecutor } from './definition.ts';
import type { Executor, ToolCall, ToolOutcome } from './types.ts';

/** One call after another: the baseline every speedup is measured against. */
export function sequentialExecutor(runner: CallRunner): Executor {
  return {
    name: 'sequential',
    async run(calls: readonly ToolCall[], signal?: AbortSignal): Promise<ToolOutcome[]> {
      const start = epochNow();
      const outcomes: ToolOutcome[] = [];
      for (const call of calls) outcomes.push(await settleCall(call, runner, start, signal));
      return outcomes;
    },
    async close() {},
  };
}

export const sequential = defineExecutor({
  name: 'sequential',
  description: 'one call after another (the speedup reference)',
  takesLimit: false,
  ideal: 'serial',
  create: ({ invoke }) => sequentialExecutor(invoke),
});
