import { formatRatio, formatSpeedup } from '../report/format.ts';
import type { TableModel } from '../report/model.ts';
import { isReference } from '../results/document.ts';
import { UNKNOWN } from '../stats/summary.ts';
import { type CellVerdict, isFailure } from './decide.ts';

const LABEL: Record<CellVerdict['verdict'], string> = {
  pass: 'pass',
  regression: 'REGRESSION',
  inefficient: 'INEFFICIENT',
  failing: 'FAILING CALLS',
  missing: 'MISSING',
  superlinear: 'SUPERLINEAR',
  'above-ideal': 'ABOVE IDEAL',
};

/** A framework cell names the version measured, and the baseline's when it changed. */
function cellLabel(v: CellVerdict): string {
  const before = v.baseline.framework;
  const now = v.current?.framework;
  if (!before && !now) return v.id;
  const version = (f: NonNullable<typeof before>) => `${f.package}@${f.version}`;
  if (before && now && version(before) !== version(now)) return `${v.id} (${version(before)} → ${version(now)})`;
  return `${v.id} (${version((now ?? before) as NonNullable<typeof before>)})`;
}

function change(value: number): string {
  if (!Number.isFinite(value)) return '—';
  return `${value >= 0 ? '+' : ''}${(value * 100).toFixed(1)}%`;
}

/** cell, baseline, current ±CI, change, efficiency, verdict (and its reason, a note of the verdict). */
export function verdictTable(verdicts: readonly CellVerdict[], rerunIds: ReadonlySet<string>): TableModel {
  const agent = verdicts.some((v) => v.baseline.agent !== undefined);
  return {
    title: `Gate: speedup${agent ? ' per run' : ''} vs baseline`,
    head: ['cell', 'baseline', 'current', 'change', 'efficiency', 'verdict'],
    rows: verdicts.map((v) => [
      cellLabel(v),
      formatSpeedup(v.baseline.speedup),
      v.current ? formatSpeedup(v.current.speedup) : '—',
      change(v.change),
      formatRatio(v.current?.efficiency),
      `${LABEL[v.verdict]}${rerunIds.has(v.id) ? ' (re-measured)' : ''}`,
    ]),
    notes: { texts: verdicts.map((v) => v.reason), names: verdicts.map(cellLabel), after: 5 },
  };
}

export function verdictLine(verdicts: readonly CellVerdict[]): string {
  const failed = verdicts.filter(isFailure);
  return failed.length === 0
    ? `Gate passed: ${verdicts.length} cells within tolerance`
    : `Gate failed: ${failed.length} of ${verdicts.length} cells did not pass (${failed.map((v) => `${v.id}: ${v.verdict}`).join(', ')})`;
}

/** The `customBiggerIsBetter` input of github-action-benchmark: one entry per cell's speedup. */
export function benchmarkActionEntries(
  verdicts: readonly CellVerdict[],
): { name: string; unit: string; value: number; range: string }[] {
  return verdicts
    .filter((v) => v.current && !isReference(v.baseline))
    .map((v) => {
      const s = (v.current as NonNullable<CellVerdict['current']>).speedup ?? UNKNOWN;
      return { name: `${v.id} speedup`, unit: 'x', value: s.value, range: `±${((s.high - s.low) / 2).toFixed(3)}` };
    });
}
