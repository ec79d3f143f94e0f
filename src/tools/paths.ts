import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative } from 'node:path';
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

/** A path as messages show it: inside the package relative to its root (`fixtures/plans/x.json`), else as is. */
export function packagePath(path: string): string {
  const inside = relative(packageRoot, path);
  return inside.startsWith('..') || isAbsolute(inside) ? path : inside.split('\\').join('/');
}

/** Names (without `.json`) of the JSON files in a folder of fixtures, sorted; none when it does not exist. */
export function jsonNames(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((file) => file.endsWith('.json'))
    .map((file) => file.slice(0, -'.json'.length))
    .sort();
}
