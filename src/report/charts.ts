/**
 * The report's charts as Vega-Lite specifications, one function per chart, each from a results document alone
 * (pure: no rendering here, see `svg.ts`). A chart the run has no data for is `undefined` and left out.
 */
import { type CellOk, type ResultsDocument, seriesKey } from '../results/document.ts';
import { halfWidth } from '../stats/summary.ts';
import { bySeries, idealSpeedup, seriesLabel } from './cells.ts';
import { cellChanges } from './compare.ts';
import { formatMs } from './format.ts';

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

const WIDTH = 640;
/** Outcome colours: the same in every chart (timeline and fault mix), model turns apart. */
const STATUS_DOMAIN = ['ok', 'error', 'timeout', 'cancelled', 'model'];
const STATUS_RANGE = ['#4c78a8', '#e45756', '#f58518', '#9d9d9d', '#b279a2'];
/** The outcome colour scale; model turns only where the chart has them. */
const statusScale = (withModel: boolean) =>
  withModel
    ? { domain: STATUS_DOMAIN, range: STATUS_RANGE }
    : { domain: STATUS_DOMAIN.slice(0, 4), range: STATUS_RANGE.slice(0, 4) };

const okCells = (results: ResultsDocument): CellOk[] => results.cells.filter((c): c is CellOk => c.status === 'ok');

const callsTitle = (results: ResultsDocument): string => (results.config.agent ? 'calls per run' : 'calls per batch');

/** Over ten series the default palette repeats: twenty colours. */
const seriesColors = (count: number) => (count > 10 ? { scale: { scheme: 'tableau20' } } : {});

/**
 * Speedup against call count, a panel per strategy (see {@link speedupPanels}); with one call
 * count (an agent run), one row per strategy: the speedup as a dot, its interval as a bar, the ideal as a tick.
 * `sequential` is left out: it is the reference, 1 by definition.
 */
export function speedupChart(results: ResultsDocument): Chart | undefined {
  const cells = okCells(results).filter(
    (c) => c.speedup && Number.isFinite(c.speedup.value) && c.strategy !== 'sequential',
  );
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
  const title = 'Speedup vs sequential';
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

/** Efficiency shades, pale to dark (ColorBrewer YlGnBu, 7 classes): a step each, so each cell's ink is known. */
const EFFICIENCY_SHADES = ['#ffffcc', '#c7e9b4', '#7fcdbb', '#41b6c4', '#1d91c0', '#225ea8', '#0c2c84'];

/** WCAG relative luminance of `#rrggbb`. */
function luminance(hex: string): number {
  const [r, g, b] = [1, 3, 5].map((at) => {
    const v = Number.parseInt(hex.slice(at, at + 2), 16) / 255;
    return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** Black or white, whichever stands out more on `hex` (equal contrast at a luminance of about 0.18). */
const inkOn = (hex: string): string => ((luminance(hex) + 0.05) ** 2 >= 1.05 * 0.05 ? 'black' : 'white');

/** Efficiency (ideal ÷ measured) as a heat map over call counts and strategies (each limit its own row). */
export function efficiencyChart(results: ResultsDocument): Chart | undefined {
  const cells = okCells(results).filter((c) => c.efficiency && Number.isFinite(c.efficiency.value));
  if (cells.length === 0) return undefined;
  // the shades span this run's values in equal steps: a run whose cells all lie within 0.95–1.00 still shows which
  // are lowest
  const efficiencies = cells.map((c) => (c.efficiency as NonNullable<CellOk['efficiency']>).value);
  const [lowest, highest] = [Math.min(...efficiencies), Math.max(...efficiencies)];
  const step = Math.max(highest - lowest, 0.001) / EFFICIENCY_SHADES.length;
  const thresholds = EFFICIENCY_SHADES.slice(1).map((_, i) => lowest + (i + 1) * step);
  const shade = (value: number) => EFFICIENCY_SHADES[thresholds.filter((t) => value >= t).length] as string;
  const values = cells.map((c, i) => ({
    series: seriesLabel(results, c),
    calls: c.calls,
    efficiency: efficiencies[i] as number,
    interval: `±${halfWidth(c.efficiency as NonNullable<CellOk['efficiency']>).toFixed(3)}`,
    ink: inkOn(shade(efficiencies[i] as number)),
  }));
  const series = [...new Set(values.map((v) => v.series))];
  const y = { field: 'series', type: 'nominal', title: null, sort: series, axis: { grid: false, labelLimit: 320 } };
  const x = {
    field: 'calls',
    type: 'ordinal',
    title: callsTitle(results),
    sort: 'ascending',
    axis: { labelAngle: 0, grid: false },
  };
  return {
    name: 'efficiency',
    title: 'Efficiency against the ideal schedule',
    caption: `Ideal ÷ measured per cell: 1.00 is the ideal schedule of the latencies the tools drew; lower is time lost to the strategy (start-up, queueing, a blocked event loop). Above 1 happens when calls overlap the model’s stream. The shades span this run’s range in ${EFFICIENCY_SHADES.length} equal steps, ${lowest.toFixed(3)} (palest) to ${highest.toFixed(3)} (darkest): read the numbers, not the shade alone.`,
    spec: {
      width: { step: 64 },
      height: { step: 26 },
      data: { values },
      encoding: { x, y },
      layer: [
        {
          mark: 'rect',
          encoding: {
            color: {
              field: 'efficiency',
              type: 'quantitative',
              scale: { type: 'threshold', domain: thresholds, range: EFFICIENCY_SHADES },
              legend: { format: '.3f' },
              title: 'efficiency',
            },
            tooltip: [{ field: 'efficiency', format: '.3f' }, { field: 'interval' }],
          },
        },
        {
          mark: { type: 'text', fontSize: 11 },
          encoding: {
            text: { field: 'efficiency', type: 'quantitative', format: '.3f' },
            fill: { field: 'ink', type: 'nominal', scale: null },
          },
        },
      ],
    },
  };
}

/** The cell whose sample a strategy's timeline shows: its largest call count that kept one. */
function timelineCells(results: ResultsDocument): CellOk[] {
  return bySeries(okCells(results).filter((c) => c.timeline)).map((own) =>
    own.reduce((largest, cell) => (cell.calls > largest.calls ? cell : largest)),
  );
}

/**
 * One sample per strategy as a Gantt chart: a bar per call from its start to its end, coloured by outcome; in
 * agent runs each model turn too. Sequential shows a staircase, limited(k) waves of k, chunked(k) chunks.
 */
export function timelineChart(results: ResultsDocument): Chart | undefined {
  const cells = timelineCells(results);
  if (cells.length === 0) return undefined;
  const values = cells.flatMap((cell) => {
    const timeline = cell.timeline as NonNullable<CellOk['timeline']>;
    // each panel has its own scale: its label says how long the sample took
    const series = `${seriesLabel(results, cell)} · ${cell.calls} calls, round ${timeline.round + 1}: ${formatMs(timeline.durationMs)} ms`;
    // one lane per span in order: a model turn, then its calls
    return timeline.spans.map((span, lane) => ({
      series,
      lane,
      start: span.startMs,
      end: Math.max(span.endMs, span.startMs + 0.05),
      status: span.kind === 'model' ? 'model' : span.status,
      what: span.kind === 'model' ? `model turn ${span.turn}` : `${span.tool} (${span.id})`,
    }));
  });
  const series = [...new Set(values.map((v) => v.series))];
  return {
    name: 'timeline',
    title: 'Timeline of one sample per strategy',
    caption:
      'Each bar is one call, from when it started to when it ended, in the sample of median duration (agent runs: model turns in purple before their calls); each panel has its own time axis, its duration in its title: sequential is a staircase, limited(k) runs in waves of k, chunked(k) in chunks. Failed calls red, timed out orange, cancelled grey.',
    spec: {
      data: { values },
      facet: {
        row: {
          field: 'series',
          type: 'nominal',
          title: null,
          sort: series,
          header: { labelAngle: 0, labelAlign: 'left', labelAnchor: 'start', labelOrient: 'top' },
        },
      },
      // each sample at its own scale: promise-all's 20 ms are not a sliver beside sequential's 320
      resolve: { scale: { x: 'independent', y: 'independent' } },
      spec: {
        width: WIDTH,
        height: { step: 7 },
        mark: { type: 'bar', height: { band: 0.8 } },
        encoding: {
          x: { field: 'start', type: 'quantitative', title: 'ms from the sample’s start', axis: { tickCount: 8 } },
          x2: { field: 'end' },
          y: { field: 'lane', type: 'ordinal', axis: null },
          color: {
            field: 'status',
            type: 'nominal',
            scale: statusScale(results.config.agent !== undefined),
            title: 'outcome',
          },
          tooltip: [
            { field: 'what' },
            { field: 'status' },
            { field: 'start', format: '.1f' },
            { field: 'end', format: '.1f' },
          ],
        },
      },
    },
  };
}

/** One bar per strategy, its parts stacked (`stack`: `zero` in the data's units, `normalize` as shares). */
function stackedBars(
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

/** Agent runs: where a run's time went per strategy, model and tools stacked, the loop's own rest after them. */
export function turnsChart(results: ResultsDocument): Chart | undefined {
  const cells = okCells(results).filter((c) => c.agent);
  if (cells.length === 0) return undefined;
  const values = cells.flatMap((c) => {
    const agent = c.agent as NonNullable<CellOk['agent']>;
    const series = `${seriesLabel(results, c)}${new Set(cells.map((x) => x.calls)).size > 1 ? ` · ${c.calls} calls` : ''}`;
    const rest = Math.max(0, c.stats.mean - agent.modelMs - agent.toolsMs);
    return [
      { series, part: 'model', rank: 1, ms: agent.modelMs },
      { series, part: 'tools', rank: 2, ms: agent.toolsMs },
      { series, part: 'loop (rest)', rank: 3, ms: rest },
    ];
  });
  return {
    name: 'turns',
    title: 'Where an agent run’s time went',
    caption:
      'Mean per run: model time (request → response’s end, as the mock saw it), tool time (response → next request: the tools and the loop around them), and the rest of the run.',
    spec: stackedBars(
      values,
      { field: 'ms', stack: 'zero', title: 'ms per run' },
      { field: 'part', scale: { domain: ['model', 'tools', 'loop (rest)'], range: ['#b279a2', '#4c78a8', '#bab0ac'] } },
      { order: { field: 'rank' }, tooltip: [{ field: 'part' }, { field: 'ms', format: '.1f' }] },
    ),
  };
}

/** Scale runs: overhead per call against N on log–log axes, the fitted exponent in each legend entry. */
export function overheadChart(results: ResultsDocument): Chart | undefined {
  const cells = okCells(results).filter((c) => c.overheadPerCallMs && c.overheadPerCallMs.value > 0);
  if (!cells.some((c) => c.growth) || new Set(cells.map((c) => c.calls)).size < 2) return undefined;
  const values = cells.map((c) => {
    const growthOf = cells.find((x) => seriesKey(x) === seriesKey(c) && x.growth)?.growth;
    return {
      series: `${seriesLabel(results, c)}${growthOf ? ` (b = ${growthOf.exponent.toFixed(2)})` : ''}`,
      calls: c.calls,
      overhead: (c.overheadPerCallMs as NonNullable<CellOk['overheadPerCallMs']>).value,
    };
  });
  return {
    name: 'overhead',
    title: 'Overhead per call against the number of calls',
    caption:
      'Measured − ideal, divided by the calls, on log–log axes: a flat line is a constant cost per call; b is the fitted exponent of overhead ∝ calls^b (above 1.2: each call costs more as calls are added). A cell that ran at or under its ideal has no point (a log axis has no 0).',
    spec: {
      width: WIDTH,
      height: 280,
      data: { values },
      mark: { type: 'line', point: true },
      encoding: {
        x: { field: 'calls', type: 'quantitative', scale: { type: 'log' }, title: 'calls' },
        y: { field: 'overhead', type: 'quantitative', scale: { type: 'log' }, title: 'overhead per call (ms)' },
        color: {
          field: 'series',
          type: 'nominal',
          title: 'strategy',
          ...seriesColors(new Set(values.map((v) => v.series)).size),
        },
      },
    },
  };
}

/** With faults: each strategy's outcomes over all its samples, stacked to 100 %, its success rate in the label. */
export function faultChart(results: ResultsDocument): Chart | undefined {
  const cells = okCells(results);
  const failed = (c: CellOk) => c.outcomes.error + c.outcomes.timeout + c.outcomes.cancelled;
  if (!cells.some((c) => failed(c) > 0)) return undefined;
  const totals = new Map<string, { ok: number; error: number; timeout: number; cancelled: number }>();
  for (const c of cells) {
    const name = seriesLabel(results, c);
    const t = totals.get(name) ?? { ok: 0, error: 0, timeout: 0, cancelled: 0 };
    for (const status of ['ok', 'error', 'timeout', 'cancelled'] as const) t[status] += c.outcomes[status];
    totals.set(name, t);
  }
  const values = [...totals].flatMap(([name, t]) => {
    const all = t.ok + t.error + t.timeout + t.cancelled;
    const series = `${name} · ${((100 * t.ok) / Math.max(1, all)).toFixed(1)}% ok`;
    return (['ok', 'error', 'timeout', 'cancelled'] as const).map((status) => ({ series, status, count: t[status] }));
  });
  return {
    name: 'faults',
    title: 'Outcomes per strategy',
    caption:
      'Every call of every sample by outcome (all call counts together). Retries and timeouts change the mix; the label gives the share that succeeded.',
    spec: stackedBars(
      values,
      { field: 'count', stack: 'normalize', title: 'share of calls', axis: { format: '%' } },
      { field: 'status', scale: statusScale(false), title: 'outcome' },
      { tooltip: [{ field: 'status' }, { field: 'count' }] },
    ),
  };
}

/** Two runs: each cell's speedup change as a bar, grey where the intervals overlap (the change may be noise). */
export function comparisonChart(a: ResultsDocument, b: ResultsDocument): Chart | undefined {
  const values = cellChanges(a, b)
    .filter((c) => Number.isFinite(c.change))
    .map((c) => ({
      cell: c.id,
      change: c.change,
      verdict: c.overlap ? 'intervals overlap' : c.change < 0 ? 'slower' : 'faster',
    }));
  if (values.length === 0) return undefined;
  const spec: ChartSpec = {
    width: 560,
    height: { step: 18 },
    data: { values },
    mark: 'bar',
    encoding: {
      y: { field: 'cell', type: 'nominal', title: null, sort: null, axis: { labelLimit: 360 } },
      x: { field: 'change', type: 'quantitative', title: 'speedup change, B vs A', axis: { format: '+%' } },
      color: {
        field: 'verdict',
        type: 'nominal',
        title: null,
        scale: { domain: ['slower', 'faster', 'intervals overlap'], range: ['#e45756', '#54a24b', '#bab0ac'] },
      },
    },
  };
  return {
    name: 'comparison',
    title: 'Change per cell: A → B',
    caption:
      'B’s speedup ÷ A’s − 1 for every cell measured in both. Grey: the two 95% intervals overlap, so the change may be noise; red and green do not overlap.',
    spec,
  };
}

/** One run's charts, in page order; those it has no data for are left out. */
export function runCharts(results: ResultsDocument): Chart[] {
  return [speedupChart, efficiencyChart, timelineChart, turnsChart, overheadChart, faultChart]
    .map((chart) => chart(results))
    .filter((c): c is Chart => c !== undefined);
}
