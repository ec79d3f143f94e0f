/** A document's cells as the tables and charts read them: row and series names, series, the sequential reference. */
import { formatMode } from '../agent/types.ts';
import { FANOUT_FAMILY, scenarioLabel } from '../model/scenario-names.ts';
import {
  type CellOk,
  type CellResult,
  isReference,
  type ResultsDocument,
  runModes,
  seriesKey,
} from '../results/document.ts';

/** The sequential cell a cell's speedup is measured against: same kind, call count and mode. */
export function reference(cells: readonly CellResult[], cell: CellResult): CellOk | undefined {
  return cells.find(
    (c): c is CellOk =>
      c.status === 'ok' &&
      isReference(c) &&
      c.kind === cell.kind &&
      c.calls === cell.calls &&
      c.api === cell.api &&
      c.dispatch === cell.dispatch,
  );
}

/** Speedup that the ideal schedule allows: sequential's ideal ÷ this cell's ideal. */
export function idealSpeedup(cells: readonly CellResult[], cell: CellOk): number {
  const seq = reference(cells, cell);
  return seq?.idealMs !== undefined && cell.idealMs !== undefined ? seq.idealMs / cell.idealMs : Number.NaN;
}

/** The executor as tables show it: a framework cell with the version it measured (`openai-runtools 6.44.0`). */
export function executorLabel(cell: CellResult): string {
  return cell.framework ? `${cell.executor} ${cell.framework.version}` : cell.executor;
}

/** What one sample is: a whole agent run, or one batch of calls. */
export const sampleUnit = (results: ResultsDocument): string => (results.config.agent ? 'run' : 'batch');

/** The scenario an agent run plays, as tables name it (a path by its file name; `fanout-N` for the family). */
export function scenarioOf(results: ResultsDocument): string | undefined {
  const scenario = results.config.agent?.scenario;
  if (scenario === undefined) return undefined;
  return scenario === FANOUT_FAMILY ? 'fanout-N' : scenarioLabel(scenario);
}

/** ` per run of weather-stock-news` in agent mode, '' for batches. */
export function perRun(results: ResultsDocument): string {
  const scenario = scenarioOf(results);
  return scenario === undefined ? '' : ` per run of ${scenario}`;
}

/** An agent run over several modes (`--api all`): its tables name each row's mode. */
export const severalModes = (results: ResultsDocument): boolean =>
  results.config.agent !== undefined && runModes(results.config.agent).length > 1;

/**
 * A row's name: the executor, and in a run over several modes the mode (`promise-all @messages-stream+early`); a
 * framework's row names the mode of the group it was measured in (`ai-sdk-stream 7.0.185 @chat-stream`), the API
 * its speedup is against.
 */
export function rowLabel(results: ResultsDocument, cell: CellResult): string {
  const mode =
    severalModes(results) && cell.api && cell.dispatch ? { api: cell.api, dispatch: cell.dispatch } : undefined;
  return mode ? `${executorLabel(cell)} @${formatMode(mode)}` : executorLabel(cell);
}

/** A series' name in charts, where every kind's rows stand together: its row label, with the kind if several. */
export function seriesLabel(results: ResultsDocument, cell: CellResult): string {
  const kinds = new Set(results.cells.map((c) => c.kind)).size;
  return `${kinds > 1 ? `${cell.kind} ` : ''}${rowLabel(results, cell)}`;
}

/** Cells grouped by the series a row follows over call counts, in the order they were measured. */
export function bySeries<T extends CellResult>(cells: readonly T[]): T[][] {
  const series = new Map<string, T[]>();
  for (const cell of cells) series.set(seriesKey(cell), [...(series.get(seriesKey(cell)) ?? []), cell]);
  return [...series.values()];
}
