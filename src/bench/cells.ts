import { describeFailure } from '../executors/call.ts';
import type { CallPolicy } from '../executors/policy.ts';
import type { OutcomeStatus, ToolCall, ToolOutcome } from '../executors/types.ts';
import {
  type CellKey,
  type CellOk,
  type CellResult,
  type OutcomeCounts,
  SUPERLINEAR_EXPONENT,
  seriesKey,
  type TimelineSpan,
} from '../results/document.ts';
import { mean, meanInterval, pairedRatio, powerLawExponent } from '../stats/summary.ts';
import type { FaultConfig } from '../tools/config.ts';
import type { VariantRecord } from './interleave.ts';

/** Tallies outcome statuses (of every sample of a cell). */
export function countOutcomes(statuses: Iterable<OutcomeStatus>): OutcomeCounts {
  const counts: OutcomeCounts = { ok: 0, error: 0, timeout: 0, cancelled: 0 };
  for (const status of statuses) counts[status]++;
  return counts;
}

/** Milliseconds to the microsecond: timeline bars need no more, and the document stays small. */
export const toMicros = (ms: number): number => Math.round(ms * 1000) / 1000;

/** A batch's calls as timeline bars, from their outcomes (which the executor timed from the batch's start). */
export function callSpans(
  calls: readonly ToolCall[],
  outcomes: readonly ToolOutcome[],
  offsetMs = 0,
  turn?: number,
): TimelineSpan[] {
  const tools = new Map(calls.map((c) => [c.id, c.name]));
  return outcomes.map((o) => ({
    kind: 'call',
    id: o.id,
    tool: tools.get(o.id) ?? '',
    status: o.status,
    startMs: toMicros(offsetMs + o.startedMs),
    endMs: toMicros(offsetMs + o.endedMs),
    ...(turn === undefined ? {} : { turn }),
  }));
}

/** The round of median duration, the one a timeline shows (a typical sample, not the fastest or slowest). */
function medianRound(durations: readonly number[]): number {
  const order = durations.map((ms, i) => [ms, i] as const).sort((a, b) => a[0] - b[0]);
  return order[Math.floor((order.length - 1) / 2)]?.[1] ?? 0;
}

/**
 * The sequential variant's per-round durations, the speedup reference; empty when it was not measured or its run
 * was broken (`broken`: variants by name whose calls failed with no fault injected, see {@link brokenRun}).
 */
export function referenceRounds(
  records: readonly VariantRecord<unknown>[],
  broken: ReadonlyMap<string, string> = new Map(),
  name = 'sequential',
): number[] {
  const reference = records.find((r) => r.name === name);
  return reference?.status === 'ok' && !broken.has(name) ? reference.rounds.map((s) => s.durationMs) : [];
}

/** The first outcome of a sample that did not succeed, described, as a sample keeps it. */
export function failureOf(outcomes: readonly (ToolOutcome | undefined)[]): { firstFailure?: string } {
  const failed = outcomes.find((o) => o !== undefined && o.status !== 'ok');
  return failed ? { firstFailure: describeFailure(failed) } : {};
}

/** Whether a run injects faults on purpose (failures, hangs, crashes, a rate limit): then calls may fail. */
export function injectsFaults(faults: FaultConfig): boolean {
  return faults.failRate > 0 || faults.hangRate > 0 || faults.crashRate > 0 || faults.rateLimit !== undefined;
}

/**
 * The error of a variant whose calls failed though no fault was injected, or undefined when it is sound. Such a run
 * did not do the work it is timed for (failed calls end early and flatter every figure), so its cell gets none: no
 * speedup, no efficiency, and the run fails naming the first failure.
 */
export function brokenRun(
  statuses: readonly OutcomeStatus[],
  firstFailure: string | undefined,
  faults: FaultConfig,
  policy?: CallPolicy,
): string | undefined {
  if (injectsFaults(faults)) return undefined;
  // a per-call timeout cuts slow calls on purpose (a long-tail profile's tail): timeouts, and the calls a
  // fail-fast policy cancels after one, are what the run asked for
  const expected = (s: OutcomeStatus) =>
    s === 'ok' || (policy?.timeoutMs !== undefined && (s === 'timeout' || s === 'cancelled'));
  const failed = statuses.filter((s) => !expected(s)).length;
  if (failed === 0) return undefined;
  return `${failed} of ${statuses.length} calls failed with no fault injected; the first: ${firstFailure ?? 'unknown'}`;
}

/** {@link brokenRun} for every measured variant: name → error. */
export function brokenVariants<Extra>(
  records: readonly VariantRecord<Extra>[],
  outcomesOf: (extra: Extra) => { statuses: readonly OutcomeStatus[]; firstFailure?: string | undefined },
  faults: FaultConfig,
  policy?: CallPolicy,
): Map<string, string> {
  const broken = new Map<string, string>();
  for (const record of records) {
    if (record.status !== 'ok') continue;
    const samples = record.rounds.map((s) => outcomesOf(s.extra));
    const first = samples.find((s) => s.firstFailure !== undefined)?.firstFailure;
    const error = brokenRun(
      samples.flatMap((s) => s.statuses),
      first,
      faults,
      policy,
    );
    if (error) broken.set(record.name, error);
  }
  return broken;
}

/**
 * A measured cell from its variant's record: tinybench's summary, the mean ideal, efficiency and speedup paired by
 * round, and the overhead over the ideal. What cannot be computed is left out rather than written as NaN: no
 * speedup without a sequential reference, no efficiency when the ideal is unknown or 0 (`--latency 0`).
 */
export function measuredCell<Extra extends { idealMs: number; spans?: TimelineSpan[] }>(
  key: CellKey,
  record: Extract<VariantRecord<Extra>, { status: 'ok' }>,
  referenceMs: readonly number[],
  statuses: Iterable<OutcomeStatus>,
): CellOk {
  const roundsMs = record.rounds.map((s) => s.durationMs);
  const idealRoundsMs = record.rounds.map((s) => s.extra.idealMs);
  // an executor that declares no schedule has no ideal: the cell says so rather than carrying NaN
  const hasIdeal = idealRoundsMs.every(Number.isFinite);
  const overheads = hasIdeal ? roundsMs.map((ms, i) => ms - (idealRoundsMs[i] as number)) : [];
  const round = medianRound(roundsMs);
  const spans = record.rounds[round]?.extra.spans;
  return {
    ...key,
    status: 'ok',
    stats: record.summary,
    ...(hasIdeal ? { idealMs: mean(idealRoundsMs), idealRoundsMs } : {}),
    ...(hasIdeal && idealRoundsMs.every((ms) => ms > 0) ? { efficiency: pairedRatio(idealRoundsMs, roundsMs) } : {}),
    ...(referenceMs.length > 0 ? { speedup: pairedRatio(referenceMs, roundsMs) } : {}),
    ...(hasIdeal
      ? {
          overheadMs: meanInterval(overheads),
          overheadPerCallMs: meanInterval(overheads.map((ms) => ms / Math.max(1, key.calls))),
        }
      : {}),
    roundsMs,
    outcomes: countOutcomes(statuses),
    ...(spans ? { timeline: { round, durationMs: roundsMs[round] as number, spans } } : {}),
  };
}

/** Call counts a growth fit needs, and how far apart the smallest and largest must be. */
const GROWTH_POINTS = 3;
const GROWTH_SPAN = 10;

/**
 * Fits each executor's overhead against its calls over the run's call counts and sets `growth` on its cells (per
 * kind and, in agent runs, mode): the exponent b of overhead ∝ calls^b, flagged superlinear above
 * {@link SUPERLINEAR_EXPONENT}. The fit uses the counts of at least a tenth of the largest (below that fixed costs
 * dominate and pull b under 1) when there are three or more of them, otherwise every count; it needs three counts
 * spanning at least 10× (1..16 does not fit: timer jitter, not the strategy, would set b).
 */
export function withGrowth(cells: CellResult[]): void {
  const byExecutor = new Map<string, CellResult[]>();
  for (const cell of cells) {
    const key = seriesKey(cell);
    byExecutor.set(key, [...(byExecutor.get(key) ?? []), cell]);
  }
  for (const group of byExecutor.values()) {
    const all = group.flatMap((c) =>
      c.status === 'ok' && c.overheadMs && c.overheadMs.value > 0 ? [{ x: c.calls, y: c.overheadMs.value }] : [],
    );
    const largest = Math.max(0, ...all.map((p) => p.x));
    const upper = all.filter((p) => p.x * 10 >= largest);
    const points = new Set(upper.map((p) => p.x)).size >= GROWTH_POINTS ? upper : all;
    const xs = new Set(points.map((p) => p.x));
    const span = Math.max(...xs) / Math.min(...xs);
    const exponent = powerLawExponent(points);
    const fits = xs.size >= GROWTH_POINTS && span >= GROWTH_SPAN && Number.isFinite(exponent);
    for (const cell of group) {
      if (cell.status !== 'ok') continue;
      if (!fits) delete cell.growth;
      else cell.growth = { exponent, points: xs.size, superlinear: exponent > SUPERLINEAR_EXPONENT };
    }
  }
}
