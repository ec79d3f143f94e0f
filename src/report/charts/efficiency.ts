/** The efficiency heat map (ideal ÷ measured per cell), each cell's figure in the ink that stands out on its shade. */
import type { CellOk, ResultsDocument } from '../../results/document.ts';
import { halfWidth } from '../../stats/summary.ts';
import { seriesLabel } from '../cells.ts';
import { type Chart, callsTitle, okCells } from './shared.ts';

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
