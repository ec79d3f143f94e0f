import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Every temporary file of a test run (the tests' own, and those of the CLIs and servers they start) goes under one
 * directory, removed when the run ends: a run leaves nothing behind in the system's temp directory.
 */
export default function setup(): () => void {
  const dir = mkdtempSync(join(tmpdir(), 'fanout-tests-'));
  process.env.TMPDIR = dir;
  return () => rmSync(dir, { recursive: true, force: true });
}
