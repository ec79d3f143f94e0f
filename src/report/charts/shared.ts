/**
 * What the HTML report's charts share: the `Chart` each builder returns, its Vega-Lite spec type, the page width,
 * the outcome colours, and small helpers over a document's cells.
 */
import type { CellOk, ResultsDocument } from '../../results/document.ts';

/** A Vega-Lite specification (kept loose: the compiler checks it). */
export type ChartSpec = Record<string, unknown>;

export interface Chart {
  /** Stable name: the page's `data-chart` attribute and tests key on it. */
  name: string;
  title: string;
  /** One line on how to read it, shown under the chart. */
  caption: string;
  spec: ChartSpec;
}

export const WIDTH = 640;
/** Outcome colours: the same in every chart (timeline and fault mix), model turns apart. */
const STATUS_DOMAIN = ['ok', 'error', 'timeout', 'cancelled', 'model'];
const STATUS_RANGE = ['#4c78a8', '#e45756', '#f58518', '#9d9d9d', '#b279a2'];
/** The outcome colour scale; model turns only where the chart has them. */
export const statusScale = (withModel: boolean) =>
  withModel
    ? { domain: STATUS_DOMAIN, range: STATUS_RANGE }
    : { domain: STATUS_DOMAIN.slice(0, 4), range: STATUS_RANGE.slice(0, 4) };

export const okCells = (results: ResultsDocument): CellOk[] =>
  results.cells.filter((c): c is CellOk => c.status === 'ok');

export const callsTitle = (results: ResultsDocument): string =>
  results.config.agent ? 'calls per run' : 'calls per batch';

/** Over ten series the default palette repeats: twenty colours. */
export const seriesColors = (count: number) => (count > 10 ? { scale: { scheme: 'tableau20' } } : {});

/** One bar per strategy, its parts stacked (`stack`: `zero` in the data's units, `normalize` as shares). */
export function stackedBars(
  values: object[],
  x: Record<string, unknown>,
  color: Record<string, unknown>,
  more: Record<string, unknown>,
): ChartSpec {
  return {
    width: WIDTH,
    height: { step: 22 },
    data: { values },
    mark: 'bar',
    encoding: {
      y: { field: 'series', type: 'nominal', title: null, sort: null, axis: { labelLimit: 360 } },
      x: { type: 'quantitative', ...x },
      color: { type: 'nominal', title: null, ...color },
      ...more,
    },
  };
}
