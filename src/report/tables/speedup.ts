/** The speedup table (each executor against sequential, per call count) and the bars of the chart under it. */
import {
  type CellOk,
  type CellResult,
  isReference,
  type ResultsDocument,
  referenceName,
} from '../../results/document.ts';
import { bySeries, idealSpeedup, perRun, rowLabel, seriesLabel } from '../cells.ts';
import { formatSpeedup } from '../format.ts';
import type { TableModel } from '../model.ts';

/** A cell's speedup and its ideal, and the share of its calls that succeeded where some failed. */
function speedupParts(results: ResultsDocument, cell: CellResult): { measured: string; ideal: string } {
  if (cell.status === 'error') return { measured: 'error', ideal: '' };
  const total = cell.outcomes.ok + cell.outcomes.error + cell.outcomes.timeout + cell.outcomes.cancelled;
  // failed calls end early and can push a speedup past its ideal: flag such cells
  const failures = cell.outcomes.ok < total ? ` *${((100 * cell.outcomes.ok) / total).toFixed(0)}% ok` : '';
  const ideal = idealSpeedup(results.cells, cell);
  return {
    measured: `${formatSpeedup(cell.speedup)}${failures}`,
    ideal: Number.isFinite(ideal) ? `${ideal.toFixed(2)}x` : '—',
  };
}

/** The series of a table's rows, and the call counts of its columns. */
function seriesAndCalls<T extends CellResult>(cells: readonly T[]): { series: T[][]; calls: number[] } {
  return { series: bySeries(cells), calls: [...new Set(cells.map((c) => c.calls))].sort((a, b) => a - b) };
}

/**
 * Rows: kind and executor; columns: call counts; each entry `speedup ±CI (ideal Nx)`, on a narrow terminal the
 * ideal on a line of its own. None for a `--no-reference` run, which has no speedups.
 */
export function speedupMatrix(results: ResultsDocument): TableModel | undefined {
  if (results.config.reference === false) return undefined;
  const { series, calls } = seriesAndCalls(results.cells);
  const rows = (entry: (parts: { measured: string; ideal: string }) => string) =>
    series.map((own) => [
      (own[0] as CellResult).kind,
      rowLabel(results, own[0] as CellResult),
      ...calls.map((n) => {
        const cell = own.find((c) => c.calls === n);
        if (!cell) return '';
        return cell.status === 'error' ? 'error' : entry(speedupParts(results, cell));
      }),
    ]);
  const what = `Speedup vs ${referenceName(results.config)}${perRun(results)} (95% CI)`;
  const failed = '; *share of calls that succeeded where some failed';
  const someFailed = results.cells.some((c) => c.status === 'ok' && speedupParts(results, c).measured.includes('*'));
  return {
    title: `${what}, ideal in brackets${someFailed ? failed : ''}`,
    head: ['kind', 'executor', ...calls.map((n) => `${n} calls`)],
    rows: rows((p) => `${p.measured} (ideal ${p.ideal})`),
    narrow: {
      title: `${what}, the ideal below in brackets${someFailed ? failed : ''}`,
      rows: rows((p) => `${p.measured}\n(${p.ideal})`),
    },
  };
}

/** For the chart under the speedup table: each series' speedup at the largest call count, and its ideal. */
export function speedupAtLargest(
  results: ResultsDocument,
): { calls: number; bars: { label: string; speedup: number; ideal: number }[] } | undefined {
  if (results.config.reference === false) return undefined;
  const { series, calls } = seriesAndCalls(results.cells);
  const largest = calls.at(-1);
  if (largest === undefined) return undefined;
  const bars = series.flatMap((own) => {
    const cell = own.find((c): c is CellOk => c.calls === largest && c.status === 'ok');
    if (!cell || isReference(cell) || !cell.speedup || !Number.isFinite(cell.speedup.value)) return [];
    return [
      { label: seriesLabel(results, cell), speedup: cell.speedup.value, ideal: idealSpeedup(results.cells, cell) },
    ];
  });
  return bars.length > 0 ? { calls: largest, bars } : undefined;
}
