import { join } from 'node:path';
import type { ResultsDocument } from './document.ts';
import { serializeResults, writeFileAtomic } from './store.ts';

/** `2026-11-21T22-39-29Z`: an ISO time that is safe in file names. */
export function fileStamp(iso: string): string {
  return iso.replace(/\.\d+Z$/, 'Z').replaceAll(':', '-');
}

/**
 * Keeps `latest.json` and a timestamped copy of one run up to date; called after every group, each write atomic,
 * so a crash or Ctrl-C leaves the finished cells in a valid file.
 */
export class ResultsWriter {
  readonly latestPath: string;
  readonly runPath: string;

  constructor(outDir: string, createdAt: string, prefix = 'run') {
    this.latestPath = join(outDir, prefix === 'run' ? 'latest.json' : `${prefix}-latest.json`);
    this.runPath = join(outDir, `${prefix}-${fileStamp(createdAt)}.json`);
  }

  write(document: ResultsDocument): void {
    const text = serializeResults(document);
    writeFileAtomic(this.runPath, text);
    writeFileAtomic(this.latestPath, text);
  }
}
