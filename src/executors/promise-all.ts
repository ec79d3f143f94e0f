import { type CallRunner, epochNow, settleCall } from './call.ts';
import { defineExecutor } from './definition.ts';
import type { Executor, ToolCall, ToolOutcome } from './types.ts';

/** Every call at once (`Promise.all`); settleCall never rejects, so one failure cannot sink the batch. */
export function promiseAllExecutor(runner: CallRunner): Executor {
  return {
    name: 'promise-all',
    run(calls: readonly ToolCall[], signal?: AbortSignal): Promise<ToolOutcome[]> {
      const start = epochNow();
      return Promise.all(calls.map((call) => settleCall(call, runner, start, signal)));
    },
    async close() {},
  };
}

export const promiseAll = defineExecutor({
  name: 'promise-all',
  description: 'every call at once with Promise.all',
  takesLimit: false,
  ideal: 'unbounded',
  create: ({ invoke }) => promiseAllExecutor(invoke),
});
