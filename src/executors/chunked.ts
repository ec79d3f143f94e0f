import { type CallRunner, epochNow, settleCall } from './call.ts';
import { defineExecutor } from './definition.ts';
import type { Executor, ToolCall, ToolOutcome } from './types.ts';

/** Fixed chunks of `limit` calls, each chunk waiting for its slowest call (as some frameworks batch). */
export function chunkedExecutor(runner: CallRunner, limit: number): Executor {
  return {
    name: `chunked(${limit})`,
    async run(calls: readonly ToolCall[], signal?: AbortSignal): Promise<ToolOutcome[]> {
      const start = epochNow();
      const outcomes: ToolOutcome[] = [];
      for (let i = 0; i < calls.length; i += limit) {
        const chunk = calls.slice(i, i + limit);
        outcomes.push(...(await Promise.all(chunk.map((call) => settleCall(call, runner, start, signal)))));
      }
      return outcomes;
    },
    async close() {},
  };
}

export const chunked = defineExecutor({
  name: 'chunked',
  description: 'fixed chunks of k calls, each waiting for its slowest',
  takesLimit: true,
  ideal: 'chunks',
  create: ({ invoke }, k) => chunkedExecutor(invoke, k),
});
