/** How a simulated tool spends its latency: awaiting a timer (`io`) or computing (`cpu`). */
export type WorkloadKind = 'io' | 'cpu';

/**
 * The schedule a strategy aims at, so its ideal time (and so its efficiency) can be computed: `serial` one call
 * after another, `unbounded` all at once, `slots` a sliding window of k, `chunks` fixed chunks of k.
 */
export type IdealSchedule = 'serial' | 'unbounded' | 'slots' | 'chunks';
export const IDEAL_SCHEDULES: readonly IdealSchedule[] = ['serial', 'unbounded', 'slots', 'chunks'];

/**
 * Greedy list scheduling over `slots` parallel slots, each call starting no earlier than its release time
 * (`releases[i]`, ms after the batch's origin; 0 when absent), calls taken in the order they are released (call
 * order among equals, so without releases in call order): the makespan a sliding window reaches. One slot is a
 * serial schedule, as many slots as calls an unbounded one.
 */
export function listScheduleMs(latencies: readonly number[], slots: number, releases?: readonly number[]): number {
  if (latencies.length === 0) return 0;
  const free = new Array<number>(Math.max(1, Math.min(slots, latencies.length))).fill(0);
  const order = latencies.map((_, i) => i);
  if (releases) order.sort((a, b) => (releases[a] ?? 0) - (releases[b] ?? 0));
  let end = 0;
  for (const i of order) {
    const latency = latencies[i] ?? 0;
    let earliest = 0;
    for (let j = 1; j < free.length; j++) if ((free[j] ?? 0) < (free[earliest] ?? 0)) earliest = j;
    const start = Math.max(free[earliest] ?? 0, releases?.[i] ?? 0);
    free[earliest] = start + latency;
    end = Math.max(end, start + latency);
  }
  return end;
}

/** Each fixed chunk starts when the previous one ended and all its calls are released; it lasts its slowest call. */
export function chunkedMs(latencies: readonly number[], chunk: number, releases?: readonly number[]): number {
  let end = 0;
  for (let i = 0; i < latencies.length; i += chunk) {
    const start = Math.max(end, ...(releases?.slice(i, i + chunk) ?? []));
    end = start + Math.max(...latencies.slice(i, i + chunk));
  }
  return end;
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
  /**
   * When each call can start at the earliest, ms after the batch's origin: in a streamed turn with early dispatch,
   * when its arguments were complete. @default every call at 0
   */
  releases?: readonly number[];
}

/**
 * The best time a strategy could reach with these latencies and no overhead. CPU-bound tools on the main thread
 * get one slot whatever the schedule; off the main thread, at most `min(k, cores)` slots. NaN when the executor
 * declares no schedule: an unknown ideal is shown as "—", never guessed.
 */
export function idealMs(latencies: readonly number[], input: IdealInput): number {
  const k = input.limit ?? latencies.length;
  const { releases } = input;
  if (input.schedule === undefined) return Number.NaN;
  if (input.schedule === 'serial') return listScheduleMs(latencies, 1, releases);
  if (input.kind === 'cpu') {
    return listScheduleMs(latencies, input.offMainThread ? Math.min(k, input.cores) : 1, releases);
  }
  switch (input.schedule) {
    case 'unbounded':
      return listScheduleMs(latencies, latencies.length, releases);
    case 'slots':
      return listScheduleMs(latencies, k, releases);
    case 'chunks':
      return chunkedMs(latencies, k, releases);
  }
}
