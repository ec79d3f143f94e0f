/**
 * A BullMQ worker that runs tool calls from a queue with the same seeded runtime the worker threads use
 * (`runWorkerTask`). Used by `fanout-bench worker` (on this machine or another) and by the worker processes the
 * queue strategy starts itself.
 */
import type { Job, Worker } from 'bullmq';
import { epochNow } from './call.ts';
import { connectionOptions, QUEUE_RECOVERY, queueLibraries, workerName } from './redis.ts';
import { runWorkerTask, type WorkerResult, type WorkerTask } from './worker.ts';

/** What a job carries: the call, the tool runtime's config and the per-call timeout. */
export type QueueJobData = WorkerTask;

/** What a job returns: the task's result, when it really ran (worker clock), where, and on which attempt. */
export type QueueJobResult = WorkerResult & {
  endedEpoch: number;
  pid: number;
  /** 0 for the first run; n after the job was recovered n times from a worker that died. */
  attempt: number;
};

export interface QueueWorkerOptions {
  redisUrl: string;
  queue: string;
  /** Jobs this worker runs at once. */
  concurrency: number;
}

/**
 * A recovered job runs its call under a fresh id (`id#recovered1`), as a retry does: the seeded draws of the
 * attempt that killed its worker would kill the next one too.
 */
function attemptTask(job: Job<QueueJobData>): { task: WorkerTask; attempt: number } {
  const attempt = job.stalledCounter;
  if (attempt === 0) return { task: job.data, attempt };
  const call = { ...job.data.call, id: `${job.data.call.id}#recovered${attempt}` };
  return { task: { ...job.data, call }, attempt };
}

async function processJob(job: Job<QueueJobData>): Promise<QueueJobResult> {
  const { task, attempt } = attemptTask(job);
  const result = await runWorkerTask(task); // a `crash` fault exits this process
  return { ...result, endedEpoch: epochNow(), pid: process.pid, attempt };
}

/** Starts a worker on `queue` and resolves once it is connected and taking jobs. */
export async function startQueueWorker(options: QueueWorkerOptions): Promise<Worker> {
  const { bullmq } = await queueLibraries();
  const worker = new bullmq.Worker<QueueJobData, QueueJobResult>(options.queue, processJob, {
    connection: connectionOptions(options.redisUrl, 'worker'),
    concurrency: options.concurrency,
    name: workerName(options.concurrency),
    ...QUEUE_RECOVERY,
    removeOnComplete: { count: 0 },
    removeOnFail: { count: 0 },
  });
  await worker.waitUntilReady();
  return worker;
}
