import Table from 'cli-table3';
import type { ResultsDocument } from '../results/document.ts';
import { latencyTable, recordedTable, speedupMatrix, type TableModel } from './model.ts';

export function renderTable(model: TableModel): string {
  const table = new Table({ head: model.head, style: { head: [], border: [], compact: true } });
  table.push(...model.rows);
  return `${model.title}\n${table.toString()}`;
}

/** The terminal report: speedup matrix, then latencies. */
export function serialize(results: ResultsDocument): string {
  const recorded = recordedTable(results);
  return [speedupMatrix(results), latencyTable(results), ...(recorded ? [recorded] : [])]
    .map((model) => `${renderTable(model)}\n`)
    .join('\n');
}
