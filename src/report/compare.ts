import { type CellOk, type ResultsDocument, referenceName } from '../results/document.ts';
import { type Estimate, UNKNOWN } from '../stats/summary.ts';
import { formatSpeedup } from './format.ts';
import type { TableModel } from './model.ts';

/** One cell id of two runs: each side's measured cell (absent when it was not measured there) and the change. */
export interface CellChange {
  id: string;
  a?: CellOk;
  b?: CellOk;
  /** B's speedup ÷ A's − 1; NaN when either is missing. */
  change: number;
  /** Whether the two speedups' 95% intervals overlap (then the change may be noise). */
  overlap: boolean;
}

/** Every cell id of A and B, in A's order then B's new ones, with the change of its speedup. */
export function cellChanges(a: ResultsDocument, b: ResultsDocument): CellChange[] {
  const ids = [...new Set([...a.cells, ...b.cells].map((c) => c.id))];
  const find = (doc: ResultsDocument, id: string) =>
    doc.cells.find((c): c is CellOk => c.id === id && c.status === 'ok');
  return ids.map((id) => {
    const [x, y] = [find(a, id), find(b, id)];
    const xs: Estimate = x?.speedup ?? UNKNOWN;
    const ys: Estimate = y?.speedup ?? UNKNOWN;
    return {
      id,
      ...(x ? { a: x } : {}),
      ...(y ? { b: y } : {}),
      change: ys.value / xs.value - 1,
      overlap: xs.low <= ys.high && ys.low <= xs.high,
    };
  });
}

/** `+3.1%`, or "—". */
export function formatChange(change: number): string {
  return Number.isFinite(change) ? `${change >= 0 ? '+' : ''}${(change * 100).toFixed(1)}%` : '—';
}

/** Cells of A and B side by side: speedup of each, change, and whether their intervals overlap. */
export function compareTable(a: ResultsDocument, b: ResultsDocument): TableModel {
  const unit = a.config.agent || b.config.agent ? 'run' : 'batch';
  return {
    title: `Speedup vs ${referenceName(a.config)}: A → B (mean ms per ${unit})`,
    head: ['cell', 'A', 'B', 'change', 'A mean', 'B mean', 'intervals'],
    rows: cellChanges(a, b).map(({ id, a: x, b: y, change, overlap }) => {
      if (!x || !y)
        return [id, x ? formatSpeedup(x.speedup) : '—', y ? formatSpeedup(y.speedup) : '—', '', '', '', 'only in one'];
      return [
        id,
        formatSpeedup(x.speedup),
        formatSpeedup(y.speedup),
        formatChange(change),
        x.stats.mean.toFixed(1),
        y.stats.mean.toFixed(1),
        overlap ? 'overlap' : 'differ',
      ];
    }),
  };
}
