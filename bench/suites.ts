/**
 * The benchmark suites: which matrix each named run measures. `npm run bench` runs `default`; flags given on the
 * command line override a suite's values.
 */
import { API_MODES, agentModes, DISPATCH_MODES } from '../src/agent/types.ts';
import type { BenchConfig } from '../src/results/document.ts';
import { NO_FAULTS } from '../src/tools/config.ts';

/** A suite: every setting of a run, and a line for `fanout-bench list`. */
export type SuiteDefinition = Omit<BenchConfig, 'suite' | 'recorded'> & {
  description: string;
  /** Absolute path of a recorded latency profile the suite's simulated tools draw from. */
  recordedFile?: string;
};

const ALL_FOUR = ['sequential', 'promise-all', 'limited', 'worker-pool'];

export const SUITES: Record<string, SuiteDefinition> = {
  default: {
    description: '300 ms I/O tools, all four strategies, 1–16 calls, limits 2/4/8 (about 2.5 min)',
    executors: ALL_FOUR,
    calls: [1, 2, 4, 8, 16],
    limits: [2, 4, 8],
    kinds: ['io'],
    latencyMs: 300,
    profile: 'fixed',
    seed: 42,
    rounds: 5,
    faults: NO_FAULTS,
  },
  cpu: {
    description: '300 ms CPU-bound tools, 8 calls: main-thread strategies vs worker pools (about 1.5 min)',
    executors: ['sequential', 'promise-all', 'limited(2)', 'worker-pool(2)', 'worker-pool(4)'],
    calls: [8],
    limits: [2],
    kinds: ['cpu'],
    latencyMs: 300,
    profile: 'fixed',
    seed: 42,
    rounds: 5,
    faults: NO_FAULTS,
  },
  reference: {
    description: "the reference tutorial's table: 3 tools of 300 ms, sequential vs parallel",
    executors: ['sequential', 'promise-all'],
    calls: [3],
    limits: [],
    kinds: ['io'],
    latencyMs: 300,
    profile: 'fixed',
    seed: 42,
    rounds: 10,
    faults: NO_FAULTS,
  },
  agent: {
    description: 'whole agent runs of weather-stock-news: 300 ms tools, 300 ms model turns (about 40 s)',
    executors: ['sequential', 'promise-all', 'limited(2)', 'worker-pool(2)'],
    calls: [3],
    limits: [],
    kinds: ['io'],
    latencyMs: 300,
    profile: 'fixed',
    seed: 42,
    rounds: 5,
    faults: NO_FAULTS,
    agent: { scenario: 'weather-stock-news', api: 'chat', dispatch: 'after-stream', modelLatencyMs: 300 },
  },
  apis: {
    description:
      'weather-stock-news over every API mode, early vs after-stream where it streams: 300 ms tools and turns (about 3 min)',
    executors: ['sequential', 'promise-all', 'limited(2)'],
    calls: [3],
    limits: [],
    kinds: ['io'],
    latencyMs: 300,
    profile: 'fixed',
    seed: 42,
    rounds: 5,
    faults: NO_FAULTS,
    agent: {
      scenario: 'weather-stock-news',
      api: 'chat',
      dispatch: 'after-stream',
      modelLatencyMs: 300,
      modes: agentModes(API_MODES, DISPATCH_MODES),
    },
  },
  gate: {
    description: 'the CI regression gate: small latencies, the cells that matter (under a minute)',
    executors: ['sequential', 'promise-all', 'limited(4)', 'worker-pool(4)'],
    calls: [8],
    limits: [4],
    kinds: ['io'],
    latencyMs: 40,
    profile: 'fixed',
    seed: 42,
    rounds: 20,
    faults: NO_FAULTS,
  },
};

export const DEFAULT_SUITE = 'default';
