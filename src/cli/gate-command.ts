import { appendFileSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type BenchOptions, remeasureGroups, resolveFrameworks, runBench } from '../bench/session.ts';
import { preflightExecutors } from '../config/preflight.ts';
import type { Registries } from '../config/registries.ts';
import { errorMessage } from '../core/errors.ts';
import type { QueueSettings } from '../executors/queue-settings.ts';
import { resolveRedisUrl } from '../executors/redis.ts';
import { parseSpec } from '../executors/registry.ts';
import { type FrameworkSpec, formatFrameworkSpec, parseFrameworkSpec } from '../frameworks/registry.ts';
import {
  type CellVerdict,
  configDifferences,
  confirm,
  environmentWarnings,
  type GateOptions,
  isFailure,
  judge,
} from '../gate/decide.ts';
import { benchmarkActionEntries, verdictLine, verdictTable } from '../gate/summary.ts';
import { loadPlan, planDigest } from '../model/plan.ts';
import { wrapText } from '../report/fit.ts';
import { markdownTable } from '../report/markdown.ts';
import { DEFAULT_WIDTH, renderTable } from '../report/table.ts';
import type { BenchConfig, ResultsDocument } from '../results/document.ts';
import {
  readResults,
  requireComparable,
  requireSameIdeals,
  serializeResults,
  writeFileAtomic,
} from '../results/store.ts';
import { ResultsWriter } from '../results/writer.ts';
import { registerPlanTools } from '../tools/plan-tools.ts';
import { loadProfileCached, readModelProfile } from '../tools/recorded.ts';
import { interruptSignal } from './bench-command.ts';
import { EXIT, UsageError } from './errors.ts';
import { parseFrameworkList } from './framework-flags.ts';
import type { MatrixFlags } from './matrix-flags.ts';
import { resolveBenchConfig } from './options.ts';
import { checkOutDir, checkOutputs, DEFAULT_BASELINE, tableOptions } from './outputs.ts';
import { parseNumber } from './parse.ts';
import { formatDuration, progressRenderer } from './progress.ts';
import { checkRedisFlag } from './queue-options.ts';
import { type CliState, runInputs } from './state.ts';

export { DEFAULT_BASELINE } from './outputs.ts';

async function measure(
  config: BenchConfig,
  given: Pick<BenchOptions, 'configFile' | 'queue' | 'registries'>,
  quiet: boolean,
  out?: string,
  prefix = 'gate',
  substitutes: readonly FrameworkSpec[] = [],
): Promise<ResultsDocument> {
  const progress = progressRenderer();
  const interrupt = interruptSignal(
    out
      ? `then writing the finished cells to ${out}; no verdict`
      : 'then stopping; a baseline needs the whole run, so none is written',
  );
  let writer: ResultsWriter | undefined;
  try {
    const document = await runBench(config, {
      ...given,
      signal: interrupt.signal,
      substitutes,
      ...(quiet ? {} : { onEvent: progress.onEvent }),
      onDocument: (doc) => {
        if (!out) return;
        writer ??= new ResultsWriter(out, doc.createdAt, prefix);
        writer.write(doc);
      },
    });
    if (document.status === 'interrupted')
      throw Object.assign(new Error('Interrupted'), { exitCode: EXIT.interrupted });
    return document;
  } finally {
    progress.done();
    interrupt.dispose();
    // as bench does: what was written, where (also when interrupted: the finished cells are there)
    if (writer && !quiet) process.stderr.write(`Results: ${writer.latestPath} (copy: ${writer.runPath})\n`);
  }
}

export interface BaselineFlags extends MatrixFlags {
  file: string;
  force?: boolean;
  quiet?: boolean;
}

/** Records the gate suite into the baseline file; never overwrites one without --force. */
const NEEDS_REFERENCE =
  'the gate judges speedups against `sequential`, and a `--no-reference` run has none; record the baseline without `--no-reference`';

export async function baselineCommand(flags: BaselineFlags, state: CliState): Promise<number> {
  if (existsSync(flags.file) && !flags.force) {
    throw new UsageError(`\`${flags.file}\` already exists; pass \`--force\` to replace the baseline`);
  }
  checkOutputs([{ flag: '--file', path: flags.file }], []);
  const config = resolveBenchConfig({ ...flags, suite: flags.suite ?? 'gate' }, state);
  if (config.reference === false) throw new UsageError(NEEDS_REFERENCE);
  await preflightExecutors(config.executors, config.limits, { registries: state.registries, watch: state.preflight });
  const document = await measure(config, runInputs(state), flags.quiet === true);
  const failed = document.cells.filter((c) => c.status === 'error');
  if (failed.length > 0) {
    throw new Error(
      `${failed.length} cell(s) could not be measured (${failed.map((c) => c.id).join(', ')}); baseline not written`,
    );
  }
  writeFileAtomic(flags.file, serializeResults(document));
  process.stderr.write(
    `Baseline written to ${flags.file} (${document.cells.length} cells, ${formatDuration(document.wallTimeMs)})\n`,
  );
  return EXIT.ok;
}

/**
 * The gate measures the baseline's own configuration again: every executor it names must be defined (a user's
 * comes from their config) and a recorded profile must be the same bytes, or the comparison would be meaningless.
 */
async function checkMeasurable(
  config: BenchConfig,
  file: string,
  substitutes: readonly FrameworkSpec[],
  state: CliState,
): Promise<QueueSettings | undefined> {
  for (const substitute of substitutes) {
    if (
      !config.frameworks?.some(
        (f) => parseFrameworkSpec(f, state.registries.frameworks).framework === substitute.framework,
      )
    ) {
      throw new UsageError(
        `\`--with ${formatFrameworkSpec(substitute)}\`: \`${file}\` measures no ${substitute.framework} cells (it has ${config.frameworks?.join(', ') || 'no frameworks'})`,
      );
    }
  }
  try {
    resolveFrameworks(config, substitutes, state.registries.frameworks);
  } catch (error) {
    throw new UsageError(`\`${file}\` measures frameworks: ${errorMessage(error)}`);
  }
  for (const name of config.executors) {
    try {
      parseSpec(name, state.registries.executors);
    } catch {
      throw new UsageError(
        `\`${file}\` measures executor \`${name}\`, which is not defined here; run where its fanout.config is, or pass \`--config FILE\``,
      );
    }
  }
  if (config.suite === 'replay') {
    throw new UsageError(
      `\`${file}\` is a replay of recorded runs; the gate measures a bench's baseline (record one with \`fanout-bench baseline\`)`,
    );
  }
  const plan = config.agent?.plan;
  if (plan !== undefined) {
    let digest: string;
    try {
      registerPlanTools(state.registries.tools);
      digest = planDigest(loadPlan(plan, state.registries.tools));
    } catch (error) {
      throw new UsageError(`\`${file}\` plays the plan ${plan}: ${errorMessage(error)}`);
    }
    if (config.agent?.planSha256 !== undefined && digest !== config.agent.planSha256) {
      throw new UsageError(
        `the plan ${plan} changed since \`${file}\` was recorded; re-record it with \`fanout-bench baseline --force\``,
      );
    }
  }
  const modelProfile = config.agent?.modelProfile;
  if (modelProfile) {
    let sha256: string;
    try {
      sha256 = readModelProfile(modelProfile.file).sha256;
    } catch (error) {
      throw new UsageError(`\`${file}\` draws model turns from ${modelProfile.file}: ${errorMessage(error)}`);
    }
    if (sha256 !== modelProfile.sha256) {
      throw new UsageError(
        `${modelProfile.file} changed since \`${file}\` was recorded; re-record it with \`fanout-bench baseline --force\``,
      );
    }
  }
  if (config.recorded) {
    const path = resolve(config.recorded.file);
    let sha256: string;
    try {
      sha256 = loadProfileCached(path).sha256;
    } catch (error) {
      throw new UsageError(`\`${file}\` draws latencies from ${config.recorded.file}: ${errorMessage(error)}`);
    }
    if (sha256 !== config.recorded.sha256) {
      throw new UsageError(
        `${config.recorded.file} changed since \`${file}\` was recorded; re-record it with \`fanout-bench baseline --force\``,
      );
    }
  }
  // the baseline keeps Redis redacted: the gate finds it where every command does (REDIS_URL), and runs the
  // baseline's workers on the baseline's queue
  const queue: QueueSettings | undefined = config.queue
    ? { redisUrl: resolveRedisUrl(undefined), queue: config.queue.queue, workers: config.queue.workers }
    : undefined;
  if (queue) await checkRedisFlag(queue.redisUrl);
  await preflightExecutors(config.executors, config.limits, {
    registries: state.registries,
    watch: state.preflight,
    ...(queue ? { queue } : {}),
  });
  return queue;
}

export interface GateFlags {
  baseline: string;
  current?: string;
  tolerance: string;
  minEfficiency: string;
  rerun: boolean;
  out: string;
  with?: string;
  summary?: string;
  exportBenchmarkAction?: string;
  quiet?: boolean;
  wide?: boolean;
}

/** Groups (kind × calls) holding failing cells: re-measured whole, since speedup needs their sequential cell. */
function failingGroups(verdicts: readonly CellVerdict[]) {
  const groups: { kind: CellVerdict['baseline']['kind']; calls: number }[] = [];
  for (const v of verdicts.filter(isFailure)) {
    if (!groups.some((g) => g.kind === v.baseline.kind && g.calls === v.baseline.calls)) {
      groups.push({ kind: v.baseline.kind, calls: v.baseline.calls });
    }
  }
  return groups;
}

/** `--with a@alias,b@alias`: framework versions to measure in place of the baseline's, one per framework. */
function parseSubstitutes(text: string | undefined, registries: Registries): FrameworkSpec[] {
  if (text === undefined) return [];
  const specs = parseFrameworkList(text, '`--with`', registries);
  for (const spec of specs) {
    if (specs.filter((s) => s.framework === spec.framework).length > 1) {
      throw new UsageError(
        `\`--with\` names ${spec.framework} twice; measure one version of it in place of the baseline's`,
      );
    }
  }
  return specs;
}

export async function gateCommand(flags: GateFlags, state: CliState): Promise<number> {
  const options: GateOptions = {
    tolerance: parseNumber('--tolerance', flags.tolerance, 0, 1),
    minEfficiency: parseNumber('--min-efficiency', flags.minEfficiency, 0, 1),
  };
  const substitutes = parseSubstitutes(flags.with, state.registries);
  if (substitutes.length > 0 && flags.current) {
    throw new UsageError('`--with` measures framework versions; it cannot apply to a `--current` file');
  }
  const outputs = [
    ...(flags.summary ? [{ flag: '--summary', path: flags.summary }] : []),
    ...(flags.exportBenchmarkAction ? [{ flag: '--export-benchmark-action', path: flags.exportBenchmarkAction }] : []),
    ...(process.env.GITHUB_STEP_SUMMARY
      ? [{ flag: '$GITHUB_STEP_SUMMARY', path: process.env.GITHUB_STEP_SUMMARY }]
      : []),
    ...(flags.current ? [] : [{ flag: '--out', path: join(flags.out, 'gate-latest.json') }]),
  ];
  if (!flags.current) checkOutDir('--out', flags.out);
  checkOutputs(outputs, [
    { what: 'the baseline', path: flags.baseline },
    { what: 'the baseline', path: DEFAULT_BASELINE },
    ...(flags.current ? [{ what: 'the results `--current` names', path: flags.current }] : []),
  ]);
  const started = performance.now();
  const baseline = requireComparable(readResults(flags.baseline), flags.baseline, 'The baseline');
  // a run measured now computes agent ideals with release times
  if (!flags.current) requireSameIdeals(baseline, flags.baseline);
  if (baseline.config.reference === false) throw new UsageError(`\`${flags.baseline}\`: ${NEEDS_REFERENCE}`);
  const queue = flags.current ? undefined : await checkMeasurable(baseline.config, flags.baseline, substitutes, state);
  const given = { ...runInputs(state), ...(queue ? { queue } : {}) };
  const current = flags.current
    ? requireComparable(readResults(flags.current), flags.current, 'The current results')
    : await measure(baseline.config, given, flags.quiet === true, flags.out, 'gate', substitutes);
  if (flags.current) requireSameIdeals(baseline, flags.baseline, { document: current, path: flags.current });
  const differences = configDifferences(baseline.config, current.config);
  if (differences.length > 0) {
    throw new UsageError(
      `Configuration differs from the baseline (${differences.join(', ')}); compare like with like or re-record it with \`fanout-bench baseline --force\``,
    );
  }
  for (const warning of environmentWarnings(baseline.environment, current.environment)) {
    process.stderr.write(`Note: ${warning}; ratios may not be comparable\n`);
  }
  let verdicts = judge(baseline, current, options);
  const rerunIds = new Set<string>();
  if (flags.rerun && !flags.current && verdicts.some(isFailure)) {
    const groups = failingGroups(verdicts);
    if (!flags.quiet)
      process.stderr.write(`Re-measuring ${verdicts.filter(isFailure).length} failing cell(s) to confirm\n`);
    const interrupt = interruptSignal('then stopping; no verdict without the re-measure');
    let cells: Awaited<ReturnType<typeof remeasureGroups>>;
    try {
      cells = await remeasureGroups(baseline.config, groups, { ...given, substitutes, signal: interrupt.signal });
    } finally {
      interrupt.dispose();
    }
    if (interrupt.signal.aborted)
      throw Object.assign(new Error('Interrupted during the re-measure'), { exitCode: EXIT.interrupted });
    for (const v of verdicts.filter(isFailure)) rerunIds.add(v.id);
    verdicts = confirm(
      verdicts,
      judge(baseline, { ...current, cells }, options).filter((v) => rerunIds.has(v.id)),
    );
  }
  const table = verdictTable(verdicts, rerunIds);
  const line = verdictLine(verdicts);
  const printed = tableOptions(flags);
  const verdict = `${line} (tolerance ${options.tolerance * 100}%, min efficiency ${options.minEfficiency}; ${formatDuration(performance.now() - started)})`;
  process.stdout.write(
    `${renderTable(table, printed)}\n${printed.wide ? verdict : wrapText(verdict, printed.width ?? DEFAULT_WIDTH, '    ').join('\n')}\n`,
  );

  const markdown = `## fanout-bench gate\n\n${line}\n\n${markdownTable(table)}\n`;
  if (flags.summary) writeFileAtomic(flags.summary, markdown);
  if (process.env.GITHUB_STEP_SUMMARY) appendFileSync(process.env.GITHUB_STEP_SUMMARY, markdown);
  if (flags.exportBenchmarkAction) {
    writeFileAtomic(flags.exportBenchmarkAction, `${JSON.stringify(benchmarkActionEntries(verdicts), null, 2)}\n`);
  }
  return verdicts.some(isFailure) ? EXIT.failure : EXIT.ok;
}
