/** The fault mix: each strategy's outcomes stacked to 100 %. */
import type { CellOk, ResultsDocument } from '../../results/document.ts';
import { seriesLabel } from '../cells.ts';
import { type Chart, okCells, stackedBars, statusScale } from './shared.ts';

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
