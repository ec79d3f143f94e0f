import type { Queue, QueueEvents } from 'bullmq';
import { settleWithin, waitUntil } from '../core/time.ts';
import { onAbort } from '../tools/abort.ts';
import { NO_FAULTS } from '../tools/config.ts';
import { TimeoutError } from '../tools/errors.ts';
import type { ToolRuntime } from '../tools/runtime.ts';
import { type CallRunner, epochNow, settleQueuedCall } from './call.ts';
import { defineExecutor } from './definition.ts';
import { applyPolicy, type CallPolicy, DEFAULT_POLICY } from './policy.ts';
import { splitSlots, WorkerProcesses } from './queue-processes.ts';
import { defaultQueueSettings, type QueueSettings } from './queue-settings.ts';
import type { QueueJobData, QueueJobResult } from './queue-worker.ts';
import {
  CONNECT_TIMEOUT_MS,
  checkRedis,
  connectionOptions,
  declaredConcurrency,
  QueueError,
  queueLibraries,
  redactRedisUrl,
} from './redis.ts';
import type { Executor, ToolCall, ToolOutcome } from './types.ts';
import { rebuildError } from './worker-pool.ts';

/** Latency of the calls that warm each worker slot before measuring (outside every timed region). */
const WARM_CALL_MS = 5;
/** The worker applies a call's timeout; the bench gives up on the call this much later (a dead or lost worker). */
const BACKSTOP_SLACK_MS = 50;
/** Events kept in the queue's stream: more than a 10,000-call batch writes (about 4 per job). */
const EVENTS_MAX_LEN = 100_000;
/** How long removing the jobs of abandoned calls may hold up the next sample. */
const CLEANUP_DEADLINE_MS = 30_000;

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

interface Pending {
  resolve: (result: QueueJobResult) => void;
  reject: (error: Error) => void;
  /** A worker took the job (again, after a recovery). */
  active?: () => void;
}

/** How long closing the queue's clients may take (Redis may be gone: then they are dropped). */
const CLOSE_DEADLINE_MS = 2000;

/** Closes the producer's clients; with Redis gone, they are disconnected instead of waiting for it. */
async function closeClients(queue: Queue, events: QueueEvents | undefined): Promise<void> {
  await settleWithin(Promise.allSettled([events?.close(), queue.close()]), CLOSE_DEADLINE_MS);
  await settleWithin(Promise.allSettled([events?.disconnect(), queue.disconnect()]), CLOSE_DEADLINE_MS);
}

/** Total concurrency of the `fanout-bench worker`s serving `queue`, waiting up to a few seconds for one. */
async function externalSlots(queue: Queue): Promise<number> {
  let slots = 0;
  await waitUntil(
    async () => {
      const workers = await queue.getWorkers();
      slots = workers.reduce((sum, w) => sum + (declaredConcurrency(String(w.rawname ?? '')) ?? 0), 0);
      return slots > 0;
    },
    { timeoutMs: CONNECT_TIMEOUT_MS, everyMs: 100 },
  );
  return slots;
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
  const pending = new Map<string, Pending>();
  let lost: Error | undefined;
  /** Redis was lost or the executor is closing: the clients stop reconnecting. */
  let givenUp = false;
  const loseRedis = (error: Error) => {
    givenUp = true;
    if (lost) return;
    lost = new Error(`lost Redis at ${redactRedisUrl(where.redisUrl)}: ${error.message.split('\n')[0]}`);
    for (const p of pending.values()) p.reject(lost);
    pending.clear();
  };
  const queue = new bullmq.Queue<QueueJobData, QueueJobResult>(name, {
    connection: connectionOptions(where.redisUrl, 'producer', () => givenUp),
    streams: { events: { maxLen: EVENTS_MAX_LEN } },
  });
  let events: QueueEvents | undefined;
  let processes: WorkerProcesses | undefined;
  try {
    queue.on('error', loseRedis);
    events = new bullmq.QueueEvents(name, {
      connection: connectionOptions(where.redisUrl, 'worker', () => givenUp),
      lastEventId: await lastEventId(queue),
    });
    events.on('error', loseRedis);
    events.on('completed', ({ jobId, returnvalue }) => {
      pending.get(jobId)?.resolve(returnvalue as unknown as QueueJobResult);
      pending.delete(jobId);
    });
    events.on('active', ({ jobId }) => pending.get(jobId)?.active?.());
    events.on('failed', ({ jobId, failedReason }) => {
      pending.get(jobId)?.reject(new Error(`job failed in the queue: ${failedReason}`));
      pending.delete(jobId);
    });
    await events.waitUntilReady();
    if (external) {
      const slots = await externalSlots(queue);
      if (slots !== k) {
        throw new QueueError(
          `queue(${k}) needs workers with ${k} slots in all on ${shown}; found ${slots} (start them with \`fanout-bench worker --redis URL --queue ${name} --concurrency C\`)`,
        );
      }
    } else {
      processes = await WorkerProcesses.start(where.redisUrl, name, splitSlots(k, workers));
    }
  } catch (error) {
    givenUp = true;
    await processes?.stop();
    await closeClients(queue, events);
    throw error;
  }

  let seq = 0;
  const prefix = Math.random().toString(36).slice(2, 8);
  let outbox: { name: string; data: QueueJobData; opts: { jobId: string } }[] = [];
  /** Jobs of calls given up on (aborted, timed out) that may still be in the queue. */
  const abandoned = new Set<string>();
  const flush = () => {
    const jobs = outbox;
    outbox = [];
    queue.addBulk(jobs).catch((error: Error) => {
      for (const job of jobs) {
        pending.get(job.opts.jobId)?.reject(new Error(`could not enqueue on ${shown}: ${error.message}`));
        pending.delete(job.opts.jobId);
      }
    });
  };
  const recoveriesMs: number[] = [];
  const recovered = (result: QueueJobResult) => {
    if (result.attempt === 0) return;
    const death = processes?.deathsEpoch.findLast((epoch) => epoch <= result.startedEpoch);
    recoveriesMs.push(death === undefined ? Number.NaN : result.startedEpoch - death);
  };
  const timeoutMs = policy.timeoutMs;

  /**
   * One job per call: queued with every other call of the same tick, in one `addBulk`. With a timeout the worker
   * applies it; the bench gives up {@link BACKSTOP_SLACK_MS} later, counted from when a worker first took the job
   * (not from the enqueue: a job waiting for a slot is not late), so a call whose worker died and that was not
   * recovered in time ends as a timeout and its job is removed.
   */
  const enqueue = (data: QueueJobData, signal?: AbortSignal): Promise<QueueJobResult> => {
    if (lost) return Promise.reject(lost);
    const jobId = `${prefix}-${++seq}`;
    return new Promise<QueueJobResult>((resolve, reject) => {
      let backstop: NodeJS.Timeout | undefined;
      const giveUp = (reason: unknown) => {
        clearTimeout(backstop);
        stopListening();
        pending.delete(jobId);
        abandoned.add(jobId);
        reject(reason);
      };
      const stopListening = onAbort(signal, giveUp);
      const settle = () => {
        clearTimeout(backstop);
        stopListening();
      };
      pending.set(jobId, {
        resolve: (result) => {
          settle();
          resolve(result);
        },
        reject: (error) => {
          settle();
          reject(error);
        },
        ...(data.timeoutMs === undefined
          ? {}
          : {
              active: () => {
                backstop ??= setTimeout(
                  () => giveUp(new TimeoutError(`${data.call.name} timed out after ${data.timeoutMs} ms`)),
                  (data.timeoutMs as number) + BACKSTOP_SLACK_MS,
                );
              },
            }),
      });
      if (outbox.length === 0) queueMicrotask(flush);
      outbox.push({ name: data.call.name, data, opts: { jobId } });
    });
  };

  const queueRunner: CallRunner = async (call, signal, onStart) => {
    const data: QueueJobData = { call, config: runtime.config, ...(timeoutMs === undefined ? {} : { timeoutMs }) };
    const result = await enqueue(data, signal);
    onStart?.(result.startedEpoch, result.endedEpoch);
    recovered(result);
    if (!result.ok) throw rebuildError(result);
    runtime.mailbox.push(...result.mail);
    return result.value;
  };
  // the timeout is the worker's, with the bench's backstop in `enqueue`; retries and fail-fast apply here as anywhere
  const runner = applyPolicy(queueRunner, { ...policy, timeoutMs: undefined });

  /** Removes the jobs of abandoned calls; a job a worker still holds is waited for until it is gone. */
  const cleanUp = async () => {
    await waitUntil(
      async () => {
        if (lost) return true;
        for (const jobId of abandoned) {
          const state = await queue
            .remove(jobId)
            .then((removed) => (removed === 1 ? 'unknown' : queue.getJobState(jobId)));
          if (state === 'unknown' || state === 'completed' || state === 'failed') abandoned.delete(jobId);
        }
        return abandoned.size === 0;
      },
      { timeoutMs: CLEANUP_DEADLINE_MS, everyMs: 50 },
    );
  };

  // Warm every slot: process start-up and module loading stay outside the timed samples.
  const config = { ...runtime.config, latencyMs: WARM_CALL_MS, profile: 'fixed' as const, faults: NO_FAULTS };
  const warmCalls = Array.from({ length: k }, (_, i) => ({
    id: `warm-${i}`,
    name: 'get_user_profile',
    arguments: '{}',
  }));
  try {
    await Promise.all(warmCalls.map((call) => enqueue({ call, config })));
  } catch (error) {
    givenUp = true;
    await processes?.stop();
    await closeClients(queue, events);
    throw error;
  }
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
      if (lost) throw lost;
      await cleanUp();
      await processes?.ready();
    },
    run(calls: readonly ToolCall[], signal?: AbortSignal): Promise<ToolOutcome[]> {
      const start = epochNow();
      return Promise.all(calls.map((call) => settleQueuedCall(call, runner, start, signal)));
    },
    close() {
      closed ??= (async () => {
        givenUp = true;
        const goingAway = new Error(`queue(${k}) closed`);
        for (const p of pending.values()) p.reject(goingAway);
        pending.clear();
        await processes?.stop();
        if (!external && !lost) await settleWithin(queue.obliterate({ force: true }), CLOSE_DEADLINE_MS);
        await closeClients(queue, events);
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
