import { DEFAULT_QUEUE_NAME, resolveRedisUrl } from './redis.ts';

/** Where the queue strategy finds Redis and its workers: built by the CLI from its flags, passed in the executor context. */
export interface QueueSettings {
  /** @default REDIS_URL, else redis://127.0.0.1:6379 */
  redisUrl: string;
  /** Queue name; the bench's own workers get a queue of their own under it. @default 'fanout-bench' */
  queue: string;
  /** Worker processes the bench starts, or `external`: `fanout-bench worker` processes already serve `queue`. @default 1 */
  workers: number | 'external';
}

/** The settings of a queue(k) created without any: Redis at `REDIS_URL` (else local), one worker process. */
export function defaultQueueSettings(): QueueSettings {
  return { redisUrl: resolveRedisUrl(undefined), queue: DEFAULT_QUEUE_NAME, workers: 1 };
}
