/**
 * The report's charts as Vega-Lite specifications, one module per chart, each from a results document alone
 * (pure: no rendering here, see `../svg.ts`). A chart the run has no data for is `undefined` and left out.
 */
import type { ResultsDocument } from '../../results/document.ts';
import { efficiencyChart } from './efficiency.ts';
import { faultChart } from './faults.ts';
import type { Chart } from './shared.ts';
import { speedupChart } from './speedup.ts';
import { overheadChart, turnsChart } from './time-split.ts';
import { timelineChart } from './timeline.ts';

export { comparisonChart } from './comparison.ts';
export type { Chart, ChartSpec } from './shared.ts';

/** One run's charts, in page order; those it has no data for are left out. */
export function runCharts(results: ResultsDocument): Chart[] {
  return [speedupChart, efficiencyChart, timelineChart, turnsChart, overheadChart, faultChart]
    .map((chart) => chart(results))
    .filter((c): c is Chart => c !== undefined);
}
