import { setMaxListeners } from 'node:events';
import { resolve } from 'node:path';
import { activeConfig } from '../config/load.ts';
import { formatSpec, parseSpec } from '../executors/registry.ts';
import type { BenchConfig, CellResult, ResultsDocument } from '../results/document.ts';
import { SCHEMA_VERSION } from '../results/document.ts';
import { environmentFingerprint, ownVersion } from '../results/environment.ts';
import type { WorkloadKind } from '../tools/config.ts';
import { type CpuCalibration, calibrateCpu } from '../tools/cpu.ts';
import { sampleStats } from '../tools/recorded.ts';
import { registerRecordedTools } from '../tools/recorded-tools.ts';
import { runAgentBench } from './agent-matrix.ts';
import { drawnLatencies, type MatrixEvent, type MatrixOptions, planGroups, runGroup, runMatrix } from './matrix.ts';

export interface BenchHooks {
  signal?: AbortSignal;
  onEvent?: (event: MatrixEvent) => void;
  /** Receives the document after set-up, after every group and at the end (for atomic writes). */
  onDocument?: (document: ResultsDocument) => void;
}

/** Matrix options from a results config (the gate re-measures cells with exactly the baseline's settings). */
export function matrixOptionsFromConfig(config: BenchConfig): MatrixOptions {
  const userConfig = activeConfig();
  const recordedFile = config.recorded ? resolve(config.recorded.file) : undefined;
  if (recordedFile) registerRecordedTools(recordedFile); // the recording's tools are callable by name
  return {
    executors: config.executors.map(parseSpec),
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
      ...(userConfig?.config.tools?.length ? { configFile: userConfig.file } : {}),
    },
    ...(config.policy ? { policy: config.policy } : {}),
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
  signal?: AbortSignal,
): Promise<CellResult[]> {
  const options = matrixOptionsFromConfig(config);
  calibrateIfNeeded(options);
  if (config.agent) return measureAgent(config, options, signal); // an agent suite is one group
  const cells: CellResult[] = [];
  for (const group of planGroups(options)) {
    if (!groups.some((g) => g.kind === group.kind && g.calls === group.calls)) continue;
    if (signal?.aborted) break;
    cells.push(...(await runGroup(group, options, signal ? { signal } : {})));
  }
  return cells;
}

/** Whole agent runs per strategy (the config's agent settings), as cells. */
function measureAgent(
  config: BenchConfig,
  options: MatrixOptions,
  signal?: AbortSignal,
  onSample?: (executor: string, round: number) => void,
): Promise<CellResult[]> {
  const agent = config.agent as NonNullable<BenchConfig['agent']>;
  const specs = planGroups(options)[0]?.specs ?? [];
  const tools = { ...options.tools, kind: config.kinds[0] ?? 'io' };
  return runAgentBench(specs, agent, tools, config.rounds, options.policy, signal, onSample);
}

/**
 * A whole bench run: calibrate (outside timed regions), measure the matrix group by group, and hand over a
 * complete results document after each group.
 */
export async function runBench(config: BenchConfig, hooks: BenchHooks = {}): Promise<ResultsDocument> {
  const started = performance.now();
  // every in-flight call and SDK request listens on the signal: more than Node's default warning limit of 10
  if (hooks.signal) setMaxListeners(0, hooks.signal);
  const options = matrixOptionsFromConfig(config);
  const document: ResultsDocument = {
    schemaVersion: SCHEMA_VERSION,
    tool: { name: 'fanout-bench', version: ownVersion() },
    createdAt: new Date().toISOString(),
    status: 'partial',
    wallTimeMs: 0,
    config: { ...config, executors: planGroups(options)[0]?.specs.map(formatSpec) ?? config.executors },
    environment: environmentFingerprint(),
    setup: {},
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
    const specs = planGroups(options)[0]?.specs ?? [];
    const kind = config.kinds[0] ?? 'io';
    const group = { kind, calls: 0, specs };
    const totalCost = config.rounds * specs.length;
    let doneCost = 0;
    hooks.onEvent?.({ type: 'group-start', group, index: 0, total: 1 });
    const agentCells = await measureAgent(config, options, hooks.signal, (executor, round) =>
      hooks.onEvent?.({ type: 'sample', group, executor, round, doneCost: ++doneCost, totalCost }),
    );
    if (!hooks.signal?.aborted) cells.push(...agentCells); // runs cut short are not results
    return finish(document, hooks, started);
  }
  await runMatrix(options, {
    ...(hooks.signal ? { signal: hooks.signal } : {}),
    onEvent: (event) => {
      if (event.type === 'group-end') {
        cells.push(...event.cells);
        document.wallTimeMs = performance.now() - started;
        hooks.onDocument?.(document);
      }
      hooks.onEvent?.(event);
    },
  });
  return finish(document, hooks, started);
}

function finish(document: ResultsDocument, hooks: BenchHooks, started: number): ResultsDocument {
  document.status = hooks.signal?.aborted ? 'interrupted' : 'complete';
  document.wallTimeMs = performance.now() - started;
  hooks.onDocument?.(document);
  return document;
}
