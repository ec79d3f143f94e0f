/** Two runs' chart: each cell's speedup change. */
import type { ResultsDocument } from '../../results/document.ts';
import { cellChanges } from '../compare.ts';
import type { Chart, ChartSpec } from './shared.ts';

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
