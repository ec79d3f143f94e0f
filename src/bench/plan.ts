/**
 * The matrix's plan: its options and registries, the groups (executors × call counts × kinds), each round's calls,
 * the latencies they draw, and the nominal cost progress counts with.
 */
import os from 'node:os';
import type { AgentMode } from '../agent/types.ts';
import type { CallPolicy } from '../executors/policy.ts';
import type { QueueSettings } from '../executors/queue-settings.ts';
import { ExecutorRegistry, type ExecutorSpec, formatSpec, idealShape } from '../executors/registry.ts';
import type { ToolCall } from '../executors/types.ts';
import { idealMs } from '../stats/ideal.ts';
import type { ToolRuntimeConfig, WorkloadKind } from '../tools/config.ts';
import { planCall } from '../tools/latency.ts';
import { ToolRegistry } from '../tools/registry.ts';
import { DEFAULT_BATCH_TOOLS, hasOwnLatency, syntheticBatch } from './batch.ts';

export const DEFAULT_CALLS = [1, 2, 4, 8, 16];
export const DEFAULT_LIMITS = [2, 4, 8];
export const DEFAULT_ROUNDS = 5;

/** The matrix: executors × call counts × limits × workload kinds. */
export interface MatrixOptions {
  /** Strategies; one without a limit expands over `limits`. `sequential` is measured first (the reference). */
  executors: ExecutorSpec[];
  /** Measure `sequential`, the reference of every speedup; `false` skips it (scale runs). @default true */
  reference?: boolean;
  calls: number[];
  limits: number[];
  kinds: WorkloadKind[];
  /** Runtime of the simulated tools; `kind` is set per group. */
  tools: Omit<ToolRuntimeConfig, 'kind'>;
  /** Interleaved rounds per group (samples per cell). */
  rounds: number;
  /** Timeout, retries and error policy for every call. */
  policy?: CallPolicy;
  /** Where `queue(k)` finds Redis and its workers. @default REDIS_URL (else local), 1 worker */
  queue?: QueueSettings;
  /** Where tool and strategy names are looked up. @default the built-ins alone */
  registries?: MatrixRegistries;
  /** Cores available to worker threads, for the ideal of CPU-bound pools. @default os.availableParallelism() */
  cores?: number;
  /** Tools a batch rotates through. @default DEFAULT_BATCH_TOOLS */
  batchTools?: string[];
}

/** The names a run looks up: its tools and its strategies. */
export interface MatrixRegistries {
  tools: ToolRegistry;
  executors: ExecutorRegistry;
}

/**
 * The run's registries: those given, else the built-ins alone, made once per options object (a recorded profile's
 * tools, registered into them, stay for the whole run).
 */
export function matrixRegistries(options: MatrixOptions): MatrixRegistries {
  options.registries ??= builtInRegistries();
  return options.registries;
}

/** Fresh registries of the built-in tools and strategies alone. */
export function builtInRegistries(): MatrixRegistries {
  return { tools: new ToolRegistry(), executors: new ExecutorRegistry() };
}

/** All cells of one kind and call count: measured together in interleaved rounds. */
export interface Group {
  kind: WorkloadKind;
  calls: number;
  specs: ExecutorSpec[];
  /** Agent mode: frameworks measured beside the executors. */
  frameworks?: string[];
  /** Agent mode: the API and dispatch of our loop in this group. */
  mode?: AgentMode;
  /** Agent mode: the scenario the group plays, as tables and progress name it (a path by its file name). */
  scenario?: string;
  /** Plan runs: the ways the plan is run (`react`, `parallel-fc`, `dag(4)`), in place of executors. */
  ways?: string[];
}

/**
 * `limited` with limits [2, 4] becomes `limited(2)`, `limited(4)`; `sequential`, the reference, comes first unless
 * `reference` is false.
 */
export function expandExecutors(
  specs: readonly ExecutorSpec[],
  limits: readonly number[],
  reference: boolean,
  registry: ExecutorRegistry,
): ExecutorSpec[] {
  const out: ExecutorSpec[] = reference ? [{ strategy: 'sequential' }] : [];
  for (const spec of specs) {
    const expanded =
      registry.definition(spec.strategy).takesLimit && spec.limit === undefined
        ? limits.map((limit) => ({ strategy: spec.strategy, limit }))
        : [spec];
    for (const s of expanded) if (!out.some((o) => formatSpec(o) === formatSpec(s))) out.push(s);
  }
  return out;
}

export function planGroups(options: MatrixOptions): Group[] {
  const specs = expandExecutors(
    options.executors,
    options.limits,
    options.reference !== false,
    matrixRegistries(options).executors,
  );
  return options.kinds.flatMap((kind) => options.calls.map((calls) => ({ kind, calls, specs })));
}

/** Cores available to worker threads (the ideal of CPU-bound pools). */
export function workerCores(options: MatrixOptions): number {
  return options.cores ?? os.availableParallelism();
}

/** The calls of one round of a group: every strategy of the round gets these ids, so the same latencies. */
export function groupBatch(group: Group, round: number, options: MatrixOptions): ToolCall[] {
  return syntheticBatch(
    `${group.kind}-n${group.calls}-r${round}`,
    group.calls,
    options.batchTools ?? DEFAULT_BATCH_TOOLS,
    matrixRegistries(options).tools,
  );
}

/** Latencies the simulated tools drew over every round of every group, per tool (what a run met). */
export function drawnLatencies(options: MatrixOptions): Map<string, number[]> {
  const drawn = new Map<string, number[]>(); // tool names are user data: `__proto__` must be just a name
  const { tools } = matrixRegistries(options);
  for (const group of planGroups(options)) {
    const config = { ...options.tools, kind: group.kind };
    for (let round = 0; round < options.rounds; round++) {
      for (const call of groupBatch(group, round, options)) {
        if (hasOwnLatency(call, tools)) continue;
        const latencies = drawn.get(call.name) ?? [];
        latencies.push(planCall(config, call.id, call.name).latencyMs);
        drawn.set(call.name, latencies);
      }
    }
  }
  return drawn;
}

/** Nominal cost of a group (ms of ideal work over all rounds), for progress estimates. */
export function groupCost(group: Group, options: MatrixOptions): number {
  const perRound = group.specs.reduce((sum, spec) => sum + nominalCost(spec, group, options), 0);
  return perRound * options.rounds;
}

/** Nominal ideal of one sample, for progress; a strategy without a declared schedule is counted as serial. */
export function nominalCost(spec: ExecutorSpec, group: Group, options: MatrixOptions): number {
  const latencies = new Array<number>(group.calls).fill(options.tools.latencyMs);
  const ideal = idealMs(latencies, {
    ...idealShape(spec, matrixRegistries(options).executors),
    kind: group.kind,
    cores: workerCores(options),
  });
  const nominal = Number.isFinite(ideal) ? ideal : latencies.reduce((a, b) => a + b, 0);
  // with `--latency 0` every ideal is 0: count the dispatch of each call instead, so progress still moves
  return Math.max(nominal, NOMINAL_MS_PER_CALL * group.calls);
}

/** The least a sample counts for in progress: about what dispatching one call costs (µs, as ms). */
const NOMINAL_MS_PER_CALL = 0.005;
