import type { ResultsDocument } from '../results/document.ts';
import { reportTables, type TableModel } from './model.ts';

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
    ...reportTables(results).flatMap((table) => [`## ${table.title}`, '', markdownTable(table), '']),
  ].join('\n');
}
