import type { AgentMode, ApiMode, DispatchMode } from '../agent/types.ts';
import type { CallPolicy } from '../executors/policy.ts';
import type { OutcomeStatus } from '../executors/types.ts';
import type { Estimate, LatencySummary } from '../stats/summary.ts';
import type { FaultConfig, LatencyProfileName, WorkloadKind } from '../tools/config.ts';
import type { CpuCalibration } from '../tools/cpu.ts';
import type { EnvironmentFingerprint } from './environment.ts';

/**
 * Bump when a field changes meaning or goes away, or a reader needs a new field. Readers refuse versions outside
 * {@link READABLE_VERSIONS}; version 1 (before `timeline`) reads as version 2 without timelines.
 */
export const SCHEMA_VERSION = 2;
export const READABLE_VERSIONS: readonly number[] = [1, 2];

/** What was asked for: two documents are comparable only when these match. */
export interface BenchConfig {
  /** Name of the suite the run started from (`default`, `gate`, …); flags may have overridden its values. */
  suite: string;
  executors: string[];
  calls: number[];
  limits: number[];
  kinds: WorkloadKind[];
  latencyMs: number;
  profile: LatencyProfileName;
  seed: number;
  rounds: number;
  faults: FaultConfig;
  /** Timeout, retries and error policy applied to every call. @default DEFAULT_POLICY */
  policy?: CallPolicy;
  /** Set for `--mode agent`: whole agent runs on a scenario instead of single batches. */
  agent?: AgentBenchConfig;
  /** Tools a synthetic batch rotates through; absent: the four read-only built-ins. */
  tools?: string[];
  /** The recorded latency profile simulated tools drew from, when one was given. */
  recorded?: RecordedProfileRef;
  /** Agent mode: frameworks whose own loops were measured beside the executors (`ai-sdk`, `openai-runtools@alias`). */
  frameworks?: string[];
  /** `false` with `--no-reference`: sequential was not measured, so no cell has a speedup. @default true */
  reference?: false;
  /** Where queue(k) ran, when it did. */
  queue?: QueueBenchConfig;
}

/** queue(k): Redis (its password redacted), the queue, and the worker processes the bench started. */
export interface QueueBenchConfig {
  redis: string;
  queue: string;
  /** Worker processes the bench started and stopped, or `external` (`fanout-bench worker` processes). */
  workers: number | 'external';
}

/** A recorded latency profile as a run used it: where, which bytes, and what its samples look like per tool. */
export interface RecordedProfileRef {
  /** As given (relative to the working directory when it was relative). */
  file: string;
  format: 'json' | 'csv' | 'otlp';
  /** Of the file's bytes: the gate refuses to compare runs on different recordings. */
  sha256: string;
  /** Per tool: sample count and quantiles (ms). */
  tools: Record<string, { count: number; p50: number; p90: number; p99: number }>;
}

/** What an agent-mode run plays. */
export interface AgentBenchConfig {
  /** A scenario name or path; `fanout` is the generated `fanout-N` family, one group per `calls` value. */
  scenario: string;
  api: ApiMode;
  dispatch: DispatchMode;
  /**
   * A plan run (`--plan`): the plan's preset name or file, played by each way of `planModes` (`react`,
   * `parallel-fc`, `dag(k)+poll`); `scenario` then holds the plan's name.
   */
  plan?: string;
  planModes?: string[];
  /** A plan run: the digest of the plan it ran (`planDigest`); the gate refuses a plan that changed since. */
  planSha256?: string;
  /** A plan run's fixed task latencies (the plan's `latencyMs`, unless `--latency` set every call's), by call id. */
  planLatencies?: Record<string, number>;
  /** Model latency per turn; the scenario's own when absent. */
  modelLatencyMs?: number;
  /** Streamed APIs: delay between streamed chunks (a slow stream). @default 0 */
  streamChunkDelayMs?: number;
  /** The model's output rate after the first token, tokens per second (~4 characters a token); the scenario's when absent. */
  tokensPerSecond?: number;
  /**
   * Recorded model time (`--model-profile`): each turn's time to first token drawn from the `chat` spans of this
   * trace (path relative to the working directory, its digest, how many turns it holds and their median).
   */
  modelProfile?: { file: string; sha256: string; turns: number; p50Ms: number };
  /**
   * Several modes in one run (`--api all --dispatch both`): one group per mode, each with its own `sequential`
   * reference; `api` and `dispatch` are then the first mode. Absent: the one mode `api` + `dispatch`.
   */
  modes?: AgentMode[];
}

/** The modes an agent run plays: its `modes`, else its one `api` + `dispatch`. */
export function runModes(agent: AgentBenchConfig): AgentMode[] {
  return agent.modes ?? [{ api: agent.api, dispatch: agent.dispatch }];
}

/** Agent-mode cells: where a whole run's time went (means over rounds). */
export interface AgentCellStats {
  scenario: string;
  steps: number;
  /** As the mock saw it, for our loop and frameworks alike: requests' arrival → responses' end, summed. */
  modelMs: number;
  /** Responses with calls → the next request: the tools plus the loop's own work around them. */
  toolsMs: number;
  /** Most calls running at once in any turn of any round (a concurrency cap shows as a peak below the calls). */
  peakInFlight?: number;
  /**
   * Streamed turns: when each tool started, in ms after its call was complete in the stream (its last argument
   * chunk went out) and after the stream ended (negative: before it, early dispatch); means over every streamed call
   * of every round. Absent when no turn streamed calls.
   */
  streamDispatch?: { afterReadyMs: number; afterStreamEndMs: number; calls: number };
}

/** How a cell's overhead grows with its calls: overhead ∝ calls^exponent over `points` call counts. */
export interface Growth {
  exponent: number;
  points: number;
  /** exponent > {@link SUPERLINEAR_EXPONENT}: the cost of each call rises with the calls beside it. */
  superlinear: boolean;
}

/** A growth exponent above this is flagged superlinear (cost per call rising with the calls). */
export const SUPERLINEAR_EXPONENT = 1.2;

/** The framework behind a framework cell, as found installed. */
export interface FrameworkRef {
  /** Adapter name, e.g. `openai-runtools`. */
  name: string;
  /** The real npm package and its version, e.g. `openai` 6.44.0. */
  package: string;
  version: string;
  /** The name it is installed under when that is an alias, e.g. `openai-6-44`. */
  alias?: string;
  /** Every package the adapter loads, as installed (the alias for the main one), with its version. */
  packages?: Record<string, string>;
  /** A release fanout-bench installed on demand (`mastra@1.70.0`, `ai-sdk@^6`): as asked, and each package's integrity. */
  release?: { asked: string; integrity: Record<string, string> };
  /** What it asked the model API for. */
  api: 'chat' | 'chat-stream';
}

export interface OutcomeCounts {
  ok: number;
  error: number;
  timeout: number;
  cancelled: number;
}

export interface CellKey {
  /** `io/8/limited(4)`: kind, call count, executor. */
  id: string;
  kind: WorkloadKind;
  calls: number;
  executor: string;
  strategy: string;
  limit?: number;
  /** Set on cells that measured a framework's own loop (then `strategy` is the framework's name). */
  framework?: FrameworkRef;
  /**
   * Agent cells: the mode of the group the cell was measured in (our loop's API and dispatch; a framework cell
   * carries its group's, its own API is in `framework.api`). Speedups compare cells of one mode.
   */
  api?: ApiMode;
  dispatch?: DispatchMode;
}

/**
 * Whether a cell is the one speedups are against: `sequential`, or in a plan run ReAct (one call per model turn,
 * as LLMCompiler compares).
 */
export const isReference = (cell: Pick<CellKey, 'strategy'>): boolean =>
  cell.strategy === 'sequential' || cell.strategy === 'react';

/** What a cell's speedup is against: `react` for a plan's ways, else `sequential`. */
export const referenceFor = (cell: Pick<CellKey, 'strategy'>): string =>
  ['react', 'parallel-fc', 'dag'].includes(cell.strategy) ? 'react' : 'sequential';

/** What a run's speedups are against, as its tables name it. */
export const referenceName = (config: Pick<BenchConfig, 'agent'>): string =>
  config.agent?.plan ? 'react' : 'sequential';

/** What one row of a table follows over call counts: kind, executor and, in agent runs, mode. */
export const seriesKey = (cell: CellKey): string =>
  `${cell.kind}\n${cell.executor}\n${cell.api ?? ''}\n${cell.dispatch ?? ''}`;

/** A measured cell. Speedup is sequential ÷ this cell, paired by round; efficiency is ideal ÷ measured. */
export interface CellOk extends CellKey {
  status: 'ok';
  stats: LatencySummary;
  /** Mean ideal time over rounds, from the latencies the tools drew; absent when the executor declares no schedule. */
  idealMs?: number;
  /** Ideal ÷ measured, paired by round; absent with `idealMs`, and when the ideal is 0 (`--latency 0`). */
  efficiency?: Estimate;
  /** Sequential ÷ this cell, paired by round; absent when sequential was not measured (`--no-reference`). */
  speedup?: Estimate;
  /**
   * Measured − ideal, per round: what the strategy (or an agent loop, the loop) adds to the work it schedules.
   * Mean with 95% CI; absent with `idealMs`. With `--latency 0` the ideal is 0 and this is pure overhead.
   */
  overheadMs?: Estimate;
  /** {@link overheadMs} ÷ calls (per batch, or per agent run). */
  overheadPerCallMs?: Estimate;
  /**
   * How {@link overheadMs} grows with the calls over the run's call counts (three or more, spanning at least 10×),
   * fitted on log–log axes. Same on every cell of an executor and kind.
   */
  growth?: Growth;
  /** Per-round durations in round order (what speedup intervals are computed from). */
  roundsMs: number[];
  idealRoundsMs?: number[];
  outcomes: OutcomeCounts;
  /** Worker-pool start-up and warm-up, outside the samples. */
  poolStartupMs?: number;
  /** Worker pools: workers that died during the cell (crashes, terminated timeouts) and the mean time to replace one. */
  workerReplacements?: { count: number; meanMs: number };
  /** queue(k): calls whose worker died and that a live worker ran again, and ms from the death to the new run. */
  recovery?: { calls: number; meanMs?: number; maxMs?: number };
  /** Most calls still running on the main thread when a batch had returned (timed out, not cancelled). */
  lingeringCalls?: number;
  /** Event-loop delay on the main thread while this cell's samples ran (a recurring-timer probe, see src/bench/loop-probe.ts). */
  eventLoopDelayMs?: { p50: number; p99: number; max: number };
  agent?: AgentCellStats;
  /** One representative sample (the round of median duration) as bars, for the report's timeline. */
  timeline?: Timeline;
}

/**
 * The spans of one sample, in ms from its start: every call from `startedMs` to `endedMs` (as the executor
 * reported them) and, in agent runs, every model turn. Kept for samples of up to {@link TIMELINE_MAX_CALLS} calls.
 */
export interface Timeline {
  /** Which round (0-based) and how long it took. */
  round: number;
  durationMs: number;
  spans: TimelineSpan[];
}

/**
 * A bar of a timeline. `plannedMs` (agent runs): what the harness planned — a simulated call's drawn latency, a
 * model turn's latency before its first byte — so a trace of it replays exactly what was run.
 */
export type TimelineSpan =
  | {
      kind: 'call';
      id: string;
      tool: string;
      status: OutcomeStatus;
      startMs: number;
      endMs: number;
      turn?: number;
      plannedMs?: number;
    }
  | { kind: 'model'; turn: number; startMs: number; endMs: number; plannedMs?: number };

/** Samples with more calls keep no timeline (a chart of thousands of bars says less than the tables). */
export const TIMELINE_MAX_CALLS = 256;

/** A cell that could not be measured; the run goes on. */
export interface CellError extends CellKey {
  status: 'error';
  error: string;
}

export type CellResult = CellOk | CellError;

export interface ResultsDocument {
  schemaVersion: typeof SCHEMA_VERSION;
  tool: { name: 'fanout-bench'; version: string };
  /** ISO time the run started. */
  createdAt: string;
  /** `partial` while cells are still coming (or when the run was stopped); `complete` at the end. */
  status: 'complete' | 'partial' | 'interrupted';
  wallTimeMs: number;
  config: BenchConfig;
  environment: EnvironmentFingerprint;
  setup: {
    cpuCalibration?: CpuCalibration;
    /** With a recorded profile: per tool, the latencies the run's calls drew (to set beside the file's). */
    recordedDraws?: Record<string, { count: number; p50: number; p90: number; p99: number }>;
    /**
     * Agent runs: how their ideal was computed. `release-times` (from 2026-12-05): each call of a streamed turn
     * released when its arguments were complete (early dispatch, frameworks), frameworks beside our loop on the
     * API they speak. Absent in older documents, whose early-dispatch ideals and framework groups differ.
     */
    agentIdeal?: 'release-times';
  };
  cells: CellResult[];
}

export function cellId(kind: WorkloadKind, calls: number, executor: string): string {
  return `${kind}/${calls}/${executor}`;
}
