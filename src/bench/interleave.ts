import { Bench, type Statistics } from 'tinybench';
import type { LatencySummary } from '../stats/summary.ts';

/** One sample of one variant: how long the timed region took, plus whatever the variant wants to keep. */
export interface Sample<Extra> {
  durationMs: number;
  extra: Extra;
}

/** Something measured side by side with others: a strategy on a batch, or a whole agent run. */
export interface Variant<Extra> {
  name: string;
  /** Runs round `round` once and times only the region that matters. */
  sample(round: number): Promise<Sample<Extra>>;
}

/** tinybench's summary of a variant's samples (ms). */

export type VariantRecord<Extra> =
  | { name: string; status: 'ok'; summary: LatencySummary; rounds: Sample<Extra>[] }
  | { name: string; status: 'error'; error: string; rounds: Sample<Extra>[] };

function summarize(latency: Statistics): LatencySummary {
  const { mean, p50, p75, p99, min, max, sd, rme, samplesCount } = latency;
  return { mean, p50, p75, p99, min, max, sd, rme, samples: samplesCount };
}

/**
 * Hands out turns in a fixed schedule: round r runs every variant once, in an order rotated by r, so slow drift
 * of a noisy machine hits all variants alike. Variants that stopped (errored) lose their remaining turns.
 */
class Turnstile {
  readonly #schedule: string[];
  readonly #waiting = new Map<string, () => void>();
  readonly #finished = new Set<string>();
  #position = 0;
  #open = false;

  constructor(names: readonly string[], rounds: number) {
    this.#schedule = [];
    for (let r = 0; r < rounds; r++) {
      for (let i = 0; i < names.length; i++) this.#schedule.push(names[(i + r) % names.length] as string);
    }
  }

  wait(name: string): Promise<void> {
    if (this.#open) return Promise.resolve();
    return new Promise((resolve) => {
      this.#waiting.set(name, resolve);
      this.#wake();
    });
  }

  release(): void {
    this.#position++;
    this.#wake();
  }

  finish(name: string): void {
    this.#finished.add(name);
    this.#wake();
  }

  /** Lets every waiter through at once (on abort, so no task is left waiting for a turn that never comes). */
  openAll(): void {
    this.#open = true;
    for (const resolve of this.#waiting.values()) resolve();
    this.#waiting.clear();
  }

  #wake(): void {
    while (this.#position < this.#schedule.length) {
      const next = this.#schedule[this.#position] as string;
      if (this.#finished.has(next) && !this.#waiting.has(next)) {
        this.#position++;
        continue;
      }
      const resolve = this.#waiting.get(next);
      if (resolve) {
        this.#waiting.delete(next);
        resolve();
      }
      return;
    }
  }
}

export interface InterleaveOptions {
  rounds: number;
  signal?: AbortSignal;
  /** Called after every sample (for progress). */
  onSample?: (variant: string, round: number) => void;
}

/**
 * Measures every variant `rounds` times in interleaved rounds. tinybench records each variant (one task per
 * variant, `concurrency: 'bench'`), while the turnstile lets only one sample run at a time. The timed region is
 * the variant's own (`overriddenDuration`), so set-up around it never counts.
 */
export async function runInterleaved<Extra>(
  variants: readonly Variant<Extra>[],
  options: InterleaveOptions,
): Promise<VariantRecord<Extra>[]> {
  const turnstile = new Turnstile(
    variants.map((v) => v.name),
    options.rounds,
  );
  const rounds = new Map<string, Sample<Extra>[]>(variants.map((v) => [v.name, []]));
  const bench = new Bench({
    concurrency: 'bench',
    iterations: options.rounds,
    time: 0,
    warmup: false,
    throws: false,
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const failed = new Set<string>();
  for (const variant of variants) {
    const taken = rounds.get(variant.name) as Sample<Extra>[];
    bench.add(
      variant.name,
      async () => {
        const round = taken.length;
        try {
          const sample = await variant.sample(round);
          taken.push(sample);
          options.onSample?.(variant.name, round);
          return { overriddenDuration: sample.durationMs };
        } catch (error) {
          failed.add(variant.name); // tinybench stops this task; its remaining turns are skipped
          throw error;
        }
      },
      {
        // one macrotask turn before each sample: CPU-bound samples chain as promises and would otherwise never let
        // a signal handler (Ctrl-C) run until the whole cell is done
        beforeEach: async () => {
          await new Promise((resolve) => setImmediate(resolve));
          await turnstile.wait(variant.name);
        },
        afterEach: () => {
          turnstile.release();
          if (failed.has(variant.name)) turnstile.finish(variant.name);
        },
        afterAll: () => turnstile.finish(variant.name),
      },
    );
  }
  const onAbort = () => turnstile.openAll();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    await bench.run();
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
  }
  return bench.tasks.map((task): VariantRecord<Extra> => {
    const taken = rounds.get(task.name) ?? [];
    const result = task.result;
    if (result.state === 'completed' || result.state === 'aborted-with-statistics') {
      return { name: task.name, status: 'ok', summary: summarize(result.latency), rounds: taken };
    }
    const error = result.state === 'errored' ? result.error.message : `not measured (${result.state})`;
    return { name: task.name, status: 'error', error, rounds: taken };
  });
}
