/**
 * queue(k) with worker processes that die: per round, the outcomes of a batch whose calls may kill their worker
 * process (`crashRate`), how many calls BullMQ recovered on a live worker and how long that took, and whether every
 * call id was answered. Redis from REDIS_URL, else redis://127.0.0.1:6379.
 * Usage: npm run bench:queue-crash -- [rounds=5] [k=4] [workers=2] [calls=8] [latency=50] [crashRate=0.25]
 */
import { DEFAULT_BATCH_TOOLS, syntheticBatch } from '../src/bench/batch.ts';
import { ToolRegistry } from '../src/tools/registry.ts';

/** The built-in tools the batches call. */
const TOOLS = new ToolRegistry();

import { queueExecutor } from '../src/executors/queue.ts';
import { redactRedisUrl, resolveRedisUrl } from '../src/executors/redis.ts';
import { toolRuntimeConfig } from '../src/tools/config.ts';
import { ToolRuntime } from '../src/tools/runtime.ts';

const options = Object.fromEntries(
  process.argv.slice(2).map((arg) => {
    const [key, value] = arg.split('=');
    return [key, Number(value)];
  }),
);
const rounds = options.rounds ?? 5;
const k = options.k ?? 4;
const workers = options.workers ?? 2;
const calls = options.calls ?? 8;
const latencyMs = options.latency ?? 50;
const crashRate = options.crashRate ?? 0.25;
const redisUrl = resolveRedisUrl(undefined);

const runtime = new ToolRuntime(toolRuntimeConfig({ latencyMs, faults: { failRate: 0, hangRate: 0, crashRate } }));
const executor = await queueExecutor(runtime, k, undefined, { redisUrl, queue: 'fanout-bench', workers });
process.stdout.write(
  `queue(${k}), ${workers} worker processes on ${redactRedisUrl(redisUrl)}: ${calls} calls of ${latencyMs} ms, crash rate ${crashRate}; start-up ${executor.startupMs.toFixed(0)} ms (not in the rounds)\n`,
);
process.stdout.write(
  '| round | ms | ok | error | timeout | answered | recovered | recovery ms |\n|---|---|---|---|---|---|---|---|\n',
);
try {
  for (let round = 0; round < rounds; round++) {
    const batch = syntheticBatch(`crash-r${round}`, calls, DEFAULT_BATCH_TOOLS, TOOLS);
    const before = executor.recoveriesMs.length;
    const started = performance.now();
    const outcomes = await executor.run(batch);
    const ms = performance.now() - started;
    await executor.ready();
    const count = (status: string) => outcomes.filter((o) => o.status === status).length;
    const answered = outcomes.every((o, i) => o.id === batch[i]?.id) && outcomes.length === batch.length;
    const recovered = executor.recoveriesMs.slice(before);
    process.stdout.write(
      `| ${round} | ${ms.toFixed(0)} | ${count('ok')} | ${count('error')} | ${count('timeout')} | ${answered ? `${outcomes.length}/${batch.length}` : 'NO'} | ${recovered.length} | ${recovered.map((r) => r.toFixed(0)).join(', ') || '—'} |\n`,
    );
  }
  process.stdout.write(
    `worker processes replaced: ${executor.replacementsMs.length} (${executor.replacementsMs.map((r) => r.toFixed(0)).join(', ')} ms)\n`,
  );
} finally {
  await executor.close();
}
