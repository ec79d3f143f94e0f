import { execFileSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join, relative } from 'node:path';
import semver from 'semver';
import { errorMessage, firstLine } from '../core/errors.ts';

/** Where releases installed on demand live, inside the user's project (the `node_modules/.cache` convention). */
export const RELEASE_CACHE = join('node_modules', '.cache', 'fanout-bench', 'frameworks');
/** The record a finished install leaves beside its `node_modules`: what was installed, with its integrity. */
const RECORD = 'fanout-bench-release.json';

/** A release that cannot be had (no such version, registry out of reach): one line, exit 2. */
export class ReleaseError extends Error {
  override name = 'ReleaseError';
  /** npm was stopped by Ctrl-C (SIGINT), not by what it was asked. */
  interrupted = false;
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
    const reason = json ?? firstLine(error);
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
  if (text === 'latest') return true;
  // `6`, `6.44.0`, `^6`, `~6.4`, `>=6 <7`, `*`, `x`, `v6`; an alias (`openai-6-44`) is not a range
  return semver.validRange(text) !== null && /^(?:[\d^~<>=*]|[xX](?![\w-])|v\d)/.test(text);
}

/** The range a release spec asks for: `latest` is the newest stable release. */
function rangeOf(asked: string): string {
  return asked === 'latest' ? '*' : asked;
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

/** The parts of a release's manifest that say what it works with. */
interface Manifest {
  version: string;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
}

const manifests = new Map<string, Manifest[]>();

/** Every stable release's manifest (version, dependencies, peers) of a package, once per process. */
function stableManifests(pkg: string): Manifest[] {
  let known = manifests.get(pkg);
  if (!known) {
    const data = npmView([`${pkg}@>=0.0.0`, 'version', 'dependencies', 'peerDependencies']); // `@*` would be `latest` alone
    known = (Array.isArray(data) ? data : [data]) as Manifest[];
    manifests.set(pkg, known);
  }
  return known;
}

/** One release's manifest. */
function manifestOf(pkg: string, version: string): Manifest {
  return (npmView([`${pkg}@${version}`, 'version', 'dependencies', 'peerDependencies']) ?? { version }) as Manifest;
}

/** The release line a range starts in: its major, or major.minor below 1.0 (where a minor breaks). */
function line(range: string): string | undefined {
  const min = semver.minVersion(range);
  if (!min) return undefined;
  return min.major === 0 ? `0.${min.minor}` : String(min.major);
}

/**
 * Whether a companion release works with the main release: the main one's range for it (as a peer or a
 * dependency) allows it, its range for the main package allows that, and the packages both depend on (`ai` and
 * `@ai-sdk/openai` both on `@ai-sdk/provider`) are on one release line.
 */
function worksWith(main: Manifest, mainName: string, companion: Manifest, companionName: string): boolean {
  const wants = main.peerDependencies?.[companionName] ?? main.dependencies?.[companionName];
  if (wants && !semver.satisfies(companion.version, wants)) return false;
  const wanted = companion.peerDependencies?.[mainName] ?? companion.dependencies?.[mainName];
  if (wanted && !semver.satisfies(main.version, wanted)) return false;
  for (const [name, range] of Object.entries(main.dependencies ?? {})) {
    const theirs = companion.dependencies?.[name];
    if (theirs && line(theirs) !== line(range)) return false;
  }
  return true;
}

/**
 * The releases of a framework's companion packages (`@ai-sdk/openai` beside `ai`) to install with a main release,
 * in order: each the newest that works (see {@link worksWith}) with the main release and the companions chosen
 * before it, published no later than the main release, else the oldest such after it. Publish dates alone would
 * pair an old major's late patch with the new major's companion.
 */
export function companionReleases(companions: readonly string[], mainName: string, mainVersion: string): string[] {
  const chosen: { name: string; manifest: Manifest }[] = [
    { name: mainName, manifest: manifestOf(mainName, mainVersion) },
  ];
  const publishedAt = publishedReleases(mainName).time[mainVersion] ?? new Date().toISOString();
  for (const pkg of companions) {
    const { time } = publishedReleases(pkg);
    const fitting = stableManifests(pkg)
      .filter((m) => semver.valid(m.version) && chosen.every((c) => worksWith(c.manifest, c.name, m, pkg)))
      .sort((a, b) => semver.compare(a.version, b.version));
    const before = fitting.filter((m) => (time[m.version] ?? '') <= publishedAt);
    const picked = before.at(-1) ?? fitting[0];
    if (!picked) {
      throw new ReleaseError(
        `no release of ${pkg} works with ${chosen.map((c) => `${c.name}@${c.manifest.version}`).join(' and ')}`,
      );
    }
    chosen.push({ name: pkg, manifest: picked });
  }
  return chosen.slice(1).map((c) => c.manifest.version);
}

/** Staging folders (`…installing-<pid>`) whose install was cut off (Ctrl-C, a crash): their process is gone. */
function removeAbandonedStaging(cache: string): void {
  if (!existsSync(cache)) return;
  for (const name of readdirSync(cache)) {
    const pid = Number(/\.installing-(\d+)$/.exec(name)?.[1]);
    if (!pid || pid === process.pid) continue;
    try {
      process.kill(pid, 0); // still running: another install in progress
    } catch {
      rmSync(join(cache, name), { recursive: true, force: true });
    }
  }
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
  removeAbandonedStaging(cache);
  // a cached release is recorded as this run asked for it (another run may have asked with a range)
  const reuse = (hit: InstalledRelease | undefined) => (hit ? { ...hit, asked: request.asked } : undefined);
  if (exact) {
    const hit = reuse(cached(join(cache, `${request.framework}@${exact}`)));
    if (hit) return hit;
  }
  const range = rangeOf(request.asked);
  const version = pickRelease(main, range, semver.prerelease(request.asked) !== null);
  const dir = join(cache, `${request.framework}@${version}`);
  const hit = reuse(cached(dir));
  if (hit) return hit;
  const companionVersions = companionReleases(companions, main, version);
  const specs = [`${main}@${version}`, ...companions.map((pkg, i) => `${pkg}@${companionVersions[i]}`)];
  request.log(
    `Installing ${request.framework} ${specs.join(' ')} into ${relative(request.project, dir) || dir} (first use; no install scripts run)`,
  );
  const staging = `${dir}.installing-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  writeFileSync(join(staging, 'package.json'), '{ "private": true }\n');
  // npm reads a project's .npmrc from the folder it installs into: the project's registry and auth hold there too
  if (existsSync(join(request.project, '.npmrc')))
    copyFileSync(join(request.project, '.npmrc'), join(staging, '.npmrc'));
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
    try {
      renameSync(staging, dir);
    } catch (error) {
      // another run finished the same release first: use its install
      const theirs = cached(dir);
      if (!theirs) throw error;
      rmSync(staging, { recursive: true, force: true });
      return { ...theirs, asked: request.asked };
    }
    return { ...record, dir };
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    if (error instanceof ReleaseError) throw error;
    const stderr = String((error as { stderr?: unknown }).stderr ?? '');
    const line = stderr.split('\n').find((l) => /npm error (?!code)/.test(l)) ?? errorMessage(error);
    const failure = new ReleaseError(`installing ${specs.join(' ')} failed: ${line.replace(/^npm error /, '').trim()}`);
    const child = error as { signal?: string; status?: number };
    failure.interrupted = child.signal === 'SIGINT' || child.status === 130;
    throw failure;
  }
}
