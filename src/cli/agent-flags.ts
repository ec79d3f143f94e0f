/** Agent-mode flags: the scenario, the API modes, and what an agent run refuses. */

import { type AgentMode, API_MODES, agentModes, DISPATCH_MODES, STREAMED_APIS } from '../agent/types.ts';
import type { Registries } from '../config/registries.ts';
import { firstLine } from '../core/errors.ts';
import { RANGES } from '../core/ranges.ts';
import { parseSpec } from '../executors/registry.ts';
import { FANOUT_FAMILY, loadScenario } from '../model/load.ts';
import { listPlans, loadPlan, type Plan, planDigest } from '../model/plan.ts';
import {
  DEFAULT_PLAN_MODES,
  formatPlanMode,
  PLAN_MODE_EXAMPLES,
  type PlanMode,
  parsePlanMode,
  planLatencies,
} from '../model/plan-scenarios.ts';
import { type AgentBenchConfig, type BenchConfig, runModes } from '../results/document.ts';
import { quantileSorted } from '../stats/summary.ts';
import { registerPlanTools } from '../tools/plan-tools.ts';
import { readModelProfile } from '../tools/recorded.ts';
import { shownPath } from '../tools/recorded-tools.ts';
import { UsageError } from './errors.ts';
import type { MatrixFlags } from './matrix-flags.ts';
import { parseChoice, parseChoiceList, parseNumber } from './parse.ts';

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

/**
 * Agent settings: the suite's (if it is an agent suite) with the flags laid over them, none for tool runs; and the
 * plan of a plan run, loaded once.
 */
export function resolveAgent(
  flags: MatrixFlags,
  base: AgentBenchConfig | undefined,
  registries: Registries,
): { agent?: AgentBenchConfig; plan?: Plan } {
  const mode =
    flags.mode === undefined
      ? base || flags.frameworks !== undefined || flags.plan !== undefined
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
      ['--tokens-per-second', flags.tokensPerSecond],
      ['--model-profile', flags.modelProfile],
      ['--frameworks', flags.frameworks],
      ['--plan', flags.plan],
      ['--plan-modes', flags.planModes],
    ] as const) {
      if (value !== undefined) throw new UsageError(`\`${flag}\` belongs to agent runs; add \`--mode agent\``);
    }
    return {};
  }
  const planned = resolvePlan(flags, base, registries);
  const plan = planned?.plan;
  const start = planned?.agent ?? base ?? DEFAULT_AGENT;
  const modes = resolveModes(flags, start);
  if (plan) checkPlanModes(modes);
  const first = modes[0] as AgentMode;
  const { modes: _, ...single } = start;
  const agent: AgentBenchConfig = {
    ...single,
    scenario: flags.scenario === undefined || plan ? start.scenario : checkScenario(flags.scenario, registries),
    api: first.api,
    dispatch: first.dispatch,
    ...(modes.length > 1 ? { modes } : {}),
    ...(flags.modelLatency === undefined
      ? {}
      : { modelLatencyMs: parseNumber('--model-latency', flags.modelLatency, 0, 600_000) }),
    ...(flags.streamDelay === undefined
      ? {}
      : { streamChunkDelayMs: parseNumber('--stream-delay', flags.streamDelay, ...RANGES.streamChunkDelayMs) }),
    ...(flags.tokensPerSecond === undefined
      ? {}
      : { tokensPerSecond: parseNumber('--tokens-per-second', flags.tokensPerSecond, ...RANGES.tokensPerSecond) }),
    ...(flags.modelProfile === undefined ? {} : { modelProfile: modelProfileRef(flags.modelProfile) }),
  };
  if (agent.modelProfile && agent.modelLatencyMs !== undefined) {
    throw new UsageError("`--model-profile` draws each turn's time from the trace; drop `--model-latency`");
  }
  if (agent.modelProfile && agent.tokensPerSecond !== undefined) {
    throw new UsageError(
      "`--model-profile` takes each turn's whole time from the trace, output included; drop `--tokens-per-second`",
    );
  }
  if (agent.streamChunkDelayMs !== undefined && !modes.some((m) => STREAMED_APIS.includes(m.api))) {
    throw new UsageError(
      '`--stream-delay` applies to streamed turns; add `--api chat-stream` (or `responses-stream`, `messages-stream`)',
    );
  }
  return plan ? { agent, plan } : { agent };
}

/** A plan checked by loading it with its tools: a bad plan fails here, in one line naming the task. */
export function checkPlan(text: string, registries: Registries): Plan {
  registerPlanTools(registries.tools);
  try {
    return loadPlan(text, registries.tools);
  } catch (error) {
    throw new UsageError(`${firstLine(error)} (in \`--plan\`; presets: ${listPlans().join(', ')})`);
  }
}

/**
 * A plan run's agent settings (`--plan`, or a suite's `agent.plan`): the plan's name as the scenario, its ways
 * (`--plan-modes`), its digest, Chat Completions streamed and the plan's model timing and task latencies unless the
 * suite or the flags say otherwise; and the plan. Undefined when the run plays no plan.
 */
function resolvePlan(
  flags: MatrixFlags,
  base: AgentBenchConfig | undefined,
  registries: Registries,
): { agent: AgentBenchConfig; plan: Plan } | undefined {
  const source = flags.plan ?? base?.plan;
  if (source === undefined) {
    if (flags.planModes !== undefined) throw new UsageError('`--plan-modes` belongs to plan runs; add `--plan FILE`');
    return undefined;
  }
  if (flags.scenario !== undefined) {
    throw new UsageError('`--plan` plays its own conversations, one per way of running it; drop `--scenario`');
  }
  const plan = checkPlan(source, registries);
  const planModes =
    flags.planModes === undefined ? (base?.planModes ?? [...DEFAULT_PLAN_MODES]) : parsePlanModes(flags.planModes);
  // a recorded model profile times every turn itself: the plan's model timing does not apply beside it
  const profiled = flags.modelProfile !== undefined || base?.modelProfile !== undefined;
  // the plan's task latencies unless `--latency` sets every call's
  const fixed = flags.latency === undefined ? planLatencies(plan) : {};
  const agent: AgentBenchConfig = {
    api: 'chat-stream',
    dispatch: 'after-stream',
    ...(plan.modelLatencyMs === undefined || profiled ? {} : { modelLatencyMs: plan.modelLatencyMs }),
    ...(plan.tokensPerSecond === undefined || profiled ? {} : { tokensPerSecond: plan.tokensPerSecond }),
    // a suite's own settings over the plan's
    ...base,
    scenario: plan.name,
    plan: source,
    planModes,
    planSha256: planDigest(plan),
    ...(Object.keys(fixed).length > 0 ? { planLatencies: fixed } : {}),
  };
  return { agent, plan };
}

/** `--plan-modes react,parallel-fc,dag(4)+poll`: each a plan mode, each once. */
function parsePlanModes(text: string): string[] {
  const modes = text.split(',').map((part) => part.trim());
  for (const mode of modes) {
    if (parsePlanMode(mode) === undefined) {
      throw new UsageError(`Expected \`--plan-modes\` to list ${PLAN_MODE_EXAMPLES}; got \`${mode}\``);
    }
  }
  const names = modes.map((mode) => formatPlanMode(parsePlanMode(mode) as PlanMode));
  const twice = names.find((name, i) => names.indexOf(name) !== i);
  if (twice !== undefined) throw new UsageError(`\`--plan-modes\` names ${twice} twice; list each mode once`);
  return names;
}

/** A plan's tasks start as their lines stream, so early dispatch has nothing to add. */
function checkPlanModes(modes: readonly AgentMode[]): void {
  for (const mode of modes) {
    if (mode.dispatch === 'early') {
      throw new UsageError(
        '`--dispatch early` does not apply to a plan: its DAG starts each task as its line streams; drop it',
      );
    }
  }
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

/** Agent runs measure what the scenario asks for, on one kind of tool: refuse flags that would be ignored. */
export function checkAgentConfig(config: BenchConfig, flags: MatrixFlags, registries: Registries): void {
  if (!config.agent) return;
  if (flags.calls !== undefined && config.agent.scenario !== FANOUT_FAMILY) {
    throw new UsageError(
      'The scenario sets the calls of an agent run; drop `--calls`, or sweep with `--scenario fanout --calls 10,100,1000`',
    );
  }
  if (config.kinds.length > 1)
    throw new UsageError('An agent run uses one tool kind; pass `--kind io` or `--kind cpu`');
  if (config.agent.plan) {
    if (flags.executors !== undefined) {
      throw new UsageError('A plan run measures its ways, not executors; drop `--executors` and use `--plan-modes`');
    }
    if (config.frameworks?.length) throw new UsageError('A plan run measures its ways; drop `--frameworks`');
    if (config.kinds[0] === 'cpu') throw new UsageError("A plan's tools wait on I/O; drop `--kind cpu`");
  }
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

/** `--model-profile FILE`: the trace's model turns, as a run records them (a bad file fails here, in one line). */
function modelProfileRef(file: string): NonNullable<AgentBenchConfig['modelProfile']> {
  const profile = readModelProfile(file);
  const sorted = [...profile.turnsMs].sort((a, b) => a - b);
  return {
    file: shownPath(profile.file),
    sha256: profile.sha256,
    turns: sorted.length,
    p50Ms: quantileSorted(sorted, 0.5),
  };
}
