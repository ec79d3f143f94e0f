import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { type ResultsDocument, SCHEMA_VERSION } from './document.ts';

/** A results file that cannot be used, with a message that names the fix. */
export class ResultsFileError extends Error {
  override name = 'ResultsFileError';
}

/** Writes through a temp file and a rename, so a reader never sees half a file, even after a crash. */
export function writeFileAtomic(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const temp = `${path}.${process.pid}.tmp`;
  try {
    writeFileSync(temp, text);
    renameSync(temp, path);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
}

export function serializeResults(document: ResultsDocument): string {
  return `${JSON.stringify(document, null, 2)}\n`;
}

export function readResults(path: string): ResultsDocument {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new ResultsFileError(
      `Cannot read results file \`${path}\`; run \`fanout-bench bench\` first or check the path`,
    );
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new ResultsFileError(`\`${path}\` is not valid JSON (${(error as Error).message})`);
  }
  const document = data as Partial<ResultsDocument>;
  if (document.schemaVersion !== SCHEMA_VERSION) {
    throw new ResultsFileError(
      `\`${path}\` has schema version ${String(document.schemaVersion)}, this fanout-bench reads ${SCHEMA_VERSION}; re-run the bench to regenerate it`,
    );
  }
  if (!Array.isArray(document.cells) || typeof document.config !== 'object') {
    throw new ResultsFileError(`\`${path}\` is missing \`cells\` or \`config\`; it is not a fanout-bench results file`);
  }
  return document as ResultsDocument;
}
