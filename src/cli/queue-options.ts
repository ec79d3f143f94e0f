import type { Command } from 'commander';
import { RANGES } from '../core/ranges.ts';
import type { QueueSettings } from '../executors/queue-settings.ts';
import {
  checkRedis,
  DEFAULT_QUEUE_NAME,
  QUEUE_NAME,
  QueueError,
  redactRedisUrl,
  resolveRedisUrl,
} from '../executors/redis.ts';
import { type ExecutorRegistry, parseSpec } from '../executors/registry.ts';
import type { QueueBenchConfig } from '../results/document.ts';
import { UsageError } from './errors.ts';
import { parseWhole } from './parse.ts';

/** The queue flags as commander hands them over. */
export interface QueueFlags {
  redis?: string;
  workers?: string;
  externalWorkers?: boolean;
  queue?: string;
}

/** `--redis` and `--queue`: where the bench and `fanout-bench worker` meet. */
export function addRedisOptions(command: Command): Command {
  return command
    .option('--redis <url>', 'queue(k): Redis URL (default: REDIS_URL, else redis://127.0.0.1:6379)')
    .option('--queue <name>', `queue(k): queue name (default ${DEFAULT_QUEUE_NAME})`);
}

/** The flags of commands that run queue(k): Redis, and which workers serve it. */
export function addQueueOptions(command: Command): Command {
  return addRedisOptions(command)
    .option('--workers <n>', 'queue(k): worker processes the bench starts, sharing k slots (default 1)')
    .option('--external-workers', 'queue(k): `fanout-bench worker` processes already serve `--queue`; start none');
}

function usage(error: unknown): never {
  throw error instanceof QueueError ? new UsageError(error.message) : error;
}

/** `--redis` (or REDIS_URL) checked as a URL; bad input is a {@link UsageError}. */
export function redisUrlFlag(flag: string | undefined): string {
  try {
    return resolveRedisUrl(flag);
  } catch (error) {
    usage(error);
  }
}

export function queueNameFlag(flag: string | undefined): string {
  if (flag === undefined) return DEFAULT_QUEUE_NAME;
  if (!QUEUE_NAME.test(flag)) {
    throw new UsageError(`Expected \`--queue\` to be letters, digits, \`.\`, \`_\` or \`-\`, got \`${flag}\``);
  }
  return flag;
}

/** Whether Redis answers, within a few seconds: before anything is measured. */
export async function checkRedisFlag(url: string): Promise<void> {
  await checkRedis(url).catch(usage);
}

/** The queue flags resolved: the settings queue(k) is created with, and what the run records (password redacted). */
export interface ResolvedQueue {
  settings: QueueSettings;
  record: QueueBenchConfig;
}

/**
 * The queue flags, checked before anything is measured: refused when no queue(k) runs; otherwise Redis must
 * answer, and the settings go to the executors (through the run's options) and the record into the results.
 */
export async function resolveQueueFlags(
  flags: QueueFlags,
  executors: readonly string[],
  limits: readonly number[],
  registry: ExecutorRegistry,
): Promise<ResolvedQueue | undefined> {
  const queues = executors.map((text) => parseSpec(text, registry)).filter((s) => s.strategy === 'queue');
  const given = (
    [
      ['--redis', flags.redis],
      ['--workers', flags.workers],
      ['--external-workers', flags.externalWorkers],
      ['--queue', flags.queue],
    ] as const
  ).filter(([, value]) => value !== undefined);
  if (queues.length === 0) {
    if (given.length > 0) {
      throw new UsageError(`\`${given[0]?.[0]}\` applies to queue(k); add it, e.g. \`--executors queue(4)\``);
    }
    return undefined;
  }
  if (flags.externalWorkers && flags.workers !== undefined) {
    throw new UsageError('`--external-workers` starts no worker processes; drop `--workers`');
  }
  const workers = flags.externalWorkers
    ? ('external' as const)
    : flags.workers === undefined
      ? 1
      : parseWhole('--workers', flags.workers, ...RANGES.workers);
  const slots = queues.flatMap((s) => (s.limit === undefined ? limits : [s.limit]));
  const fewest = Math.min(...slots);
  if (workers !== 'external' && workers > fewest) {
    throw new UsageError(
      `queue(${fewest}) has ${fewest} slots for ${workers} worker processes; use \`--workers ${fewest}\` or fewer, or more slots`,
    );
  }
  const settings: QueueSettings = { redisUrl: redisUrlFlag(flags.redis), queue: queueNameFlag(flags.queue), workers };
  await checkRedisFlag(settings.redisUrl);
  return { settings, record: { redis: redactRedisUrl(settings.redisUrl), queue: settings.queue, workers } };
}
