import { join } from 'node:path';
import semver from 'semver';
import {
  apart,
  BISECT_METRICS,
  type BisectMetric,
  bisectReleases,
  DEFAULT_TOLERANCE,
  type Reading,
  readingOf,
} from '../bench/bisect.ts';
import { runBench } from '../bench/session.ts';
import { errorMessage } from '../core/errors.ts';
import { parseFrameworkSpec, resolveFramework } from '../frameworks/registry.ts';
import { pickRelease, publishedReleases, ReleaseError } from '../frameworks/releases.ts';
import { formatSmallMs, formatSpeedup } from '../report/format.ts';
import type { CellResult, ResultsDocument } from '../results/document.ts';
import { serializeResults } from '../results/store.ts';
import { ResultsWriter } from '../results/writer.ts';
import { interruptSignal } from './bench-command.ts';
import { EXIT, UsageError } from './errors.ts';
import type { MatrixFlags } from './matrix-flags.ts';
import { resolveBenchConfig } from './options.ts';
import { checkOutDir, checkOutputs } from './outputs.ts';
import { parseNumber } from './parse.ts';
import { type CliState, runInputs } from './state.ts';

export interface BisectFlags
  extends Pick<MatrixFlags, 'scenario' | 'calls' | 'latency' | 'iterations' | 'seed' | 'config'> {
  metric: string;
  tolerance?: string;
  prerelease?: boolean;
  out: string;
  json?: boolean;
  quiet?: boolean;
}

/** What a bisection wrote beside its cells: the question, every release's reading and the verdict. */
export interface BisectRecord {
  framework: string;
  package: string;
  metric: BisectMetric;
  calls: number;
  tolerance: number;
  from: string;
  to: string;
  releases: string[];
  readings: Record<string, Reading>;
  verdict: 'changed' | 'unchanged' | 'interrupted' | 'not confirmed' | 'broken';
  /** An end of the range that did not run: nothing to bisect against. */
  broken?: { version: string; error: string };
  firstChanged?: string;
  previous?: string;
  confirmation?: Record<string, Reading>;
}

function describe(reading: Reading | undefined, metric: BisectMetric): string {
  if (!reading) return '—';
  if ('error' in reading) return `error (${reading.error})`;
  if (metric === 'speedup') return `speedup ${formatSpeedup(reading)}`;
  if (metric === 'overhead')
    return `overhead ${formatSmallMs(reading.value)}/call [${formatSmallMs(reading.low)}, ${formatSmallMs(reading.high)}]`;
  return `growth b ${reading.value.toFixed(2)}`;
}

/** Releases of `pkg` from `from` to `to`, both included, oldest first (pre-releases only when asked). */
function releasesBetween(pkg: string, from: string, to: string, prerelease: boolean): string[] {
  const between = publishedReleases(pkg).versions.filter(
    (v) => (prerelease || !semver.prerelease(v)) && semver.gt(v, from) && semver.lt(v, to),
  );
  return [from, ...between.sort(semver.compare), to]; // the ends as named, pre-releases or not
}

/** A release given as `<from>`/`<to>`: an exact version the registry has (one line naming the nearest if not). */
function exactRelease(pkg: string, text: string, which: string): string {
  if (!semver.valid(text)) throw new UsageError(`${which} must be a version such as 6.30.1, got \`${text}\``);
  return pickRelease(pkg, text, semver.prerelease(text) !== null);
}

/**
 * `fanout-bench bisect <framework> <from> <to>`: the first release between two at which a metric changed. Every
 * release tried runs the same scenario and seed beside our loop's `sequential` in the same run; each run is
 * appended to one results document (written after every run, so Ctrl-C keeps what was measured).
 */
export async function bisectCommand(
  framework: string,
  fromText: string,
  toText: string,
  flags: BisectFlags,
  state: CliState,
): Promise<number> {
  const definition = (() => {
    try {
      return state.registries.frameworks.definition(framework);
    } catch (error) {
      throw new UsageError(errorMessage(error));
    }
  })();
  if (!(BISECT_METRICS as readonly string[]).includes(flags.metric)) {
    throw new UsageError(`--metric must be one of ${BISECT_METRICS.join(', ')}, got \`${flags.metric}\``);
  }
  const metric = flags.metric as BisectMetric;
  const tolerance =
    flags.tolerance === undefined ? DEFAULT_TOLERANCE[metric] : parseNumber('--tolerance', flags.tolerance, 0, 10);
  const matrix: MatrixFlags = {
    mode: 'agent',
    // our loop's sequential on the API the framework speaks: its speedup is against that
    api: definition.api,
    executors: 'sequential',
    scenario: flags.scenario ?? 'fanout',
    calls: flags.calls ?? (metric === 'growth' ? '10,100,1000' : '8'),
    latency: flags.latency ?? (metric === 'growth' ? '0' : '50'),
    ...(flags.iterations === undefined ? {} : { iterations: flags.iterations }),
    ...(flags.seed === undefined ? {} : { seed: flags.seed }),
    ...(flags.config === undefined ? {} : { config: flags.config }),
  };
  // the scenario flags, checked before the registry is asked anything
  const probe = resolveBenchConfig(matrix, state);
  const calls = Math.max(...probe.calls);
  const counts = [...new Set(probe.calls)];
  if (metric === 'growth' && (counts.length < 3 || calls < 10 * Math.min(...counts))) {
    throw new UsageError(
      `--metric growth fits b over three or more call counts spanning 10x or more; got --calls ${probe.calls.join(',')} (e.g. 10,100,1000)`,
    );
  }
  const pkg = definition.packages[0] as string;
  let from: string;
  let to: string;
  let releases: string[];
  try {
    from = exactRelease(pkg, fromText, '<from>');
    to = exactRelease(pkg, toText, '<to>');
    if (!semver.lt(from, to)) throw new UsageError(`<from> (${from}) must be an older release than <to> (${to})`);
    releases = releasesBetween(pkg, from, to, flags.prerelease === true);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(errorMessage(error));
  }
  checkOutDir('--out', flags.out);
  checkOutputs([{ flag: '--out', path: join(flags.out, 'bisect-latest.json') }], [], true);
  const say = (line: string) => {
    if (!flags.quiet) process.stderr.write(`${line}\n`);
  };
  say(
    `Bisecting ${framework} (${pkg}) over ${releases.length} releases ${from}..${to} on ${metric} at ${calls} calls (tolerance ${tolerance})`,
  );

  const record: BisectRecord = {
    framework,
    package: pkg,
    metric,
    calls,
    tolerance,
    from,
    to,
    releases,
    readings: {},
    verdict: 'interrupted',
  };
  let document: (ResultsDocument & { bisect: BisectRecord }) | undefined;
  let writer: ResultsWriter | undefined;
  let runs = 0;
  const save = () => {
    if (!document) return;
    document.bisect = record;
    writer ??= new ResultsWriter(flags.out, document.createdAt, 'bisect');
    writer.write(document);
  };
  const interrupt = interruptSignal('then writing what was measured');
  const started = performance.now();
  /** One run of these releases beside `sequential`; their readings, or undefined when interrupted. */
  const measure = async (
    versions: string[],
    into: Record<string, Reading> = record.readings,
  ): Promise<Map<string, Reading> | undefined> => {
    // each release installed first (on first use): one that cannot be installed reads as an error
    const readings = new Map<string, Reading>();
    for (const version of versions) {
      try {
        resolveFramework(
          parseFrameworkSpec(`${framework}@${version}`, state.registries.frameworks),
          undefined,
          undefined,
          state.registries.frameworks,
        );
      } catch (error) {
        if (error instanceof ReleaseError && error.interrupted) return undefined;
        readings.set(version, { error: `could not install: ${errorMessage(error)}` });
      }
    }
    const runnable = versions.filter((v) => !readings.has(v));
    if (runnable.length > 0) {
      const labels = runnable.map((v) => `${framework}@${v}`);
      const config = resolveBenchConfig({ ...matrix, frameworks: labels.join(',') }, state);
      const run = await runBench(config, { ...runInputs(state), signal: interrupt.signal });
      runs++;
      const cells: CellResult[] = run.cells.map((c) => ({ ...c, id: `run-${runs}/${c.id}` }));
      if (!document) document = { ...run, cells, bisect: record };
      else document.cells.push(...cells);
      document.wallTimeMs = performance.now() - started;
      if (run.status === 'interrupted') {
        save();
        return undefined;
      }
      for (const [i, version] of runnable.entries()) {
        readings.set(version, readingOf(run.cells, labels[i] as string, metric, calls));
      }
    }
    for (const version of versions) {
      const reading = readings.get(version) as Reading;
      into[version] = reading;
      say(`  ${version.padEnd(12)} ${describe(reading, metric)}`);
    }
    save();
    return readings;
  };
  try {
    const { verdict } = await bisectReleases(releases, measure, metric, tolerance);
    if (verdict.kind === 'changed') {
      record.firstChanged = verdict.first;
      record.previous = verdict.previous;
      say(`Confirming side by side: ${verdict.previous} and ${verdict.first}`);
      record.confirmation = {};
      const again = await measure([verdict.previous, verdict.first], record.confirmation);
      if (again) {
        const confirmed = apart(
          again.get(verdict.previous) as Reading,
          again.get(verdict.first) as Reading,
          metric,
          tolerance,
        );
        record.verdict = confirmed ? 'changed' : 'not confirmed';
      }
    } else if (verdict.kind === 'broken') {
      record.verdict = 'broken';
      record.broken = { version: verdict.version, error: verdict.error };
    } else {
      record.verdict = verdict.kind;
    }
    if (document) document.status = record.verdict === 'interrupted' ? 'interrupted' : 'complete';
    save();
  } finally {
    interrupt.dispose();
  }
  const seconds = ((performance.now() - started) / 1000).toFixed(0);
  const verdictLine =
    record.verdict === 'changed'
      ? `First changed at ${pkg} ${record.firstChanged} (${describe(record.readings[record.firstChanged as string], metric)}), previous release ${record.previous} (${describe(record.readings[record.previous as string], metric)}); confirmed side by side`
      : record.verdict === 'not confirmed'
        ? `Not confirmed: ${record.previous} → ${record.firstChanged} looked like a change, but measured side by side the two read alike; run again with more --iterations`
        : record.verdict === 'unchanged'
          ? `No change in ${metric} between ${from} and ${to} beyond the tolerance (${describe(record.readings[from], metric)} → ${describe(record.readings[to], metric)})`
          : `Interrupted: ${Object.keys(record.readings).length} releases measured, kept in ${writer?.runPath}`;
  if (flags.json && document) process.stdout.write(serializeResults(document));
  else if (record.verdict !== 'broken') process.stdout.write(`${verdictLine}\n`);
  say(
    `${runs} runs, ${Object.keys(record.readings).length} releases measured in ${seconds} s; results: ${writer?.latestPath}`,
  );
  if (record.verdict === 'broken') {
    // no verdict from a range whose end does not run: one line, and the run fails
    process.stderr.write(
      `Error: cannot bisect: ${pkg} ${record.broken?.version} did not run (${record.broken?.error}); pick ends that run\n`,
    );
    return EXIT.failure;
  }
  return record.verdict === 'interrupted' ? EXIT.interrupted : EXIT.ok;
}
