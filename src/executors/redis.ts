/**
 * Redis for the queue strategy: URLs (checked, redacted), BullMQ and ioredis loaded on demand (optional peer
 * dependencies), the connection options every client uses, and the stall-recovery settings of the workers.
 */

import type * as BullMQ from 'bullmq';
import { InputError } from '../core/errors.ts';
import { onDemand } from '../core/packages.ts';
import { withDeadline } from '../core/time.ts';

/** Where Redis is when neither `--redis` nor `REDIS_URL` says. */
export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

/** Name of the queue the bench and `fanout-bench worker` meet on, unless `--queue` names another. */
export const DEFAULT_QUEUE_NAME = 'fanout-bench';

/** A queue name: it becomes part of Redis keys and a client name (no spaces or colons). */
export const QUEUE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

/** How long connecting to Redis may take before it counts as unreachable. */
export const CONNECT_TIMEOUT_MS = 3000;

/**
 * Stalled-job recovery: a worker holds a lock on each job it runs and renews it every `lockDuration / 2`; a job whose
 * lock expired (its worker died) is found by a live worker's check every `stalledInterval` and run again, at most
 * `maxStalledCount` times. BullMQ's defaults (30 s, 30 s, 1) recover a job in about a minute; these, in seconds.
 * A tool that blocks its worker's event loop longer than `lockDuration` loses its lock and runs twice.
 */
export const QUEUE_RECOVERY = { lockDuration: 3000, stalledInterval: 1000, maxStalledCount: 3 } as const;

/** A worker's BullMQ name carries its concurrency, so the bench can add up what serves a queue. */
const WORKER_NAME_PREFIX = 'fanout-c';

export function workerName(concurrency: number): string {
  return `${WORKER_NAME_PREFIX}${concurrency}`;
}

/** The concurrency a worker declared in its name (see {@link workerName}); undefined for other workers. */
export function declaredConcurrency(clientName: string): number | undefined {
  const match = new RegExp(`:w:${WORKER_NAME_PREFIX}(\\d+)$`).exec(clientName);
  return match ? Number(match[1]) : undefined;
}

/** Bad queue input or setup (unreachable Redis, libraries missing, a bad URL): one line, exit 2. */
export class QueueError extends InputError {
  override name = 'QueueError';
}

/** The URL with its password (if any) replaced by `***`: the only form that is printed or written. */
export function redactRedisUrl(url: string): string {
  // everything between the user's colon and the last `@`: a password may hold `/` or `@` unencoded
  return url.replace(/\/\/([^:@/]*):.*@/, '//$1:***@');
}

/** Checks a Redis URL (`redis://[:password@]host[:port][/db]`, or `rediss://`) and returns it as given. */
export function parseRedisUrl(text: string, where: string): string {
  let parsed: URL;
  try {
    parsed = new URL(text);
  } catch {
    throw new QueueError(
      `Expected ${where} to be a Redis URL such as redis://127.0.0.1:6379, got \`${redactRedisUrl(text)}\``,
    );
  }
  if ((parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') || parsed.hostname === '') {
    throw new QueueError(
      `Expected ${where} to be a Redis URL such as redis://127.0.0.1:6379, got \`${redactRedisUrl(text)}\``,
    );
  }
  try {
    decodeURIComponent(parsed.password);
  } catch {
    throw new QueueError(
      `The password in ${where} is not valid percent-encoding; write a \`%\` in it as \`%25\` (${redactRedisUrl(text)})`,
    );
  }
  const db = parsed.pathname.replace(/^\//, '');
  if (db !== '' && !/^\d{1,2}$/.test(db)) {
    throw new QueueError(`Expected the database in ${where} to be a number, e.g. redis://127.0.0.1:6379/0`);
  }
  return text;
}

/** `--redis`, else `REDIS_URL`, else {@link DEFAULT_REDIS_URL}. */
export function resolveRedisUrl(flag: string | undefined): string {
  if (flag !== undefined) return parseRedisUrl(flag, '`--redis`');
  const env = process.env.REDIS_URL;
  return env ? parseRedisUrl(env, '`REDIS_URL`') : DEFAULT_REDIS_URL;
}

type IORedisModule = typeof import('ioredis');

export interface QueueLibraries {
  bullmq: typeof BullMQ;
  Redis: IORedisModule['Redis'];
}

/** BullMQ and ioredis, imported on first use; a one-line error naming the install command when they are missing. */
export const queueLibraries = onDemand(
  async (): Promise<QueueLibraries> => {
    const [bullmq, ioredis] = await Promise.all([import('bullmq'), import('ioredis')]);
    return { bullmq, Redis: ioredis.Redis };
  },
  { packages: ['bullmq', 'ioredis'], neededBy: 'The queue strategy', error: (message) => new QueueError(message) },
);

/**
 * Connection options for BullMQ. Producers fail fast while Redis is away (no offline queue, one retry); workers
 * (`blocking`) wait for it to come back, as BullMQ requires (`maxRetriesPerRequest: null`). A client stops
 * reconnecting once `givenUp()` says so (the bench has given up on Redis, or is closing).
 */
export function connectionOptions(
  url: string,
  role: 'producer' | 'worker',
  givenUp: () => boolean = () => false,
): BullMQ.ConnectionOptions {
  return {
    url,
    connectTimeout: CONNECT_TIMEOUT_MS,
    ...(role === 'producer' ? { enableOfflineQueue: false } : {}),
    maxRetriesPerRequest: role === 'producer' ? 1 : null,
    retryStrategy: (times: number) => (givenUp() ? null : Math.min(1000 * times, 5000)),
  };
}

function reason(error: unknown): string {
  const e = error as { code?: string; message?: string };
  return (e.code ?? e.message ?? String(error)).split('\n')[0] ?? 'unknown error';
}

/** Connects, pings and disconnects within {@link CONNECT_TIMEOUT_MS}; rejects with a one-line {@link QueueError}. */
export async function checkRedis(url: string): Promise<void> {
  const { Redis } = await queueLibraries();
  // our own deadline: ioredis's connectTimeout leaves a socket timer that holds the process after a refusal
  const client = new Redis(url, {
    connectTimeout: 0,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    lazyConnect: true,
  });
  let lastError: unknown;
  client.on('error', (error) => {
    lastError = error;
  });
  try {
    await withDeadline(
      client.connect().then(() => client.ping()),
      CONNECT_TIMEOUT_MS,
      () => new Error(`no answer within ${CONNECT_TIMEOUT_MS} ms`),
      { holdProcess: true },
    );
  } catch (error) {
    const port = new URL(url).port || '6379';
    throw new QueueError(
      `Cannot reach Redis at ${redactRedisUrl(url)} (${reason(lastError ?? error)}); start one with \`redis-server --port ${port} --save '' --appendonly no\`, or pass \`--redis URL\``,
    );
  } finally {
    // on a closed connection, disconnect() would start a 2 s timer that never clears
    if (client.status !== 'end') client.disconnect();
  }
}
