import { errorMessage } from '../core/errors.ts';
import { type ProbeResult, probeFramework } from '../frameworks/probe.ts';
import { type FrameworkRegistry, type FrameworkSpec, resolveFramework } from '../frameworks/registry.ts';
import { renderTable } from '../report/table.ts';
import { EXIT, UsageError } from './errors.ts';
import { parseFrameworkList } from './framework-flags.ts';
import { tableOptions } from './outputs.ts';
import type { CliState } from './state.ts';

export interface ProbeFlags {
  frameworks?: string;
  json?: boolean;
  wide?: boolean;
}

/** Every registered framework whose packages are installed here (the default of `probe`). */
function installedFrameworks(registry: FrameworkRegistry): FrameworkSpec[] {
  return registry.names().flatMap((framework) => {
    try {
      resolveFramework({ framework }, undefined, undefined, registry);
      return [{ framework }];
    } catch {
      return [];
    }
  });
}

/** `fanout-bench probe`: one table of what each framework does with a turn's calls. */
export async function probeCommand(flags: ProbeFlags, state: CliState): Promise<number> {
  const frameworks = state.registries.frameworks;
  const specs =
    flags.frameworks === undefined
      ? installedFrameworks(frameworks)
      : parseFrameworkList(flags.frameworks, '`--frameworks`', state.registries);
  if (specs.length === 0) {
    throw new UsageError(
      `No framework is installed here; install one (e.g. \`npm install --save-dev ai @ai-sdk/openai\`) or name one with \`--frameworks\` (${frameworks.names().join(', ')})`,
    );
  }
  const resolved = specs.map((spec) => {
    try {
      return resolveFramework(spec, undefined, undefined, frameworks);
    } catch (error) {
      throw new UsageError(errorMessage(error));
    }
  });
  const results: ProbeResult[] = [];
  for (const framework of resolved) {
    if (!flags.json) process.stderr.write(`Probing ${framework.label}…\n`);
    results.push(await probeFramework(framework));
  }
  if (flags.json) {
    process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
    return EXIT.ok;
  }
  const table = {
    title:
      'What each framework does with one turn of 4 calls where the 2nd throws (and 6 calls at its concurrency option 2)',
    head: [
      'framework',
      'when a tool throws',
      'siblings cancelled',
      'results sent in',
      'AbortSignal',
      'peak @20',
      'concurrency limit',
    ],
    rows: results.map((r) => [
      `${r.framework} ${r.version}`,
      r.onError,
      r.siblingsCancelled,
      r.resultOrder,
      r.signal,
      String(r.peakAt20),
      r.concurrencyLimit,
    ]),
  };
  process.stdout.write(`${renderTable(table, tableOptions(flags))}\n`);
  return EXIT.ok;
}
