import type { CellResult } from '../results/document.ts';

/** What `bisect` follows across releases: speedup at N calls, overhead per call at N, or the growth exponent b. */
export const BISECT_METRICS = ['speedup', 'overhead', 'growth'] as const;
export type BisectMetric = (typeof BISECT_METRICS)[number];

/** Default tolerance per metric: relative for speedup and overhead (as the gate's), absolute for the exponent b. */
export const DEFAULT_TOLERANCE: Record<BisectMetric, number> = { speedup: 0.05, overhead: 0.05, growth: 0.2 };

/** One release's figure with its 95% interval (b has none: low = high = value), or why there is none. */
export type Reading = { value: number; low: number; high: number } | { error: string };

/** The metric of one framework row (`executor`, e.g. `openai-runtools@6.44.0`) at `calls`, from a run's cells. */
export function readingOf(
  cells: readonly CellResult[],
  executor: string,
  metric: BisectMetric,
  calls: number,
): Reading {
  const rows = cells.filter((c) => c.executor === executor);
  const failed = rows.find((c) => c.status === 'error');
  if (failed?.status === 'error') return { error: failed.error };
  if (metric === 'growth') {
    const fitted = rows.find((c) => c.status === 'ok' && c.growth !== undefined);
    const exponent = fitted?.status === 'ok' ? fitted.growth?.exponent : undefined;
    return exponent === undefined
      ? { error: 'no growth fitted: give --calls three or more counts spanning 10x or more' }
      : { value: exponent, low: exponent, high: exponent };
  }
  const cell = rows.find((c) => c.calls === calls);
  if (cell?.status !== 'ok') return { error: `no cell at ${calls} calls` };
  const estimate = metric === 'speedup' ? cell.speedup : cell.overheadPerCallMs;
  return estimate ? { ...estimate } : { error: `no ${metric} measured` };
}

/**
 * Whether two readings differ: their intervals are apart by more than the tolerance (relative for speedup and
 * overhead: the lower end of one above the upper end of the other × (1 + tolerance); absolute for b). A release
 * whose run failed differs from one that ran, not from another that failed.
 */
export function apart(a: Reading, b: Reading, metric: BisectMetric, tolerance: number): boolean {
  if ('error' in a || 'error' in b) return 'error' in a !== 'error' in b;
  if (metric === 'growth') return Math.abs(a.value - b.value) > tolerance;
  return a.low > b.high * (1 + tolerance) || b.low > a.high * (1 + tolerance);
}

export type Verdict =
  | { kind: 'changed'; first: string; previous: string }
  | { kind: 'unchanged' }
  | { kind: 'interrupted' }
  /** An end of the range did not run (or install): nothing to compare with. */
  | { kind: 'broken'; version: string; error: string };

/**
 * Finds the first release at which the metric changed, by halving: both ends first (in one run), then the middle
 * of what is left, compared with the last release known to read like the first. `measure` runs the given
 * releases side by side (each against our loop's reference of the same run) and returns their readings; it
 * returns undefined when the run was interrupted.
 */
export async function bisectReleases(
  releases: readonly string[],
  measure: (versions: string[]) => Promise<Map<string, Reading> | undefined>,
  metric: BisectMetric,
  tolerance: number,
): Promise<{ readings: Map<string, Reading>; verdict: Verdict }> {
  const readings = new Map<string, Reading>();
  const first = releases[0] as string;
  const last = releases.at(-1) as string;
  const ends = await measure(first === last ? [first] : [first, last]);
  if (!ends) return { readings, verdict: { kind: 'interrupted' } };
  for (const [version, reading] of ends) readings.set(version, reading);
  const at = (i: number) => readings.get(releases[i] as string) as Reading;
  for (const end of [first, last]) {
    const reading = readings.get(end);
    if (reading && 'error' in reading)
      return { readings, verdict: { kind: 'broken', version: end, error: reading.error } };
  }
  if (first === last || !apart(at(0), at(releases.length - 1), metric, tolerance)) {
    return { readings, verdict: { kind: 'unchanged' } };
  }
  let lo = 0;
  let hi = releases.length - 1;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    const version = releases[mid] as string;
    const measured = await measure([version]);
    if (!measured) return { readings, verdict: { kind: 'interrupted' } };
    readings.set(version, measured.get(version) as Reading);
    if (apart(at(mid), at(lo), metric, tolerance)) hi = mid;
    else lo = mid;
  }
  return { readings, verdict: { kind: 'changed', first: releases[hi] as string, previous: releases[lo] as string } };
}
