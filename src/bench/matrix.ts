/**
 * Running the matrix: each group's executors created (pools kept warm), warmed up, measured in interleaved rounds
 * and closed; groups in order, each reported as it ends.
 */
import { setMaxListeners } from 'node:events';
import { errorMessage } from '../core/errors.ts';
import { waitUntil, withDeadline } from '../core/time.ts';
import { createExecutor, type ExecutorSpec, formatSpec } from '../executors/registry.ts';
import type { Executor, ToolCall, ToolOutcome } from '../executors/types.ts';
import { type CellResult, TIMELINE_MAX_CALLS } from '../results/document.ts';
import { WARM_UP_PREFIX } from '../tools/latency.ts';
import { ToolRuntime } from '../tools/runtime.ts';
import { DEFAULT_BATCH_TOOLS, hasOwnLatency, syntheticBatch } from './batch.ts';
import {
  type BatchExtra,
  cellsFromRecords,
  errorCell,
  type WorkerHistory,
  withWorkerHistory,
  workerHistory,
} from './batch-cells.ts';
import { callSpans, failureOf } from './cells.ts';
import { runInterleaved, type Variant, type VariantRecord } from './interleave.ts';
import { type LoopDelay, startLoopProbe } from './loop-probe.ts';
import {
  type Group,
  groupBatch,
  groupCost,
  type MatrixOptions,
  matrixRegistries,
  nominalCost,
  planGroups,
} from './plan.ts';
import { closeExecutors, WarmPools } from './pools.ts';
import { plannedMs, withIdeals } from './sample-ideal.ts';

export type { MatrixOptions } from './plan.ts';

/** Calls that succeed in each executor's warm-up batch (at most; fewer when the group has fewer). */
const WARM_UP_CALLS = 64;

/** A `run()` still unsettled this long after it started is that cell's error, not a stalled benchmark. */
export const SAMPLE_DEADLINE_FLOOR_MS = 120_000;

export type MatrixEvent =
  | { type: 'group-start'; group: Group; index: number; total: number }
  | { type: 'sample'; group: Group; executor: string; round: number; doneCost: number; totalCost: number }
  | { type: 'group-end'; group: Group; index: number; total: number; cells: CellResult[] };

export interface RunMatrixHooks {
  signal?: AbortSignal;
  onEvent?: (event: MatrixEvent) => void;
}

/** What measuring one group takes beside the run's hooks: progress per sample, the run's warm pools. */
export type GroupHooks = RunMatrixHooks & { onSample?: (executor: string, round: number) => void; pools?: WarmPools };

/** A group's executors while it is measured, by name; those that failed to start or warm up are error cells. */
interface GroupExecutors {
  running: Map<string, Executor>;
  /** Start-up of the pools this group started (a pool's start-up belongs to the group that started it). */
  startupMs: Map<string, number>;
  /** Worker replacements and recovered calls a kept pool had before this group: the group reports only its own. */
  before: Map<string, WorkerHistory>;
  failures: CellResult[];
}

/** Lets timed-out work that ignored its signal finish before the next sample, so it does not skew it. */
async function waitForLingering(runtime: ToolRuntime, limitMs = 60_000): Promise<void> {
  await waitUntil(() => runtime.inFlight === 0, { timeoutMs: limitMs });
}

/** Measures one group: creates its executors (pools warmed), runs interleaved rounds, closes everything. */
export async function runGroup(group: Group, options: MatrixOptions, hooks: GroupHooks = {}): Promise<CellResult[]> {
  const { pools } = hooks;
  const { tools } = matrixRegistries(options);
  const runtime =
    pools?.runtime(group.kind, options) ?? new ToolRuntime({ ...options.tools, kind: group.kind }, { tools });
  const executors: GroupExecutors = { running: new Map(), startupMs: new Map(), before: new Map(), failures: [] };
  try {
    await startExecutors(group, options, runtime, executors, pools);
    await warmUp(group, options, executors, pools);
    const records = await measure(group, options, runtime, executors.running, hooks);
    return cellsOf(group, options, records, executors);
  } finally {
    // the cells are measured: an executor whose close() fails or hangs must not take them down with it; kept
    // pools stay open for the next group of their kind
    await closeExecutors([...executors.running].filter(([, e]) => !pools?.kept(e)));
  }
}

/** Creates the group's executors, taking a kept pool where there is one; one that cannot start is an error cell. */
async function startExecutors(
  group: Group,
  options: MatrixOptions,
  runtime: ToolRuntime,
  executors: GroupExecutors,
  pools: WarmPools | undefined,
): Promise<void> {
  const registry = matrixRegistries(options).executors;
  for (const spec of group.specs) {
    const name = formatSpec(spec);
    const poolable = pools !== undefined && registry.definition(spec.strategy).offMainThread === true;
    try {
      const kept = poolable ? pools.take(group.kind, name) : undefined;
      const executor =
        kept ??
        (await withDeadline(
          createExecutor(spec, {
            runtime,
            ...(options.policy ? { policy: options.policy } : {}),
            ...(options.queue ? { queue: options.queue } : {}),
            registry,
          }),
          SAMPLE_DEADLINE_FLOOR_MS,
          `${name}: create()`,
        ));
      executors.running.set(name, executor);
      if (poolable && !kept) pools.keep(group.kind, name, executor);
      executors.before.set(name, workerHistory(executor));
      // a pool's start-up belongs to the group that started it
      if (!kept && typeof executor.startupMs === 'number') executors.startupMs.set(name, executor.startupMs);
    } catch (error) {
      executors.failures.push(errorCell(group, spec, `could not start: ${errorMessage(error)}`));
    }
  }
}

/** Runs the warm-up batch once on every executor, untimed; one that fails it is closed and is its cell's error. */
async function warmUp(
  group: Group,
  options: MatrixOptions,
  executors: GroupExecutors,
  pools: WarmPools | undefined,
): Promise<void> {
  const batch = warmUpBatch(group, options);
  for (const [name, executor] of executors.running) {
    try {
      await withDeadline(executor.run(batch), SAMPLE_DEADLINE_FLOOR_MS, `${name}: run() of the warm-up batch`);
    } catch (error) {
      executors.running.delete(name);
      pools?.forget(group.kind, name);
      await executor.close().catch(() => {});
      const spec = group.specs.find((s) => formatSpec(s) === name) as ExecutorSpec;
      executors.failures.push(errorCell(group, spec, `warm-up batch failed: ${errorMessage(error)}`));
    }
  }
}

/**
 * The batch that warms an executor, so no strategy's first sample pays for cold code: a call with bad arguments
 * (the error path), up to WARM_UP_CALLS calls that succeed after 1 ms (the success path, timers included; see
 * planCall), and one call of each tool with its own latency (the user's code).
 */
function warmUpBatch(group: Group, options: MatrixOptions): ToolCall[] {
  const { tools } = matrixRegistries(options);
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
  return [
    { id: WARM_UP_PREFIX, name: 'get_weather', arguments: '{}' },
    ...(simulatedTools.length > 0
      ? syntheticBatch(`${WARM_UP_PREFIX}-ok`, Math.min(group.calls, WARM_UP_CALLS), simulatedTools, tools)
      : []),
    ...syntheticBatch(`${WARM_UP_PREFIX}-own`, ownTools.length, ownTools, tools),
  ];
}

/** Interleaved rounds over the executors that warmed up, with every sample's ideal. */
async function measure(
  group: Group,
  options: MatrixOptions,
  runtime: ToolRuntime,
  running: ReadonlyMap<string, Executor>,
  hooks: GroupHooks,
): Promise<VariantRecord<BatchExtra>[]> {
  const records = await runInterleaved(
    [...running].map(([name, executor]) => batchVariant(name, executor, group, options, runtime, hooks.signal)),
    {
      rounds: options.rounds,
      ...(hooks.signal ? { signal: hooks.signal } : {}),
      ...(hooks.onSample ? { onSample: hooks.onSample } : {}),
    },
  );
  withIdeals(group, records, options);
  return records;
}

/**
 * One executor as a variant: a sample times its run of the round's batch and records how each call went; the
 * next sample starts once lingering calls are done and the executor is ready.
 */
function batchVariant(
  name: string,
  executor: Executor,
  group: Group,
  options: MatrixOptions,
  runtime: ToolRuntime,
  signal: AbortSignal | undefined,
): Variant<BatchExtra> {
  const { tools } = matrixRegistries(options);
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
        outcomes = await withDeadline(executor.run(calls, signal), deadline, `${name}: run()`);
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
}

/** The group's cells in its specs' order: measured ones with the group's own worker history, else the failure. */
function cellsOf(
  group: Group,
  options: MatrixOptions,
  records: readonly VariantRecord<BatchExtra>[],
  { running, startupMs, before, failures }: GroupExecutors,
): CellResult[] {
  const measured = cellsFromRecords(
    { ...group, specs: group.specs.filter((s) => running.has(formatSpec(s))) },
    records,
    startupMs,
    options.tools.faults,
    options.policy,
  );
  for (const cell of measured) withWorkerHistory(cell, running.get(cell.executor), before.get(cell.executor));
  return group.specs.map((spec) => {
    const name = formatSpec(spec);
    return (measured.find((c) => c.executor === name) ?? failures.find((c) => c.executor === name)) as CellResult;
  });
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
