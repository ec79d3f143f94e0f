import { configDifferences, environmentWarnings } from '../gate/decide.ts';
import { compareTable } from '../report/compare.ts';
import { renderTable } from '../report/table.ts';
import type { ResultsDocument } from '../results/document.ts';
import { readResults, requireComparable, requireSameIdeals } from '../results/store.ts';
import { EXIT } from './errors.ts';
import { tableOptions } from './outputs.ts';

export async function compareCommand(fileA: string, fileB: string, flags: { wide?: boolean } = {}): Promise<number> {
  const a = requireComparable(readResults(fileA), fileA, 'A');
  const b = requireComparable(readResults(fileB), fileB, 'B');
  requireSameIdeals(a, fileA, { document: b, path: fileB });
  noteDifferences(a, b);
  process.stdout.write(`${renderTable(compareTable(a, b), tableOptions(flags))}\nA: ${fileA}\nB: ${fileB}\n`);
  return EXIT.ok;
}

/**
 * Notes on stderr (never a failure) where two runs differ: configuration fields (only cells with the same id line
 * up) and where they were taken (Node line, cores, CPU). Returns the configuration fields that differ.
 */
export function noteDifferences(a: ResultsDocument, b: ResultsDocument): string[] {
  const differences = configDifferences(a.config, b.config);
  if (differences.length > 0)
    process.stderr.write(
      `Note: configurations differ (${differences.join(', ')}); only cells with the same id line up\n`,
    );
  for (const warning of environmentWarnings(a.environment, b.environment, ['A', 'B']))
    process.stderr.write(`Note: ${warning}; ratios may not be comparable\n`);
  return differences;
}
