import { configDifferences } from '../gate/decide.ts';
import { compareTable } from '../report/compare.ts';
import { renderTable } from '../report/table.ts';
import { readResults, requireComparable } from '../results/store.ts';
import { EXIT } from './errors.ts';
import { tableOptions } from './outputs.ts';

export async function compareCommand(fileA: string, fileB: string, flags: { wide?: boolean } = {}): Promise<number> {
  const a = requireComparable(readResults(fileA), fileA, 'A');
  const b = requireComparable(readResults(fileB), fileB, 'B');
  const differences = configDifferences(a.config, b.config);
  if (differences.length > 0) {
    process.stderr.write(
      `Note: configurations differ (${differences.join(', ')}); only cells with the same id line up\n`,
    );
  }
  process.stdout.write(`${renderTable(compareTable(a, b), tableOptions(flags))}\nA: ${fileA}\nB: ${fileB}\n`);
  return EXIT.ok;
}
