import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { resolve } from 'import-meta-resolve';

/** An npm package name as installed: `openai`, `@mastra/core`, or an alias such as `openai-6-44`. */
export const PACKAGE_NAME = /^(?:@[a-z0-9][a-z0-9._-]*\/)?[a-z0-9][a-z0-9._-]*$/;

/**
 * Where fanout-bench's own bare imports resolve from: its dependencies and its optional peers (bullmq, ioredis),
 * which a project installs beside it.
 */
export const OWN_MODULES = dirname(fileURLToPath(import.meta.url));

/** Directories Node searches for a bare import from a module in `from`: `from`, then each folder above it. */
function searchRoots(from: string): string[] {
  const roots: string[] = [];
  for (let dir = from; ; dir = dirname(dir)) {
    roots.push(dir);
    if (dirname(dir) === dir) return roots;
  }
}

/**
 * The directory a package is installed in, as Node would find it from a module in `from` (by default, fanout-bench's
 * own); undefined when it is not installed there.
 */
export function installedDir(name: string, from: string = OWN_MODULES): string | undefined {
  for (const root of searchRoots(from)) {
    const dir = join(root, 'node_modules', name);
    if (existsSync(join(dir, 'package.json'))) return dir;
  }
  return undefined;
}

/** A field of an installed package's own package.json (which need not be exported); undefined if absent. */
function manifestField(name: string, field: 'name' | 'version', from: string): string | undefined {
  const dir = installedDir(name, from);
  if (!dir) return undefined;
  try {
    const value = (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Record<string, unknown>)[field];
    return typeof value === 'string' ? value : undefined;
  } catch {
    return undefined;
  }
}

/** The version of an installed package, found from `from`. */
export function installedVersion(name: string, from: string = OWN_MODULES): string | undefined {
  return manifestField(name, 'version', from);
}

/** The real package behind an installed name (`openai` for the alias `openai-6-44`), found from `from`. */
export function installedPackageName(name: string, from: string = OWN_MODULES): string | undefined {
  return manifestField(name, 'name', from);
}

/**
 * Imports a module as a file in the directory `from` would (`import 'openai'` there): Node's ESM resolution with
 * its `import` conditions, from another place than this module. So a user's framework loads from the user's
 * project, never from the copy fanout-bench may carry nested in its own `node_modules`.
 */
// biome-ignore lint/suspicious/noExplicitAny: the module is typed by its own package, not ours
export function importFrom(specifier: string, from: string): Promise<any> {
  return import(resolve(specifier, pathToFileURL(join(from, 'package.json')).href));
}
