import { DEFAULT_SUITE } from '../../bench/suites.ts';
import type { LoadedConfig } from '../config/load.ts';
import type { Registries } from '../config/registries.ts';
import { errorMessage } from '../core/errors.ts';
import { RANGES } from '../core/ranges.ts';
import { type CallPolicy, DEFAULT_POLICY, ERROR_POLICIES } from '../executors/policy.ts';
import { MAX_THREADS, parseSpec } from '../executors/registry.ts';
import { formatFrameworkSpec } from '../frameworks/registry.ts';
import type { BenchConfig } from '../results/document.ts';
import { firstProblem, runSettingsSchema } from '../results/settings.ts';
import { WORKLOAD_KINDS } from '../tools/config.ts';
import { registerRecordedTools } from '../tools/recorded-tools.ts';
import { checkAgentConfig, resolveAgent } from './agent-flags.ts';
import { UsageError } from './errors.ts';
import { checkFrameworkConfig, parseFrameworkList } from './framework-flags.ts';
import type { MatrixFlags } from './matrix-flags.ts';
import { parseChoice, parseChoiceList, parseNumber, parseWhole, parseWholeList } from './parse.ts';
import { recordedRef, resolveProfile } from './profile-flags.ts';

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

/** Strategies named without a limit that take one (`limited`, not `limited(4)`). */
function withoutLimit(executors: readonly string[], registries: Registries): string[] {
  return executors.filter((e) => {
    const spec = parseSpec(e, registries.executors);
    return spec.limit === undefined && registries.executors.definition(spec.strategy).takesLimit;
  });
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
  const { agent, plan } = resolveAgent(
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
  if (plan) {
    config.executors = []; // the plan's ways are its variants
    // `--plan`'s own tool latency unless `--latency` sets every call's (a suite that names a plan sets its own)
    if (flags.plan !== undefined && flags.latency === undefined && plan.toolLatencyMs !== undefined) {
      config.latencyMs = plan.toolLatencyMs;
    }
  }
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
  if (config.agent?.plan) {
    // a plan run's reference is ReAct, one of its ways
    const react = (config.agent.planModes ?? []).includes('react');
    if (flags.reference === false && react) {
      throw new UsageError('`--no-reference` skips `react`; drop it from `--plan-modes`, or drop `--no-reference`');
    }
    if (flags.reference !== false && !react) {
      throw new UsageError(
        "A plan run's speedups are against `react`; add it to `--plan-modes`, or pass `--no-reference`",
      );
    }
    if (flags.reference === false) config.reference = false;
    else delete config.reference;
  } else if (flags.reference === false) {
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
