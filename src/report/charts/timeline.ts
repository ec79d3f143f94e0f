/** The timeline: one sample per strategy as a Gantt chart of its calls (and model turns). */
import type { CellOk, ResultsDocument } from '../../results/document.ts';
import { bySeries, seriesLabel } from '../cells.ts';
import { formatMs } from '../format.ts';
import { type Chart, okCells, statusScale, WIDTH } from './shared.ts';

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
