/**
 * Replaying recorded agent runs: each run's conversation played through the mock with each strategy asked (and
 * frameworks), model turns taking their recorded times and tools their recorded durations, in interleaved rounds,
 * as agent cells named by the run. What-if rows put the recorded wall time beside each strategy's.
 */

import type { AgentMode } from '../agent/types.ts';
import { RANGES } from '../core/ranges.ts';
import { type ExecutorRegistry, type ExecutorSpec, formatSpec } from '../executors/registry.ts';
import type { ResolvedFramework } from '../frameworks/registry.ts';
import { type RecordedRun, replayScenario, unknownTools } from '../model/replay.ts';
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
interface PreparedRun {
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
    const simulated = unknownTools(run, tools);
    for (const name of simulated) {
      registerSimulatedTool(tools, name, 'replayed tool: takes its recorded time', 'replayed trace');
    }
    const { scenario, latencyByCall } = replayScenario(run, tools);
    return { run, scenario, latencyByCall, tools, simulated };
  });
}

export async function replayRuns(runs: readonly RecordedRun[], options: ReplayOptions): Promise<ReplayedRun[]> {
  const replayed: ReplayedRun[] = [];
  const prepared = prepareRuns(runs);
  for (const [index, { run, scenario, latencyByCall, tools, simulated }] of prepared.entries()) {
    if (options.signal?.aborted) break;
    options.onRun?.(run, index, runs.length);
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
  const totals = { recorded: 0, by: new Map<string, number>(), ideal: new Map<string, number>(), complete: true };
  const ms = (value: number) => (Number.isFinite(value) ? `${value.toFixed(value < 100 ? 1 : 0)}` : '—');
  const rows = replayed.map(({ run, cells }) => {
    totals.recorded += run.wallMs;
    const ok = (name: string) => cells.find((c): c is CellOk => c.status === 'ok' && c.executor === name);
    const measured = names.map((name) => {
      const cell = ok(name);
      if (!cell) {
        totals.complete = false;
        return '—';
      }
      totals.by.set(name, (totals.by.get(name) ?? 0) + cell.stats.mean);
      totals.ideal.set(name, (totals.ideal.get(name) ?? 0) + (cell.idealMs ?? Number.NaN));
      return `${ms(cell.stats.mean)} (${ms(cell.idealMs ?? Number.NaN)})`;
    });
    const best = names
      .map((name) => ({ name, mean: ok(name)?.stats.mean ?? Number.NaN }))
      .filter((b) => Number.isFinite(b.mean))
      .sort((a, b) => a.mean - b.mean)[0];
    const calls = run.turns.reduce((n, t) => n + t.calls.length, 0);
    return [
      run.name,
      String(calls),
      ms(run.wallMs),
      ...measured,
      best ? `${best.name}: ${saving(run.wallMs, best.mean)}` : '—',
    ];
  });
  if (replayed.length > 1) {
    const best = names
      .map((name) => ({ name, mean: totals.by.get(name) ?? Number.NaN }))
      .filter((b) => Number.isFinite(b.mean) && totals.complete)
      .sort((a, b) => a.mean - b.mean)[0];
    rows.push([
      'total',
      String(replayed.reduce((n, r) => n + r.run.turns.reduce((m, t) => m + t.calls.length, 0), 0)),
      ms(totals.recorded),
      ...names.map((name) =>
        totals.complete
          ? `${ms(totals.by.get(name) ?? Number.NaN)} (${ms(totals.ideal.get(name) ?? Number.NaN)})`
          : '—',
      ),
      best ? `${best.name}: ${saving(totals.recorded, best.mean)}` : '—',
    ]);
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
