/**
 * Worker-thread entry for the worker-pool strategy (and the way a queue worker process runs a job): runs one
 * simulated tool call with the same runtime the main thread uses. Errors come back as data so their names (TimeoutError, ToolError) survive the thread hop.
 */

import { dirname, resolve } from 'node:path';
import { threadId } from 'node:worker_threads';
import { importDefault } from '../core/import-module.ts';
import type { ToolRuntimeConfig } from '../tools/config.ts';
import type { Email, ToolDefinition } from '../tools/definition.ts';
import { registerRecordedTools } from '../tools/recorded-tools.ts';
import { ToolRegistry } from '../tools/registry.ts';
import { type CrashHandler, ToolRuntime } from '../tools/runtime.ts';
import type { ToolCall } from './types.ts';

export interface WorkerTask {
  call: ToolCall;
  config: ToolRuntimeConfig;
  /** Per-call timeout applied inside the worker, so an I/O call that times out does not cost the thread. */
  timeoutMs?: number;
}

export type WorkerResult =
  | { ok: true; value: unknown; startedEpoch: number; threadId: number; mail: Email[] }
  | { ok: false; errorName: string; message: string; startedEpoch: number; threadId: number };

const runtimes = new Map<string, ToolRuntime>();

/** The injected crash: the thread (in a worker thread) or the process (in a queue worker process) dies. */
const exitOnCrash: CrashHandler = () => process.exit(70);

/** This thread's tools per config file ('' for none): made once each. */
const toolRegistries = new Map<string, Promise<ToolRegistry>>();

/**
 * The built-in tools, plus those a user's config declares (and those of its recorded profile), for the calls that
 * name them. The main thread has loaded and checked the same file already, so only its tools are read: a worker
 * loads what running a tool needs, not the config layer.
 */
function toolsOf(file: string | undefined): Promise<ToolRegistry> {
  let tools = toolRegistries.get(file ?? '');
  if (!tools) {
    tools = (async () => {
      const registry = new ToolRegistry();
      if (file === undefined) return registry;
      const config = (await importDefault(file)) as { tools?: ToolDefinition<never>[]; profile?: string };
      for (const tool of config.tools ?? []) registry.register(tool, file);
      if (config.profile !== undefined) registerRecordedTools(registry, resolve(dirname(file), config.profile));
      return registry;
    })();
    toolRegistries.set(file ?? '', tools);
  }
  return tools;
}

/** The runtime of a config, made once per thread; the user's config is loaded here first, for its tools. */
async function runtimeFor(config: ToolRuntimeConfig, onCrash: CrashHandler): Promise<ToolRuntime> {
  const key = JSON.stringify(config);
  let runtime = runtimes.get(key);
  if (!runtime) {
    // a replay's tools are its trace's, by name alone (never a built-in of the same name)
    const tools = config.simulatedTools ? new ToolRegistry({ builtIns: false }) : await toolsOf(config.configFile);
    runtime = new ToolRuntime(config, { tools, onCrash });
    runtimes.set(key, runtime);
  }
  return runtime;
}

/**
 * Runs one task with the seeded runtime of its config, here (a worker thread, or a queue worker process); never
 * rejects. `onCrash` is what the `crash` fault does.
 */
export async function runWorkerTask(task: WorkerTask, onCrash: CrashHandler = exitOnCrash): Promise<WorkerResult> {
  const startedEpoch = performance.timeOrigin + performance.now();
  const mail: Email[] = [];
  try {
    const signal = task.timeoutMs === undefined ? undefined : AbortSignal.timeout(task.timeoutMs);
    const value = await (await runtimeFor(task.config, onCrash)).invoke(task.call, signal, { mailbox: mail });
    return { ok: true, value, startedEpoch, threadId, mail };
  } catch (error) {
    const e = error instanceof Error ? error : new Error(String(error));
    return { ok: false, errorName: e.name, message: e.message, startedEpoch, threadId };
  }
}

/** The piscina entry. */
export default function runToolInWorker(task: WorkerTask): Promise<WorkerResult> {
  return runWorkerTask(task);
}
