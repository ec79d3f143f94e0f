import {
  type BenchConfig,
  type CellOk,
  type CellResult,
  isReference,
  type ResultsDocument,
  referenceFor,
} from '../results/document.ts';
import type { EnvironmentFingerprint } from '../results/environment.ts';
import { UNKNOWN } from '../stats/summary.ts';

import { DEFAULT_MIN_EFFICIENCY, DEFAULT_TOLERANCE } from '../stats/thresholds.ts';

export { DEFAULT_MIN_EFFICIENCY, DEFAULT_TOLERANCE };

/** How strict the gate is. */
export interface GateOptions {
  /** Allowed drop of speedup below the baseline, as a share. @default 0.05 */
  tolerance: number;
  /** Floor for every cell's efficiency (ideal ÷ measured). @default 0.9 */
  minEfficiency: number;
}

/**
 * Efficiency whose whole interval is above this fails as `above-ideal`: beyond the few percent a CPU calibration
 * or timer granularity can give.
 */
export const ABOVE_IDEAL = 1.1;

export type CellVerdictKind =
  | 'pass'
  | 'regression'
  | 'inefficient'
  | 'failing'
  | 'missing'
  | 'superlinear'
  | 'above-ideal';

export interface CellVerdict {
  id: string;
  verdict: CellVerdictKind;
  baseline: CellOk;
  /** Undefined when the current run has no measured cell for this id. */
  current?: CellOk;
  /** Current speedup ÷ baseline speedup − 1. */
  change: number;
  reason: string;
}

/** Overhead differences below this per call are noise of the timers, not a regression (10 µs). */
export const OVERHEAD_SLACK_MS = 0.01;

/** The per-cell checks, pure: regression when even the upper end of the interval is below the allowed floor. */
export function judgeCell(baseline: CellOk, current: CellResult | undefined, options: GateOptions): CellVerdict {
  if (current?.status !== 'ok') {
    const why = current?.status === 'error' ? current.error : 'not in the current results';
    return { id: baseline.id, verdict: 'missing', baseline, change: Number.NaN, reason: `not measured: ${why}` };
  }
  const before = baseline.speedup ?? UNKNOWN;
  const after = current.speedup ?? UNKNOWN;
  const change = after.value / before.value - 1;
  if (!isReference(baseline)) {
    // a speedup that could not be computed (no sequential reference) is not a pass
    const lacking = !Number.isFinite(before.value)
      ? `the baseline has no speedup for this cell (its ${referenceFor(baseline)} cell failed); re-record it`
      : !Number.isFinite(after.high)
        ? `its speedup could not be computed (the ${referenceFor(baseline)} cell failed)`
        : undefined;
    if (lacking) return { id: baseline.id, verdict: 'missing', baseline, current, change, reason: lacking };
  }
  const floor = before.value * (1 - options.tolerance);
  const base = { id: baseline.id, baseline, current, change };
  if (!isReference(baseline) && after.high < floor) {
    return {
      ...base,
      verdict: 'regression',
      reason: `speedup ≤ ${after.high.toFixed(2)}x is below ${floor.toFixed(2)}x (baseline ${before.value.toFixed(2)}x − ${options.tolerance * 100}%)`,
    };
  }
  // agent cells: the loop's own cost per call (tools cells are held to the efficiency floor instead, which already
  // charges every overhead against the ideal)
  const was = baseline.overheadPerCallMs;
  const now = current.overheadPerCallMs;
  if (current.agent && was && now && now.low > Math.max(was.high, 0) * (1 + options.tolerance) + OVERHEAD_SLACK_MS) {
    return {
      ...base,
      verdict: 'regression',
      reason: `overhead ≥ ${formatOverhead(now.low)}/call is above ${formatOverhead(was.high)}/call (baseline's upper bound) + ${options.tolerance * 100}%`,
    };
  }
  // how the overhead grows with the calls (fitted only over call counts spanning 10× or more)
  const growth = current.growth;
  if (growth?.superlinear && !baseline.growth?.superlinear) {
    return {
      ...base,
      verdict: 'superlinear',
      reason: `overhead now grows as calls^${growth.exponent.toFixed(2)} (baseline ${baseline.growth ? `calls^${baseline.growth.exponent.toFixed(2)}` : 'not fitted'})`,
    };
  }
  const failed = (c: CellOk) => c.outcomes.error + c.outcomes.timeout + c.outcomes.cancelled;
  if (failed(current) > failed(baseline)) {
    // failing calls finish early and flatter a speedup: a change that makes calls fail is a regression itself
    return {
      ...base,
      verdict: 'failing',
      reason: `${failed(current)} calls failed (baseline: ${failed(baseline)})`,
    };
  }
  // faster than the ideal schedule allows: the strategy no longer keeps the schedule it declares (a limiter that
  // stopped limiting); early dispatch included, as its ideal starts each call at its ready time in the stream
  if (current.efficiency && current.efficiency.low > ABOVE_IDEAL) {
    return {
      ...base,
      verdict: 'above-ideal',
      reason: `efficiency ≥ ${current.efficiency.low.toFixed(3)} is above 1: faster than its declared schedule allows (is its limit kept?)`,
    };
  }
  // a strategy that declares no schedule has no ideal, so no efficiency to hold to a floor; a framework's loop is
  // held to its baseline (speedup, overhead, growth) rather than to a floor meant for the strategies you write
  if (!current.framework && current.efficiency && current.efficiency.high < options.minEfficiency) {
    return {
      ...base,
      verdict: 'inefficient',
      reason: `efficiency ≤ ${current.efficiency.high.toFixed(3)} is below the floor ${options.minEfficiency}`,
    };
  }
  return { ...base, verdict: 'pass', reason: '' };
}

function formatOverhead(ms: number): string {
  return ms >= 1 ? `${ms.toFixed(2)} ms` : `${(ms * 1000).toFixed(0)} µs`;
}

export function isFailure(verdict: CellVerdict): boolean {
  return verdict.verdict !== 'pass';
}

/** Judges every measured cell of the baseline against the current results. */
export function judge(baseline: ResultsDocument, current: ResultsDocument, options: GateOptions): CellVerdict[] {
  return baseline.cells
    .filter((c): c is CellOk => c.status === 'ok')
    .map((cell) =>
      judgeCell(
        cell,
        current.cells.find((c) => c.id === cell.id),
        options,
      ),
    );
}

/** Config fields that differ (the gate refuses to compare such runs). */
export function configDifferences(a: BenchConfig, b: BenchConfig): string[] {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)] as (keyof BenchConfig)[]);
  keys.delete('suite');
  return [...keys].filter((key) => JSON.stringify(a[key]) !== JSON.stringify(b[key]));
}

/**
 * Differences in where two runs were taken that make their ratios less comparable: noted, never a failure. `labels`
 * name the two runs in the notes (`baseline`/`current` for the gate, `A`/`B` for compare and report).
 */
export function environmentWarnings(
  a: EnvironmentFingerprint,
  b: EnvironmentFingerprint,
  labels: readonly [string, string] = ['baseline', 'current'],
): string[] {
  const [x, y] = labels;
  const warnings: string[] = [];
  if (a.cores !== b.cores) warnings.push(`cores differ: ${x} ${a.cores}, ${y} ${b.cores}`);
  const line = (v: string) => v.replace(/^v/, '').split('.')[0];
  if (line(a.node) !== line(b.node))
    warnings.push(`Node line differs: ${x} ${a.node}, ${y} ${b.node} (timers and promises change between lines)`);
  if (a.cpuModel !== b.cpuModel) warnings.push(`CPU differs: ${x} ${a.cpuModel}, ${y} ${b.cpuModel}`);
  return warnings;
}

/**
 * Confirm-by-rerun: a cell fails only if it failed in the first run and again when re-measured. Cells that
 * passed the first time keep their verdict.
 */
export function confirm(first: readonly CellVerdict[], rerun: readonly CellVerdict[]): CellVerdict[] {
  return first.map((verdict) => {
    if (!isFailure(verdict)) return verdict;
    const again = rerun.find((r) => r.id === verdict.id);
    return again ?? verdict;
  });
}
