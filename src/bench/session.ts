import { setMaxListeners } from 'node:events';
import { resolve } from 'node:path';
import { type AgentMode, hostMode } from '../agent/types.ts';
import type { QueueSettings } from '../executors/queue-settings.ts';
import { formatSpec, parseSpec } from '../executors/registry.ts';
import {
  FrameworkRegistry,
  type FrameworkSpec,
  formatFrameworkSpec,
  parseFrameworkSpec,
  type ResolvedFramework,
  resolveFramework,
} from '../frameworks/registry.ts';
import { FANOUT_FAMILY, loadScenario, scenarioLabel } from '../model/load.ts';
import type { Plan } from '../model/plan.ts';
import { loadPlan } from '../model/plan.ts';
import {
  DEFAULT_PLAN_MODES,
  formatPlanMode,
  type PlanMode,
  parsePlanMode,
  planScenario,
} from '../model/plan-scenarios.ts';
import { type Scenario, scenarioCalls } from '../model/scenario.ts';
import {
  type BenchConfig,
  type CellResult,
  type ResultsDocument,
  runModes,
  SCHEMA_VERSION,
} from '../results/document.ts';
import { environmentFingerprint, ownVersion } from '../results/environment.ts';
import type { WorkloadKind } from '../tools/config.ts';
import { type CpuCalibration, calibrateCpu } from '../tools/cpu.ts';
import { registerPlanTools } from '../tools/plan-tools.ts';
import { sampleStats } from '../tools/recorded.ts';
import { registerRecordedTools } from '../tools/recorded-tools.ts';
import type { ToolRegistry } from '../tools/registry.ts';
import { runAgentGroup } from './agent-matrix.ts';
import { withGrowth } from './cells.ts';
import { type MatrixEvent, runGroup, runMatrix } from './matrix.ts';
import {
  builtInRegistries,
  drawnLatencies,
  type MatrixOptions,
  type MatrixRegistries,
  matrixRegistries,
  planGroups,
} from './plan.ts';
import { runPlanGroup } from './plan-group.ts';

/** The names a run looks up: tools, strategies and frameworks. */
export interface RunRegistries extends MatrixRegistries {
  frameworks: FrameworkRegistry;
}

/** What a run is given besides its config: where the user's config and Redis are, and hooks to follow it. */
export interface BenchOptions {
  /** The user's config file, when it declares tools: worker threads and queue workers import it for them. */
  configFile?: string;
  /** Where `queue(k)` finds Redis and its workers. @default REDIS_URL (else local), 1 worker */
  queue?: QueueSettings;
  /** Where tool, strategy and framework names are looked up (the CLI's, with the config applied). @default the built-ins alone */
  registries?: RunRegistries;
  signal?: AbortSignal;
  /**
   * Frameworks to measure in place of the config's framework of the same name (another version through an npm
   * alias); their cells keep the config's names, so they compare with a baseline's.
   */
  substitutes?: readonly FrameworkSpec[];
  onEvent?: (event: MatrixEvent) => void;
  /** Receives the document after set-up, after every group and at the end (for atomic writes). */
  onDocument?: (document: ResultsDocument) => void;
}

/** Matrix options from a results config (the gate re-measures cells with exactly the baseline's settings). */
export function matrixOptionsFromConfig(
  config: BenchConfig,
  given: Pick<BenchOptions, 'configFile' | 'queue' | 'registries'> = {},
): MatrixOptions {
  const registries = given.registries ?? builtInRegistries();
  const recordedFile = config.recorded ? resolve(config.recorded.file) : undefined;
  // the recording's tools are callable by name
  if (recordedFile) registerRecordedTools(registries.tools, recordedFile);
  return {
    registries: { tools: registries.tools, executors: registries.executors },
    executors: config.executors.map((text) => parseSpec(text, registries.executors)),
    ...(config.reference === false ? { reference: false } : {}),
    calls: config.calls,
    limits: config.limits,
    kinds: config.kinds,
    rounds: config.rounds,
    tools: {
      latencyMs: config.latencyMs,
      profile: config.profile,
      seed: config.seed,
      faults: config.faults,
      ...(recordedFile ? { recordedFile } : {}),
      // worker threads load the user's config by path to find its tools
      ...(given.configFile ? { configFile: given.configFile } : {}),
    },
    ...(config.policy ? { policy: config.policy } : {}),
    ...(given.queue ? { queue: given.queue } : {}),
    ...(config.tools ? { batchTools: config.tools } : {}),
  };
}

/** CPU tools need this run's calibration; it happens here, before any timed region. */
function calibrateIfNeeded(options: MatrixOptions): CpuCalibration | undefined {
  if (!options.kinds.includes('cpu')) return undefined;
  const calibration = calibrateCpu();
  options.tools = { ...options.tools, cpuUnitsPerMs: calibration.unitsPerMs };
  return calibration;
}

/** Measures again only the groups (kind × call count) named, with a config's settings: for confirm-by-rerun. */
export async function remeasureGroups(
  config: BenchConfig,
  groups: readonly { kind: WorkloadKind; calls: number }[],
  hooks: Pick<BenchOptions, 'configFile' | 'queue' | 'registries' | 'signal' | 'substitutes'> = {},
): Promise<CellResult[]> {
  const options = matrixOptionsFromConfig(config, hooks);
  calibrateIfNeeded(options);
  const wanted = (kind: WorkloadKind, calls: number) => groups.some((g) => g.kind === kind && g.calls === calls);
  const cells: CellResult[] = [];
  if (config.agent) {
    const kind = config.kinds[0] ?? 'io';
    const frameworks = resolveFrameworks(config, hooks.substitutes, hooks.registries?.frameworks);
    for (const group of agentGroups(config, matrixRegistries(options).tools)) {
      if (hooks.signal?.aborted) break;
      if (!wanted(kind, scenarioCalls(group.scenario))) continue;
      cells.push(...(await measureAgentGroup(config, options, group, frameworks, hooks)));
    }
    withGrowth(cells);
    return cells;
  }
  for (const group of planGroups(options)) {
    if (!wanted(group.kind, group.calls)) continue;
    if (hooks.signal?.aborted) break;
    cells.push(...(await runGroup(group, options, hooks.signal ? { signal: hooks.signal } : {})));
  }
  withGrowth(cells);
  return cells;
}

/** The scenarios an agent run plays: `fanout` is one generated `fanout-N` per call count, else the one named. */
export function agentScenarios(config: BenchConfig, tools: ToolRegistry): Scenario[] {
  const agent = config.agent as NonNullable<BenchConfig['agent']>;
  if (agent.scenario === FANOUT_FAMILY) return config.calls.map((n) => loadScenario(`fanout-${n}`, tools));
  return [loadScenario(agent.scenario, tools)];
}

/** One group of an agent run: a scenario in a mode; in a plan run, the plan (its scenario the DAG's conversation). */
export interface AgentGroup {
  scenario: Scenario;
  mode: AgentMode;
  plan?: Plan;
}

/**
 * The groups of an agent run: every scenario in every mode, scenario by scenario. Frameworks run in the mode they
 * speak (Chat Completions, after the stream), so only that group has them. A plan is read once, here.
 */
export function agentGroups(config: BenchConfig, tools: ToolRegistry): AgentGroup[] {
  const modes = runModes(config.agent as NonNullable<BenchConfig['agent']>);
  const plan = runPlan(config, tools);
  if (plan) {
    const scenario = planScenario(plan, 'dag', tools);
    return modes.map((mode) => ({ scenario, mode, plan }));
  }
  return agentScenarios(config, tools).flatMap((scenario) => modes.map((mode) => ({ scenario, mode })));
}

/** A plan run's plan (`agent.plan`), its tools made callable (the plan tools, where the run has none of the name). */
export function runPlan(config: BenchConfig, tools: ToolRegistry): Plan | undefined {
  if (!config.agent?.plan) return undefined;
  registerPlanTools(tools);
  return loadPlan(config.agent.plan, tools);
}

/** The plan modes of a plan run (`agent.planModes`, else react, parallel-fc and dag). */
export function runPlanModes(config: BenchConfig): PlanMode[] {
  return (config.agent?.planModes ?? DEFAULT_PLAN_MODES).map((text) => parsePlanMode(text) as PlanMode);
}

/**
 * The config's frameworks, found installed (a missing package is a one-line error naming it). A substitute
 * replaces the framework of its name but keeps the config's name, so its cells line up with a baseline's.
 */
export function resolveFrameworks(
  config: BenchConfig,
  substitutes: readonly FrameworkSpec[] = [],
  registry: FrameworkRegistry = new FrameworkRegistry(),
): ResolvedFramework[] {
  const resolve = (spec: FrameworkSpec) => resolveFramework(spec, undefined, undefined, registry);
  return (config.frameworks ?? []).map((text) => {
    const spec = parseFrameworkSpec(text, registry);
    const substitute = substitutes.find((s) => s.framework === spec.framework);
    return substitute ? { ...resolve(substitute), label: formatFrameworkSpec(spec) } : resolve(spec);
  });
}

/** The frameworks measured in the group of `mode`: those whose API it hosts (see {@link hostMode}). */
function hostedIn(
  mode: AgentMode,
  frameworks: readonly ResolvedFramework[],
  modes: readonly AgentMode[],
): ResolvedFramework[] {
  return frameworks.filter((f) => {
    const host = hostMode(f.definition.api, modes);
    return host?.api === mode.api && host.dispatch === mode.dispatch;
  });
}

/** Whole agent runs of one scenario per strategy and per framework, as cells. */
function measureAgentGroup(
  config: BenchConfig,
  options: MatrixOptions,
  { scenario, mode, plan }: AgentGroup,
  frameworks: ResolvedFramework[],
  hooks: Pick<BenchOptions, 'signal'> & { onSample?: (variant: string, round: number) => void },
): Promise<CellResult[]> {
  const agent = config.agent as NonNullable<BenchConfig['agent']>;
  const common = {
    agent,
    mode,
    tools: { ...options.tools, kind: config.kinds[0] ?? 'io' },
    rounds: config.rounds,
    ...(options.policy ? { policy: options.policy } : {}),
    ...(options.queue ? { queue: options.queue } : {}),
    registries: matrixRegistries(options),
    ...(hooks.signal ? { signal: hooks.signal } : {}),
    ...(hooks.onSample ? { onSample: hooks.onSample } : {}),
  };
  if (plan) return runPlanGroup({ ...common, plan, scenario, modes: runPlanModes(config) });
  return runAgentGroup({
    ...common,
    scenario,
    specs: planGroups(options)[0]?.specs ?? [],
    frameworks: hostedIn(mode, frameworks, runModes(agent)),
  });
}

/**
 * A whole bench run: calibrate (outside timed regions), measure the matrix group by group, and hand over a
 * complete results document after each group.
 */
export async function runBench(config: BenchConfig, hooks: BenchOptions = {}): Promise<ResultsDocument> {
  const started = performance.now();
  // every in-flight call and SDK request listens on the signal: more than Node's default warning limit of 10
  if (hooks.signal) setMaxListeners(0, hooks.signal);
  const options = matrixOptionsFromConfig(config, hooks);
  const document: ResultsDocument = {
    schemaVersion: SCHEMA_VERSION,
    tool: { name: 'fanout-bench', version: ownVersion() },
    createdAt: new Date().toISOString(),
    status: 'partial',
    wallTimeMs: 0,
    config: { ...config, executors: planGroups(options)[0]?.specs.map(formatSpec) ?? config.executors },
    environment: environmentFingerprint(),
    setup: config.agent ? { agentIdeal: 'release-times' } : {},
    cells: [],
  };
  const calibration = calibrateIfNeeded(options);
  if (calibration) document.setup.cpuCalibration = calibration;
  if (config.recorded && !config.agent) {
    const drawn = drawnLatencies(options);
    document.setup.recordedDraws = Object.fromEntries(
      [...drawn].map(([tool, latencies]) => [tool, sampleStats(latencies)]),
    );
  }
  hooks.onDocument?.(document);
  const cells: CellResult[] = document.cells;
  if (config.agent) {
    const frameworks = resolveFrameworks(config, hooks.substitutes, hooks.registries?.frameworks);
    const groups = agentGroups(config, matrixRegistries(options).tools);
    const specs = planGroups(options)[0]?.specs ?? [];
    const kind = config.kinds[0] ?? 'io';
    const totalCost =
      config.rounds *
      groups.reduce(
        (n, g) =>
          n +
          (config.agent?.plan
            ? runPlanModes(config).length
            : specs.length +
              hostedIn(g.mode, frameworks, runModes(config.agent as NonNullable<BenchConfig['agent']>)).length),
        0,
      );
    let doneCost = 0;
    for (const [index, agentGroup] of groups.entries()) {
      const { scenario, mode } = agentGroup;
      if (hooks.signal?.aborted) break;
      const labels = hostedIn(mode, frameworks, runModes(config.agent)).map((f) => f.label);
      const named = config.agent.plan
        ? `plan ${config.agent.scenario}`
        : config.agent.scenario === FANOUT_FAMILY
          ? scenario.name
          : scenarioLabel(config.agent.scenario);
      const group = {
        kind,
        calls: scenarioCalls(scenario),
        specs: config.agent.plan ? [] : specs,
        frameworks: config.agent.plan ? [] : labels,
        ...(config.agent.plan ? { ways: runPlanModes(config).map(formatPlanMode) } : {}),
        mode,
        scenario: named,
      };
      hooks.onEvent?.({ type: 'group-start', group, index, total: groups.length });
      const groupCells = await measureAgentGroup(config, options, agentGroup, frameworks, {
        ...(hooks.signal ? { signal: hooks.signal } : {}),
        onSample: (executor, round) =>
          hooks.onEvent?.({ type: 'sample', group, executor, round, doneCost: ++doneCost, totalCost }),
      });
      if (hooks.signal?.aborted) break; // runs cut short are not results
      cells.push(...groupCells);
      withGrowth(cells);
      document.wallTimeMs = performance.now() - started;
      hooks.onDocument?.(document);
      hooks.onEvent?.({ type: 'group-end', group, index, total: groups.length, cells: groupCells });
    }
    return finish(document, hooks, started);
  }
  await runMatrix(options, {
    ...(hooks.signal ? { signal: hooks.signal } : {}),
    onEvent: (event) => {
      if (event.type === 'group-end') {
        cells.push(...event.cells);
        withGrowth(cells);
        document.wallTimeMs = performance.now() - started;
        hooks.onDocument?.(document);
      }
      hooks.onEvent?.(event);
    },
  });
  return finish(document, hooks, started);
}

function finish(document: ResultsDocument, hooks: BenchOptions, started: number): ResultsDocument {
  document.status = hooks.signal?.aborted ? 'interrupted' : 'complete';
  document.wallTimeMs = performance.now() - started;
  hooks.onDocument?.(document);
  return document;
}
