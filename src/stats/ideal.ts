import type { StrategyName } from '../executors/registry.ts';
import type { WorkloadKind } from '../tools/config.ts';

/** Greedy list scheduling in call order over `slots` parallel slots: the makespan a sliding window reaches. */
export function listScheduleMs(latencies: readonly number[], slots: number): number {
  if (latencies.length === 0) return 0;
  const free = new Array<number>(Math.max(1, Math.min(slots, latencies.length))).fill(0);
  for (const latency of latencies) {
    let earliest = 0;
    for (let i = 1; i < free.length; i++) if ((free[i] ?? 0) < (free[earliest] ?? 0)) earliest = i;
    free[earliest] = (free[earliest] ?? 0) + latency;
  }
  return Math.max(...free);
}

/** Sum of each fixed chunk's slowest call. */
export function chunkedMs(latencies: readonly number[], chunk: number): number {
  let total = 0;
  for (let i = 0; i < latencies.length; i += chunk) total += Math.max(...latencies.slice(i, i + chunk));
  return total;
}

export interface IdealInput {
  strategy: StrategyName;
  limit?: number;
  kind: WorkloadKind;
  /** Cores available to worker threads (`os.availableParallelism()`). */
  cores: number;
}

/**
 * The best time a strategy could reach with these drawn latencies and no overhead. CPU-bound tools on the main
 * thread get one slot whatever the strategy; a worker pool gets at most `min(k, cores)` slots.
 */
export function idealMs(latencies: readonly number[], input: IdealInput): number {
  const sum = latencies.reduce((a, b) => a + b, 0);
  const k = input.limit ?? latencies.length;
  switch (input.strategy) {
    case 'sequential':
      return sum;
    case 'promise-all':
      return input.kind === 'cpu' ? sum : Math.max(0, ...latencies);
    case 'limited':
      return input.kind === 'cpu' ? sum : listScheduleMs(latencies, k);
    case 'chunked':
      return input.kind === 'cpu' ? sum : chunkedMs(latencies, k);
    case 'worker-pool':
      return listScheduleMs(latencies, input.kind === 'cpu' ? Math.min(k, input.cores) : k);
  }
}
