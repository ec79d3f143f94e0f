/** The speedup chart: a row per strategy for one call count, else a panel per strategy over the call counts. */
import { type CellOk, isReference, type ResultsDocument, referenceName } from '../../results/document.ts';
import { idealSpeedup, seriesLabel } from '../cells.ts';
import { type Chart, callsTitle, okCells, WIDTH } from './shared.ts';

/**
 * Speedup against call count, a panel per strategy (see {@link speedupPanels}); with one call
 * count (an agent run), one row per strategy: the speedup as a dot, its interval as a bar, the ideal as a tick.
 * `sequential` is left out: it is the reference, 1 by definition.
 */
export function speedupChart(results: ResultsDocument): Chart | undefined {
  const cells = okCells(results).filter((c) => c.speedup && Number.isFinite(c.speedup.value) && !isReference(c));
  if (cells.length === 0) return undefined;
  const values = cells.map((c) => {
    const ideal = idealSpeedup(results.cells, c);
    const speedup = c.speedup as NonNullable<CellOk['speedup']>;
    return {
      series: seriesLabel(results, c),
      calls: c.calls,
      speedup: speedup.value,
      low: Number.isFinite(speedup.low) ? speedup.low : speedup.value,
      high: Number.isFinite(speedup.high) ? speedup.high : speedup.value,
      ...(Number.isFinite(ideal) ? { ideal } : {}),
    };
  });
  const series = [...new Set(values.map((v) => v.series))];
  const title = `Speedup vs ${referenceName(results.config)}`;
  if (new Set(values.map((v) => v.calls)).size === 1) {
    const y = { field: 'series', type: 'nominal', title: null, sort: series, axis: { labelLimit: 360 } };
    const x = (field: string) => ({ field, type: 'quantitative', title: 'speedup (×)', scale: { zero: false } });
    return {
      name: 'speedup',
      title,
      caption: `${values[0]?.calls} calls. Dot: measured speedup (sequential ÷ strategy, paired by round); bar: its 95% interval; tick: the ideal schedule’s speedup. A dot left of its tick is time the strategy loses.`,
      spec: {
        width: WIDTH,
        height: { step: 20 },
        data: { values },
        encoding: { y },
        layer: [
          {
            mark: { type: 'rule', strokeWidth: 2, color: '#9ecae9' },
            encoding: { x: x('low'), x2: { field: 'high' } },
          },
          {
            transform: [{ filter: 'isValid(datum.ideal)' }],
            mark: { type: 'tick', color: '#555', thickness: 2 },
            encoding: { x: x('ideal') },
          },
          { mark: { type: 'point', filled: true, size: 50, color: '#4c78a8' }, encoding: { x: x('speedup') } },
        ],
      },
    };
  }
  return speedupPanels(results, cells, values);
}

/** Between neighbouring series of a panel: this share of an octave on a log axis, of the span on a linear one. */
const DODGE = 0.12;
/** Limits in colour and shape (the same k alike in every panel); hollow shapes, so coinciding points all show. */
const LIMIT_COLORS = ['#4c78a8', '#f58518', '#e45756', '#54a24b', '#b279a2', '#9d755d', '#72b7b2', '#eeca3b'];
const LIMIT_SHAPES = ['circle', 'square', 'triangle-up', 'diamond', 'cross', 'triangle-down', 'triangle-right'];
const NO_LIMIT = 'none';

/** A series' strategy with its limit as k (`limited(k)`): a strategy's limits share one panel. */
function familyLabel(results: ResultsDocument, cell: CellOk): string {
  if (cell.limit === undefined || cell.framework) return seriesLabel(results, cell);
  return seriesLabel(results, { ...cell, executor: `${cell.strategy}(k)` });
}

/**
 * Several call counts: a panel per strategy (its limits k together, told apart by colour and shape, the same k
 * alike in every panel), measured as hollow points on a thin line with its interval as a bar, the ideal as a wide
 * pale line under it (visible where the two agree); series of a panel are set a little apart along x.
 */
function speedupPanels(
  results: ResultsDocument,
  cells: readonly CellOk[],
  values: readonly { series: string; calls: number }[],
): Chart {
  const families = [...new Set(cells.map((c) => familyLabel(results, c)))];
  const limitOf = (c: CellOk) => (c.limit === undefined || c.framework ? NO_LIMIT : String(c.limit));
  const limits = [...new Set(cells.map(limitOf))].sort((a, b) =>
    a === NO_LIMIT ? 1 : b === NO_LIMIT ? -1 : Number(a) - Number(b),
  );
  const calls = cells.map((c) => c.calls);
  const log = Math.max(...calls) / Math.min(...calls) >= 4;
  const span = Math.max(...calls) - Math.min(...calls);
  const rows = cells.map((cell, i) => {
    const family = familyLabel(results, cell);
    // the series of this panel, in order of their limits
    const own = [...new Set(cells.filter((c) => familyLabel(results, c) === family).map(limitOf))].sort(
      (a, b) => limits.indexOf(a) - limits.indexOf(b),
    );
    const shift = DODGE * (own.indexOf(limitOf(cell)) - (own.length - 1) / 2);
    return {
      ...values[i],
      family,
      limit: limitOf(cell),
      at: log ? cell.calls * 2 ** shift : cell.calls + shift * span,
    };
  });
  const x = {
    field: 'at',
    type: 'quantitative',
    title: callsTitle(results),
    scale: log ? { type: 'log', base: 2 } : { zero: false },
    axis: { values: [...new Set(calls)].sort((a, b) => a - b), format: 'd' },
  };
  const y = (field: string) => ({ field, type: 'quantitative', title: 'speedup (×)' });
  const color = {
    field: 'limit',
    type: 'nominal',
    title: 'limit k',
    scale: { domain: limits, range: LIMIT_COLORS },
    // the legend shows the points, not the pale ideals
    legend: limits.length > 1 ? { symbolOpacity: 1 } : null,
  };
  const shape = { ...color, scale: { domain: limits, range: LIMIT_SHAPES } };
  const columns = Math.min(4, families.length);
  return {
    name: 'speedup',
    title: 'Speedup vs sequential',
    caption:
      'One panel per strategy, its limits k apart by colour and shape (the same k alike in every panel; points set a little apart along x). Hollow points on a thin line: measured speedup (sequential ÷ strategy, paired by round), bar: its 95% interval; wide pale line: the ideal schedule’s speedup. A point under its pale line is time the strategy loses.',
    spec: {
      data: { values: rows },
      columns,
      facet: { field: 'family', type: 'nominal', title: null, sort: families, header: { labelFontSize: 12 } },
      spec: {
        width: Math.max(200, Math.floor(840 / columns)),
        height: 240,
        encoding: { x, color, detail: { field: 'series' } },
        layer: [
          {
            transform: [{ filter: 'isValid(datum.ideal)' }],
            mark: { type: 'line', strokeWidth: 9, opacity: 0.25, strokeCap: 'round', strokeJoin: 'round' },
            encoding: { y: y('ideal') },
          },
          { mark: { type: 'rule', strokeWidth: 1.5 }, encoding: { y: y('low'), y2: { field: 'high' } } },
          { mark: { type: 'line', strokeWidth: 1.5 }, encoding: { y: y('speedup') } },
          {
            mark: { type: 'point', filled: false, size: 70, strokeWidth: 1.8, opacity: 1 },
            encoding: {
              y: y('speedup'),
              shape,
              tooltip: [
                { field: 'series' },
                { field: 'calls' },
                { field: 'speedup', format: '.2f' },
                { field: 'low', format: '.2f' },
                { field: 'high', format: '.2f' },
                { field: 'ideal', format: '.2f' },
              ],
            },
          },
        ],
      },
    },
  };
}
