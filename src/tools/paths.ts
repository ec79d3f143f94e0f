import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function findPackageRoot(start: string): string {
  let dir = start;
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      const parsed = JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string };
      if (parsed.name === 'fanout-bench') return dir;
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error('fanout-bench: cannot find the package root (package.json)');
    dir = parent;
  }
}

/** The package root, found from this file's location so it works from source, from `dist/` and in workers. */
export const packageRoot = findPackageRoot(dirname(fileURLToPath(import.meta.url)));
export const fixturesDir = join(packageRoot, 'fixtures');
