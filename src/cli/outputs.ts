import { accessSync, constants, existsSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { type RenderOptions, terminalWidth } from '../report/table.ts';
import { UsageError } from './errors.ts';

/** Where `baseline` writes and `gate` reads unless told otherwise. */
export const DEFAULT_BASELINE = 'results/baseline.json';

/** A file a command will write, and the flag that named it (for the message). */
export interface OutputTarget {
  flag: string;
  path: string;
}

/** The path a write would land on: symlinks followed where they exist, relative paths from the working directory. */
function landing(path: string): string {
  const absolute = resolve(path);
  try {
    return realpathSync(absolute);
  } catch {
    try {
      return join(realpathSync(dirname(absolute)), absolute.slice(dirname(absolute).length + 1));
    } catch {
      return absolute;
    }
  }
}

/** The nearest directory on the way to `path` that exists. */
function existingAncestor(path: string): string {
  let dir = dirname(resolve(path));
  while (!existsSync(dir) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}

/** A results file no output may overwrite: `what` names it in the message (`the baseline`). */
export interface Protected {
  what: string;
  path: string;
}

/**
 * Checks every file a command will write before anything is measured: not a directory, in a place that can be
 * written, and never one of the `protect`ed results files (a baseline, the file being judged) unless `force` is
 * given (and allowed: `force === undefined` means the command has no such flag). Exit 2 with the flag and the
 * fix, instead of losing a measurement at the end, or a baseline to a typo.
 */
export function checkOutputs(targets: readonly OutputTarget[], protect: readonly Protected[], force?: boolean): void {
  const guarded = protect.map((p) => ({ ...p, at: landing(p.path) }));
  const taken = new Map<string, string>();
  for (const { flag, path } of targets) {
    const at = landing(path);
    const before = taken.get(at);
    if (before)
      throw new UsageError(`\`${flag} ${path}\` is also where \`${before}\` writes; give each output its own file`);
    taken.set(at, flag);
    const kept = guarded.find((p) => p.at === at);
    if (kept && force !== true) {
      throw new UsageError(
        `\`${flag} ${path}\` would overwrite ${kept.what}; name another file${force === false ? ' or pass `--force`' : ''}`,
      );
    }
    if (existsSync(at) && statSync(at).isDirectory()) {
      throw new UsageError(`\`${flag} ${path}\` is a directory; name a file in it`);
    }
    const dir = existingAncestor(at);
    if (!statSync(dir).isDirectory()) {
      throw new UsageError(`\`${flag} ${path}\`: \`${dir}\` is a file, not a directory; pick another path`);
    }
    try {
      accessSync(dir, constants.W_OK);
      // permission bits are not the whole story (/proc, a read-only mount): create and remove a file there
      const probe = join(dir, `.fanout-bench-probe-${process.pid}`);
      writeFileSync(probe, '');
      rmSync(probe);
    } catch {
      throw new UsageError(`\`${flag} ${path}\`: cannot write in \`${dir}\`; pick a writable place`);
    }
  }
}

/** `--out DIR`: a directory (or none yet) where files can be created. */
export function checkOutDir(flag: string, dir: string): void {
  const at = resolve(dir);
  if (existsSync(at) && !statSync(at).isDirectory()) {
    throw new UsageError(`\`${flag} ${dir}\` is a file; name a directory for the results`);
  }
  checkOutputs([{ flag, path: join(at, 'latest.json') }], []);
}

/** How tables print on stdout: fitted to its width (a terminal's columns, else 120), or in full with `--wide`. */
export function tableOptions(flags: { wide?: boolean; quiet?: boolean }): RenderOptions {
  const quiet = flags.quiet === true;
  return { width: terminalWidth(process.stdout), wide: flags.wide === true, chart: !quiet, answer: !quiet };
}
