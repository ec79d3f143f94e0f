import { DEFAULT_SUITE, SUITES } from '../../bench/suites.ts';
import { parseSpec } from '../executors/registry.ts';
import type { BenchConfig } from '../results/document.ts';
import { LATENCY_PROFILES, WORKLOAD_KINDS } from '../tools/config.ts';
import { UsageError } from './errors.ts';
import { parseChoice, parseChoiceList, parseNumber, parseWhole, parseWholeList } from './parse.ts';

/** Matrix flags as commander hands them over (strings, unparsed). */
export interface MatrixFlags {
  suite?: string;
  executors?: string;
  calls?: string;
  limits?: string;
  kind?: string;
  latency?: string;
  profile?: string;
  seed?: string;
  iterations?: string;
  failRate?: string;
  hangRate?: string;
  crashRate?: string;
}

function parseExecutors(text: string): string[] {
  const names = text.split(',').map((s) => s.trim());
  for (const name of names) {
    try {
      parseSpec(name);
    } catch (error) {
      throw new UsageError(`${(error as Error).message} (in \`--executors\`)`);
    }
  }
  return names;
}

/** A suite's settings with the flags given on the command line laid over them, every value validated. */
export function resolveBenchConfig(flags: MatrixFlags): BenchConfig {
  const suiteName = flags.suite ?? DEFAULT_SUITE;
  const suite = SUITES[suiteName];
  if (!suite) {
    throw new UsageError(`Unknown suite \`${suiteName}\`; expected one of ${Object.keys(SUITES).join(', ')}`);
  }
  const { description: _description, ...base } = suite;
  const rate = (flag: string, text: string | undefined, fallback: number) =>
    text === undefined ? fallback : parseNumber(flag, text, 0, 1);
  const config: BenchConfig = {
    ...base,
    suite: suiteName,
    executors: flags.executors === undefined ? base.executors : parseExecutors(flags.executors),
    calls: flags.calls === undefined ? base.calls : parseWholeList('--calls', flags.calls, 1, 1000),
    limits: flags.limits === undefined ? base.limits : parseWholeList('--limits', flags.limits, 1, 256),
    kinds: flags.kind === undefined ? base.kinds : parseChoiceList('--kind', flags.kind, WORKLOAD_KINDS),
    latencyMs: flags.latency === undefined ? base.latencyMs : parseNumber('--latency', flags.latency, 0, 600_000),
    profile: flags.profile === undefined ? base.profile : parseChoice('--profile', flags.profile, LATENCY_PROFILES),
    seed: flags.seed === undefined ? base.seed : parseWhole('--seed', flags.seed, 0, 2 ** 32 - 1),
    rounds: flags.iterations === undefined ? base.rounds : parseWhole('--iterations', flags.iterations, 1, 100_000),
    faults: {
      failRate: rate('--fail-rate', flags.failRate, base.faults.failRate),
      hangRate: rate('--hang-rate', flags.hangRate, base.faults.hangRate),
      crashRate: rate('--crash-rate', flags.crashRate, base.faults.crashRate),
    },
  };
  const { failRate, hangRate, crashRate } = config.faults;
  if (failRate + hangRate + crashRate > 1) {
    throw new UsageError('Expected `--fail-rate` + `--hang-rate` + `--crash-rate` to be at most 1');
  }
  if (hangRate > 0) {
    throw new UsageError('`--hang-rate` needs a per-call timeout, which this version does not have yet; drop the flag');
  }
  const needsLimits = config.executors.some((e) => !/\(/.test(e) && ['limited', 'chunked', 'worker-pool'].includes(e));
  if (needsLimits && config.limits.length === 0) {
    throw new UsageError('Executors without a limit need `--limits`, e.g. `--limits 2,4`, or write `limited(4)`');
  }
  return config;
}
