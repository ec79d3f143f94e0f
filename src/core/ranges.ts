/** Accepted ranges of every matrix setting: flags and config suites are checked against the same numbers. */
export const RANGES = {
  calls: [1, 10_000],
  limits: [1, 256],
  latencyMs: [0, 600_000],
  seed: [0, 2 ** 32 - 1],
  // an interval (and so every verdict the gate makes) needs at least two rounds
  rounds: [2, 100_000],
  rate: [0, 1],
  rateLimit: [1, 100_000],
  timeoutMs: [1, 3_600_000],
  retries: [0, 20],
  backoffMs: [0, 60_000],
  modelLatencyMs: [0, 600_000],
  streamChunkDelayMs: [0, 60_000],
  tokensPerSecond: [1, 100_000],
  // queue(k): worker processes the bench starts, and jobs one `fanout-bench worker` runs at once
  workers: [1, 64],
  concurrency: [1, 1000],
} as const satisfies Record<string, readonly [number, number]>;
