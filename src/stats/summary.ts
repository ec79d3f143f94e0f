import { mulberry32 } from '../tools/random.ts';

export function mean(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  return values.reduce((a, b) => a + b, 0) / values.length;
}

/** Linear-interpolated quantile of a sorted array (q in [0, 1]). */
export function quantileSorted(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const position = (sorted.length - 1) * q;
  const lo = Math.floor(position);
  const hi = Math.ceil(position);
  const a = sorted[lo] ?? Number.NaN;
  const b = sorted[hi] ?? Number.NaN;
  return a + (b - a) * (position - lo);
}

/** A point estimate with its 95% confidence interval. */
export interface Estimate {
  value: number;
  low: number;
  high: number;
}

export const BOOTSTRAP_RESAMPLES = 2000;

/**
 * Ratio of means `mean(numerators) / mean(denominators)` with a 95% percentile-bootstrap interval that
 * resamples whole rounds, so each round's pair (measured side by side) stays together.
 */
export function pairedRatio(
  numerators: readonly number[],
  denominators: readonly number[],
  seed = 1,
  resamples = BOOTSTRAP_RESAMPLES,
): Estimate {
  const n = Math.min(numerators.length, denominators.length);
  const value = mean(numerators.slice(0, n)) / mean(denominators.slice(0, n));
  if (n < 2) return { value, low: value, high: value };
  const random = mulberry32(seed);
  const ratios: number[] = [];
  for (let r = 0; r < resamples; r++) {
    let num = 0;
    let den = 0;
    for (let i = 0; i < n; i++) {
      const j = Math.floor(random() * n);
      num += numerators[j] ?? 0;
      den += denominators[j] ?? 0;
    }
    ratios.push(num / den);
  }
  ratios.sort((a, b) => a - b);
  return { value, low: quantileSorted(ratios, 0.025), high: quantileSorted(ratios, 0.975) };
}

/** Half-width of an interval, for `3.98x ±0.02` displays. */
export function halfWidth(estimate: Estimate): number {
  return (estimate.high - estimate.low) / 2;
}

/** Peak number of intervals open at once; an interval ending exactly when another starts does not overlap it. */
export function peakOverlap(intervals: readonly { startedMs: number; endedMs: number }[], toleranceMs = 0): number {
  const events: [number, number][] = [];
  for (const { startedMs, endedMs } of intervals) {
    events.push([startedMs + toleranceMs, 1], [endedMs, -1]);
  }
  events.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let open = 0;
  let peak = 0;
  for (const [, delta] of events) {
    open += delta;
    peak = Math.max(peak, open);
  }
  return peak;
}
