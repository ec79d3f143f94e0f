import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import semver from 'semver';

/** Where releases installed on demand live, inside the user's project (the `node_modules/.cache` convention). */
export const RELEASE_CACHE = join('node_modules', '.cache', 'fanout-bench', 'frameworks');
/** The record a finished install leaves beside its `node_modules`: what was installed, with its integrity. */
const RECORD = 'fanout-bench-release.json';

/** A release that cannot be had (no such version, registry out of reach): one line, exit 2. */
export class ReleaseError extends Error {
  override name = 'ReleaseError';
}

/** What an on-demand install put in the cache: every package asked for, its exact version and integrity. */
export interface InstalledRelease {
  framework: string;
  /** The version or range as asked (`^6`, `1.70.0`). */
  asked: string;
  /** Folder the framework's packages resolve from (it has its own `node_modules`). */
  dir: string;
  packages: Record<string, { version: string; integrity?: string }>;
}

/** A package's published releases and their publish times, as the registry (npm's configured one) lists them. */
interface Published {
  versions: string[];
  time: Record<string, string>;
}

const published = new Map<string, Published>();

/** Runs `npm view … --json`; a registry out of reach or a package that does not exist is a {@link ReleaseError}. */
function npmView(args: readonly string[]): unknown {
  try {
    // one try, and not for long: a registry out of reach is an answer (npm would retry for a minute)
    const out = execFileSync('npm', ['view', ...args, '--json', '--fetch-retries=0', '--fetch-timeout=20000'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 60_000,
    });
    return JSON.parse(out);
  } catch (error) {
    const stderr = String((error as { stderr?: unknown }).stderr ?? '');
    const json = /"code":\s*"([^"]+)"/.exec(stderr)?.[1] ?? /npm error code (\S+)/.exec(stderr)?.[1];
    if (json === 'E404') throw new ReleaseError(`${args[0]} is not on the npm registry`);
    const reason = json ?? (error as Error).message.split('\n')[0];
    throw new ReleaseError(
      `cannot reach the npm registry to find ${args[0]} (${reason}); check the network or npm's registry setting`,
    );
  }
}

/** Every published release of a package with its publish time (once per process). */
export function publishedReleases(pkg: string): Published {
  let known = published.get(pkg);
  if (!known) {
    const data = npmView([pkg, 'versions', 'time']) as { versions?: string[] | string; time?: Record<string, string> };
    const versions = Array.isArray(data.versions) ? data.versions : data.versions ? [data.versions] : [];
    known = { versions: versions.filter((v) => semver.valid(v)), time: data.time ?? {} };
    published.set(pkg, known);
  }
  return known;
}

/** Whether text after `framework@` asks for a release (a version or a range) rather than naming an npm alias. */
export function isReleaseRange(text: string): boolean {
  return semver.validRange(text) !== null && !/^[a-z]/i.test(text);
}

/** The releases nearest to what was asked, for an error: two below it and two above. */
function nearest(versions: readonly string[], asked: string): string[] {
  const target = semver.coerce(asked)?.version;
  const stable = versions.filter((v) => !semver.prerelease(v));
  if (!target) return stable.slice(-4);
  const above = stable.findIndex((v) => semver.gt(v, target));
  const at = above === -1 ? stable.length : above;
  return stable.slice(Math.max(0, at - 2), at + 2);
}

/** The newest release of `pkg` that `range` allows (pre-releases only when asked for), or a one-line error. */
export function pickRelease(pkg: string, range: string, includePrerelease = false): string {
  const { versions } = publishedReleases(pkg);
  const picked = semver.maxSatisfying(versions, range, { includePrerelease });
  if (!picked) {
    throw new ReleaseError(
      `${pkg}@${range} is not a released version; the nearest that are: ${nearest(versions, range).join(', ')}`,
    );
  }
  return picked;
}

/**
 * The release of a companion package (`@ai-sdk/openai` beside `ai`) that was current when the main package's
 * release came out: the newest stable one published no later than it, else its first. Releases of one framework
 * are published together, so this picks the pair that shipped together.
 */
export function companionRelease(pkg: string, publishedAt: string): string {
  const { versions, time } = publishedReleases(pkg);
  const stable = versions.filter((v) => !semver.prerelease(v));
  const before = stable.filter((v) => (time[v] ?? '') <= publishedAt);
  const picked = before.length > 0 ? semver.maxSatisfying(before, '*') : stable[0];
  if (!picked) throw new ReleaseError(`${pkg} has no stable release on the npm registry`);
  return picked;
}

/** The cached install of one framework release, if a finished one is there. */
function cached(dir: string): InstalledRelease | undefined {
  const record = join(dir, RECORD);
  if (!existsSync(record)) return undefined;
  return { ...(JSON.parse(readFileSync(record, 'utf8')) as Omit<InstalledRelease, 'dir'>), dir };
}

export interface ReleaseRequest {
  framework: string;
  /** The framework's packages, the main one first (its version is the one asked for). */
  packages: readonly string[];
  asked: string;
  /** The user's project: the cache is in its `node_modules/.cache`. */
  project: string;
  /** Says what is being installed, on first use. */
  log: (line: string) => void;
}

/**
 * Installs a framework release into the project's cache once and returns it; later runs reuse it. A range is
 * resolved against the registry (the newest release it allows); an exact version already cached needs no
 * registry. npm installs it with `--ignore-scripts` (no downloaded package runs anything) into its own folder,
 * so the project's own `node_modules` and lockfile stay as they were; the integrity of each package is recorded.
 */
export function installRelease(request: ReleaseRequest): InstalledRelease {
  const [main, ...companions] = request.packages as [string, ...string[]];
  const exact = semver.valid(request.asked);
  const cache = join(request.project, RELEASE_CACHE);
  if (exact) {
    const hit = cached(join(cache, `${request.framework}@${exact}`));
    if (hit) return hit;
  }
  const version = pickRelease(main, request.asked, semver.prerelease(request.asked) !== null);
  const dir = join(cache, `${request.framework}@${version}`);
  const hit = cached(dir);
  if (hit) return hit;
  const publishedAt = publishedReleases(main).time[version] ?? new Date().toISOString();
  const specs = [`${main}@${version}`, ...companions.map((pkg) => `${pkg}@${companionRelease(pkg, publishedAt)}`)];
  request.log(
    `Installing ${request.framework} ${specs.join(' ')} into ${relative(request.project, dir) || dir} (first use; no install scripts run)`,
  );
  const staging = `${dir}.installing-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  writeFileSync(join(staging, 'package.json'), '{ "private": true }\n');
  try {
    execFileSync(
      'npm',
      ['install', '--prefix', staging, '--ignore-scripts', '--save-exact', '--no-audit', '--no-fund', ...specs],
      { stdio: ['ignore', 'pipe', 'pipe'], timeout: 600_000 },
    );
    const lock = JSON.parse(readFileSync(join(staging, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, { version?: string; integrity?: string }>;
    };
    const packages = Object.fromEntries(
      [main, ...companions].map((pkg) => {
        const entry = lock.packages[`node_modules/${pkg}`] ?? {};
        return [
          pkg,
          { version: entry.version ?? 'unknown', ...(entry.integrity ? { integrity: entry.integrity } : {}) },
        ];
      }),
    );
    const record = { framework: request.framework, asked: request.asked, packages };
    writeFileSync(join(staging, RECORD), `${JSON.stringify(record, null, 2)}\n`);
    if (existsSync(dir))
      rmSync(staging, { recursive: true, force: true }); // another run finished it first
    else renameSync(staging, dir);
    return { ...record, dir };
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    if (error instanceof ReleaseError) throw error;
    const stderr = String((error as { stderr?: unknown }).stderr ?? '');
    const line = stderr.split('\n').find((l) => /npm error (?!code)/.test(l)) ?? (error as Error).message;
    throw new ReleaseError(`installing ${specs.join(' ')} failed: ${line.replace(/^npm error /, '').trim()}`);
  }
}
