import { threadId } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { createExecutor, type ExecutorSpec, formatSpec, parseSpec } from '../src/executors/registry.ts';
import type { Executor, ToolCall } from '../src/executors/types.ts';
import type { WorkerPoolExecutor } from '../src/executors/worker-pool.ts';
import { peakOverlap } from '../src/stats/summary.ts';
import { testRuntime, weatherCalls } from './helpers.ts';

const SPECS: ExecutorSpec[] = [
  { strategy: 'sequential' },
  { strategy: 'promise-all' },
  { strategy: 'limited', limit: 3 },
  { strategy: 'chunked', limit: 3 },
  { strategy: 'worker-pool', limit: 3 },
];

const open: Executor[] = [];
async function make(spec: ExecutorSpec, runtime = testRuntime()): Promise<Executor> {
  const executor = await createExecutor(spec, { runtime });
  open.push(executor);
  return executor;
}
afterEach(async () => {
  await Promise.all(open.splice(0).map((e) => e.close()));
});

/** A timer can fire about 1 ms early against performance.now(): allow that much when counting overlap. */
const TIMER_TOLERANCE_MS = 1;

describe.each(SPECS.map((spec) => [formatSpec(spec), spec] as const))('%s', (_name, spec) => {
  it('returns exactly one outcome per call id, in call order', async () => {
    const calls = weatherCalls(7);
    const outcomes = await (await make(spec)).run(calls);
    expect(outcomes.map((o) => o.id)).toEqual(calls.map((c) => c.id));
    expect(outcomes.every((o) => o.status === 'ok')).toBe(true);
    for (const o of outcomes) expect(o.endedMs).toBeGreaterThanOrEqual(o.startedMs);
  });

  it('turns throwing and malformed calls into error outcomes and completes the batch', async () => {
    const calls: ToolCall[] = [
      ...weatherCalls(2),
      { id: 'bad-json', name: 'get_weather', arguments: '{"city": ' },
      { id: 'unknown', name: 'get_wether', arguments: '{}' },
      { id: 'missing-argument', name: 'get_exchange_rate', arguments: '{"from_currency":"USD"}' },
    ];
    const outcomes = await (await make(spec)).run(calls);
    expect(outcomes.map((o) => o.id)).toEqual(calls.map((c) => c.id));
    expect(outcomes.map((o) => o.status)).toEqual(['ok', 'ok', 'error', 'error', 'error']);
    const errors = outcomes.flatMap((o) => (o.status === 'error' ? [o.error] : []));
    expect(errors[0]).toMatch(/invalid JSON arguments for get_weather/);
    expect(errors[1]).toMatch(/unknown tool "get_wether"/);
    expect(errors[2]).toMatch(/missing required argument "to_currency" for get_exchange_rate/);
  });

  it('fails every call of an injected 100% failure rate without rejecting', async () => {
    const runtime = testRuntime({ faults: { failRate: 1, hangRate: 0, crashRate: 0 } });
    const outcomes = await (await make(spec, runtime)).run(weatherCalls(4));
    expect(outcomes.map((o) => o.status)).toEqual(['error', 'error', 'error', 'error']);
  });

  it('answers an empty batch with no outcomes', async () => {
    expect(await (await make(spec)).run([])).toEqual([]);
  });
});

describe('concurrency limits', () => {
  it('limited(k) never has more than k calls in flight, and reaches k', async () => {
    for (const k of [1, 2, 4]) {
      const outcomes = await (await make({ strategy: 'limited', limit: k })).run(weatherCalls(9));
      expect(peakOverlap(outcomes, TIMER_TOLERANCE_MS)).toBe(k);
    }
  });

  it('chunked(k) waits for each chunk before starting the next', async () => {
    const outcomes = await (await make({ strategy: 'chunked', limit: 3 })).run(weatherCalls(7));
    expect(peakOverlap(outcomes, TIMER_TOLERANCE_MS)).toBe(3);
    const firstChunkEnd = Math.max(...outcomes.slice(0, 3).map((o) => o.endedMs));
    for (const o of outcomes.slice(3)) expect(o.startedMs).toBeGreaterThanOrEqual(firstChunkEnd - TIMER_TOLERANCE_MS);
  });

  it('sequential runs one call at a time and promise-all runs them all at once', async () => {
    const seq = await (await make({ strategy: 'sequential' })).run(weatherCalls(5));
    expect(peakOverlap(seq, TIMER_TOLERANCE_MS)).toBe(1);
    const all = await (await make({ strategy: 'promise-all' })).run(weatherCalls(5));
    expect(peakOverlap(all, TIMER_TOLERANCE_MS)).toBe(5);
  });

  it('worker-pool(k) runs calls on k other threads, at most k at a time', async () => {
    const pool = (await make({ strategy: 'worker-pool', limit: 2 })) as WorkerPoolExecutor;
    const outcomes = await pool.run(weatherCalls(6));
    expect(peakOverlap(outcomes, TIMER_TOLERANCE_MS)).toBeLessThanOrEqual(2);
    expect(pool.lastThreadIds.size).toBe(2);
    expect(pool.lastThreadIds.has(threadId)).toBe(false);
    expect(pool.startupMs).toBeGreaterThan(0);
  });

  it('a worker killed by a call yields an error outcome for that id and the pool goes on', async () => {
    const runtime = testRuntime({ faults: { failRate: 0, hangRate: 0, crashRate: 0.5 } });
    const pool = await make({ strategy: 'worker-pool', limit: 2 }, runtime);
    for (const batch of ['first', 'second']) {
      const calls = weatherCalls(8, batch);
      const outcomes = await pool.run(calls);
      expect(outcomes.map((o) => o.id)).toEqual(calls.map((c) => c.id));
      const crashed = calls.filter((c) => runtime.plan(c).fault === 'crash').map((c) => c.id);
      expect(crashed.length).toBeGreaterThan(0);
      expect(crashed.length).toBeLessThan(8);
      for (const o of outcomes) expect(o.status).toBe(crashed.includes(o.id) ? 'error' : 'ok');
    }
  });

  it('delivers mail sent from a worker thread to the main-thread mailbox', async () => {
    const runtime = testRuntime();
    const pool = await make({ strategy: 'worker-pool', limit: 2 }, runtime);
    const outcomes = await pool.run([
      { id: 'mail', name: 'send_email', arguments: JSON.stringify({ to: 'jack@example.com', message: 'hi' }) },
    ]);
    expect(outcomes[0]?.status).toBe('ok');
    expect(runtime.mailbox).toEqual([{ from: 'weather-bot@example.com', to: 'jack@example.com', message: 'hi' }]);
  });
});

describe('parseSpec', () => {
  it('parses names with and without limits', () => {
    expect(parseSpec('limited(4)')).toEqual({ strategy: 'limited', limit: 4 });
    expect(parseSpec('worker-pool')).toEqual({ strategy: 'worker-pool' });
    expect(parseSpec(' promise-all ')).toEqual({ strategy: 'promise-all' });
  });

  it('rejects unknown names, limits on strategies without one, and zero', () => {
    expect(() => parseSpec('parallel')).toThrow(/Unknown executor `parallel`; expected one of/);
    expect(() => parseSpec('sequential(2)')).toThrow(/takes no limit/);
    expect(() => parseSpec('limited(0)')).toThrow(/whole number from 1 to 256/);
  });
});
