/**
 * Replaying recorded agent runs: each run's conversation played through the mock with each strategy asked (and
 * frameworks), model turns taking their recorded times and tools their recorded durations, in interleaved rounds,
 * as agent cells named by the run. What-if rows put the recorded wall time beside each strategy's.
 */

import type { AgentMode } from '../agent/types.ts';
import { RANGES } from '../core/ranges.ts';
import { type ExecutorRegistry, type ExecutorSpec, formatSpec } from '../executors/registry.ts';
import type { ResolvedFramework } from '../frameworks/registry.ts';
import { type RecordedRun, replayScenario, toolNamesOf } from '../model/replay.ts';
import type { Scenario } from '../model/scenario.ts';
import { type CellOk, type CellResult, type ResultsDocument, SCHEMA_VERSION } from '../results/document.ts';
import { environmentFingerprint, ownVersion } from '../results/environment.ts';
import { NO_FAULTS, type ToolRuntimeConfig, toolRuntimeConfig } from '../tools/config.ts';
import { registerSimulatedTool } from '../tools/recorded-tools.ts';
import { ToolRegistry } from '../tools/registry.ts';
import { runAgentGroup } from './agent-matrix.ts';

/** Replays speak Chat Completions, answered whole: a turn's model time is its recorded span. */
export const REPLAY_MODE: AgentMode = { api: 'chat', dispatch: 'after-stream' };

export interface ReplayOptions {
  /** Strategies, `sequential` first (the speedup reference). */
  specs: readonly ExecutorSpec[];
  frameworks: readonly ResolvedFramework[];
  rounds: number;
  /** Where the strategies are looked up. */
  executors: ExecutorRegistry;
  /** The tools' runtime besides the recorded durations (seed, policy-free). */
  tools?: Partial<ToolRuntimeConfig>;
  signal?: AbortSignal;
  onRun?: (run: RecordedRun, index: number, total: number) => void;
}

/** One run replayed: the cells of every strategy (and framework) that played it. */
export interface ReplayedRun {
  run: RecordedRun;
  cells: CellResult[];
}

/** A run ready to play: its scenario, its calls' recorded durations, and its tools (the trace's, by name alone). */
export interface PreparedRun {
  run: RecordedRun;
  scenario: Scenario;
  latencyByCall: Record<string, number>;
  tools: ToolRegistry;
  simulated: string[];
}

/**
 * Every run as a scenario, before any is played (a bad one fails first). Each run gets tools of its own, the
 * trace's by name (any arguments, the recorded time), never a built-in or a config's tool of the same name: a
 * replay plays what was recorded.
 */
export function prepareRuns(runs: readonly RecordedRun[]): PreparedRun[] {
  return runs.map((run) => {
    const tools = new ToolRegistry({ builtIns: false });
    const simulated = toolNamesOf(run);
    for (const name of simulated) {
      registerSimulatedTool(tools, name, 'replayed tool: takes its recorded time', 'replayed trace');
    }
    const { scenario, latencyByCall } = replayScenario(run, tools);
    return { run, scenario, latencyByCall, tools, simulated };
  });
}

/** Plays runs that {@link prepareRuns} made ready, one after another, each with every strategy. */
export async function replayRuns(prepared: readonly PreparedRun[], options: ReplayOptions): Promise<ReplayedRun[]> {
  const replayed: ReplayedRun[] = [];
  for (const [index, { run, scenario, latencyByCall, tools, simulated }] of prepared.entries()) {
    if (options.signal?.aborted) break;
    options.onRun?.(run, index, prepared.length);
    // runs longer than a sample's usual deadline get one in proportion (20 × the recorded run, as elsewhere)
    const calls = Math.max(
      1,
      run.turns.reduce((n, t) => n + t.calls.length, 0),
    );
    const cells = await runAgentGroup({
      scenario,
      agent: { scenario: scenario.name, ...REPLAY_MODE },
      mode: REPLAY_MODE,
      specs: options.specs,
      frameworks: options.frameworks,
      tools: toolRuntimeConfig({
        ...options.tools,
        kind: 'io',
        latencyMs: Math.ceil(run.wallMs / calls) + 1,
        latencyByCall,
        ...(simulated.length > 0 ? { simulatedTools: simulated } : {}),
      }),
      rounds: options.rounds,
      registries: { tools, executors: options.executors },
      ...(options.signal ? { signal: options.signal } : {}),
    });
    replayed.push({ run, cells });
  }
  return replayed;
}

/** The what-if rows: per run, the recorded wall time, each strategy's mean and ideal, and the best one's saving. */
export function whatIf(
  replayed: readonly ReplayedRun[],
  specs: readonly ExecutorSpec[],
): {
  head: string[];
  rows: string[][];
} {
  const names = specs.map(formatSpec);
  const head = ['run', 'calls', 'recorded', ...names.map((n) => `${n} (ideal)`), 'best: saving'];
  const ms = (value: number) => (Number.isFinite(value) ? `${value.toFixed(value < 100 ? 1 : 0)}` : '—');
  /** A row: its name, calls, recorded time, each strategy's mean and ideal (NaN where it has none). */
  const row = (name: string, calls: number, recordedMs: number, means: number[], ideals: number[]): string[] => {
    const best = names
      .map((executor, i) => ({ executor, mean: means[i] ?? Number.NaN }))
      .filter((b) => Number.isFinite(b.mean))
      .sort((a, b) => a.mean - b.mean)[0];
    return [
      name,
      String(calls),
      ms(recordedMs),
      ...means.map((mean, i) => (Number.isFinite(mean) ? `${ms(mean)} (${ms(ideals[i] ?? Number.NaN)})` : '—')),
      best ? `${best.executor}: ${saving(recordedMs, best.mean)}` : '—',
    ];
  };
  const total = { calls: 0, recorded: 0, means: names.map(() => 0), ideals: names.map(() => 0) };
  const rows = replayed.map(({ run, cells }) => {
    const found = names.map((name) => cells.find((c): c is CellOk => c.status === 'ok' && c.executor === name));
    const means = found.map((cell) => cell?.stats.mean ?? Number.NaN);
    const ideals = found.map((cell) => cell?.idealMs ?? Number.NaN);
    const calls = run.turns.reduce((n, t) => n + t.calls.length, 0);
    total.calls += calls;
    total.recorded += run.wallMs;
    // a strategy missing from any run has no total (NaN carries)
    total.means = total.means.map((sum, i) => sum + (means[i] ?? Number.NaN));
    total.ideals = total.ideals.map((sum, i) => sum + (ideals[i] ?? Number.NaN));
    return row(run.name, calls, run.wallMs, means, ideals);
  });
  if (replayed.length > 1) {
    // a total holds only when every strategy measured every run
    const complete = total.means.every(Number.isFinite);
    const none = names.map(() => Number.NaN);
    rows.push(row('total', total.calls, total.recorded, complete ? total.means : none, complete ? total.ideals : none));
  }
  return { head, rows };
}

/** `−412 ms (−31%)` against the recorded time; `+…` when the strategy is slower than what was recorded. */
function saving(recordedMs: number, ms: number): string {
  const delta = ms - recordedMs;
  const sign = delta <= 0 ? '−' : '+';
  return `${sign}${Math.abs(delta).toFixed(0)} ms (${sign}${Math.abs((100 * delta) / recordedMs).toFixed(0)}%)`;
}

/** A results document of a replay, as `bench --json` prints one: one cell per recorded run and strategy. */
export function replayDocument(
  file: string,
  replayed: readonly ReplayedRun[],
  options: { specs: readonly ExecutorSpec[]; frameworks: readonly ResolvedFramework[]; rounds: number; seed: number },
  startedAt: { createdAt: string; ms: number },
  interrupted: boolean,
): ResultsDocument {
  const counts = replayed.map(({ run }) => run.turns.reduce((n, t) => n + t.calls.length, 0)).filter((n) => n > 0);
  return {
    schemaVersion: SCHEMA_VERSION,
    tool: { name: 'fanout-bench', version: ownVersion() },
    createdAt: startedAt.createdAt,
    status: interrupted ? 'interrupted' : 'complete',
    wallTimeMs: performance.now() - startedAt.ms,
    config: {
      suite: 'replay',
      executors: options.specs.map(formatSpec),
      calls: [...new Set(counts.length > 0 ? counts : [1])].map((n) => Math.min(n, RANGES.calls[1])),
      limits: [],
      kinds: ['io'],
      latencyMs: 0,
      profile: 'fixed',
      seed: options.seed,
      rounds: options.rounds,
      faults: NO_FAULTS,
      agent: { scenario: file, ...REPLAY_MODE },
      ...(options.frameworks.length > 0 ? { frameworks: options.frameworks.map((f) => f.label) } : {}),
    },
    environment: environmentFingerprint(),
    setup: { agentIdeal: 'release-times' },
    cells: replayed.flatMap((r) => r.cells),
  };
}
