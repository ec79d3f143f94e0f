import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { packageRoot } from '../tools/paths.ts';

/** Where a run was taken; the gate warns when these differ between baseline and current. */
export interface EnvironmentFingerprint {
  node: string;
  cpuModel: string;
  cores: number;
  os: string;
  arch: string;
  packages: Record<string, string>;
  gitCommit: string | null;
  gitDirty: boolean | null;
}

const MEASURED_PACKAGES = ['tinybench', 'openai', 'msw', 'p-limit', 'piscina', 'tsx'];

/**
 * The version installed where this package resolves `name` from: `node_modules` of the package, then of each
 * folder above it, as Node looks (so an install into a user's project reads the user's hoisted copies).
 */
export function installedVersion(name: string, from: string = packageRoot): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const manifest = join(dir, 'node_modules', name, 'package.json');
    if (existsSync(manifest)) {
      try {
        return (JSON.parse(readFileSync(manifest, 'utf8')) as { version?: string }).version ?? 'unknown';
      } catch {
        return 'unknown';
      }
    }
    if (dirname(dir) === dir) return 'unknown';
  }
}

function git(args: string[]): string | null {
  try {
    // the working directory's repository: the project being measured (yours, when fanout-bench is installed in it)
    return execFileSync('git', args, {
      cwd: process.cwd(),
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    return null;
  }
}

export function ownVersion(): string {
  return (JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as { version: string }).version;
}

export function environmentFingerprint(): EnvironmentFingerprint {
  const status = git(['status', '--porcelain']);
  return {
    node: process.version,
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    cores: os.availableParallelism(),
    os: `${os.platform()} ${os.release()}`,
    arch: os.arch(),
    packages: Object.fromEntries(MEASURED_PACKAGES.map((name) => [name, installedVersion(name)])),
    gitCommit: git(['rev-parse', 'HEAD']),
    gitDirty: status === null ? null : status.length > 0,
  };
}
