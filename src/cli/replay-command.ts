import { expandExecutors } from '../bench/plan.ts';
import { prepareRuns, REPLAY_MODE, replayDocument, replayRuns, whatIf } from '../bench/replay.ts';
import { preflightExecutors } from '../config/preflight.ts';
import { errorMessage } from '../core/errors.ts';
import { RANGES } from '../core/ranges.ts';
import { formatSpec, parseSpec } from '../executors/registry.ts';
import { resolveFramework } from '../frameworks/registry.ts';
import { readRecordedRuns } from '../model/replay.ts';
import { EXPORTERS } from '../report/index.ts';
import { renderTable } from '../report/table.ts';
import { DEFAULT_SEED } from '../tools/config.ts';
import { interruptSignal } from './bench-command.ts';
import { EXIT, UsageError } from './errors.ts';
import { parseFrameworkList } from './framework-flags.ts';
import { tableOptions } from './outputs.ts';
import { parseWhole } from './parse.ts';
import type { CliState } from './state.ts';

export interface ReplayFlags {
  executors: string;
  frameworks?: string;
  iterations: string;
  seed?: string;
  json?: boolean;
  quiet?: boolean;
  wide?: boolean;
}

/**
 * `fanout-bench replay FILE`: the recorded agent runs of a trace, each played again through the mock with every
 * strategy asked; a what-if table of the recorded wall time beside each strategy's (or, with `--json`, a results
 * document). Everything is checked before anything is played.
 */
export async function replayCommand(file: string, flags: ReplayFlags, state: CliState): Promise<number> {
  const { registries } = state;
  const texts = flags.executors.split(',').map((text) => text.trim());
  let specs: ReturnType<typeof parseSpec>[];
  try {
    specs = texts.map((text) => parseSpec(text, registries.executors));
  } catch (error) {
    throw new UsageError(`${errorMessage(error)} (in \`--executors\`)`);
  }
  const unlimited = specs.find((s) => s.limit === undefined && registries.executors.definition(s.strategy).takesLimit);
  if (unlimited) {
    throw new UsageError(`\`${unlimited.strategy}\` needs a limit in a replay, e.g. \`${unlimited.strategy}(4)\``);
  }
  specs = expandExecutors(specs, [], true, registries.executors);
  const rounds = parseWhole('--iterations', flags.iterations, ...RANGES.rounds);
  const seed = flags.seed === undefined ? DEFAULT_SEED : parseWhole('--seed', flags.seed, ...RANGES.seed);
  const frameworks = (
    flags.frameworks === undefined ? [] : parseFrameworkList(flags.frameworks, '`--frameworks`', state.registries)
  ).map((spec) => {
    const resolved = resolveFramework(spec, undefined, undefined, registries.frameworks);
    if (resolved.definition.api !== REPLAY_MODE.api) {
      throw new UsageError(
        `\`${resolved.label}\` streams; a replay plays each model turn whole (Chat Completions, its recorded time): name a framework that does not stream`,
      );
    }
    return resolved;
  });
  const runs = readRecordedRuns(file);
  const prepared = prepareRuns(runs); // every run checked as a scenario before any is played
  await preflightExecutors(specs.map(formatSpec), [], { registries, watch: state.preflight });
  const started = { createdAt: new Date().toISOString(), ms: performance.now() };
  const interrupt = interruptSignal('then stopping; what was replayed so far is shown');
  let replayed: Awaited<ReturnType<typeof replayRuns>>;
  try {
    replayed = await replayRuns(prepared, {
      specs,
      frameworks,
      rounds,
      executors: registries.executors,
      tools: { seed },
      signal: interrupt.signal,
      onRun: (run, index, total) => {
        if (!flags.quiet && !flags.json) {
          process.stderr.write(
            `[${index + 1}/${total}] replaying ${run.name} (${run.turns.length} turns with calls)\n`,
          );
        }
      },
    });
  } finally {
    interrupt.dispose();
  }
  if (flags.json) {
    const document = replayDocument(
      file,
      replayed,
      { specs, frameworks, rounds, seed },
      started,
      interrupt.signal.aborted,
    );
    process.stdout.write(EXPORTERS.json(document));
  } else {
    const { head, rows } = whatIf(replayed, specs);
    const title = `Replay of ${file}: recorded wall time beside each strategy's (mean of ${rounds} rounds, ms; ideal in brackets)`;
    process.stdout.write(`${renderTable({ title, head, rows }, tableOptions(flags))}\n`);
  }
  if (interrupt.signal.aborted) return EXIT.interrupted;
  return replayed.some((r) => r.cells.some((c) => c.status === 'error')) ? EXIT.failure : EXIT.ok;
}
