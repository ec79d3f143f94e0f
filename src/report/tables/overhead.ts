/** What executors cost beyond the ideal: per call as the calls grow, and per turn in each API mode. */
import { formatMode } from '../../agent/types.ts';
import type { CellOk, ResultsDocument } from '../../results/document.ts';
import { mean } from '../../stats/summary.ts';
import { bySeries, rowLabel, severalModes } from '../cells.ts';
import { formatMs, formatSmallMs } from '../format.ts';
import type { TableModel } from '../model.ts';

/**
 * Scale runs: each executor's (and framework's) overhead per call at each call count, and how it grows (overhead ∝
 * calls^b; b > 1.2 is superlinear: the cost of each call rises with the calls beside it). Shown when a growth was
 * fitted (call counts spanning 10× or more), and for agent runs over several counts (with the peak in flight).
 */
export function growthTable(results: ResultsDocument): TableModel | undefined {
  const cells = results.cells.filter((c): c is CellOk => c.status === 'ok' && c.overheadPerCallMs !== undefined);
  const calls = [...new Set(cells.map((c) => c.calls))].sort((a, b) => a - b);
  const agent = results.config.agent !== undefined;
  if (calls.length < 2 || !(agent || cells.some((c) => c.growth))) return undefined;
  const rows = bySeries(cells).map((own) => {
    const first = own[0] as CellOk;
    const growth = own.find((c) => c.growth)?.growth;
    const peaks = calls.map((n) => {
      const peak = own.find((c) => c.calls === n)?.agent?.peakInFlight;
      return peak === undefined ? '—' : String(peak);
    });
    return [
      ...(agent ? [] : [first.kind]),
      rowLabel(results, first),
      ...calls.map((n) => formatSmallMs(own.find((c) => c.calls === n)?.overheadPerCallMs?.value)),
      ...(agent ? peaks : []),
      growth ? `${growth.exponent.toFixed(2)}${growth.superlinear ? ' SUPERLINEAR' : ''}` : '—',
    ];
  });
  return {
    title: agent
      ? 'Overhead per call (run − ideal) ÷ calls, peak calls in flight, and growth b of overhead ∝ calls^b'
      : 'Overhead per call (batch − ideal) ÷ calls, and growth b of overhead ∝ calls^b',
    head: [
      ...(agent ? [] : ['kind']),
      'executor',
      ...calls.map((n) => `${n} calls`),
      ...(agent ? calls.map((n) => `peak @${n}`) : []),
      'b',
    ],
    rows,
  };
}

/**
 * An agent run over several modes: per mode (rows) the model's time per turn as the mock's server side saw it, and
 * per executor of our loop its own cost per turn, (run − ideal) ÷ turns: the SDK, the API's parsing and the
 * executor, where the model and the tools themselves are taken out. Frameworks are left out (they have one mode).
 */
export function apiTable(results: ResultsDocument): TableModel | undefined {
  if (!severalModes(results)) return undefined;
  const cells = results.cells.filter((c): c is CellOk => c.status === 'ok' && c.agent !== undefined && !c.framework);
  const executors = [...new Set(cells.map((c) => c.executor))];
  const groups = new Map<string, CellOk[]>();
  for (const cell of cells) {
    if (!cell.api || !cell.dispatch) continue;
    const key = `${formatMode({ api: cell.api, dispatch: cell.dispatch })}\n${cell.agent?.scenario}`;
    groups.set(key, [...(groups.get(key) ?? []), cell]);
  }
  const scenarios = new Set(cells.map((c) => c.agent?.scenario));
  const perTurn = (ms: number | undefined, cell: CellOk) =>
    ms === undefined || !cell.agent?.steps ? Number.NaN : ms / cell.agent.steps;
  const rows = [...groups].map(([key, group]) => {
    const [mode, scenario] = key.split('\n') as [string, string];
    return [
      mode,
      ...(scenarios.size > 1 ? [scenario] : []),
      formatMs(mean(group.map((c) => perTurn(c.agent?.modelMs, c)))),
      ...executors.map((executor) => {
        const cell = group.find((c) => c.executor === executor);
        return cell ? formatSmallMs(perTurn(cell.overheadMs?.value, cell)) : '—';
      }),
    ];
  });
  return {
    title: "Per API mode: model time per turn (server side), and our loop's own cost per turn (run − ideal) ÷ turns",
    head: ['mode', ...(scenarios.size > 1 ? ['scenario'] : []), 'model ms/turn', ...executors],
    rows,
  };
}
