/** The tables in the order reports show them. */
import type { ResultsDocument } from '../../results/document.ts';
import type { TableModel } from '../model.ts';
import { latencyTable } from './latency.ts';
import { apiTable, growthTable } from './overhead.ts';
import { recordedTable } from './recorded.ts';
import { speedupMatrix } from './speedup.ts';

/** Every table of a results document, in report order (the terminal and Markdown exporters both show these). */
export function reportTables(results: ResultsDocument): TableModel[] {
  return [
    speedupMatrix(results),
    latencyTable(results),
    apiTable(results),
    growthTable(results),
    recordedTable(results),
  ].filter((t): t is TableModel => t !== undefined);
}
