import { DEFAULT_SUITE, SUITES } from '../../bench/suites.ts';
import { API_MODES, DISPATCH_MODES } from '../agent/types.ts';
import { type CallPolicy, DEFAULT_POLICY, ERROR_POLICIES } from '../executors/policy.ts';
import { parseSpec, STRATEGIES } from '../executors/registry.ts';
import { loadScenario } from '../model/load.ts';
import type { AgentBenchConfig, BenchConfig } from '../results/document.ts';
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
  rateLimit?: string;
  timeout?: string;
  retries?: string;
  backoff?: string;
  errorPolicy?: string;
  mode?: string;
  scenario?: string;
  api?: string;
  dispatch?: string;
  modelLatency?: string;
  streamDelay?: string;
  ignoreAbort?: boolean;
}

/** Per-call policy flags; undefined when none is given (the default policy). */
export function resolvePolicy(flags: MatrixFlags): CallPolicy | undefined {
  if ([flags.timeout, flags.retries, flags.backoff, flags.errorPolicy].every((f) => f === undefined)) return undefined;
  return {
    ...DEFAULT_POLICY,
    ...(flags.timeout === undefined ? {} : { timeoutMs: parseNumber('--timeout', flags.timeout, 1, 3_600_000) }),
    ...(flags.retries === undefined ? {} : { retries: parseWhole('--retries', flags.retries, 0, 20) }),
    ...(flags.backoff === undefined ? {} : { backoffMs: parseNumber('--backoff', flags.backoff, 0, 60_000) }),
    ...(flags.errorPolicy === undefined
      ? {}
      : { errorPolicy: parseChoice('--error-policy', flags.errorPolicy, ERROR_POLICIES) }),
  };
}

/** Scenario checked by loading it: a missing or malformed file fails here with its own message. */
export function checkScenario(name: string): string {
  try {
    loadScenario(name);
  } catch (error) {
    throw new UsageError(`${(error as Error).message.split('\n')[0]} (in \`--scenario\`; see \`fanout-bench list\`)`);
  }
  return name;
}

const DEFAULT_AGENT: AgentBenchConfig = { scenario: 'weather-stock-news', api: 'chat', dispatch: 'after-stream' };

/** Agent settings: the suite's (if it is an agent suite) with the flags laid over them; undefined for tool runs. */
function resolveAgent(flags: MatrixFlags, base: AgentBenchConfig | undefined): AgentBenchConfig | undefined {
  const mode =
    flags.mode === undefined
      ? base
        ? 'agent'
        : 'tools'
      : parseChoice('--mode', flags.mode, ['tools', 'agent'] as const);
  if (mode === 'tools') {
    for (const [flag, value] of [
      ['--stream-delay', flags.streamDelay],
      ['--scenario', flags.scenario],
      ['--api', flags.api],
      ['--dispatch', flags.dispatch],
      ['--model-latency', flags.modelLatency],
    ] as const) {
      if (value !== undefined) throw new UsageError(`\`${flag}\` belongs to agent runs; add \`--mode agent\``);
    }
    return undefined;
  }
  const start = base ?? DEFAULT_AGENT;
  const agent: AgentBenchConfig = {
    ...start,
    scenario: flags.scenario === undefined ? start.scenario : checkScenario(flags.scenario),
    api: flags.api === undefined ? start.api : parseChoice('--api', flags.api, API_MODES),
    dispatch: flags.dispatch === undefined ? start.dispatch : parseChoice('--dispatch', flags.dispatch, DISPATCH_MODES),
    ...(flags.modelLatency === undefined
      ? {}
      : { modelLatencyMs: parseNumber('--model-latency', flags.modelLatency, 0, 600_000) }),
    ...(flags.streamDelay === undefined
      ? {}
      : { streamChunkDelayMs: parseNumber('--stream-delay', flags.streamDelay, 0, 60_000) }),
  };
  if (agent.api !== 'chat-stream' && (agent.dispatch === 'early' || agent.streamChunkDelayMs !== undefined)) {
    throw new UsageError('`--dispatch early` and `--stream-delay` apply to streamed turns; add `--api chat-stream`');
  }
  return agent;
}

/** Strategies named without a limit that take one (`limited`, not `limited(4)`). */
function withoutLimit(executors: readonly string[]): string[] {
  return executors.filter((e) => {
    const spec = parseSpec(e);
    return spec.limit === undefined && STRATEGIES[spec.strategy].takesLimit;
  });
}

/** Agent runs measure what the scenario asks for, on one kind of tool: refuse flags that would be ignored. */
function checkAgentConfig(config: BenchConfig, flags: MatrixFlags): void {
  if (!config.agent) return;
  if (flags.calls !== undefined) throw new UsageError('The scenario sets the calls of an agent run; drop `--calls`');
  if (config.kinds.length > 1)
    throw new UsageError('An agent run uses one tool kind; pass `--kind io` or `--kind cpu`');
  if (config.agent.dispatch === 'early' && config.executors.some((e) => parseSpec(e).strategy === 'chunked')) {
    throw new UsageError(
      'Early dispatch cannot keep fixed chunks; drop chunked from `--executors` or use `--dispatch after-stream`',
    );
  }
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
      ...(flags.rateLimit === undefined ? {} : { rateLimit: parseWhole('--rate-limit', flags.rateLimit, 1, 100_000) }),
      ...(flags.ignoreAbort ? { honorAbort: false } : {}),
    },
  };
  const policy = resolvePolicy(flags) ?? base.policy;
  if (policy) config.policy = policy;
  const agent = resolveAgent(flags, base.agent);
  if (agent) config.agent = agent;
  else delete config.agent;
  checkAgentConfig(config, flags);
  const { failRate, hangRate, crashRate } = config.faults;
  if (failRate + hangRate + crashRate > 1) {
    throw new UsageError('Expected `--fail-rate` + `--hang-rate` + `--crash-rate` to be at most 1');
  }
  if (hangRate > 0 && config.policy?.timeoutMs === undefined) {
    throw new UsageError('`--hang-rate` needs a per-call timeout, or hung calls never end; add e.g. `--timeout 1000`');
  }
  if (withoutLimit(config.executors).length > 0 && config.limits.length === 0) {
    throw new UsageError('Executors without a limit need `--limits`, e.g. `--limits 2,4`, or write `limited(4)`');
  }
  return config;
}
