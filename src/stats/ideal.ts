/** How a simulated tool spends its latency: awaiting a timer (`io`) or computing (`cpu`). */
export type WorkloadKind = 'io' | 'cpu';

/**
 * The schedule a strategy aims at, so its ideal time (and so its efficiency) can be computed: `serial` one call
 * after another, `unbounded` all at once, `slots` a sliding window of k, `chunks` fixed chunks of k.
 */
export type IdealSchedule = 'serial' | 'unbounded' | 'slots' | 'chunks';
export const IDEAL_SCHEDULES: readonly IdealSchedule[] = ['serial', 'unbounded', 'slots', 'chunks'];

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
  /** The schedule the executor declares; undefined when it declares none (the ideal is then unknown: NaN). */
  schedule?: IdealSchedule | undefined;
  /** k of `slots` and `chunks`. */
  limit?: number | undefined;
  kind: WorkloadKind;
  /** Calls run on other threads (a worker pool): CPU-bound tools get up to min(k, cores) slots. */
  offMainThread?: boolean;
  /** Cores available to worker threads (`os.availableParallelism()`). */
  cores: number;
}

/**
 * The best time a strategy could reach with these latencies and no overhead. CPU-bound tools on the main thread
 * get one slot whatever the schedule; off the main thread, at most `min(k, cores)` slots. NaN when the executor
 * declares no schedule: an unknown ideal is shown as "—", never guessed.
 */
export function idealMs(latencies: readonly number[], input: IdealInput): number {
  const sum = latencies.reduce((a, b) => a + b, 0);
  const k = input.limit ?? latencies.length;
  if (input.schedule === undefined) return Number.NaN;
  if (input.schedule === 'serial') return sum;
  if (input.kind === 'cpu') return input.offMainThread ? listScheduleMs(latencies, Math.min(k, input.cores)) : sum;
  switch (input.schedule) {
    case 'unbounded':
      return Math.max(0, ...latencies);
    case 'slots':
      return listScheduleMs(latencies, k);
    case 'chunks':
      return chunkedMs(latencies, k);
  }
}
