import { RANGES } from '../core/ranges.ts';
import { startQueueWorker } from '../executors/queue-worker.ts';
import { redactRedisUrl } from '../executors/redis.ts';
import { EXIT } from './errors.ts';
import { parseWhole } from './parse.ts';
import { checkRedisFlag, queueNameFlag, redisUrlFlag } from './queue-options.ts';

export interface WorkerFlags {
  redis?: string;
  queue?: string;
  concurrency: string;
}

/**
 * `fanout-bench worker`: serves a queue's tool calls here (this machine or another) until Ctrl-C or SIGTERM, with
 * the same seeded tools as the bench. Every flag is checked, and Redis reached, before it starts.
 */
export async function workerCommand(flags: WorkerFlags): Promise<number> {
  const concurrency = parseWhole('--concurrency', flags.concurrency, ...RANGES.concurrency);
  const redisUrl = redisUrlFlag(flags.redis);
  const queue = queueNameFlag(flags.queue);
  await checkRedisFlag(redisUrl);
  const shown = redactRedisUrl(redisUrl);
  const worker = await startQueueWorker({ redisUrl, queue, concurrency });
  let connected = true;
  worker.on('error', (error) => {
    if (!connected) return;
    connected = false; // once per outage: BullMQ keeps reconnecting
    process.stderr.write(`Warning: lost Redis at ${shown} (${error.message.split('\n')[0]}); reconnecting\n`);
  });
  worker.on('ready', () => {
    connected = true;
  });
  process.stderr.write(
    `fanout-bench worker ${process.pid}: serving queue \`${queue}\` on ${shown}, ${concurrency} at once (Ctrl-C to stop)\n`,
  );
  await new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
  await worker.close();
  process.stderr.write(`fanout-bench worker ${process.pid}: stopped\n`);
  return EXIT.ok;
}
