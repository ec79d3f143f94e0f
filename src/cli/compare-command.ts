import { configDifferences } from '../gate/decide.ts';
import { formatSpeedup, type TableModel } from '../report/model.ts';
import { renderTable } from '../report/table.ts';
import type { CellOk, ResultsDocument } from '../results/document.ts';
import { readResults, requireComparable } from '../results/store.ts';
import { UNKNOWN } from '../stats/summary.ts';
import { EXIT } from './errors.ts';
import { tableOptions } from './outputs.ts';

/** Cells of A and B side by side: speedup of each, change, and whether their intervals overlap. */
export function compareTable(a: ResultsDocument, b: ResultsDocument): TableModel {
  const ids = [...new Set([...a.cells, ...b.cells].map((c) => c.id))];
  const find = (doc: ResultsDocument, id: string) =>
    doc.cells.find((c): c is CellOk => c.id === id && c.status === 'ok');
  const unit = a.config.agent || b.config.agent ? 'run' : 'batch';
  return {
    title: `Speedup vs sequential: A → B (mean ms per ${unit})`,
    head: ['cell', 'A', 'B', 'change', 'A mean', 'B mean', 'intervals'],
    rows: ids.map((id) => {
      const x = find(a, id);
      const y = find(b, id);
      if (!x || !y)
        return [id, x ? formatSpeedup(x.speedup) : '—', y ? formatSpeedup(y.speedup) : '—', '', '', '', 'only in one'];
      const [xs, ys] = [x.speedup ?? UNKNOWN, y.speedup ?? UNKNOWN];
      const change = ys.value / xs.value - 1;
      const overlap = xs.low <= ys.high && ys.low <= xs.high;
      return [
        id,
        formatSpeedup(x.speedup),
        formatSpeedup(y.speedup),
        Number.isFinite(change) ? `${change >= 0 ? '+' : ''}${(change * 100).toFixed(1)}%` : '—',
        x.stats.mean.toFixed(1),
        y.stats.mean.toFixed(1),
        overlap ? 'overlap' : 'differ',
      ];
    }),
  };
}

export async function compareCommand(fileA: string, fileB: string, flags: { wide?: boolean } = {}): Promise<number> {
  const a = requireComparable(readResults(fileA), fileA, 'A');
  const b = requireComparable(readResults(fileB), fileB, 'B');
  const differences = configDifferences(a.config, b.config);
  if (differences.length > 0) {
    process.stderr.write(
      `Note: configurations differ (${differences.join(', ')}); only cells with the same id line up\n`,
    );
  }
  process.stdout.write(`${renderTable(compareTable(a, b), tableOptions(flags))}\nA: ${fileA}\nB: ${fileB}\n`);
  return EXIT.ok;
}
