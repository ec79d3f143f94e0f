import { existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import pLimit from 'p-limit';
import { Piscina } from 'piscina';
import { waitUntil } from '../core/time.ts';
import { NO_FAULTS } from '../tools/config.ts';
import { AbortError, RateLimitError, TimeoutError, ToolError } from '../tools/errors.ts';
import type { ToolRuntime } from '../tools/runtime.ts';
import { type CallRunner, epochNow, settleQueuedCall } from './call.ts';
import { defineExecutor } from './definition.ts';
import { applyPolicy, type CallPolicy, DEFAULT_POLICY } from './policy.ts';
import type { Executor, ToolCall, ToolOutcome } from './types.ts';
import type { WorkerResult, WorkerTask } from './worker.ts';

/** Latency of the calls that warm each thread before measuring (outside every timed region). */
const WARM_CALL_MS = 5;
/**
 * A timeout is applied inside the worker (I/O stops there and the thread survives); the main thread terminates
 * the worker only if it has not answered this much later (CPU-bound work cannot be interrupted in place).
 */
const BACKSTOP_SLACK_MS = 50;

const runningFromSource = import.meta.url.endsWith('.ts');

/** Newest modification time of any file under `dir`, ms (0 when there is none). */
function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) newest = Math.max(newest, statSync(join(entry.parentPath, entry.name)).mtimeMs);
  }
  return newest;
}

const builtEntries = new Map<string, string | null>();

/**
 * A checkout's built entry (`dist/src/executors/NAME.js`), when a build exists that is newer than every source file:
 * it starts 3–4× faster than the same module loaded through tsx. A stale or missing build: null.
 */
function freshBuiltEntry(name: string): string | null {
  const known = builtEntries.get(name);
  if (known !== undefined) return known;
  let entry: string | null = null;
  try {
    const src = fileURLToPath(new URL('../', import.meta.url));
    const built = fileURLToPath(new URL(`../../dist/src/executors/${name}.js`, import.meta.url));
    if (existsSync(built) && statSync(built).mtimeMs > newestMtime(src)) entry = pathToFileURL(built).href;
  } catch {
    entry = null; // unreadable: load the source
  }
  builtEntries.set(name, entry);
  return entry;
}

/**
 * An entry module of this folder that runs in another thread or process (`worker`, `queue-worker-process`):
 * `.js` from the build when installed; in a checkout, a fresh build's if there is one, else the `.ts` next to this
 * file, loaded through tsx.
 */
export function entryModule(name: string): { filename: string; execArgv: string[] } {
  if (!runningFromSource) return { filename: new URL(`./${name}.js`, import.meta.url).href, execArgv: [] };
  const built = freshBuiltEntry(name);
  if (built) return { filename: built, execArgv: [] };
  const tsxRoot = dirname(createRequire(import.meta.url).resolve('tsx/package.json'));
  return {
    filename: new URL(`./${name}.ts`, import.meta.url).href,
    execArgv: ['--import', pathToFileURL(join(tsxRoot, 'dist', 'loader.mjs')).href],
  };
}

/** An error that crossed a thread or process as data, with its name back (TimeoutError, ToolError, …). */
export function rebuildError(result: Extract<WorkerResult, { ok: false }>): Error {
  switch (result.errorName) {
    case 'TimeoutError':
      return new TimeoutError(result.message);
    case 'AbortError':
      return new AbortError(result.message);
    case 'ToolError':
      return new ToolError(result.message);
    case 'RateLimitError':
      return new RateLimitError(result.message);
    default:
      return new Error(result.message);
  }
}

export interface WorkerPoolExecutor extends Executor {
  /** Time to start and warm every thread, measured when the pool was created. */
  readonly startupMs: number;
  /** Thread ids that ran calls of the last batch (to show the work left the main thread). */
  readonly lastThreadIds: ReadonlySet<number>;
  /** Time from a worker's death (crash, or termination of a timed-out call) to its replacement being ready, ms each. */
  readonly replacementsMs: readonly number[];
}

/**
 * `threads` worker threads (piscina), one call per thread at a time. Tools run in the worker with the same
 * seeded runtime; mail they send is delivered to the main thread's mailbox.
 */
export async function workerPoolExecutor(
  runtime: ToolRuntime,
  threads: number,
  policy: CallPolicy = DEFAULT_POLICY,
): Promise<WorkerPoolExecutor> {
  const started = performance.now();
  const pool = new Piscina<WorkerTask, WorkerResult>({
    ...entryModule('worker'),
    minThreads: threads,
    maxThreads: threads,
    concurrentTasksPerWorker: 1,
    idleTimeout: Number.POSITIVE_INFINITY,
  });
  const threadIds = new Set<number>();

  const poolRunner: CallRunner = async (call, signal, onStart) => {
    const task: WorkerTask = { call, config: runtime.config, ...(timeoutMs === undefined ? {} : { timeoutMs }) };
    const result = await pool.run(task, signal ? { signal } : {});
    onStart?.(result.startedEpoch);
    threadIds.add(result.threadId);
    if (!result.ok) throw rebuildError(result);
    runtime.mailbox.push(...result.mail);
    return result.value;
  };
  const timeoutMs = policy.timeoutMs;
  const backstop = timeoutMs === undefined ? policy : { ...policy, timeoutMs: timeoutMs + BACKSTOP_SLACK_MS };
  const runner = applyPolicy(poolRunner, backstop);
  // Hand piscina no more calls than it has threads: a call queued inside the pool would spend its timeout
  // waiting for a thread. Queued here, its clock starts when a thread is free, as with limited(k).
  const slots = pLimit(threads);

  // Warm every thread: start-up and module loading stay outside the timed samples.
  const config = { ...runtime.config, latencyMs: WARM_CALL_MS, profile: 'fixed' as const, faults: NO_FAULTS };
  const warmCalls = Array.from({ length: threads }, (_, i) => ({
    call: { id: `warm-${i}`, name: 'get_user_profile', arguments: '{}' },
    config,
  }));
  await Promise.all(warmCalls.map((task) => pool.run(task)));
  const startupMs = performance.now() - started;
  // after start-up, every new worker replaces one that died: time death → replacement ready
  const replacementsMs: number[] = [];
  const deaths: number[] = [];
  pool.on('workerDestroy', () => deaths.push(performance.now()));
  pool.on('workerCreate', () => {
    const died = deaths.shift();
    if (died !== undefined) replacementsMs.push(performance.now() - died);
  });

  return {
    name: `worker-pool(${threads})`,
    startupMs,
    get lastThreadIds() {
      return threadIds;
    },
    replacementsMs,
    async ready() {
      await waitUntil(() => deaths.length === 0, { timeoutMs: 10_000 });
    },
    run(calls: readonly ToolCall[], signal?: AbortSignal): Promise<ToolOutcome[]> {
      threadIds.clear();
      const start = epochNow();
      return Promise.all(calls.map((call) => slots(() => settleQueuedCall(call, runner, start, signal))));
    },
    async close() {
      slots.clearQueue();
      await pool.destroy();
    },
  };
}

export const workerPool = defineExecutor({
  name: 'worker-pool',
  description: 'k worker threads (piscina), one call per thread at a time',
  takesLimit: true,
  ideal: 'slots',
  offMainThread: true,
  create: ({ runtime, policy }, k) => workerPoolExecutor(runtime, k, policy),
});
