/**
 * The producer's side of a BullMQ queue: calls enqueued as jobs, those of one tick in one `addBulk` (the outbox);
 * the queue's `completed`/`active`/`failed` events matched to pending calls by job id through one listener each;
 * the jobs of abandoned calls removed.
 */
import type { Queue, QueueEvents } from 'bullmq';
import { waitUntil } from '../core/time.ts';
import { onAbort } from '../tools/abort.ts';
import { TimeoutError } from '../tools/errors.ts';
import type { QueueJobData, QueueJobResult } from './queue-worker.ts';

/** The worker applies a call's timeout; the bench gives up on the call this much later (a dead or lost worker). */
const BACKSTOP_SLACK_MS = 50;
/** How long removing the jobs of abandoned calls may hold up the next sample. */
const CLEANUP_DEADLINE_MS = 30_000;

interface Pending {
  resolve: (result: QueueJobResult) => void;
  reject: (error: Error) => void;
  /** A worker took the job (again, after a recovery). */
  active?: () => void;
}

/** One queue's job channel: `enqueue` a call, `listen` to its events, `cleanUp` between samples. */
export class JobChannel {
  readonly #queue: Queue<QueueJobData, QueueJobResult>;
  /** The queue as errors name it (its Redis redacted). */
  readonly #shown: string;
  readonly #pending = new Map<string, Pending>();
  #outbox: { name: string; data: QueueJobData; opts: { jobId: string } }[] = [];
  /** Jobs of calls given up on (aborted, timed out) that may still be in the queue. */
  readonly #abandoned = new Set<string>();
  readonly #prefix = Math.random().toString(36).slice(2, 8);
  #seq = 0;
  #lost: Error | undefined;

  constructor(queue: Queue<QueueJobData, QueueJobResult>, shown: string) {
    this.#queue = queue;
    this.#shown = shown;
  }

  /** Why every call fails once Redis is lost; undefined while it is there. */
  get lost(): Error | undefined {
    return this.#lost;
  }

  /** Settles pending calls from the queue's events. */
  listen(events: QueueEvents): void {
    events.on('completed', ({ jobId, returnvalue }) => {
      this.#pending.get(jobId)?.resolve(returnvalue as unknown as QueueJobResult);
      this.#pending.delete(jobId);
    });
    events.on('active', ({ jobId }) => this.#pending.get(jobId)?.active?.());
    events.on('failed', ({ jobId, failedReason }) => {
      this.#pending.get(jobId)?.reject(new Error(`job failed in the queue: ${failedReason}`));
      this.#pending.delete(jobId);
    });
  }

  /**
   * One job per call: queued with every other call of the same tick, in one `addBulk`. With a timeout the worker
   * applies it; the bench gives up {@link BACKSTOP_SLACK_MS} later, counted from when a worker first took the job
   * (not from the enqueue: a job waiting for a slot is not late), so a call whose worker died and that was not
   * recovered in time ends as a timeout and its job is removed.
   */
  enqueue(data: QueueJobData, signal?: AbortSignal): Promise<QueueJobResult> {
    if (this.#lost) return Promise.reject(this.#lost);
    const jobId = `${this.#prefix}-${++this.#seq}`;
    return new Promise<QueueJobResult>((resolve, reject) => {
      let backstop: NodeJS.Timeout | undefined;
      const giveUp = (reason: unknown) => {
        clearTimeout(backstop);
        stopListening();
        this.#pending.delete(jobId);
        this.#abandoned.add(jobId);
        reject(reason);
      };
      const stopListening = onAbort(signal, giveUp);
      const settle = () => {
        clearTimeout(backstop);
        stopListening();
      };
      this.#pending.set(jobId, {
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
      if (this.#outbox.length === 0) queueMicrotask(() => this.#flush());
      this.#outbox.push({ name: data.call.name, data, opts: { jobId } });
    });
  }

  /** Redis is lost: every pending call fails with `error`, and so does every later one (the first loss counts). */
  lose(error: Error): void {
    if (this.#lost) return;
    this.#lost = error;
    this.rejectAll(error);
  }

  /** Fails every pending call with `error`. */
  rejectAll(error: Error): void {
    for (const p of this.#pending.values()) p.reject(error);
    this.#pending.clear();
  }

  /** Removes the jobs of abandoned calls; a job a worker still holds is waited for until it is gone. */
  async cleanUp(): Promise<void> {
    await waitUntil(
      async () => {
        if (this.#lost) return true;
        for (const jobId of this.#abandoned) {
          const state = await this.#queue
            .remove(jobId)
            .then((removed) => (removed === 1 ? 'unknown' : this.#queue.getJobState(jobId)));
          if (state === 'unknown' || state === 'completed' || state === 'failed') this.#abandoned.delete(jobId);
        }
        return this.#abandoned.size === 0;
      },
      { timeoutMs: CLEANUP_DEADLINE_MS, everyMs: 50 },
    );
  }

  #flush(): void {
    const jobs = this.#outbox;
    this.#outbox = [];
    this.#queue.addBulk(jobs).catch((error: Error) => {
      for (const job of jobs) {
        this.#pending.get(job.opts.jobId)?.reject(new Error(`could not enqueue on ${this.#shown}: ${error.message}`));
        this.#pending.delete(job.opts.jobId);
      }
    });
  }
}
