import { formatMode } from '../agent/types.ts';
import { FANOUT_FAMILY, scenarioLabel } from '../model/scenario-names.ts';
import { type CellOk, type CellResult, type ResultsDocument, runModes, seriesKey } from '../results/document.ts';
import { type Estimate, halfWidth, mean } from '../stats/summary.ts';

/** A table as rows of strings, rendered by each exporter in its own format. */
export interface TableModel {
  title: string;
  head: string[];
  rows: string[][];
  /**
   * Long text per row (a cell's notes, a verdict's reason; '' for none): the full form shows it in a column
   * `head`, or after the cell of column `after` (`REGRESSION: …`); a narrow terminal lists it below the table,
   * each note after its row's name.
   */
  notes?: { texts: string[]; names: string[]; head?: string; after?: number };
  /** A narrow terminal's form of the rows and title, where it differs (the ideal on a line of its own). */
  narrow?: { title: string; rows: string[][] };
}

/** The full form of a table (Markdown, `--wide`): its notes in their column. */
export function fullForm(model: TableModel): { head: string[]; rows: string[][] } {
  const notes = model.notes;
  if (!notes) return { head: model.head, rows: model.rows };
  const { after, head = 'notes', texts } = notes;
  if (after === undefined) {
    return { head: [...model.head, head], rows: model.rows.map((row, i) => [...row, texts[i] ?? '']) };
  }
  return {
    head: model.head,
    rows: model.rows.map((row, i) =>
      row.map((cell, column) => (column === after && texts[i] ? `${cell}: ${texts[i]}` : cell)),
    ),
  };
}

/** `3.98x ±0.01`; "—" when there is none (no sequential reference, `--no-reference`). */
export function formatSpeedup(estimate: Estimate | undefined): string {
  if (!estimate || !Number.isFinite(estimate.value)) return '—';
  const hw = halfWidth(estimate);
  return `${estimate.value.toFixed(2)}x ±${hw < 0.005 ? '0.00' : hw.toFixed(2)}`;
}

/** `0.998`, or `0.998 ±0.002` with its interval; "—" when there is none (no ideal declared). */
export function formatRatio(estimate: Estimate | undefined, withInterval = false): string {
  if (!estimate || !Number.isFinite(estimate.value)) return '—';
  return withInterval ? `${estimate.value.toFixed(3)} ±${halfWidth(estimate).toFixed(3)}` : estimate.value.toFixed(3);
}

export function formatMs(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return '—';
  return ms >= 100 ? ms.toFixed(0) : ms.toFixed(1);
}

/** The sequential cell a cell's speedup is measured against: same kind, call count and mode. */
export function reference(cells: readonly CellResult[], cell: CellResult): CellOk | undefined {
  return cells.find(
    (c): c is CellOk =>
      c.status === 'ok' &&
      c.strategy === 'sequential' &&
      c.kind === cell.kind &&
      c.calls === cell.calls &&
      c.api === cell.api &&
      c.dispatch === cell.dispatch,
  );
}

/** Speedup that the ideal schedule allows: sequential's ideal ÷ this cell's ideal. */
export function idealSpeedup(cells: readonly CellResult[], cell: CellOk): number {
  const seq = reference(cells, cell);
  return seq?.idealMs !== undefined && cell.idealMs !== undefined ? seq.idealMs / cell.idealMs : Number.NaN;
}

/** The executor as tables show it: a framework cell with the version it measured (`openai-runtools 6.44.0`). */
export function executorLabel(cell: CellResult): string {
  return cell.framework ? `${cell.executor} ${cell.framework.version}` : cell.executor;
}

/** `1 call`, `16 calls`. */
export const callsLabel = (n: number): string => `${n} ${n === 1 ? 'call' : 'calls'}`;

/** What one sample is: a whole agent run, or one batch of calls. */
const sampleUnit = (results: ResultsDocument): string => (results.config.agent ? 'run' : 'batch');

/** The scenario an agent run plays, as tables name it (a path by its file name; `fanout-N` for the family). */
function scenarioOf(results: ResultsDocument): string | undefined {
  const scenario = results.config.agent?.scenario;
  if (scenario === undefined) return undefined;
  return scenario === FANOUT_FAMILY ? 'fanout-N' : scenarioLabel(scenario);
}

/** ` per run of weather-stock-news` in agent mode, '' for batches. */
export function perRun(results: ResultsDocument): string {
  const scenario = scenarioOf(results);
  return scenario === undefined ? '' : ` per run of ${scenario}`;
}

/** An agent run over several modes (`--api all`): its tables name each row's mode. */
const severalModes = (results: ResultsDocument): boolean =>
  results.config.agent !== undefined && runModes(results.config.agent).length > 1;

/** A row's name: the executor, and in a run over several modes the mode (`promise-all @messages-stream+early`). */
export function rowLabel(results: ResultsDocument, cell: CellResult): string {
  const mode =
    severalModes(results) && cell.api && cell.dispatch ? { api: cell.api, dispatch: cell.dispatch } : undefined;
  return mode && !cell.framework ? `${executorLabel(cell)} @${formatMode(mode)}` : executorLabel(cell);
}

/** A series' name in charts, where every kind's rows stand together: its row label, with the kind if several. */
export function seriesLabel(results: ResultsDocument, cell: CellResult): string {
  const kinds = new Set(results.cells.map((c) => c.kind)).size;
  return `${kinds > 1 ? `${cell.kind} ` : ''}${rowLabel(results, cell)}`;
}

/** Cells grouped by the series a row follows over call counts, in the order they were measured. */
export function bySeries<T extends CellResult>(cells: readonly T[]): T[][] {
  const series = new Map<string, T[]>();
  for (const cell of cells) series.set(seriesKey(cell), [...(series.get(seriesKey(cell)) ?? []), cell]);
  return [...series.values()];
}

/** `0.31 ms` or `12 µs`, for overheads per call. */
export function formatSmallMs(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return '—';
  return Math.abs(ms) >= 1 ? `${ms.toFixed(2)} ms` : `${(ms * 1000).toFixed(0)} µs`;
}

/** A cell's speedup and its ideal, and the share of its calls that succeeded where some failed. */
function speedupParts(results: ResultsDocument, cell: CellResult): { measured: string; ideal: string } {
  if (cell.status === 'error') return { measured: 'error', ideal: '' };
  const total = cell.outcomes.ok + cell.outcomes.error + cell.outcomes.timeout + cell.outcomes.cancelled;
  // failed calls end early and can push a speedup past its ideal: flag such cells
  const failures = cell.outcomes.ok < total ? ` *${((100 * cell.outcomes.ok) / total).toFixed(0)}% ok` : '';
  const ideal = idealSpeedup(results.cells, cell);
  return {
    measured: `${formatSpeedup(cell.speedup)}${failures}`,
    ideal: Number.isFinite(ideal) ? `${ideal.toFixed(2)}x` : '—',
  };
}

/** The series of a table's rows, and the call counts of its columns. */
function seriesAndCalls<T extends CellResult>(cells: readonly T[]): { series: T[][]; calls: number[] } {
  return { series: bySeries(cells), calls: [...new Set(cells.map((c) => c.calls))].sort((a, b) => a - b) };
}

/**
 * Rows: kind and executor; columns: call counts; each entry `speedup ±CI (ideal Nx)`, on a narrow terminal the
 * ideal on a line of its own. None for a `--no-reference` run, which has no speedups.
 */
export function speedupMatrix(results: ResultsDocument): TableModel | undefined {
  if (results.config.reference === false) return undefined;
  const { series, calls } = seriesAndCalls(results.cells);
  const rows = (entry: (parts: { measured: string; ideal: string }) => string) =>
    series.map((own) => [
      (own[0] as CellResult).kind,
      rowLabel(results, own[0] as CellResult),
      ...calls.map((n) => {
        const cell = own.find((c) => c.calls === n);
        if (!cell) return '';
        return cell.status === 'error' ? 'error' : entry(speedupParts(results, cell));
      }),
    ]);
  const what = `Speedup vs sequential${perRun(results)} (95% CI)`;
  const failed = '; *share of calls that succeeded where some failed';
  const someFailed = results.cells.some((c) => c.status === 'ok' && speedupParts(results, c).measured.includes('*'));
  return {
    title: `${what}, ideal in brackets${someFailed ? failed : ''}`,
    head: ['kind', 'executor', ...calls.map((n) => `${n} calls`)],
    rows: rows((p) => `${p.measured} (ideal ${p.ideal})`),
    narrow: {
      title: `${what}, the ideal below in brackets${someFailed ? failed : ''}`,
      rows: rows((p) => `${p.measured}\n(${p.ideal})`),
    },
  };
}

/** For the chart under the speedup table: each series' speedup at the largest call count, and its ideal. */
export function speedupAtLargest(
  results: ResultsDocument,
): { calls: number; bars: { label: string; speedup: number; ideal: number }[] } | undefined {
  if (results.config.reference === false) return undefined;
  const { series, calls } = seriesAndCalls(results.cells);
  const largest = calls.at(-1);
  if (largest === undefined) return undefined;
  const bars = series.flatMap((own) => {
    const cell = own.find((c): c is CellOk => c.calls === largest && c.status === 'ok');
    if (!cell || cell.strategy === 'sequential' || !cell.speedup || !Number.isFinite(cell.speedup.value)) return [];
    return [
      { label: seriesLabel(results, cell), speedup: cell.speedup.value, ideal: idealSpeedup(results.cells, cell) },
    ];
  });
  return bars.length > 0 ? { calls: largest, bars } : undefined;
}

function notes(cell: CellOk, failures: number): string {
  const parts: string[] = [];
  if (cell.agent) {
    parts.push(
      `model ${formatMs(cell.agent.modelMs)} + tools ${formatMs(cell.agent.toolsMs)} ms, ${cell.agent.steps} steps`,
    );
    if (cell.agent.peakInFlight !== undefined) parts.push(`peak ${cell.agent.peakInFlight} in flight`);
    const dispatch = cell.agent.streamDispatch;
    if (dispatch) {
      const end = dispatch.afterStreamEndMs;
      parts.push(
        `tools start ${formatSmallMs(dispatch.afterReadyMs)} after their call is complete in the stream, ${formatSmallMs(Math.abs(end))} ${end < 0 ? 'before' : 'after'} it ends`,
      );
    }
  }
  // agent runs, and batches whose ideal is 0 (`--latency 0`: what is left is the strategy's own cost)
  if (cell.overheadPerCallMs && (cell.agent || cell.idealMs === 0)) {
    parts.push(`overhead ${formatSmallMs(cell.overheadPerCallMs.value)}/call`);
  }
  if (failures > 0) parts.push(`${failures} of ${failures + cell.outcomes.ok} calls failed`);
  if (cell.lingeringCalls) parts.push(`${cell.lingeringCalls} still running after the ${cell.agent ? 'run' : 'batch'}`);
  if (cell.eventLoopDelayMs && cell.eventLoopDelayMs.max >= 20) {
    parts.push(`event loop blocked up to ${formatMs(cell.eventLoopDelayMs.max)} ms`);
  }
  if (cell.poolStartupMs !== undefined) parts.push(`pool start ${formatMs(cell.poolStartupMs)} ms`);
  if (cell.workerReplacements) {
    parts.push(
      `${cell.workerReplacements.count} workers replaced, ${formatMs(cell.workerReplacements.meanMs)} ms each`,
    );
  }
  if (cell.recovery) {
    const time =
      cell.recovery.meanMs === undefined
        ? ''
        : `, ${formatMs(cell.recovery.meanMs)} ms mean, ${formatMs(cell.recovery.maxMs)} ms max`;
    parts.push(`${cell.recovery.calls} calls recovered${time}`);
  }
  return parts.join('; ');
}

/** Where queue(k) ran: Redis (password redacted) and its workers. */
function queueNote(queue: ResultsDocument['config']['queue']): string {
  if (!queue) return '';
  const workers =
    queue.workers === 'external'
      ? 'external workers'
      : `${queue.workers} worker process${queue.workers === 1 ? '' : 'es'}`;
  return `; queue(k) on ${queue.redis}, ${workers}`;
}

/** One row per cell: latency statistics, ideal, efficiency and outcome counts; its notes apart. */
export function latencyTable(results: ResultsDocument): TableModel {
  const calls = new Set(results.cells.map((c) => c.calls));
  const kinds = new Set(results.cells.map((c) => c.kind)).size;
  const rows = results.cells.map((cell) => {
    if (cell.status === 'error')
      return [cell.kind, String(cell.calls), rowLabel(results, cell), `error: ${cell.error}`];
    const failures = cell.outcomes.error + cell.outcomes.timeout + cell.outcomes.cancelled;
    return [
      cell.kind,
      String(cell.calls),
      rowLabel(results, cell),
      formatMs(cell.stats.mean),
      formatMs(cell.stats.p50),
      formatMs(cell.stats.p99),
      formatMs(cell.idealMs),
      formatRatio(cell.efficiency, true),
      `${((100 * cell.outcomes.ok) / Math.max(1, cell.outcomes.ok + failures)).toFixed(1)}%`,
      String(cell.stats.samples),
    ];
  });
  const head = ['kind', 'calls', 'executor', 'mean', 'p50', 'p99', 'ideal', 'efficiency', 'success', 'samples'];
  return {
    title: `Latency per ${sampleUnit(results)}${scenarioOf(results) ? ` of ${scenarioOf(results)}` : ''} (ms)${queueNote(results.config.queue)}`,
    head,
    rows: rows.map((row) => [...row, ...new Array<string>(head.length - row.length).fill('')]),
    notes: {
      head: 'notes',
      texts: results.cells.map((cell) =>
        cell.status === 'ok' ? notes(cell, cell.outcomes.error + cell.outcomes.timeout + cell.outcomes.cancelled) : '',
      ),
      // a note below the table names its row by what tells it apart
      names: results.cells.map((cell) =>
        [
          ...(kinds > 1 ? [cell.kind] : []),
          rowLabel(results, cell),
          ...(calls.size > 1 ? [`at ${callsLabel(cell.calls)}`] : []),
        ].join(' '),
      ),
    },
  };
}

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

/** With a recorded profile: per tool, the file's samples beside the latencies this run drew from them. */
export function recordedTable(results: ResultsDocument): TableModel | undefined {
  const recorded = results.config.recorded;
  if (!recorded) return undefined;
  const drawn = results.setup.recordedDraws ?? {};
  const tools = [...new Set([...Object.keys(recorded.tools), ...Object.keys(drawn)])];
  return {
    title: `Recorded latencies (${recorded.file}, ${recorded.format}): the file's samples and what this run drew (ms)`,
    head: ['tool', 'file samples', 'file p50', 'file p99', 'drawn', 'drawn p50', 'drawn p99'],
    rows: tools.map((tool) => {
      const file = Object.hasOwn(recorded.tools, tool) ? recorded.tools[tool] : undefined;
      const run = Object.hasOwn(drawn, tool) ? drawn[tool] : undefined;
      return [
        tool,
        file ? String(file.count) : 'none (nominal)',
        formatMs(file?.p50),
        formatMs(file?.p99),
        run ? String(run.count) : '0',
        formatMs(run?.p50),
        formatMs(run?.p99),
      ];
    }),
  };
}

/** Every table of a results document, in report order (the terminal and Markdown exporters both show these). */
export function reportTables(results: ResultsDocument): TableModel[] {
  return [
    speedupMatrix(results),
    latencyTable(results),
    apiTable(results),
    growthTable(results),
    recordedTable(results),
  ].filter((t): t is TableModel => t !== undefined);
}
