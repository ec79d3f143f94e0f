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

function checkDeps(deps: readonly (readonly number[])[], count: number): void {
  for (let i = 0; i < count; i++) {
    for (const d of deps[i] ?? []) {
      if (!(Number.isInteger(d) && d >= 0 && d < i)) {
        throw new RangeError(`Expected deps[${i}] to hold indices of earlier tasks (0 to ${i - 1}), got ${d}`);
      }
    }
  }
}

/**
 * Length of the longest path (sum of latencies along dependencies), with releases: what an unbounded DAG schedule
 * cannot beat. Each task ends at max(its release, its dependencies' ends) + its latency; deps[i] are indices < i.
 */
export function criticalPathMs(
  latencies: readonly number[],
  deps: readonly (readonly number[])[],
  releases?: readonly number[],
): number {
  checkDeps(deps, latencies.length);
  const ends: number[] = [];
  let end = 0;
  for (let i = 0; i < latencies.length; i++) {
    let start = releases?.[i] ?? 0;
    for (const d of deps[i] ?? []) start = Math.max(start, ends[d] ?? 0);
    const taskEnd = start + (latencies[i] ?? 0);
    ends.push(taskEnd);
    end = Math.max(end, taskEnd);
  }
  return end;
}

/**
 * Makespan of a DAG: each task starts at max(its release, its dependencies' ends) on at most `slots` slots
 * (Infinity: unbounded), greedy in release order; deps[i] are indices < i. The greedy rule (list scheduling): at
 * each step, among the tasks whose dependencies are all placed, the one that could start first (ties by index)
 * goes on the slot that frees first. Without dependencies that is {@link listScheduleMs}; with unbounded slots,
 * {@link criticalPathMs}. Like listScheduleMs, an upper bound of the optimum.
 */
export function dagScheduleMs(
  latencies: readonly number[],
  deps: readonly (readonly number[])[],
  releases?: readonly number[],
  slots = Number.POSITIVE_INFINITY,
): number {
  checkDeps(deps, latencies.length);
  const count = latencies.length;
  const free = new Array<number>(Math.max(1, Math.min(slots, count))).fill(0);
  /** Ends of the tasks placed so far; undefined: not placed yet. */
  const ends = new Array<number | undefined>(count).fill(undefined);
  let end = 0;
  for (let placed = 0; placed < count; placed++) {
    // the unplaced task, dependencies all placed, that could start first (the first unplaced one always qualifies)
    let next = -1;
    let earliest = 0;
    for (let i = 0; i < count; i++) {
      if (ends[i] !== undefined) continue;
      let start = releases?.[i] ?? 0;
      let ready = true;
      for (const d of deps[i] ?? []) {
        const depEnd = ends[d];
        if (depEnd === undefined) ready = false;
        else start = Math.max(start, depEnd);
      }
      if (ready && (next < 0 || start < earliest)) {
        next = i;
        earliest = start;
      }
    }
    let slot = 0;
    for (let j = 1; j < free.length; j++) if ((free[j] ?? 0) < (free[slot] ?? 0)) slot = j;
    const taskEnd = Math.max(earliest, free[slot] ?? 0) + (latencies[next] ?? 0);
    free[slot] = taskEnd;
    ends[next] = taskEnd;
    end = Math.max(end, taskEnd);
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
