import type { WorkloadKind } from '../stats/ideal.ts';

export type { WorkloadKind };
export const WORKLOAD_KINDS: readonly WorkloadKind[] = ['io', 'cpu'];

/** How per-call latencies are drawn around the nominal latency. */
export type LatencyProfileName = 'fixed' | 'uniform' | 'long-tail';
export const LATENCY_PROFILES: readonly LatencyProfileName[] = ['fixed', 'uniform', 'long-tail'];

export const DEFAULT_LATENCY_MS = 300;
export const DEFAULT_SEED = 42;
export const DEFAULT_PROFILE: LatencyProfileName = 'fixed';
export const DEFAULT_KIND: WorkloadKind = 'io';

/** Seeded faults, drawn per call id (so every strategy of a round meets the same faults). */
export interface FaultConfig {
  /** Share of calls that throw after their latency. @default 0 */
  failRate: number;
  /** Share of calls that never settle unless aborted. @default 0 */
  hangRate: number;
  /** Share of calls that kill their worker thread (worker pools only; elsewhere they throw). @default 0 */
  crashRate: number;
  /** Calls beyond this many in flight at once on one runtime answer "429, retry after". @default undefined (no limit) */
  rateLimit?: number;
  /** Whether io tools stop when their signal aborts; `false` simulates work that keeps running after a timeout. @default true */
  honorAbort?: boolean;
}

export const NO_FAULTS: FaultConfig = { failRate: 0, hangRate: 0, crashRate: 0 };

/**
 * Everything a thread needs to run the tools identically: plain data, so it crosses into workers.
 */
export interface ToolRuntimeConfig {
  /** @default 'io' */
  kind: WorkloadKind;
  /** Nominal latency of one call. @default 300 */
  latencyMs: number;
  /** @default 'fixed' */
  profile: LatencyProfileName;
  /** Seed of every random draw (latencies, faults). @default 42 */
  seed: number;
  /** Units of CPU work per millisecond, from {@link calibrateCpu}. Required when `kind` is `cpu`. */
  cpuUnitsPerMs?: number;
  /** @default NO_FAULTS */
  faults: FaultConfig;
  /**
   * Absolute path of a recorded latency profile (JSON, CSV or OTLP JSON): simulated tools with samples there draw
   * their latency from them instead of `profile`. @default undefined
   */
  recordedFile?: string;
  /**
   * Exact latencies by call id (a replayed trace: each call takes what it took when it was recorded); they win over
   * every draw. @default undefined
   */
  latencyByCall?: Record<string, number>;
  /** Tools known by name alone (a replayed trace's): registered as simulated tools that take any arguments. */
  simulatedTools?: string[];
  /** Absolute path of the user's config, which worker threads load to find its tools. @default undefined */
  configFile?: string;
}

export function toolRuntimeConfig(partial: Partial<ToolRuntimeConfig> = {}): ToolRuntimeConfig {
  return {
    kind: partial.kind ?? DEFAULT_KIND,
    latencyMs: partial.latencyMs ?? DEFAULT_LATENCY_MS,
    profile: partial.profile ?? DEFAULT_PROFILE,
    seed: partial.seed ?? DEFAULT_SEED,
    faults: { ...NO_FAULTS, ...partial.faults },
    ...(partial.cpuUnitsPerMs === undefined ? {} : { cpuUnitsPerMs: partial.cpuUnitsPerMs }),
    ...(partial.recordedFile === undefined ? {} : { recordedFile: partial.recordedFile }),
    ...(partial.configFile === undefined ? {} : { configFile: partial.configFile }),
    ...(partial.latencyByCall === undefined ? {} : { latencyByCall: partial.latencyByCall }),
    ...(partial.simulatedTools === undefined ? {} : { simulatedTools: partial.simulatedTools }),
  };
}
