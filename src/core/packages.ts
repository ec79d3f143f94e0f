import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { resolve } from 'import-meta-resolve';
import { InputError } from './errors.ts';

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

/** A module loaded on first use; `loaded` holds it once the import has finished. */
export interface OnDemand<T> {
  (): Promise<T>;
  readonly loaded: T | undefined;
}

/** What an optional peer needs: the packages to look for and the one-line error naming the install command. */
export interface OptionalPeers {
  /** Packages that must be installed where fanout-bench is (its optional peer dependencies). */
  packages: readonly string[];
  /** What needs them, as the error's subject: `The queue strategy`. */
  neededBy: string;
  /** Builds the error (an {@link InputError} subclass of the caller's). @default InputError */
  error?: (message: string) => Error;
}

/**
 * Imports a module the first time it is asked for (most runs never need it, and importing costs start-up time).
 * With `peers`, a package missing where fanout-bench resolves its own modules is a one-line error naming the
 * `npm install` that fixes it, before anything is imported.
 */
export function onDemand<T>(load: () => Promise<T>, peers?: OptionalPeers): OnDemand<T> {
  let promise: Promise<T> | undefined;
  let value: T | undefined;
  const get = (() => {
    const missing = peers?.packages.filter((name) => !installedDir(name)) ?? [];
    if (peers && missing.length > 0) {
      const message = `${peers.neededBy} needs ${missing.join(' and ')}, not installed where fanout-bench is; install ${missing.length > 1 ? 'them' : 'it'} with \`npm install --save-dev ${missing.join(' ')}\``;
      return Promise.reject(peers.error ? peers.error(message) : new InputError(message));
    }
    promise ??= load().then((loaded) => {
      value = loaded;
      return loaded;
    });
    return promise;
  }) as OnDemand<T>;
  Object.defineProperty(get, 'loaded', { get: () => value });
  return get;
}
