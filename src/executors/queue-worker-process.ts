/**
 * Entry of a worker process the queue strategy starts itself (forked, with an IPC channel): it gets its settings
 * as the first message (so a Redis password never shows in its arguments or environment), says `ready`, and stops
 * on SIGTERM or when the bench goes away. Ctrl-C is the bench's to handle: it stops its workers itself.
 */

import type { Worker } from 'bullmq';
import { errorMessage } from '../core/errors.ts';
import { type QueueWorkerOptions, startQueueWorker } from './queue-worker.ts';

export type WorkerProcessMessage = { ready: true } | { error: string };

let worker: Worker | undefined;

function stop(): void {
  const closing = worker ? worker.close(true) : Promise.resolve();
  closing.finally(() => process.exit(0));
}

process.on('SIGINT', () => {});
process.on('SIGTERM', stop);
process.on('disconnect', stop);
process.once('message', (options: QueueWorkerOptions) => {
  startQueueWorker(options).then(
    (started) => {
      worker = started;
      started.on('error', () => {}); // Redis away: BullMQ reconnects; the bench reports what its calls met
      process.send?.({ ready: true } satisfies WorkerProcessMessage);
    },
    (error: unknown) => {
      process.send?.({ error: errorMessage(error) } satisfies WorkerProcessMessage, () => process.exit(1));
    },
  );
});
