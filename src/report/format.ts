/** Numbers and counts as every table, chart and summary writes them. */
import { type Estimate, halfWidth } from '../stats/summary.ts';

/** `3.98x ±0.01`; "—" when there is none (no sequential reference, `--no-reference`). */
export function formatSpeedup(estimate: Estimate | undefined): string {
  if (!estimate || !Number.isFinite(estimate.value)) return '—';
  const hw = halfWidth(estimate);
  return `${estimate.value.toFixed(2)}x ±${hw < 0.005 ? '0.00' : hw.toFixed(2)}`;
}

/** `0.998`, or `0.998 ±0.002` with its interval; "—" when there is none (no ideal declared). */
export function formatRatio(estimate: Estimate | undefined, withInterval = false): string {
  if (!estimate || !Number.isFinite(estimate.value)) return '—';
  return withInterval ? `${estimate.value.toFixed(3)} ±${halfWidth(estimate).toFixed(3)}` : estimate.value.toFixed(3);
}

/** Milliseconds: whole from 100 up, else to 0.1; "—" when there is none. */
export function formatMs(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return '—';
  return ms >= 100 ? ms.toFixed(0) : ms.toFixed(1);
}

/** `0.31 ms` or `12 µs`, for overheads per call. */
export function formatSmallMs(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return '—';
  return Math.abs(ms) >= 1 ? `${ms.toFixed(2)} ms` : `${(ms * 1000).toFixed(0)} µs`;
}

/** `1 call`, `16 calls`. */
export const callsLabel = (n: number): string => `${n} ${n === 1 ? 'call' : 'calls'}`;
