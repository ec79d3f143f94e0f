import Table from 'cli-table3';
import type { ResultsDocument } from '../results/document.ts';
import { reportTables, type TableModel } from './model.ts';

export function renderTable(model: TableModel): string {
  const table = new Table({ head: model.head, style: { head: [], border: [], compact: true } });
  table.push(...model.rows);
  return `${model.title}\n${table.toString()}`;
}

/** The terminal report: speedup matrix, then latencies. */
export function serialize(results: ResultsDocument): string {
  return reportTables(results)
    .map((model) => `${renderTable(model)}\n`)
    .join('\n');
}
