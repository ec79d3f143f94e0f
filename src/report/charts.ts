/**
 * The report's charts as Vega-Lite specifications, one function per chart, each from a results document alone
 * (pure: no rendering here, see `svg.ts`). A chart the run has no data for is `undefined` and left out.
 */
import { type CellOk, type ResultsDocument, seriesKey } from '../results/document.ts';
import { halfWidth } from '../stats/summary.ts';
import { cellChanges } from './compare.ts';
import { bySeries, idealSpeedup, seriesLabel } from './model.ts';

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

/** Call counts spanning 4× or more read better on a log axis. */
function callsAxis(cells: readonly CellOk[]): Record<string, unknown> {
  const calls = cells.map((c) => c.calls).filter((n) => n > 0);
  const spread = Math.max(...calls) / Math.min(...calls);
  return {
    field: 'calls',
    type: 'quantitative',
    title: 'calls per batch',
    ...(spread >= 4 ? { scale: { type: 'log', base: 2 } } : { scale: { zero: false } }),
    axis: { values: [...new Set(calls)].sort((a, b) => a - b), format: 'd' },
  };
}

/** Over ten series the default palette repeats: twenty colours. */
const seriesColors = (count: number) => (count > 10 ? { scale: { scheme: 'tableau20' } } : {});

/**
 * Speedup against call count, one line per strategy, its ideal dashed, its 95% interval as a band; with one call
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
  // the legend shows each strategy's line, not its faint band
  const color = {
    field: 'series',
    type: 'nominal',
    title: 'strategy',
    legend: { symbolOpacity: 1, symbolType: 'stroke' },
    ...seriesColors(series.length),
  };
  const y = (field: string) => ({ field, type: 'quantitative', title: 'speedup (×)' });
  return {
    name: 'speedup',
    title,
    caption:
      'Solid: measured speedup (sequential ÷ strategy, paired by round), band: its 95% interval; dashed: the ideal schedule’s speedup. A line under its dashed twin is time the strategy loses.',
    spec: {
      width: WIDTH,
      height: 300,
      data: { values },
      encoding: { x: callsAxis(cells), color },
      layer: [
        { mark: { type: 'area', opacity: 0.18 }, encoding: { y: y('low'), y2: { field: 'high' } } },
        { mark: { type: 'line', point: true }, encoding: { y: y('speedup') } },
        {
          transform: [{ filter: 'isValid(datum.ideal)' }],
          mark: { type: 'line', strokeDash: [5, 4], opacity: 0.8 },
          encoding: { y: y('ideal') },
        },
      ],
    },
  };
}

/** Efficiency (ideal ÷ measured) as a heat map over call counts and strategies (each limit its own row). */
export function efficiencyChart(results: ResultsDocument): Chart | undefined {
  const cells = okCells(results).filter((c) => c.efficiency && Number.isFinite(c.efficiency.value));
  if (cells.length === 0) return undefined;
  const values = cells.map((c) => ({
    series: seriesLabel(results, c),
    calls: c.calls,
    efficiency: (c.efficiency as NonNullable<CellOk['efficiency']>).value,
    interval: `±${halfWidth(c.efficiency as NonNullable<CellOk['efficiency']>).toFixed(3)}`,
  }));
  const series = [...new Set(values.map((v) => v.series))];
  const y = { field: 'series', type: 'nominal', title: null, sort: series, axis: { grid: false, labelLimit: 320 } };
  const x = {
    field: 'calls',
    type: 'ordinal',
    title: 'calls per batch',
    sort: 'ascending',
    axis: { labelAngle: 0, grid: false },
  };
  return {
    name: 'efficiency',
    title: 'Efficiency against the ideal schedule',
    caption:
      'Ideal ÷ measured per cell: 1.00 is the ideal schedule of the latencies the tools drew; lower is time lost to the strategy (start-up, queueing, a blocked event loop). Above 1 happens when calls overlap the model’s stream.',
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
              scale: { domain: [0.5, 1], clamp: true, scheme: 'redyellowgreen' },
              title: 'efficiency',
            },
            tooltip: [{ field: 'efficiency', format: '.3f' }, { field: 'interval' }],
          },
        },
        {
          mark: { type: 'text', fontSize: 11 },
          encoding: { text: { field: 'efficiency', type: 'quantitative', format: '.2f' } },
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
    const series = `${seriesLabel(results, cell)} · ${cell.calls} calls, round ${(cell.timeline?.round ?? 0) + 1}`;
    // one lane per span in order: a model turn, then its calls
    return (cell.timeline?.spans ?? []).map((span, lane) => ({
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
      'Each bar is one call, from when it started to when it ended, in the sample of median duration (agent runs: model turns in purple before their calls): sequential is a staircase, limited(k) runs in waves of k, chunked(k) in chunks. Failed calls red, timed out orange, cancelled grey.',
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
      resolve: { scale: { y: 'independent' } },
      spec: {
        width: WIDTH,
        height: { step: 7 },
        mark: { type: 'bar', height: { band: 0.8 } },
        encoding: {
          x: { field: 'start', type: 'quantitative', title: 'ms from the sample’s start' },
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
