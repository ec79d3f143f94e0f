import { describe, expect, it } from 'vitest';
import { idealShape } from '../src/executors/registry.ts';
import { chunkedMs, idealMs, listScheduleMs } from '../src/stats/ideal.ts';
import { halfWidth, pairedRatio, peakOverlap, quantileSorted, tQuantile975 } from '../src/stats/summary.ts';

describe('ideal schedules', () => {
  const fixed = new Array<number>(16).fill(300);

  it('gives N·L sequentially, L unbounded and ceil(N/k)·L for a window of k', () => {
    expect(idealMs(fixed, { ...idealShape({ strategy: 'sequential' }), kind: 'io', cores: 2 })).toBe(4800);
    expect(idealMs(fixed, { ...idealShape({ strategy: 'promise-all' }), kind: 'io', cores: 2 })).toBe(300);
    expect(idealMs(fixed, { ...idealShape({ strategy: 'limited', limit: 4 }), kind: 'io', cores: 2 })).toBe(1200);
    expect(idealMs(fixed.slice(0, 9), { ...idealShape({ strategy: 'limited', limit: 4 }), kind: 'io', cores: 2 })).toBe(
      900,
    );
  });

  it('list-schedules uneven latencies where fixed chunks wait for their slowest', () => {
    const latencies = [100, 10, 10, 10, 100, 10];
    expect(listScheduleMs(latencies, 2)).toBe(130); // slot A: 100, 10 · slot B: 10, 10, 10, 100
    expect(chunkedMs(latencies, 2)).toBe(100 + 10 + 100);
  });

  it('gives CPU-bound tools one slot on the main thread and min(k, cores) in a pool', () => {
    const cpu = new Array<number>(8).fill(300);
    expect(idealMs(cpu, { ...idealShape({ strategy: 'promise-all' }), kind: 'cpu', cores: 2 })).toBe(2400);
    expect(idealMs(cpu, { ...idealShape({ strategy: 'limited', limit: 4 }), kind: 'cpu', cores: 2 })).toBe(2400);
    expect(idealMs(cpu, { ...idealShape({ strategy: 'worker-pool', limit: 4 }), kind: 'cpu', cores: 2 })).toBe(1200);
    expect(idealMs(cpu, { ...idealShape({ strategy: 'worker-pool', limit: 1 }), kind: 'cpu', cores: 2 })).toBe(2400);
  });

  it('reads an undeclared schedule as unknown (NaN), never as a made-up number', () => {
    expect(idealMs(fixed, { kind: 'io', cores: 2 })).toBeNaN();
    expect(idealMs(fixed, { schedule: 'chunks', limit: 5, kind: 'io', cores: 2 })).toBe(1200);
  });

  it('starts each call no earlier than its release time: a streamed turn with early dispatch', () => {
    // four 100 ms calls whose arguments complete 40 ms apart in the stream (ready at 40, 80, 120, 160)
    const latencies = [100, 100, 100, 100];
    const releases = [40, 80, 120, 160];
    const at = (strategy: string, limit?: number) =>
      idealMs(latencies, {
        ...idealShape(limit === undefined ? { strategy } : { strategy, limit }),
        kind: 'io',
        cores: 2,
        releases,
      });
    expect(at('sequential')).toBe(40 + 400); // each at max(ready, previous end): 40→140→240→340→440
    expect(at('promise-all')).toBe(160 + 100); // max(ready + duration)
    expect(at('limited', 2)).toBe(280); // slot A: 40→140, then 140→240 · slot B: 80→180, then 180→280
    expect(listScheduleMs(latencies, 4)).toBe(100); // no releases: all at 0, as after the stream
    expect(chunkedMs(latencies, 2, releases)).toBe(280); // chunk 1 at max(40, 80)→180; chunk 2 at max(180, 160)→280
    // calls are taken in the order they are released: a short call ready first runs first (interleaved streams)
    expect(listScheduleMs([50, 50], 1, [100, 10])).toBe(150);
    // a CPU-bound batch on the main thread has one slot whatever the strategy, releases still hold
    expect(idealMs(latencies, { ...idealShape({ strategy: 'promise-all' }), kind: 'cpu', cores: 2, releases })).toBe(
      440,
    );
  });

  it('handles empty batches', () => {
    expect(listScheduleMs([], 3)).toBe(0);
    expect(idealMs([], { ...idealShape({ strategy: 'promise-all' }), kind: 'io', cores: 2 })).toBe(0);
  });
});

describe('paired speedup', () => {
  it('is the geometric mean of per-round ratios with a t interval around it', () => {
    const sequential = [900, 910, 905, 915, 900, 908];
    const parallel = [300, 305, 301, 306, 299, 303];
    const speedup = pairedRatio(sequential, parallel);
    const logs = sequential.map((s, i) => Math.log(s / (parallel[i] ?? 1)));
    expect(speedup.value).toBeCloseTo(Math.exp(logs.reduce((a, b) => a + b) / logs.length), 12);
    expect(speedup.low).toBeLessThan(speedup.value);
    expect(speedup.high).toBeGreaterThan(speedup.value);
    expect(halfWidth(speedup)).toBeLessThan(0.05);
  });

  it('is exact with a zero-width interval when every round agrees', () => {
    expect(pairedRatio([4, 8, 12], [1, 2, 3])).toEqual({ value: 4, low: 4, high: 4 });
  });

  it('widens with disagreeing rounds and with fewer rounds', () => {
    const noisy = pairedRatio([900, 1200, 800, 1100], [300, 280, 350, 310]);
    expect(halfWidth(noisy)).toBeGreaterThan(0.5);
    const ratios = [3.1, 2.9, 3.05, 2.95, 3.0, 3.02];
    const twice = [...ratios, ...ratios];
    const fewer = pairedRatio(
      ratios,
      ratios.map(() => 1),
    );
    const more = pairedRatio(
      twice,
      twice.map(() => 1),
    );
    expect(halfWidth(fewer)).toBeGreaterThan(halfWidth(more));
  });

  it('uses Student t quantiles', () => {
    expect(tQuantile975(4)).toBe(2.776);
    expect(tQuantile975(60)).toBeCloseTo(2.0, 2);
  });
});

describe('peakOverlap', () => {
  it('counts intervals open at once; touching intervals do not overlap', () => {
    const intervals = [
      { startedMs: 0, endedMs: 10 },
      { startedMs: 10, endedMs: 20 },
      { startedMs: 5, endedMs: 15 },
    ];
    expect(peakOverlap(intervals)).toBe(2);
    expect(peakOverlap([])).toBe(0);
  });
});

describe('quantileSorted', () => {
  it('interpolates linearly', () => {
    expect(quantileSorted([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(quantileSorted([1, 2, 3, 4], 1)).toBe(4);
  });
});
