import type { Queue, QueueEvents } from 'bullmq';
import { settleWithin, waitUntil } from '../core/time.ts';
import { NO_FAULTS } from '../tools/config.ts';
import type { ToolRuntime } from '../tools/runtime.ts';
import { type CallRunner, epochNow, settleQueuedCall } from './call.ts';
import { defineExecutor } from './definition.ts';
import { applyPolicy, type CallPolicy, DEFAULT_POLICY } from './policy.ts';
import { JobChannel } from './queue-channel.ts';
import { splitSlots, WorkerProcesses } from './queue-processes.ts';
import { defaultQueueSettings, type QueueSettings } from './queue-settings.ts';
import type { QueueJobData, QueueJobResult } from './queue-worker.ts';
import {
  CONNECT_TIMEOUT_MS,
  checkRedis,
  connectionOptions,
  declaredConcurrency,
  QueueError,
  type QueueLibraries,
  queueLibraries,
  redactRedisUrl,
} from './redis.ts';
import type { Executor, ToolCall, ToolOutcome } from './types.ts';
import { rebuildError } from './worker-pool.ts';

/** Latency of the calls that warm each worker slot before measuring (outside every timed region). */
const WARM_CALL_MS = 5;
/** Events kept in the queue's stream: more than a 10,000-call batch writes (about 4 per job). */
const EVENTS_MAX_LEN = 100_000;

export interface QueueExecutor extends Executor {
  /** Time to start the worker processes and warm every slot, measured when the executor was created. */
  readonly startupMs: number;
  /** Time from a worker process's death to its replacement serving the queue, ms each. */
  readonly replacementsMs: readonly number[];
  /**
   * Per recovered call (its worker died; BullMQ ran it again on a live one): ms from the death to the new run's
   * start; NaN where the death was not seen (external workers).
   */
  readonly recoveriesMs: readonly number[];
  /** The queue's name and Redis (password redacted). */
  readonly where: string;
  /** Process ids of the worker processes started here and alive now (none with external workers). */
  readonly workerPids: readonly number[];
  /** Resolves once abandoned calls' jobs are gone and dead worker processes are replaced. */
  ready(): Promise<void>;
}

/** How long closing the queue's clients may take (Redis may be gone: then they are dropped). */
const CLOSE_DEADLINE_MS = 2000;

/** The producer's clients of one queue, its job channel and the worker processes serving it (none if external). */
interface Clients {
  readonly queue: Queue<QueueJobData, QueueJobResult>;
  readonly channel: JobChannel;
  events?: QueueEvents;
  processes?: WorkerProcesses;
  /** Redis was lost or the executor is closing: the clients stop reconnecting. */
  givenUp: boolean;
}

/**
 * Stops the clients reconnecting and the worker processes, removes the queue where `obliterate()` says so, and
 * closes the clients; with Redis gone, they are disconnected instead of waiting for it.
 */
async function shutDown(clients: Clients, obliterate = () => false): Promise<void> {
  clients.givenUp = true;
  const { queue, events } = clients;
  await clients.processes?.stop();
  if (obliterate()) await settleWithin(queue.obliterate({ force: true }), CLOSE_DEADLINE_MS);
  await settleWithin(Promise.allSettled([events?.close(), queue.close()]), CLOSE_DEADLINE_MS);
  await settleWithin(Promise.allSettled([events?.disconnect(), queue.disconnect()]), CLOSE_DEADLINE_MS);
}

/** The `fanout-bench worker`s serving `queue` must have k slots in all; waits up to a few seconds for one. */
async function checkExternalSlots(queue: Queue, k: number, name: string, shown: string): Promise<void> {
  let slots = 0;
  await waitUntil(
    async () => {
      const workers = await queue.getWorkers();
      slots = workers.reduce((sum, w) => sum + (declaredConcurrency(String(w.rawname ?? '')) ?? 0), 0);
      return slots > 0;
    },
    { timeoutMs: CONNECT_TIMEOUT_MS, everyMs: 100 },
  );
  if (slots !== k) {
    throw new QueueError(
      `queue(${k}) needs workers with ${k} slots in all on ${shown}; found ${slots} (start them with \`fanout-bench worker --redis URL --queue ${name} --concurrency C\`)`,
    );
  }
}

/** The id of the last event in the queue's stream, so only events after it are read. */
async function lastEventId(queue: Queue): Promise<string> {
  const client = (await queue.getBackend().client) as unknown as {
    xrevrange(...args: unknown[]): Promise<[string, unknown][]>;
  };
  const [last] = await client.xrevrange(queue.keys.events, '+', '-', 'COUNT', 1);
  return last?.[0] ?? '0';
}

/**
 * Opens the queue's clients, its events read from now on by the job channel, and its workers: processes started
 * here, or external ones with k slots in all. Losing Redis fails every call; a failed start leaves nothing open.
 */
async function openQueue(
  bullmq: QueueLibraries['bullmq'],
  name: string,
  shown: string,
  k: number,
  where: QueueSettings,
): Promise<Clients> {
  const connection = (role: 'producer' | 'worker') => connectionOptions(where.redisUrl, role, () => clients.givenUp);
  const queue = new bullmq.Queue<QueueJobData, QueueJobResult>(name, {
    connection: connection('producer'),
    streams: { events: { maxLen: EVENTS_MAX_LEN } },
  });
  const clients: Clients = { queue, channel: new JobChannel(queue, shown), givenUp: false };
  const loseRedis = (error: Error) => {
    clients.givenUp = true;
    clients.channel.lose(new Error(`lost Redis at ${redactRedisUrl(where.redisUrl)}: ${error.message.split('\n')[0]}`));
  };
  try {
    queue.on('error', loseRedis);
    const events = new bullmq.QueueEvents(name, {
      connection: connection('worker'),
      lastEventId: await lastEventId(queue),
    });
    clients.events = events;
    events.on('error', loseRedis);
    clients.channel.listen(events);
    await events.waitUntilReady();
    if (where.workers === 'external') await checkExternalSlots(queue, k, name, shown);
    else clients.processes = await WorkerProcesses.start(where.redisUrl, name, splitSlots(k, where.workers));
  } catch (error) {
    await shutDown(clients);
    throw error;
  }
  return clients;
}

/** Warms every slot: process start-up and module loading stay outside the timed samples. A failure closes all. */
async function warmSlots(clients: Clients, runtime: ToolRuntime, k: number): Promise<void> {
  const config = { ...runtime.config, latencyMs: WARM_CALL_MS, profile: 'fixed' as const, faults: NO_FAULTS };
  const warmCalls = Array.from({ length: k }, (_, i) => ({
    id: `warm-${i}`,
    name: 'get_user_profile',
    arguments: '{}',
  }));
  try {
    await Promise.all(warmCalls.map((call) => clients.channel.enqueue({ call, config })));
  } catch (error) {
    await shutDown(clients);
    throw error;
  }
}

/**
 * Where a call of `queue(k)` runs: a job through the channel, its outcome from the worker's times. The timeout is
 * the worker's, with the channel's backstop; retries and fail-fast apply here as anywhere.
 */
function queueRunner(
  runtime: ToolRuntime,
  channel: JobChannel,
  policy: CallPolicy,
  onResult: (result: QueueJobResult) => void,
): CallRunner {
  const timeoutMs = policy.timeoutMs;
  const queued: CallRunner = async (call, signal, onStart) => {
    const data: QueueJobData = { call, config: runtime.config, ...(timeoutMs === undefined ? {} : { timeoutMs }) };
    const result = await channel.enqueue(data, signal);
    onStart?.(result.startedEpoch, result.endedEpoch);
    onResult(result);
    if (!result.ok) throw rebuildError(result);
    runtime.mailbox.push(...result.mail);
    return result.value;
  };
  return applyPolicy(queued, { ...policy, timeoutMs: undefined });
}

/**
 * queue(k) on BullMQ: every batch is enqueued at once (`addBulk`), one job per call carrying the call and the tool
 * runtime's config; workers (processes started here, or external ones) with k slots in all run them; each call's
 * result arrives as the job's `completed` event, with the times it really started and ended on its worker.
 */
export async function queueExecutor(
  runtime: ToolRuntime,
  k: number,
  policy: CallPolicy = DEFAULT_POLICY,
  where: QueueSettings = defaultQueueSettings(),
): Promise<QueueExecutor> {
  const started = performance.now();
  const { bullmq } = await queueLibraries();
  await checkRedis(where.redisUrl);
  const workers = where.workers;
  const external = workers === 'external';
  if (!external && workers > k) {
    throw new QueueError(`queue(${k}) cannot give ${workers} worker processes a slot each; use --workers ≤ ${k}`);
  }
  const name = external ? where.queue : `${where.queue}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  const shown = `queue \`${name}\` on ${redactRedisUrl(where.redisUrl)}`;
  const clients = await openQueue(bullmq, name, shown, k, where);
  const { channel, processes } = clients;
  const recoveriesMs: number[] = [];
  const runner = queueRunner(runtime, channel, policy, (result) => {
    if (result.attempt === 0) return;
    const death = processes?.deathsEpoch.findLast((epoch) => epoch <= result.startedEpoch);
    recoveriesMs.push(death === undefined ? Number.NaN : result.startedEpoch - death);
  });
  await warmSlots(clients, runtime, k);
  const startupMs = performance.now() - started;
  let closed: Promise<void> | undefined;

  return {
    name: `queue(${k})`,
    startupMs,
    replacementsMs: processes?.replacementsMs ?? [],
    recoveriesMs,
    where: shown,
    get workerPids() {
      return processes?.pids ?? [];
    },
    /** Between samples; without Redis there is no queue left to measure, so the cell ends as an error. */
    async ready() {
      if (channel.lost) throw channel.lost;
      await channel.cleanUp();
      await processes?.ready();
    },
    run(calls: readonly ToolCall[], signal?: AbortSignal): Promise<ToolOutcome[]> {
      const start = epochNow();
      return Promise.all(calls.map((call) => settleQueuedCall(call, runner, start, signal)));
    },
    close() {
      closed ??= (async () => {
        clients.givenUp = true;
        channel.rejectAll(new Error(`queue(${k}) closed`));
        await shutDown(clients, () => !external && !channel.lost);
      })();
      return closed;
    },
  };
}

export const queue = defineExecutor({
  name: 'queue',
  description: 'a BullMQ job queue on Redis: the batch enqueued at once, worker processes with k slots in all',
  takesLimit: true,
  ideal: 'slots',
  offMainThread: true,
  create: ({ runtime, policy, queue: where }, k) => queueExecutor(runtime, k, policy, where),
});
