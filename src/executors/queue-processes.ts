/**
 * The worker processes the queue strategy starts on this machine: started and ready before anything is measured,
 * replaced when one dies (an injected crash), stopped when done — and killed when the bench exits any other way.
 */

import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { waitUntil } from '../core/time.ts';
import { epochNow } from './call.ts';
import type { WorkerProcessMessage } from './queue-worker-process.ts';
import { QueueError } from './redis.ts';
import { entryModule } from './worker-pool.ts';

/** How long a worker process may take to start and connect. */
const START_DEADLINE_MS = 30_000;
/** How long a stopped worker may take to close before it is killed. */
const STOP_GRACE_MS = 3000;

const live = new Set<ChildProcess>();
let exitHookInstalled = false;

/** Whatever way the bench ends (an error, a second Ctrl-C), no worker process outlives it. */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const child of live) child.kill('SIGKILL');
  });
}

function lastLine(text: string): string {
  return (
    text
      .trim()
      .split('\n')
      .filter((l) => l.trim() !== '')
      .at(-1) ?? ''
  );
}

/** Forks one worker process and resolves once it serves the queue. */
function spawnWorker(redisUrl: string, queue: string, concurrency: number): Promise<ChildProcess> {
  const entry = entryModule('queue-worker-process');
  const child = fork(fileURLToPath(entry.filename), [], {
    execArgv: entry.execArgv,
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  live.add(child);
  child.once('exit', () => live.delete(child));
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  return new Promise((resolve, reject) => {
    const fail = (why: string) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new QueueError(`a queue worker process did not start: ${why}`));
    };
    const timer = setTimeout(() => fail(`not ready after ${START_DEADLINE_MS} ms`), START_DEADLINE_MS);
    child.once('exit', (code) => fail(lastLine(stderr) || `exited with code ${code}`));
    child.once('message', (message: WorkerProcessMessage) => {
      if ('error' in message) return fail(message.error);
      clearTimeout(timer);
      child.removeAllListeners('exit');
      child.once('exit', () => live.delete(child));
      resolve(child);
    });
    child.send({ redisUrl, queue, concurrency });
  });
}

/** Splits k slots over `processes` workers as evenly as possible: 5 over 2 is [3, 2]. */
export function splitSlots(k: number, processes: number): number[] {
  return Array.from({ length: processes }, (_, i) => Math.floor(k / processes) + (i < k % processes ? 1 : 0));
}

export class WorkerProcesses {
  /** Time from a worker's death to its replacement serving the queue, ms each. */
  readonly replacementsMs: number[] = [];
  /** When workers died unexpectedly (epoch ms), in order: a recovered job's recovery time counts from the last one. */
  readonly deathsEpoch: number[] = [];
  readonly #children = new Map<ChildProcess, number>();
  #replacing = 0;
  #stopping = false;

  private constructor(
    readonly redisUrl: string,
    readonly queue: string,
  ) {}

  /** Starts one process per entry of `concurrencies`, each running that many jobs at once. */
  static async start(redisUrl: string, queue: string, concurrencies: readonly number[]): Promise<WorkerProcesses> {
    installExitHook();
    const processes = new WorkerProcesses(redisUrl, queue);
    const started = await Promise.allSettled(concurrencies.map((c) => processes.#add(c)));
    const failure = started.find((s) => s.status === 'rejected');
    if (failure) {
      await processes.stop();
      throw failure.reason;
    }
    return processes;
  }

  async #add(concurrency: number): Promise<void> {
    const child = await spawnWorker(this.redisUrl, this.queue, concurrency);
    if (this.#stopping) {
      child.kill('SIGKILL');
      return;
    }
    this.#children.set(child, concurrency);
    child.once('exit', () => this.#died(child));
  }

  #died(child: ChildProcess): void {
    const concurrency = this.#children.get(child);
    this.#children.delete(child);
    if (this.#stopping || concurrency === undefined) return;
    const died = performance.now();
    this.deathsEpoch.push(epochNow());
    this.#replacing++;
    this.#add(concurrency)
      .then(() => this.replacementsMs.push(performance.now() - died))
      .catch(() => {}) // not replaced: the queue runs on fewer slots, and ready() gives up at its deadline
      .finally(() => this.#replacing--);
  }

  /** Resolves once every dead worker has been replaced (or after `deadlineMs`). */
  async ready(deadlineMs = START_DEADLINE_MS): Promise<void> {
    await waitUntil(() => this.#replacing === 0, { timeoutMs: deadlineMs });
  }

  /** Process ids of the workers alive now. */
  get pids(): number[] {
    return [...this.#children.keys()].map((c) => c.pid ?? 0);
  }

  /** Asks every worker to close (SIGTERM) and kills the ones still there after a grace period. */
  async stop(): Promise<void> {
    this.#stopping = true;
    const children = [...this.#children.keys()];
    this.#children.clear();
    await Promise.all(
      children.map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
            child.once('exit', () => {
              clearTimeout(timer);
              resolve();
            });
            child.kill('SIGTERM');
          }),
      ),
    );
  }
}
