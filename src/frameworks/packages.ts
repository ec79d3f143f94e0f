import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** An npm package name as installed: `openai`, `@mastra/core`, or an alias such as `openai-6-44`. */
export const PACKAGE_NAME = /^(?:@[a-z0-9][a-z0-9._-]*\/)?[a-z0-9][a-z0-9._-]*$/;

/**
 * Directories Node searches for a bare import from this module: exactly where the adapters' `import()` will look,
 * so a package found here is one that loads (fanout-bench and the frameworks belong in the same project).
 */
function searchRoots(): string[] {
  const roots: string[] = [];
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    roots.push(dir);
    if (dirname(dir) === dir) return roots;
  }
}

/** The directory a package is installed in, as Node would find it from here; undefined when it is not installed. */
export function installedDir(name: string): string | undefined {
  for (const root of searchRoots()) {
    const dir = join(root, 'node_modules', name);
    if (existsSync(join(dir, 'package.json'))) return dir;
  }
  return undefined;
}

/** A field of an installed package's own package.json (which need not be exported); undefined if absent. */
function manifestField(name: string, field: 'name' | 'version'): string | undefined {
  const dir = installedDir(name);
  if (!dir) return undefined;
  try {
    const value = (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Record<string, unknown>)[field];
    return typeof value === 'string' ? value : undefined;
  } catch {
    return undefined;
  }
}

/** The version of an installed package. */
export function installedVersion(name: string): string | undefined {
  return manifestField(name, 'version');
}

/** The real package behind an installed name (`openai` for the alias `openai-6-44`). */
export function installedPackageName(name: string): string | undefined {
  return manifestField(name, 'name');
}
