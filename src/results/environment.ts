import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { installedVersion } from '../core/packages.ts';
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
    // as fanout-bench's own modules resolve them (an install into a user's project reads the hoisted copies)
    packages: Object.fromEntries(MEASURED_PACKAGES.map((name) => [name, installedVersion(name) ?? 'unknown'])),
    gitCommit: git(['rev-parse', 'HEAD']),
    gitDirty: status === null ? null : status.length > 0,
  };
}
