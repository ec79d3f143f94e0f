import pLimit from 'p-limit';
import { type CallRunner, epochNow, settleCall } from './call.ts';
import { defineExecutor } from './definition.ts';
import type { Executor, ToolCall, ToolOutcome } from './types.ts';

/** A sliding window of at most `limit` calls in flight (p-limit): a new call starts as soon as any slot frees. */
export function limitedExecutor(runner: CallRunner, limit: number): Executor {
  const gate = pLimit(limit);
  return {
    name: `limited(${limit})`,
    run(calls: readonly ToolCall[], signal?: AbortSignal): Promise<ToolOutcome[]> {
      const start = epochNow();
      return Promise.all(calls.map((call) => gate(() => settleCall(call, runner, start, signal))));
    },
    async close() {
      gate.clearQueue();
    },
  };
}

export const limited = defineExecutor({
  name: 'limited',
  description: 'sliding window of k calls in flight (p-limit)',
  takesLimit: true,
  ideal: 'slots',
  create: ({ invoke }, k) => limitedExecutor(invoke, k),
});
