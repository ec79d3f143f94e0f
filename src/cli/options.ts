import { resolve } from 'node:path';
import { DEFAULT_SUITE } from '../../bench/suites.ts';
import {
  type AgentMode,
  API_MODES,
  agentModes,
  DISPATCH_MODES,
  hostsFrameworks,
  STREAMED_APIS,
} from '../agent/types.ts';
import type { LoadedConfig } from '../config/load.ts';
import type { Registries } from '../config/registries.ts';
import { errorMessage, firstLine } from '../core/errors.ts';
import { RANGES } from '../core/ranges.ts';
import { type CallPolicy, DEFAULT_POLICY, ERROR_POLICIES } from '../executors/policy.ts';
import { MAX_THREADS, parseSpec } from '../executors/registry.ts';
import {
  type FrameworkSpec,
  formatFrameworkSpec,
  parseFrameworkSpec,
  resolveFramework,
} from '../frameworks/registry.ts';
import { FANOUT_FAMILY, loadScenario } from '../model/load.ts';
import { type AgentBenchConfig, type BenchConfig, type RecordedProfileRef, runModes } from '../results/document.ts';
import { firstProblem, runSettingsSchema } from '../results/settings.ts';
import { LATENCY_PROFILES, type LatencyProfileName, WORKLOAD_KINDS } from '../tools/config.ts';
import { loadProfileCached, looksLikeProfilePath, profileStats } from '../tools/recorded.ts';
import { registerRecordedTools, shownPath } from '../tools/recorded-tools.ts';
import { UsageError } from './errors.ts';
import { parseChoice, parseChoiceList, parseNumber, parseWhole, parseWholeList } from './parse.ts';
import { formatDuration } from './progress.ts';

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
  /** false with `--no-reference`. */
  reference?: boolean;
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
  tools?: string;
  frameworks?: string;
  config?: string;
}

/** Per-call policy flags; undefined when none is given (the default policy). */
export function resolvePolicy(flags: MatrixFlags): CallPolicy | undefined {
  if ([flags.timeout, flags.retries, flags.backoff, flags.errorPolicy].every((f) => f === undefined)) return undefined;
  return {
    ...DEFAULT_POLICY,
    ...(flags.timeout === undefined ? {} : { timeoutMs: parseNumber('--timeout', flags.timeout, ...RANGES.timeoutMs) }),
    ...(flags.retries === undefined ? {} : { retries: parseWhole('--retries', flags.retries, ...RANGES.retries) }),
    ...(flags.backoff === undefined ? {} : { backoffMs: parseNumber('--backoff', flags.backoff, ...RANGES.backoffMs) }),
    ...(flags.errorPolicy === undefined
      ? {}
      : { errorPolicy: parseChoice('--error-policy', flags.errorPolicy, ERROR_POLICIES) }),
  };
}

/** Scenario checked by loading it: a missing or malformed file fails here with its own message. */
export function checkScenario(name: string, registries: Registries): string {
  if (name === FANOUT_FAMILY) return name;
  try {
    loadScenario(name, registries.tools);
  } catch (error) {
    throw new UsageError(`${firstLine(error)} (in \`--scenario\`; see \`fanout-bench list\`)`);
  }
  return name;
}

const DEFAULT_AGENT: AgentBenchConfig = { scenario: 'weather-stock-news', api: 'chat', dispatch: 'after-stream' };

/** Agent settings: the suite's (if it is an agent suite) with the flags laid over them; undefined for tool runs. */
function resolveAgent(
  flags: MatrixFlags,
  base: AgentBenchConfig | undefined,
  registries: Registries,
): AgentBenchConfig | undefined {
  const mode =
    flags.mode === undefined
      ? base || flags.frameworks !== undefined
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
      ['--frameworks', flags.frameworks],
    ] as const) {
      if (value !== undefined) throw new UsageError(`\`${flag}\` belongs to agent runs; add \`--mode agent\``);
    }
    return undefined;
  }
  const start = base ?? DEFAULT_AGENT;
  const modes = resolveModes(flags, start);
  const first = modes[0] as AgentMode;
  const { modes: _, ...single } = start;
  const agent: AgentBenchConfig = {
    ...single,
    scenario: flags.scenario === undefined ? start.scenario : checkScenario(flags.scenario, registries),
    api: first.api,
    dispatch: first.dispatch,
    ...(modes.length > 1 ? { modes } : {}),
    ...(flags.modelLatency === undefined
      ? {}
      : { modelLatencyMs: parseNumber('--model-latency', flags.modelLatency, 0, 600_000) }),
    ...(flags.streamDelay === undefined
      ? {}
      : { streamChunkDelayMs: parseNumber('--stream-delay', flags.streamDelay, 0, 60_000) }),
  };
  if (agent.streamChunkDelayMs !== undefined && !modes.some((m) => STREAMED_APIS.includes(m.api))) {
    throw new UsageError(
      '`--stream-delay` applies to streamed turns; add `--api chat-stream` (or `responses-stream`, `messages-stream`)',
    );
  }
  return agent;
}

/**
 * The modes of an agent run: `--api` (one, a list or `all`) × `--dispatch` (one, a list or `both`); early dispatch
 * pairs only with streamed APIs, so `--dispatch early` alone needs every API to stream. Flags not given keep the
 * suite's.
 */
function resolveModes(flags: MatrixFlags, start: AgentBenchConfig): AgentMode[] {
  const before = runModes(start);
  /** A flag's list, `every` for its word for all, or the suite's values when the flag is not given. */
  const listed = <T extends string>(
    flag: string,
    text: string | undefined,
    every: string,
    all: readonly T[],
    suite: T[],
  ) => {
    if (text === undefined) return [...new Set(suite)];
    if (text === every) return all;
    if (text.split(',').some((part) => part.trim() === every)) {
      throw new UsageError(`\`${every}\` stands alone: pass \`${flag} ${every}\`, or list the ones you want`);
    }
    return parseChoiceList(flag, text, all, [every]);
  };
  const apis = listed(
    '--api',
    flags.api,
    'all',
    API_MODES,
    before.map((m) => m.api),
  );
  const dispatches = listed(
    '--dispatch',
    flags.dispatch,
    'both',
    DISPATCH_MODES,
    before.map((m) => m.dispatch),
  );
  if (flags.api === undefined && flags.dispatch === undefined) return before;
  const whole = apis.filter((api) => !STREAMED_APIS.includes(api));
  if (!dispatches.includes('after-stream') && whole.length > 0) {
    throw new UsageError(
      `\`--dispatch early\` applies to streamed turns, not to ${whole.join(', ')}; add \`--api chat-stream\` (or \`responses-stream\`, \`messages-stream\`)${whole.length < apis.length ? ', or `--dispatch both`' : ''}`,
    );
  }
  const modes = agentModes(apis, dispatches);
  if (dispatches.includes('early') && !modes.some((m) => m.dispatch === 'early')) {
    throw new UsageError(
      `\`--dispatch ${flags.dispatch ?? dispatches.join(',')}\` would start nothing early: ${apis.join(', ')} ${apis.length === 1 ? 'does' : 'do'} not stream; add \`--api chat-stream\` (or \`responses-stream\`, \`messages-stream\`)`,
    );
  }
  return modes;
}

/** Strategies named without a limit that take one (`limited`, not `limited(4)`). */
function withoutLimit(executors: readonly string[], registries: Registries): string[] {
  return executors.filter((e) => {
    const spec = parseSpec(e, registries.executors);
    return spec.limit === undefined && registries.executors.definition(spec.strategy).takesLimit;
  });
}

/** Agent runs measure what the scenario asks for, on one kind of tool: refuse flags that would be ignored. */
function checkAgentConfig(config: BenchConfig, flags: MatrixFlags, registries: Registries): void {
  if (!config.agent) return;
  if (flags.calls !== undefined && config.agent.scenario !== FANOUT_FAMILY) {
    throw new UsageError(
      'The scenario sets the calls of an agent run; drop `--calls`, or sweep with `--scenario fanout --calls 10,100,1000`',
    );
  }
  if (config.kinds.length > 1)
    throw new UsageError('An agent run uses one tool kind; pass `--kind io` or `--kind cpu`');
  if (flags.tools !== undefined) throw new UsageError('The scenario names the tools of an agent run; drop `--tools`');
  if (
    runModes(config.agent).some((mode) => mode.dispatch === 'early') &&
    config.executors.some(
      (e) => registries.executors.definition(parseSpec(e, registries.executors).strategy).ideal === 'chunks',
    )
  ) {
    throw new UsageError(
      'Early dispatch cannot keep fixed chunks; drop chunked from `--executors` or use `--dispatch after-stream`',
    );
  }
}

function parseExecutors(names: readonly string[], where: string, registries: Registries): string[] {
  for (const name of names) {
    try {
      parseSpec(name, registries.executors);
    } catch (error) {
      throw new UsageError(`${errorMessage(error)} (in ${where})`);
    }
  }
  return [...names];
}

/** A recorded profile as a run records it: the path relative to the working directory, digest and per-tool stats. */
export function recordedRef(file: string): RecordedProfileRef {
  const profile = loadProfileCached(file);
  return {
    file: shownPath(file),
    format: profile.format,
    sha256: profile.sha256,
    tools: profileStats(profile),
  };
}

/**
 * `--profile`: a built-in name, or a recorded file (JSON, CSV, OTLP JSON). Without the flag, the suite's recorded
 * file, else the config's.
 */
function resolveProfile(
  flag: string | undefined,
  base: { profile: LatencyProfileName; recordedFile?: string },
  userConfig: LoadedConfig | undefined,
): { profile: LatencyProfileName; recordedFile?: string } {
  if (flag !== undefined && looksLikeProfilePath(flag)) {
    loadProfileCached(flag); // a missing or malformed file fails here, named as given
    return { profile: base.profile, recordedFile: resolve(flag) };
  }
  if (flag !== undefined && !(LATENCY_PROFILES as readonly string[]).includes(flag)) {
    throw new UsageError(
      `Expected \`--profile\` to be ${LATENCY_PROFILES.join(', ')} or a recorded latency file (.json, .csv), got \`${flag}\``,
    );
  }
  if (flag !== undefined) return { profile: flag as LatencyProfileName };
  const recordedFile = base.recordedFile ?? userConfig?.profileFile;
  return { profile: base.profile, ...(recordedFile ? { recordedFile } : {}) };
}

/** `--tools` (or a suite's `tools`): names a batch rotates through, each a registered tool. */
function parseTools(text: string | undefined, where: string, registries: Registries): string[] | undefined {
  if (text === undefined) return undefined;
  const names = [...new Set(text.split(',').map((s) => s.trim()))];
  for (const name of names) {
    if (!registries.tools.has(name)) {
      throw new UsageError(
        `Unknown tool \`${name}\` in ${where}; expected names from ${registries.tools.names().join(', ')}`,
      );
    }
  }
  return names;
}

/** Flags that would change nothing in this run are refused, not silently ignored. */
function checkIgnoredFlags(config: BenchConfig, flags: MatrixFlags, registries: Registries): void {
  if (flags.limits !== undefined && withoutLimit(config.executors, registries).length === 0) {
    throw new UsageError(
      '`--limits` applies to strategies named without a limit (limited, chunked, worker-pool); none here: drop it or name one, e.g. `--executors limited`',
    );
  }
  if (flags.backoff !== undefined && (config.policy?.retries ?? 0) === 0) {
    throw new UsageError('`--backoff` spaces out retries; add `--retries N` or drop it');
  }
  const parallel = config.executors.filter((e) => parseSpec(e, registries.executors).strategy !== 'sequential');
  if (
    flags.rateLimit !== undefined &&
    parallel.length > 0 &&
    parallel.every((e) => registries.executors.definition(parseSpec(e, registries.executors).strategy).offMainThread)
  ) {
    throw new UsageError(
      '`--rate-limit` counts calls in flight on one thread; a worker pool runs one call per thread and never reaches it: measure it with main-thread strategies',
    );
  }
}

/**
 * Warnings a run should print before it starts: batch tools that a recorded profile has no samples for; a timeout
 * that cannot fire on time while CPU-bound tools compute on the main thread.
 */
export function profileWarnings(config: BenchConfig, registries: Registries): string[] {
  const warnings: string[] = [];
  const mainThread = config.executors.filter(
    (e) => !registries.executors.definition(parseSpec(e, registries.executors).strategy).offMainThread,
  );
  if (config.policy?.timeoutMs !== undefined && config.kinds.includes('cpu') && mainThread.length > 0) {
    warnings.push(
      `Warning: CPU-bound tools compute on the main thread under ${mainThread.join(', ')}: \`--timeout\` can only end a call after its computation, late`,
    );
  }
  // the reference runs every call one after another: at scale one sample alone can take an hour
  const calls = config.agent ? [] : config.calls;
  const slowest = Math.max(0, ...calls) * config.latencyMs;
  if (config.reference !== false && slowest * config.rounds > REFERENCE_WARN_MS) {
    warnings.push(
      `Warning: \`sequential\` at ${Math.max(...calls)} calls takes ${formatDuration(slowest)} per sample, ${formatDuration(slowest * config.rounds)} over ${config.rounds} rounds; \`--no-reference\` skips it (speedups then read "—")`,
    );
  }
  return [...warnings, ...recordedWarnings(config, registries)];
}

/** Above this much time in the sequential reference alone, a run says how to skip it. */
const REFERENCE_WARN_MS = 10 * 60_000;

function recordedWarnings(config: BenchConfig, registries: Registries): string[] {
  if (!config.recorded || !config.tools) return [];
  const recorded = config.recorded;
  return config.tools
    .filter(
      (name) => !Object.hasOwn(recorded.tools, name) && registries.tools.named(name).definition.latency === 'simulated',
    )
    .map(
      (name) =>
        `Warning: ${recorded.file} has no samples for tool \`${name}\`; it keeps the nominal ${config.latencyMs} ms (${config.profile})`,
    );
}

/**
 * A list of framework specs (`--frameworks`, a suite's, `probe --frameworks`, `gate --with`): each a registered
 * framework, optionally `@alias`, found installed — checked here, before anything is measured. Repeats collapse.
 */
export function parseFrameworkList(text: string, where: string, registries: Registries): FrameworkSpec[] {
  const texts = [...new Set(text.split(',').map((s) => s.trim()))].filter((s) => s !== '');
  if (texts.length === 0) throw new UsageError(`Expected framework names in ${where}, e.g. ai-sdk,openai-agents`);
  return texts.map((spec) => {
    try {
      const parsed = parseFrameworkSpec(spec, registries.frameworks);
      resolveFramework(parsed, undefined, undefined, registries.frameworks);
      return parsed;
    } catch (error) {
      throw new UsageError(`${errorMessage(error)} (in ${where})`);
    }
  });
}

/** Frameworks run our loop's reference on Chat Completions; our loop's own fail-fast has no say over theirs. */
function checkFrameworkConfig(config: BenchConfig, flags: MatrixFlags, registries: Registries): void {
  if (!config.frameworks || !config.agent) return;
  if (!runModes(config.agent).some(hostsFrameworks)) {
    throw new UsageError(
      'Frameworks are measured on Chat Completions (ai-sdk-stream streams it), against our loop on the same API; add `chat` to `--api`',
    );
  }
  if (config.policy?.errorPolicy === 'fail-fast') {
    throw new UsageError(
      "`--error-policy fail-fast` is our loop's; a framework decides itself what a failed call does (see `fanout-bench probe`); drop it",
    );
  }
  for (const name of config.frameworks) {
    if (config.executors.some((e) => e === name || parseSpec(e, registries.executors).strategy === name)) {
      throw new UsageError(
        `\`${name}\` names both an executor and a framework; rename the one in your config (${flags.config ?? 'fanout.config'})`,
      );
    }
  }
}

/**
 * A suite's settings with the flags given on the command line laid over them, every value validated. Without
 * `--profile`, the user's config's recorded profile (if any) is the default.
 */
export function resolveBenchConfig(
  flags: MatrixFlags,
  state: { config?: LoadedConfig | undefined; registries: Registries },
): BenchConfig {
  const { registries } = state;
  const suiteName = flags.suite ?? DEFAULT_SUITE;
  const suite = registries.suites.find(suiteName);
  if (!suite) {
    const names = registries.suites.entries().map(([name]) => name);
    throw new UsageError(`Unknown suite \`${suiteName}\`; expected one of ${names.join(', ')}`);
  }
  const { description: _description, recordedFile: _recordedFile, ...base } = suite;
  const profile = resolveProfile(flags.profile, suite, state.config);
  if (profile.recordedFile) registerRecordedTools(registries.tools, profile.recordedFile); // its tools become callable by name
  const rate = (flag: string, text: string | undefined, fallback: number) =>
    text === undefined ? fallback : parseNumber(flag, text, 0, 1);
  const config: BenchConfig = {
    ...base,
    suite: suiteName,
    executors:
      flags.executors === undefined
        ? parseExecutors(base.executors, `suite \`${suiteName}\``, registries)
        : parseExecutors(
            flags.executors.split(',').map((s) => s.trim()),
            '`--executors`',
            registries,
          ),
    calls: flags.calls === undefined ? base.calls : parseWholeList('--calls', flags.calls, ...RANGES.calls),
    limits: flags.limits === undefined ? base.limits : parseWholeList('--limits', flags.limits, ...RANGES.limits),
    kinds: flags.kind === undefined ? base.kinds : parseChoiceList('--kind', flags.kind, WORKLOAD_KINDS),
    latencyMs:
      flags.latency === undefined ? base.latencyMs : parseNumber('--latency', flags.latency, ...RANGES.latencyMs),
    profile: profile.profile,
    seed: flags.seed === undefined ? base.seed : parseWhole('--seed', flags.seed, ...RANGES.seed),
    rounds:
      flags.iterations === undefined ? base.rounds : parseWhole('--iterations', flags.iterations, ...RANGES.rounds),
    faults: {
      failRate: rate('--fail-rate', flags.failRate, base.faults.failRate),
      hangRate: rate('--hang-rate', flags.hangRate, base.faults.hangRate),
      crashRate: rate('--crash-rate', flags.crashRate, base.faults.crashRate),
      ...(flags.rateLimit === undefined
        ? {}
        : { rateLimit: parseWhole('--rate-limit', flags.rateLimit, ...RANGES.rateLimit) }),
      ...(flags.ignoreAbort ? { honorAbort: false } : {}),
    },
  };
  if (profile.recordedFile) config.recorded = recordedRef(profile.recordedFile);
  else delete config.recorded;
  const tools = parseTools(
    flags.tools ?? base.tools?.join(','),
    flags.tools === undefined ? `suite \`${suiteName}\`` : '`--tools`',
    registries,
  );
  // a recorded profile without --tools: the batch calls the recorded tools
  const batchTools = tools ?? (config.recorded ? Object.keys(config.recorded.tools) : undefined);
  if (batchTools) config.tools = batchTools;
  else delete config.tools;
  const policy = resolvePolicy(flags) ?? base.policy;
  if (policy) config.policy = policy;
  // a suite that names frameworks is an agent suite, as `--frameworks` is an agent flag
  const agent = resolveAgent(
    {
      ...flags,
      ...(base.frameworks ? { frameworks: base.frameworks.join(',') } : {}),
      ...(flags.frameworks === undefined ? {} : { frameworks: flags.frameworks }),
    },
    base.agent,
    registries,
  );
  if (agent) config.agent = agent;
  else delete config.agent;
  const frameworkText = flags.frameworks ?? base.frameworks?.join(',');
  const frameworks =
    frameworkText === undefined
      ? undefined
      : parseFrameworkList(
          frameworkText,
          flags.frameworks === undefined ? `suite \`${suiteName}\`` : '`--frameworks`',
          registries,
        );
  if (frameworks && config.agent) {
    config.frameworks = frameworks.map(formatFrameworkSpec);
    // the default suite's executors are a tools matrix: beside frameworks, our loop runs with promise-all
    if (flags.executors === undefined && suiteName === DEFAULT_SUITE) config.executors = ['promise-all'];
  } else delete config.frameworks;
  checkAgentConfig(config, flags, registries);
  checkFrameworkConfig(config, flags, registries);
  if (config.agent) delete config.tools; // the scenario names the tools
  const { failRate, hangRate, crashRate } = config.faults;
  if (failRate + hangRate + crashRate > 1) {
    throw new UsageError('Expected `--fail-rate` + `--hang-rate` + `--crash-rate` to be at most 1');
  }
  if (hangRate > 0 && config.policy?.timeoutMs === undefined) {
    throw new UsageError('`--hang-rate` needs a per-call timeout, or hung calls never end; add e.g. `--timeout 1000`');
  }
  const threaded = withoutLimit(config.executors, registries).filter(
    (e) => registries.executors.definition(e).offMainThread,
  );
  const most = Math.max(0, ...config.limits);
  if (threaded.length > 0 && most > MAX_THREADS) {
    throw new UsageError(
      `\`${threaded[0]}\` would start ${most} threads from \`--limits\`; at most ${MAX_THREADS}, e.g. \`--limits 2,4,8\``,
    );
  }
  if (flags.reference === false) {
    const isReference = (e: string) => parseSpec(e, registries.executors).strategy === 'sequential';
    if (flags.executors !== undefined && config.executors.some(isReference)) {
      throw new UsageError('`--no-reference` skips `sequential`; drop it from `--executors`, or drop `--no-reference`');
    }
    config.executors = config.executors.filter((e) => !isReference(e)); // a suite's own list may name it
    if (config.executors.length === 0 && !config.frameworks?.length) {
      throw new UsageError('`--no-reference` leaves nothing to measure; name strategies with `--executors`');
    }
    config.reference = false;
  } else delete config.reference;
  checkIgnoredFlags(config, flags, registries);
  if (withoutLimit(config.executors, registries).length > 0 && config.limits.length === 0) {
    throw new UsageError('Executors without a limit need `--limits`, e.g. `--limits 2,4`, or write `limited(4)`');
  }
  // the flags resolve to the settings a suite holds and a results document keeps: one schema for the three
  const problem = firstProblem(runSettingsSchema, config);
  if (problem)
    throw new Error(
      `internal: the flags resolved to settings no results document can hold: ${problem.field}: ${problem.message}`,
    );
  return config;
}
