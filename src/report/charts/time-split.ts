/** Where the time goes: agent runs' model, tools and loop per run; scale runs' overhead per call against N. */
import { type CellOk, type ResultsDocument, seriesKey } from '../../results/document.ts';
import { seriesLabel } from '../cells.ts';
import { type Chart, okCells, seriesColors, stackedBars, WIDTH } from './shared.ts';

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
