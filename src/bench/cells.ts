import type { OutcomeStatus } from '../executors/types.ts';
import type { CellKey, CellOk, OutcomeCounts } from '../results/document.ts';
import { mean, pairedRatio } from '../stats/summary.ts';
import type { VariantRecord } from './interleave.ts';

/** Tallies outcome statuses (of every sample of a cell). */
export function countOutcomes(statuses: Iterable<OutcomeStatus>): OutcomeCounts {
  const counts: OutcomeCounts = { ok: 0, error: 0, timeout: 0, cancelled: 0 };
  for (const status of statuses) counts[status]++;
  return counts;
}

/** The sequential variant's per-round durations, the speedup reference; empty when it was not measured. */
export function referenceRounds(records: readonly VariantRecord<unknown>[]): number[] {
  const reference = records.find((r) => r.name === 'sequential');
  return reference?.status === 'ok' ? reference.rounds.map((s) => s.durationMs) : [];
}

/**
 * A measured cell from its variant's record: tinybench's summary, the mean ideal, and efficiency and speedup
 * paired by round (speedup NaN when there is no sequential reference).
 */
export function measuredCell<Extra extends { idealMs: number }>(
  key: CellKey,
  record: Extract<VariantRecord<Extra>, { status: 'ok' }>,
  referenceMs: readonly number[],
  statuses: Iterable<OutcomeStatus>,
): CellOk {
  const roundsMs = record.rounds.map((s) => s.durationMs);
  const idealRoundsMs = record.rounds.map((s) => s.extra.idealMs);
  // an executor that declares no schedule has no ideal: the cell says so rather than carrying NaN
  const ideal = idealRoundsMs.every(Number.isFinite)
    ? { idealMs: mean(idealRoundsMs), efficiency: pairedRatio(idealRoundsMs, roundsMs), idealRoundsMs }
    : {};
  return {
    ...key,
    status: 'ok',
    stats: record.summary,
    ...ideal,
    speedup:
      referenceMs.length > 0
        ? pairedRatio(referenceMs, roundsMs)
        : { value: Number.NaN, low: Number.NaN, high: Number.NaN },
    roundsMs,
    outcomes: countOutcomes(statuses),
  };
}
