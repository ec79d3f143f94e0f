import type { ResultsDocument } from '../results/document.ts';
import { answer } from './answer.ts';
import { fullForm, type TableModel } from './model.ts';
import { reportTables } from './tables/index.ts';

const escapeCell = (text: string) => text.replaceAll('|', '\\|');

/** A table in its full form (a file is not a terminal: no width to fit). */
export function markdownTable(model: TableModel): string {
  const { head, rows } = fullForm(model);
  const line = (cells: string[]) => `| ${cells.map(escapeCell).join(' | ')} |`;
  return [line(head), line(head.map(() => '---')), ...rows.map(line)].join('\n');
}

export function serialize(results: ResultsDocument): string {
  const env = results.environment;
  return [
    `# fanout-bench results (${results.config.suite})`,
    '',
    `${results.createdAt} · Node ${env.node} · ${env.cpuModel} × ${env.cores} · ${results.config.latencyMs} ms ${results.config.profile} tools · ${results.config.rounds} rounds · ${(results.wallTimeMs / 1000).toFixed(1)} s`,
    '',
    ...reportTables(results).flatMap((table) => [`## ${table.title}`, '', markdownTable(table), '']),
    ...answerSection(results),
  ].join('\n');
}

/** What the figures say (see `answer.ts`), as under the terminal's tables; nothing when they support no claim. */
function answerSection(results: ResultsDocument): string[] {
  const sentences = answer(results);
  return sentences.length === 0 ? [] : ['## What the figures say', '', ...sentences.map((s) => `- ${s}`), ''];
}
