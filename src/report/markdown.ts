import type { ResultsDocument } from '../results/document.ts';
import { latencyTable, recordedTable, speedupMatrix, type TableModel } from './model.ts';

const escapeCell = (text: string) => text.replaceAll('|', '\\|');

export function markdownTable(model: TableModel): string {
  const line = (cells: string[]) => `| ${cells.map(escapeCell).join(' | ')} |`;
  return [line(model.head), line(model.head.map(() => '---')), ...model.rows.map(line)].join('\n');
}

export function serialize(results: ResultsDocument): string {
  const env = results.environment;
  return [
    `# fanout-bench results (${results.config.suite})`,
    '',
    `${results.createdAt} · Node ${env.node} · ${env.cpuModel} × ${env.cores} · ${results.config.latencyMs} ms ${results.config.profile} tools · ${results.config.rounds} rounds · ${(results.wallTimeMs / 1000).toFixed(1)} s`,
    '',
    `## ${speedupMatrix(results).title}`,
    '',
    markdownTable(speedupMatrix(results)),
    '',
    `## ${latencyTable(results).title}`,
    '',
    markdownTable(latencyTable(results)),
    '',
    ...recordedSection(results),
  ].join('\n');
}

function recordedSection(results: ResultsDocument): string[] {
  const table = recordedTable(results);
  return table ? [`## ${table.title}`, '', markdownTable(table), ''] : [];
}
