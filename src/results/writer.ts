import { closeSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import type { ResultsDocument } from './document.ts';
import { serializeResults, writeFileAtomic } from './store.ts';

/** `2026-11-21T22-39-29.123Z`: an ISO time, to the millisecond, that is safe in file names. */
export function fileStamp(iso: string): string {
  return iso.replaceAll(':', '-');
}

/**
 * Creates `prefix-STAMP.json` in `dir` exclusively (`wx`), adding `-2`, `-3`, … when another run took the name, so
 * two runs started in the same millisecond never share a copy. Returns the path it reserved.
 */
function reserve(dir: string, prefix: string, stamp: string): string {
  mkdirSync(dir, { recursive: true });
  for (let n = 1; ; n++) {
    const path = join(dir, `${prefix}-${stamp}${n === 1 ? '' : `-${n}`}.json`);
    try {
      closeSync(openSync(path, 'wx'));
      return path;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
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
    this.runPath = reserve(outDir, prefix, fileStamp(createdAt));
  }

  write(document: ResultsDocument): void {
    const text = serializeResults(document);
    writeFileAtomic(this.runPath, text);
    writeFileAtomic(this.latestPath, text);
  }
}
