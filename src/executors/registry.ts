import { RANGES } from '../core/ranges.ts';
import { Registry } from '../core/registry.ts';
import type { ToolRuntime } from '../tools/runtime.ts';
import type { CallRunner } from './call.ts';
import { chunked } from './chunked.ts';
import type { QueueSettings } from './queue-settings.ts';

export {
  defineExecutor,
  type ExecutorContext,
  type ExecutorDefinition,
  IDEAL_SCHEDULES,
  type IdealSchedule,
} from './definition.ts';

import type { ExecutorContext, ExecutorDefinition, IdealSchedule } from './definition.ts';
import { limited } from './limited.ts';
import { applyPolicy, type CallPolicy, DEFAULT_POLICY, failFastExecutor } from './policy.ts';
import { promiseAll } from './promise-all.ts';
import { queue } from './queue.ts';
import { sequential } from './sequential.ts';
import type { Executor } from './types.ts';
import { workerPool } from './worker-pool.ts';

/** A strategy with its parameter: `{ strategy: 'limited', limit: 4 }` is `limited(4)`. */
export interface ExecutorSpec {
  strategy: string;
  /** Slots, chunk size or threads, for the strategies that take one. */
  limit?: number;
}

/** What {@link createExecutor} needs besides the spec. */
export interface ExecutorOptions {
  runtime: ToolRuntime;
  /** Timeout, retries and error policy for every call. @default DEFAULT_POLICY */
  policy?: CallPolicy;
  /** Where `queue(k)` finds Redis and its workers. @default REDIS_URL (else local), 1 worker */
  queue?: QueueSettings;
  /** Where the spec's strategy is looked up. @default the built-ins alone */
  registry?: ExecutorRegistry;
}

/** Most threads a strategy that runs calls off the main thread may ask for (each thread costs tens of MB). */
export const MAX_THREADS = 64;

/** A name a strategy can be registered under, and later written in `--executors` as `name` or `name(k)`. */
export const EXECUTOR_NAME = /^[a-z][a-z0-9_-]{0,47}$/;

/**
 * Strategies by name: the built-ins, and those a config declares, registered through the same call. The CLI makes
 * one per process and passes it on; functions given none use the built-ins alone.
 */
export class ExecutorRegistry {
  readonly #executors = new Registry<ExecutorDefinition>('executor', {
    pattern: EXECUTOR_NAME,
    rule: 'start with a lowercase letter and hold only a-z, 0-9, - or _',
  });

  /** A registry holding the built-in strategies. */
  constructor() {
    for (const builtIn of [sequential, promiseAll, limited, chunked, workerPool, queue]) this.register(builtIn);
  }

  /**
   * Adds a strategy by name. Registering the same definition object again is a no-op; another definition under a
   * taken name is refused.
   */
  register(definition: ExecutorDefinition, source = 'built-in'): void {
    this.#executors.register(definition.name, definition, source);
  }

  /** Every registered strategy, built-ins first, in registration order. */
  entries(): { definition: ExecutorDefinition; source: string }[] {
    return this.#executors.entries().map(([, { value, source }]) => ({ definition: value, source }));
  }

  /** `built-in`, or the config file that declared the strategy; undefined for an unknown name. */
  source(name: string): string | undefined {
    return this.#executors.source(name);
  }

  names(): string[] {
    return this.#executors.names();
  }

  has(name: string): boolean {
    return this.#executors.has(name);
  }

  /** The definition registered under `name`; throws naming the known ones. */
  definition(name: string): ExecutorDefinition {
    const definition = this.#executors.get(name);
    if (!definition) throw new Error(`Unknown executor \`${name}\`; expected one of ${this.names().join(', ')}`);
    return definition;
  }
}

/** The built-ins alone: what functions given no registry look names up in (never registered into). */
const BUILT_INS = new ExecutorRegistry();

export function formatSpec(spec: ExecutorSpec): string {
  return spec.limit === undefined ? spec.strategy : `${spec.strategy}(${spec.limit})`;
}

/**
 * Parses `limited(4)`, `worker-pool`, `promise-all`. A strategy that takes a limit but names none returns
 * `limit: undefined`, for the matrix to fill from `--limits`.
 */
export function parseSpec(text: string, registry: ExecutorRegistry = BUILT_INS): ExecutorSpec {
  const match = /^([a-z][a-z0-9_-]*)(?:\((\d+)\))?$/.exec(text.trim());
  const named = /^([a-z][a-z0-9_-]*)\(/.exec(text.trim())?.[1];
  if (!match && named !== undefined && registry.has(named)) {
    const trimmed = text.trim();
    if (/^[a-z][a-z0-9_-]*\(\s*\d+\s*$/.test(trimmed)) {
      throw new Error(`\`${text}\` misses its closing parenthesis; write \`${trimmed.replace(/\s+/g, '')})\``);
    }
    throw new Error(`Executor limit must be a whole number ≥ 1 in \`${text}\`, e.g. ${named}(4)`);
  }
  const name = match?.[1];
  if (!match || name === undefined || !registry.has(name)) {
    throw new Error(`Unknown executor \`${text}\`; expected one of ${registry.names().join(', ')}, e.g. limited(4)`);
  }
  const definition = registry.definition(name);
  if (match[2] === undefined) return { strategy: name };
  if (!definition.takesLimit) throw new Error(`Executor \`${name}\` takes no limit; write \`${name}\``);
  const limit = Number(match[2]);
  const max = definition.offMainThread ? MAX_THREADS : RANGES.limits[1];
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > max) {
    throw new Error(
      `Executor limit must be a whole number from 1 to ${max} in \`${text}\`${definition.offMainThread ? ' (threads)' : ''}`,
    );
  }
  return { strategy: name, limit };
}

/** How the ideal of a spec is computed: its declared schedule (if any), limit and thread placement. */
export function idealShape(
  spec: ExecutorSpec,
  registry: ExecutorRegistry = BUILT_INS,
): { schedule?: IdealSchedule; limit?: number; offMainThread: boolean } {
  const definition = registry.definition(spec.strategy);
  return {
    ...(definition.ideal ? { schedule: definition.ideal } : {}),
    ...(spec.limit === undefined ? {} : { limit: spec.limit }),
    offMainThread: definition.offMainThread === true,
  };
}

/** Runs calls on this thread through the runtime, with the policy applied: the `invoke` every strategy gets. */
export function mainThreadInvoke(runtime: ToolRuntime, policy: CallPolicy = DEFAULT_POLICY): CallRunner {
  return applyPolicy((call, signal) => runtime.invoke(call, signal), policy);
}

function checkExecutor(executor: unknown, name: string): Executor {
  const e = executor as Partial<Executor> | null;
  if (typeof e !== 'object' || e === null || typeof e.run !== 'function' || typeof e.close !== 'function') {
    throw new Error(`executor \`${name}\`: create() must return an object with run(calls, signal) and close()`);
  }
  return e as Executor;
}

/** Creates (and, for pools, starts and warms) the executor a spec names. */
export async function createExecutor(spec: ExecutorSpec, options: ExecutorOptions): Promise<Executor> {
  const definition = (options.registry ?? BUILT_INS).definition(spec.strategy);
  if (definition.takesLimit && spec.limit === undefined) {
    throw new Error(`Executor \`${spec.strategy}\` needs a limit, e.g. ${spec.strategy}(4)`);
  }
  const policy = options.policy ?? DEFAULT_POLICY;
  const context: ExecutorContext = {
    invoke: mainThreadInvoke(options.runtime, policy),
    runtime: options.runtime,
    policy,
    ...(options.queue ? { queue: options.queue } : {}),
  };
  const executor = checkExecutor(await definition.create(context, spec.limit ?? 0), formatSpec(spec));
  return policy.errorPolicy === 'fail-fast' ? failFastExecutor(executor) : executor;
}
