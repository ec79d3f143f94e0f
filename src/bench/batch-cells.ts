/**
 * The cells of a batch group: what one sample of a batch records ({@link BatchExtra}), and the cells built from a
 * group's records, with its executors' worker replacements and recovered calls.
 */
import type { CallPolicy } from '../executors/policy.ts';
import { type ExecutorSpec, formatSpec } from '../executors/registry.ts';
import type { Executor, OutcomeStatus } from '../executors/types.ts';
import { type CellKey, type CellOk, type CellResult, cellId, type TimelineSpan } from '../results/document.ts';
import { mean } from '../stats/summary.ts';
import type { FaultConfig } from '../tools/config.ts';
import { brokenVariants, measuredCell, referenceRounds } from './cells.ts';
import type { VariantRecord } from './interleave.ts';
import type { LoopDelay } from './loop-probe.ts';
import type { Group } from './plan.ts';

/** What one sample of a batch records beside its duration. */
export interface BatchExtra {
  /** Filled in once the round's sequential sample is known (see `withIdeals`). */
  idealMs: number;
  /** Per call: the drawn latency of a simulated call; undefined for a call of a tool with its own latency. */
  planned: (number | undefined)[];
  /** Per call: what it took (end − start) in this sample. */
  tookMs: number[];
  /** Some call's own-latency tool declares `kind: 'cpu'`. */
  cpuBound: boolean;
  statuses: OutcomeStatus[];
  /** The first call of the sample that did not succeed (see `failureOf`). */
  firstFailure?: string;
  complete: boolean;
  /** Calls still running on this thread once the batch returned (timeouts that did not cancel). */
  lingering: number;
  /** Event-loop delay during this sample, ms. */
  loopDelay: LoopDelay;
  /** Every call as a bar, for the report's timeline (samples of up to TIMELINE_MAX_CALLS calls). */
  spans?: TimelineSpan[];
}

/** What names the cell of `spec` in `group`. */
function cellKey(group: Group, spec: ExecutorSpec): CellKey {
  const executor = formatSpec(spec);
  return { id: cellId(group.kind, group.calls, executor), kind: group.kind, calls: group.calls, executor, ...spec };
}

/** The cell of `spec` in `group` as an error: no figures, the reason. */
export function errorCell(group: Group, spec: ExecutorSpec, error: string): CellResult {
  return { ...cellKey(group, spec), status: 'error', error };
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
    const key = cellKey(group, spec);
    const { executor } = key;
    const record = records.find((r) => r.name === executor);
    if (!record || record.status === 'error') {
      return errorCell(group, spec, record?.status === 'error' ? record.error : 'not measured');
    }
    if (record.rounds.some((s) => !s.extra.complete)) {
      return errorCell(group, spec, 'an executor returned the wrong number of outcomes for its calls');
    }
    const failure = broken.get(executor);
    if (failure) return errorCell(group, spec, failure);
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

/** How many worker replacements and recovered calls an executor had listed at some point. */
export interface WorkerHistory {
  replaced: number;
  recovered: number;
}

/** An executor's list of timings, or none when it keeps no such list. */
const listed = (value: unknown): readonly number[] => (Array.isArray(value) ? value : []);

/** What `executor` has listed so far (a user's executor may carry anything under these names: only arrays count). */
export function workerHistory(executor: Executor): WorkerHistory {
  return { replaced: listed(executor.replacementsMs).length, recovered: listed(executor.recoveriesMs).length };
}

/** Adds to a measured cell the worker replacements and recovered calls its executor had since `before`. */
export function withWorkerHistory(cell: CellResult, executor: Executor | undefined, before?: WorkerHistory): void {
  const replaced = listed(executor?.replacementsMs).slice(before?.replaced ?? 0);
  if (cell.status === 'ok' && replaced.length > 0) {
    cell.workerReplacements = { count: replaced.length, meanMs: mean(replaced) };
  }
  const recovered = listed(executor?.recoveriesMs).slice(before?.recovered ?? 0);
  if (cell.status === 'ok' && recovered.length > 0) cell.recovery = recoverySummary(recovered);
}

/** Calls recovered from dead workers, and the time to recovery of those whose worker's death was seen. */
function recoverySummary(recoveriesMs: readonly number[]): NonNullable<CellOk['recovery']> {
  const seen = recoveriesMs.filter(Number.isFinite);
  return {
    calls: recoveriesMs.length,
    ...(seen.length > 0 ? { meanMs: mean(seen), maxMs: Math.max(...seen) } : {}),
  };
}
