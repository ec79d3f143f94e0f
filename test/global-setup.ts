import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Builds `dist/` from the source, once per run. Every temporary file of a test run (the tests' own, and those of
 * the CLIs and servers they start) goes under one directory, removed when the run ends: a run leaves nothing behind
 * in the system's temp directory, and nothing new in the checkout's results/ (the teardown fails the run if it does).
 */
export default function setup(): () => void {
  // the CLI tests run the build of this very source, as an installed package runs (see `cli` in helpers.ts)
  const root = join(import.meta.dirname, '..');
  rmSync(join(root, 'dist'), { recursive: true, force: true });
  execFileSync(
    process.execPath,
    [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'],
    {
      cwd: root,
      stdio: 'inherit',
    },
  );
  const dir = mkdtempSync(join(tmpdir(), 'fanout-tests-'));
  process.env.TMPDIR = dir;
  // nor in the checkout: a test that writes results names a place under the run's directory (see `cli`)
  const results = join(root, 'results');
  // what git sees changed there (a new file, or the committed baseline overwritten); a listing without git
  const changed = (): string[] => {
    try {
      const status = execFileSync(
        'git',
        ['status', '--porcelain', '--untracked-files=all', '--ignored', '--', 'results'],
        {
          cwd: root,
          encoding: 'utf8',
        },
      );
      return status.split('\n').filter((line) => line.trim() !== '');
    } catch {
      return readdirSync(results);
    }
  };
  const before = new Set(changed());
  return () => {
    rmSync(dir, { recursive: true, force: true });
    const left = changed().filter((entry) => !before.has(entry));
    if (left.length > 0) throw new Error(`the test run changed results/: ${left.join(', ')}`);
  };
}
