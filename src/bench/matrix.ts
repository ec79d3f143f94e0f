import { setMaxListeners } from 'node:events';
import os from 'node:os';
import type { AgentMode } from '../agent/types.ts';
import { errorMessage } from '../core/errors.ts';
import { waitUntil, withDeadline } from '../core/time.ts';
import type { CallPolicy } from '../executors/policy.ts';
import type { QueueSettings } from '../executors/queue-settings.ts';
import { createExecutor, ExecutorRegistry, type ExecutorSpec, formatSpec, idealShape } from '../executors/registry.ts';
import type { Executor, OutcomeStatus, ToolCall, ToolOutcome } from '../executors/types.ts';
import { type CellOk, type CellResult, cellId, TIMELINE_MAX_CALLS, type TimelineSpan } from '../results/document.ts';
import { idealMs } from '../stats/ideal.ts';
import { mean } from '../stats/summary.ts';
import type { FaultConfig, ToolRuntimeConfig, WorkloadKind } from '../tools/config.ts';
import { planCall, WARM_UP_PREFIX } from '../tools/latency.ts';
import { ToolRegistry } from '../tools/registry.ts';
import { ToolRuntime } from '../tools/runtime.ts';
import { DEFAULT_BATCH_TOOLS, hasOwnLatency, syntheticBatch } from './batch.ts';
import { brokenVariants, callSpans, failureOf, measuredCell, referenceRounds } from './cells.ts';
import { runInterleaved, type Variant, type VariantRecord } from './interleave.ts';
import { type LoopDelay, startLoopProbe } from './loop-probe.ts';

export const DEFAULT_CALLS = [1, 2, 4, 8, 16];
export const DEFAULT_LIMITS = [2, 4, 8];
export const DEFAULT_ROUNDS = 5;
/** Calls that succeed in each executor's warm-up batch (at most; fewer when the group has fewer). */
const WARM_UP_CALLS = 64;

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
  options.registries ??= { tools: new ToolRegistry(), executors: new ExecutorRegistry() };
  return options.registries;
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
}

export type MatrixEvent =
  | { type: 'group-start'; group: Group; index: number; total: number }
  | { type: 'sample'; group: Group; executor: string; round: number; doneCost: number; totalCost: number }
  | { type: 'group-end'; group: Group; index: number; total: number; cells: CellResult[] };

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

function cores(options: MatrixOptions): number {
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
function nominalCost(spec: ExecutorSpec, group: Group, options: MatrixOptions): number {
  const latencies = new Array<number>(group.calls).fill(options.tools.latencyMs);
  const ideal = idealMs(latencies, {
    ...idealShape(spec, matrixRegistries(options).executors),
    kind: group.kind,
    cores: cores(options),
  });
  const nominal = Number.isFinite(ideal) ? ideal : latencies.reduce((a, b) => a + b, 0);
  // with `--latency 0` every ideal is 0: count the dispatch of each call instead, so progress still moves
  return Math.max(nominal, NOMINAL_MS_PER_CALL * group.calls);
}

/** The least a sample counts for in progress: about what dispatching one call costs (µs, as ms). */
const NOMINAL_MS_PER_CALL = 0.005;

/**
 * Ideal of one sample: simulated calls count with their drawn latency, calls of tools with their own latency with
 * what they took in this sample (their latency is not known in advance). CPU-bound if any call is.
 */
export function sampleIdealMs(
  shape: ReturnType<typeof idealShape>,
  calls: readonly ToolCall[],
  outcomes: readonly ToolOutcome[],
  config: ToolRuntimeConfig,
  policy: CallPolicy | undefined,
  coreCount: number,
  tools: ToolRegistry,
): number {
  let kind = config.kind;
  const byId = new Map(outcomes.map((o) => [o.id, o]));
  const latencies = calls.map((call) => {
    if (!hasOwnLatency(call, tools)) return plannedMs(config, call, policy);
    if (tools.named(call.name).definition.kind === 'cpu') kind = 'cpu';
    const outcome = byId.get(call.id);
    return outcome ? Math.max(0, outcome.endedMs - outcome.startedMs) : Number.NaN;
  });
  return idealMs(latencies, { ...shape, kind, cores: coreCount });
}

interface BatchExtra {
  /** Filled in once the round's sequential sample is known (see {@link withIdeals}). */
  idealMs: number;
  /** Per call: the drawn latency of a simulated call; undefined for a call of a tool with its own latency. */
  planned: (number | undefined)[];
  /** Per call: what it took (end − start) in this sample. */
  tookMs: number[];
  /** Some call's own-latency tool declares `kind: 'cpu'`. */
  cpuBound: boolean;
  statuses: OutcomeStatus[];
  /** The first call of the sample that did not succeed (see {@link failureOf}). */
  firstFailure?: string;
  complete: boolean;
  /** Calls still running on this thread once the batch returned (timeouts that did not cancel). */
  lingering: number;
  /** Event-loop delay during this sample, ms. */
  loopDelay: LoopDelay;
  /** Every call as a bar, for the report's timeline (samples of up to TIMELINE_MAX_CALLS calls). */
  spans?: TimelineSpan[];
}

/** The time a call should take: its drawn latency, or for a hang, the timeout that ends it. */
export function plannedMs(config: ToolRuntimeConfig, call: ToolCall, policy?: CallPolicy): number {
  const plan = planCall(config, call.id, call.name);
  return plan.fault === 'hang' ? (policy?.timeoutMs ?? Number.POSITIVE_INFINITY) : plan.latencyMs;
}

/** Lets timed-out work that ignored its signal finish before the next sample, so it does not skew it. */
async function waitForLingering(runtime: ToolRuntime, limitMs = 60_000): Promise<void> {
  await waitUntil(() => runtime.inFlight === 0, { timeoutMs: limitMs });
}

/** How long closing an executor may take once its cells are measured (a pool's threads take a few ms). */
const CLOSE_DEADLINE_MS = 30_000;

/** A `run()` still unsettled this long after it started is that cell's error, not a stalled benchmark. */
export const SAMPLE_DEADLINE_FLOOR_MS = 120_000;

/**
 * The ideal of every sample. Simulated calls count with their drawn latency; a call of a tool with its own
 * latency counts with what it took *alone*: in the same round's sequential sample, where nothing ran beside it
 * (its time under another strategy includes waiting for the others, which no schedule can remove).
 */
function withIdeals(group: Group, records: VariantRecord<BatchExtra>[], options: MatrixOptions): void {
  const sequential = records.find((r) => r.name === 'sequential');
  for (const record of records) {
    const spec = group.specs.find((s) => formatSpec(s) === record.name);
    if (!spec) continue;
    for (const [round, sample] of record.rounds.entries()) {
      const alone = sequential?.rounds[round]?.extra.tookMs;
      const latencies = sample.extra.planned.map((ms, i) => ms ?? alone?.[i] ?? Number.NaN);
      const kind = sample.extra.cpuBound ? 'cpu' : group.kind;
      sample.extra.idealMs = sample.extra.complete
        ? idealMs(latencies, { ...idealShape(spec, matrixRegistries(options).executors), kind, cores: cores(options) })
        : Number.NaN;
    }
  }
}

/** Turns the measured records of one group into cells: speedup against the group's sequential rounds. */
export function cellsFromRecords(
  group: Group,
  records: readonly VariantRecord<BatchExtra>[],
  startupMs: ReadonlyMap<string, number>,
  faults: FaultConfig,
  policy?: CallPolicy,
): CellResult[] {
  const broken = brokenVariants(records, (extra) => extra, faults, policy);
  const referenceMs = referenceRounds(records, broken);
  return group.specs.map((spec): CellResult => {
    const executor = formatSpec(spec);
    const key = {
      id: cellId(group.kind, group.calls, executor),
      kind: group.kind,
      calls: group.calls,
      executor,
      ...spec,
    };
    const record = records.find((r) => r.name === executor);
    if (!record || record.status === 'error') {
      return { ...key, status: 'error', error: record?.status === 'error' ? record.error : 'not measured' };
    }
    if (record.rounds.some((s) => !s.extra.complete)) {
      return { ...key, status: 'error', error: 'an executor returned the wrong number of outcomes for its calls' };
    }
    const failure = broken.get(executor);
    if (failure) return { ...key, status: 'error', error: failure };
    const cell = measuredCell(
      key,
      record,
      referenceMs,
      record.rounds.flatMap((s) => s.extra.statuses),
    );
    const delays = record.rounds.map((s) => s.extra.loopDelay);
    const worst = (pick: (d: LoopDelay) => number) => Math.max(0, ...delays.map(pick));
    cell.eventLoopDelayMs = { p50: worst((d) => d.p50), p99: worst((d) => d.p99), max: worst((d) => d.max) };
    const lingering = Math.max(0, ...record.rounds.map((s) => s.extra.lingering));
    if (lingering > 0) cell.lingeringCalls = lingering;
    const startup = startupMs.get(executor);
    if (startup !== undefined) cell.poolStartupMs = startup;
    return cell;
  });
}

/** Calls recovered from dead workers, and the time to recovery of those whose worker's death was seen. */
/** An executor's list of timings, or none when it keeps no such list. */
const listed = (value: unknown): readonly number[] => (Array.isArray(value) ? value : []);

function recoverySummary(recoveriesMs: readonly number[]): NonNullable<CellOk['recovery']> {
  const seen = recoveriesMs.filter(Number.isFinite);
  return {
    calls: recoveriesMs.length,
    ...(seen.length > 0 ? { meanMs: mean(seen), maxMs: Math.max(...seen) } : {}),
  };
}

export interface RunMatrixHooks {
  signal?: AbortSignal;
  onEvent?: (event: MatrixEvent) => void;
}

/**
 * Executors that run calls off the main thread (worker pools), kept started and warm across the groups of a run
 * that share a kind: a pool starts once per run rather than once per call count. Each kind has one runtime, so a
 * kept pool's tasks carry the same tool config in every group. Main-thread executors cost nothing to create and
 * are made fresh per group.
 */
export class WarmPools {
  readonly #runtimes = new Map<WorkloadKind, ToolRuntime>();
  readonly #pools = new Map<string, Executor>();

  runtime(kind: WorkloadKind, options: MatrixOptions): ToolRuntime {
    let runtime = this.#runtimes.get(kind);
    if (!runtime) {
      runtime = new ToolRuntime({ ...options.tools, kind }, { tools: matrixRegistries(options).tools });
      this.#runtimes.set(kind, runtime);
    }
    return runtime;
  }

  take(kind: WorkloadKind, name: string): Executor | undefined {
    return this.#pools.get(`${kind}\n${name}`);
  }

  keep(kind: WorkloadKind, name: string, executor: Executor): void {
    this.#pools.set(`${kind}\n${name}`, executor);
  }

  forget(kind: WorkloadKind, name: string): void {
    this.#pools.delete(`${kind}\n${name}`);
  }

  kept(executor: Executor): boolean {
    return [...this.#pools.values()].includes(executor);
  }

  /** Closes every kept pool; one that fails or hangs to close cannot take the others down. */
  async close(): Promise<void> {
    const pools = [...this.#pools];
    this.#pools.clear();
    await Promise.all(
      pools.map(([key, e]) =>
        withDeadline(
          Promise.resolve().then(() => e.close()),
          CLOSE_DEADLINE_MS,
          `${key.split('\n')[1]}: close()`,
        ).catch(() => {}),
      ),
    );
  }
}

/** Measures one group: creates its executors (pools warmed), runs interleaved rounds, closes everything. */
export async function runGroup(
  group: Group,
  options: MatrixOptions,
  hooks: RunMatrixHooks & { onSample?: (executor: string, round: number) => void; pools?: WarmPools } = {},
): Promise<CellResult[]> {
  const pools = hooks.pools;
  const registries = matrixRegistries(options);
  const { tools } = registries;
  const runtime =
    pools?.runtime(group.kind, options) ?? new ToolRuntime({ ...options.tools, kind: group.kind }, { tools });
  const executors = new Map<string, Executor>();
  const startupMs = new Map<string, number>();
  /** Worker replacements a kept pool had before this group: the group reports only its own. */
  const replacedBefore = new Map<string, number>();
  /** Likewise for calls a queue recovered from dead workers. */
  const recoveredBefore = new Map<string, number>();
  const failures: CellResult[] = [];
  try {
    for (const spec of group.specs) {
      const name = formatSpec(spec);
      const poolable = pools !== undefined && registries.executors.definition(spec.strategy).offMainThread === true;
      try {
        const kept = poolable ? pools.take(group.kind, name) : undefined;
        const executor =
          kept ??
          (await withDeadline(
            createExecutor(spec, {
              runtime,
              ...(options.policy ? { policy: options.policy } : {}),
              ...(options.queue ? { queue: options.queue } : {}),
              registry: registries.executors,
            }),
            SAMPLE_DEADLINE_FLOOR_MS,
            `${name}: create()`,
          ));
        executors.set(name, executor);
        if (poolable && !kept) pools.keep(group.kind, name, executor);
        // (a user's executor may carry anything under these names: only arrays and numbers count)
        replacedBefore.set(name, listed(executor.replacementsMs).length);
        recoveredBefore.set(name, listed(executor.recoveriesMs).length);
        // a pool's start-up belongs to the group that started it
        if (!kept && typeof executor.startupMs === 'number') {
          startupMs.set(name, executor.startupMs);
        }
      } catch (error) {
        failures.push({
          id: cellId(group.kind, group.calls, name),
          kind: group.kind,
          calls: group.calls,
          executor: name,
          ...spec,
          status: 'error',
          error: `could not start: ${errorMessage(error)}`,
        });
      }
    }
    const variants: Variant<BatchExtra>[] = [...executors].map(([name, executor]) => {
      return {
        name,
        async sample(round) {
          const calls = groupBatch(group, round, options);
          const planned = calls.map((call) =>
            hasOwnLatency(call, tools) ? undefined : plannedMs(runtime.config, call, options.policy),
          );
          const deadline = Math.max(SAMPLE_DEADLINE_FLOOR_MS, 20 * calls.length * options.tools.latencyMs);
          const probe = startLoopProbe(); // started outside the timed region
          let outcomes: ToolOutcome[];
          let durationMs: number;
          let loopDelay: LoopDelay;
          try {
            const started = performance.now();
            outcomes = await withDeadline(executor.run(calls, hooks.signal), deadline, `${name}: run()`);
            durationMs = performance.now() - started;
          } finally {
            loopDelay = probe.stop();
          }
          if (!Array.isArray(outcomes)) throw new Error(`${name}: run() resolved with no outcome list`);
          const lingering = runtime.inFlight;
          if (lingering > 0) await waitForLingering(runtime); // the next sample starts clean
          await executor.ready?.(); // ...and with every worker of a pool alive
          const complete = outcomes.length === calls.length && outcomes.every((o, i) => o?.id === calls[i]?.id);
          return {
            durationMs,
            extra: {
              idealMs: Number.NaN,
              planned,
              tookMs: outcomes.map((o) => (o ? o.endedMs - o.startedMs : Number.NaN)),
              cpuBound: calls.some((c) => hasOwnLatency(c, tools) && tools.named(c.name).definition.kind === 'cpu'),
              statuses: outcomes.map((o) => o?.status ?? 'error'),
              ...failureOf(outcomes),
              ...(complete && calls.length <= TIMELINE_MAX_CALLS ? { spans: callSpans(calls, outcomes) } : {}),
              complete,
              lingering,
              loopDelay,
            },
          };
        },
      };
    });
    // one untimed batch per executor, so no strategy's first sample pays for cold code: a call with bad arguments
    // (the error path), up to WARM_UP_CALLS calls that succeed after 1 ms (the success path, timers included; see
    // planCall), and one call of each tool with its own latency (the user's code). An executor that fails it is
    // that cell's error.
    const ownTools = [
      ...new Set(
        groupBatch(group, 0, options)
          .filter((call) => hasOwnLatency(call, tools))
          .map((c) => c.name),
      ),
    ];
    const simulatedTools = (options.batchTools ?? DEFAULT_BATCH_TOOLS).filter(
      (name) => tools.named(name).definition.latency === 'simulated',
    );
    const warmUp: ToolCall[] = [
      { id: WARM_UP_PREFIX, name: 'get_weather', arguments: '{}' },
      ...(simulatedTools.length > 0
        ? syntheticBatch(`${WARM_UP_PREFIX}-ok`, Math.min(group.calls, WARM_UP_CALLS), simulatedTools, tools)
        : []),
      ...syntheticBatch(`${WARM_UP_PREFIX}-own`, ownTools.length, ownTools, tools),
    ];
    for (const [name, executor] of executors) {
      try {
        await withDeadline(executor.run(warmUp), SAMPLE_DEADLINE_FLOOR_MS, `${name}: run() of the warm-up batch`);
      } catch (error) {
        executors.delete(name);
        pools?.forget(group.kind, name);
        await executor.close().catch(() => {});
        const spec = group.specs.find((s) => formatSpec(s) === name) as ExecutorSpec;
        failures.push({
          ...{ id: cellId(group.kind, group.calls, name), kind: group.kind, calls: group.calls, executor: name },
          ...spec,
          status: 'error',
          error: `warm-up batch failed: ${errorMessage(error)}`,
        });
      }
    }
    const records = await runInterleaved(
      variants.filter((v) => executors.has(v.name)),
      {
        rounds: options.rounds,
        ...(hooks.signal ? { signal: hooks.signal } : {}),
        ...(hooks.onSample ? { onSample: hooks.onSample } : {}),
      },
    );
    withIdeals(group, records, options);
    const measured = cellsFromRecords(
      { ...group, specs: group.specs.filter((s) => executors.has(formatSpec(s))) },
      records,
      startupMs,
      options.tools.faults,
      options.policy,
    );
    for (const cell of measured) {
      const executor = executors.get(cell.executor);
      const replaced = listed(executor?.replacementsMs).slice(replacedBefore.get(cell.executor) ?? 0);
      if (cell.status === 'ok' && replaced.length > 0) {
        cell.workerReplacements = { count: replaced.length, meanMs: mean(replaced) };
      }
      const recovered = listed(executor?.recoveriesMs).slice(recoveredBefore.get(cell.executor) ?? 0);
      if (cell.status === 'ok' && recovered.length > 0) cell.recovery = recoverySummary(recovered);
    }
    return group.specs.map((spec) => {
      const name = formatSpec(spec);
      return (measured.find((c) => c.executor === name) ?? failures.find((c) => c.executor === name)) as CellResult;
    });
  } finally {
    // the cells are measured: an executor whose close() fails or hangs must not take them down with it; kept
    // pools stay open for the next group of their kind
    await Promise.all(
      [...executors]
        .filter(([, e]) => !pools?.kept(e))
        .map(([name, e]) =>
          withDeadline(
            Promise.resolve().then(() => e.close()),
            CLOSE_DEADLINE_MS,
            `${name}: close()`,
          ).catch(() => {}),
        ),
    );
  }
}

/**
 * Runs every group of the matrix in order and reports each finished group through `onEvent`, so the caller can
 * write results after every group: a crash or Ctrl-C loses only the group in progress.
 */
export async function runMatrix(options: MatrixOptions, hooks: RunMatrixHooks = {}): Promise<CellResult[]> {
  // user tools and pools may listen on the signal too (piscina once per queued task): no leak warning at 10
  if (hooks.signal) setMaxListeners(0, hooks.signal);
  const groups = planGroups(options);
  const costs = groups.map((g) => groupCost(g, options));
  const totalCost = costs.reduce((a, b) => a + b, 0);
  let doneCost = 0;
  const cells: CellResult[] = [];
  const pools = new WarmPools();
  try {
    for (const [index, group] of groups.entries()) {
      if (hooks.signal?.aborted) break;
      // groups come kind by kind: the pools of a kind are done when the next kind starts
      if (index > 0 && groups[index - 1]?.kind !== group.kind) await pools.close();
      hooks.onEvent?.({ type: 'group-start', group, index, total: groups.length });
      const groupCells = await runGroup(group, options, {
        ...hooks,
        pools,
        onSample: (executor, round) => {
          const spec = group.specs.find((s) => formatSpec(s) === executor);
          if (spec) doneCost += nominalCost(spec, group, options);
          hooks.onEvent?.({ type: 'sample', group, executor, round, doneCost, totalCost });
        },
      });
      if (hooks.signal?.aborted) break; // a group cut short is not a result
      cells.push(...groupCells);
      hooks.onEvent?.({ type: 'group-end', group, index, total: groups.length, cells: groupCells });
    }
  } finally {
    await pools.close();
  }
  return cells;
}
