/** An estimate that could not be computed: compares false with everything, formats as "—". */
export const UNKNOWN: Estimate = Object.freeze({ value: Number.NaN, low: Number.NaN, high: Number.NaN });

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

/** Two-sided 97.5% quantiles of Student's t for 1–30 degrees of freedom. */
const T_975 = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11,
  2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042,
];

/** t(0.975, df); beyond the table `1.96 + 2.4/df` is within 0.002 of the exact value. */
export function tQuantile975(df: number): number {
  return T_975[df - 1] ?? 1.96 + 2.4 / df;
}

/**
 * Paired ratio of two series measured round by round (e.g. sequential ÷ strategy): the geometric mean of the
 * per-round ratios, with a 95% Student-t interval on their logarithms. Pairing by round cancels drift that hits
 * both sides of a round; the t interval stays honest with few rounds (a bootstrap over 5 rounds is too narrow).
 */
export function pairedRatio(numerators: readonly number[], denominators: readonly number[]): Estimate {
  const n = Math.min(numerators.length, denominators.length);
  const logs: number[] = [];
  for (let i = 0; i < n; i++) logs.push(Math.log((numerators[i] ?? Number.NaN) / (denominators[i] ?? Number.NaN)));
  const m = mean(logs);
  const value = Math.exp(m);
  if (n < 2) return { value, low: value, high: value };
  const sd = Math.sqrt(logs.reduce((sum, x) => sum + (x - m) ** 2, 0) / (n - 1));
  const half = (tQuantile975(n - 1) * sd) / Math.sqrt(n);
  return { value, low: Math.exp(m - half), high: Math.exp(m + half) };
}

/** Mean with a 95% Student-t interval (a single value has a zero-width one). */
export function meanInterval(values: readonly number[]): Estimate {
  const n = values.length;
  const m = mean(values);
  if (n < 2) return { value: m, low: m, high: m };
  const sd = Math.sqrt(values.reduce((sum, x) => sum + (x - m) ** 2, 0) / (n - 1));
  const half = (tQuantile975(n - 1) * sd) / Math.sqrt(n);
  return { value: m, low: m - half, high: m + half };
}

/**
 * Least-squares slope of log(y) on log(x): the exponent b of y ∝ x^b. Points with x or y ≤ 0 are left out;
 * NaN with fewer than two distinct x.
 */
export function powerLawExponent(points: readonly { x: number; y: number }[]): number {
  const logs = points.filter((p) => p.x > 0 && p.y > 0).map((p) => ({ x: Math.log(p.x), y: Math.log(p.y) }));
  const mx = mean(logs.map((p) => p.x));
  const my = mean(logs.map((p) => p.y));
  const sxx = logs.reduce((sum, p) => sum + (p.x - mx) ** 2, 0);
  if (logs.length < 2 || sxx === 0) return Number.NaN;
  return logs.reduce((sum, p) => sum + (p.x - mx) * (p.y - my), 0) / sxx;
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

/** A latency distribution as tinybench summarizes a variant's samples (ms). */
export interface LatencySummary {
  mean: number;
  p50: number;
  p75: number;
  p99: number;
  min: number;
  max: number;
  sd: number;
  /** Relative margin of error, in percent. */
  rme: number;
  samples: number;
}
