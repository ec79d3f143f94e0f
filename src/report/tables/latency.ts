/** The latency table: one row per cell, and each cell's notes. */
import type { CellOk, ResultsDocument } from '../../results/document.ts';
import { rowLabel, sampleUnit, scenarioOf } from '../cells.ts';
import { callsLabel, formatMs, formatRatio, formatSmallMs } from '../format.ts';
import type { TableModel } from '../model.ts';

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
