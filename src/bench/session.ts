import { formatSpec, parseSpec } from '../executors/registry.ts';
import type { BenchConfig, CellResult, ResultsDocument } from '../results/document.ts';
import { SCHEMA_VERSION } from '../results/document.ts';
import { environmentFingerprint, ownVersion } from '../results/environment.ts';
import { calibrateCpu } from '../tools/cpu.ts';
import { type MatrixEvent, type MatrixOptions, planGroups, runMatrix } from './matrix.ts';

export interface BenchHooks {
  signal?: AbortSignal;
  onEvent?: (event: MatrixEvent) => void;
  /** Receives the document after set-up, after every group and at the end (for atomic writes). */
  onDocument?: (document: ResultsDocument) => void;
}

/** Matrix options from a results config (the gate re-measures cells with exactly the baseline's settings). */
export function matrixOptionsFromConfig(config: BenchConfig): MatrixOptions {
  return {
    executors: config.executors.map(parseSpec),
    calls: config.calls,
    limits: config.limits,
    kinds: config.kinds,
    rounds: config.rounds,
    tools: { latencyMs: config.latencyMs, profile: config.profile, seed: config.seed, faults: config.faults },
  };
}

/**
 * A whole bench run: calibrate (outside timed regions), measure the matrix group by group, and hand over a
 * complete results document after each group.
 */
export async function runBench(config: BenchConfig, hooks: BenchHooks = {}): Promise<ResultsDocument> {
  const started = performance.now();
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
  if (config.kinds.includes('cpu')) {
    const calibration = calibrateCpu();
    document.setup.cpuCalibration = calibration;
    options.tools = { ...options.tools, cpuUnitsPerMs: calibration.unitsPerMs };
  }
  hooks.onDocument?.(document);
  const cells: CellResult[] = document.cells;
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
  document.status = hooks.signal?.aborted ? 'interrupted' : 'complete';
  document.wallTimeMs = performance.now() - started;
  hooks.onDocument?.(document);
  return document;
}
