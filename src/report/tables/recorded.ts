/** The recorded-profile table: each tool's samples in the file beside what the run drew. */
import type { ResultsDocument } from '../../results/document.ts';
import { formatMs } from '../format.ts';
import type { TableModel } from '../model.ts';

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
