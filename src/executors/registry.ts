import type { ToolRuntime } from '../tools/runtime.ts';
import type { CallRunner } from './call.ts';
import { chunkedExecutor } from './chunked.ts';
import { limitedExecutor } from './limited.ts';
import { applyPolicy, type CallPolicy, DEFAULT_POLICY, failFastExecutor } from './policy.ts';
import { promiseAllExecutor } from './promise-all.ts';
import { sequentialExecutor } from './sequential.ts';
import type { Executor } from './types.ts';
import { workerPoolExecutor } from './worker-pool.ts';

export type StrategyName = 'sequential' | 'promise-all' | 'limited' | 'chunked' | 'worker-pool';

/** A strategy with its parameter: `{ strategy: 'limited', limit: 4 }` is `limited(4)`. */
export interface ExecutorSpec {
  strategy: StrategyName;
  /** Slots, chunk size or threads, for the strategies that take one. */
  limit?: number;
}

export interface ExecutorContext {
  runtime: ToolRuntime;
  /** Timeout, retries and error policy for every call. @default DEFAULT_POLICY */
  policy?: CallPolicy;
}

interface StrategyEntry {
  description: string;
  /** Whether the strategy takes a limit (`--limits`). */
  takesLimit: boolean;
  create(context: ExecutorContext, limit: number): Promise<Executor>;
}

function mainThreadRunner({ runtime, policy = DEFAULT_POLICY }: ExecutorContext): CallRunner {
  return applyPolicy((call, signal) => runtime.invoke(call, signal), policy);
}

/** Every strategy by name: the CLI lists and picks from here. */
export const STRATEGIES: Record<StrategyName, StrategyEntry> = {
  sequential: {
    description: 'one call after another (the speedup reference)',
    takesLimit: false,
    create: async (context) => sequentialExecutor(mainThreadRunner(context)),
  },
  'promise-all': {
    description: 'every call at once with Promise.all',
    takesLimit: false,
    create: async (context) => promiseAllExecutor(mainThreadRunner(context)),
  },
  limited: {
    description: 'sliding window of k calls in flight (p-limit)',
    takesLimit: true,
    create: async (context, k) => limitedExecutor(mainThreadRunner(context), k),
  },
  chunked: {
    description: 'fixed chunks of k calls, each waiting for its slowest',
    takesLimit: true,
    create: async (context, k) => chunkedExecutor(mainThreadRunner(context), k),
  },
  'worker-pool': {
    description: 'k worker threads (piscina), one call per thread at a time',
    takesLimit: true,
    create: ({ runtime, policy = DEFAULT_POLICY }, k) => workerPoolExecutor(runtime, k, policy),
  },
};

export const STRATEGY_NAMES = Object.keys(STRATEGIES) as StrategyName[];

export function isStrategyName(name: string): name is StrategyName {
  return Object.hasOwn(STRATEGIES, name);
}

export function formatSpec(spec: ExecutorSpec): string {
  return spec.limit === undefined ? spec.strategy : `${spec.strategy}(${spec.limit})`;
}

/**
 * Parses `limited(4)`, `worker-pool`, `promise-all`. A strategy that takes a limit but names none returns
 * `limit: undefined`, for the matrix to fill from `--limits`.
 */
export function parseSpec(text: string): ExecutorSpec {
  const match = /^([a-z-]+)(?:\((\d+)\))?$/.exec(text.trim());
  const name = match?.[1];
  if (!match || name === undefined || !isStrategyName(name)) {
    throw new Error(`Unknown executor \`${text}\`; expected one of ${STRATEGY_NAMES.join(', ')}, e.g. limited(4)`);
  }
  const entry = STRATEGIES[name];
  if (match[2] === undefined) return { strategy: name };
  if (!entry.takesLimit) throw new Error(`Executor \`${name}\` takes no limit; write \`${name}\``);
  const limit = Number(match[2]);
  if (!Number.isInteger(limit) || limit < 1)
    throw new Error(`Executor limit must be a whole number ≥ 1 in \`${text}\``);
  return { strategy: name, limit };
}

/** Creates (and, for pools, starts and warms) the executor a spec names. */
export async function createExecutor(spec: ExecutorSpec, context: ExecutorContext): Promise<Executor> {
  const entry = STRATEGIES[spec.strategy];
  if (entry.takesLimit && spec.limit === undefined) {
    throw new Error(`Executor \`${spec.strategy}\` needs a limit, e.g. ${spec.strategy}(4)`);
  }
  const executor = await entry.create(context, spec.limit ?? 0);
  return context.policy?.errorPolicy === 'fail-fast' ? failFastExecutor(executor) : executor;
}
