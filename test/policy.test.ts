import { afterEach, describe, expect, it } from 'vitest';
import { backoffDelayMs, type CallPolicy, DEFAULT_POLICY } from '../src/executors/policy.ts';
import { createExecutor, type ExecutorSpec, formatSpec } from '../src/executors/registry.ts';
import type { Executor } from '../src/executors/types.ts';
import type { ToolRuntime } from '../src/tools/runtime.ts';
import { testRuntime, weatherCalls } from './helpers.ts';

const open: Executor[] = [];
async function make(spec: ExecutorSpec, runtime: ToolRuntime, policy: Partial<CallPolicy>): Promise<Executor> {
  const executor = await createExecutor(spec, { runtime, policy: { ...DEFAULT_POLICY, ...policy } });
  open.push(executor);
  return executor;
}
afterEach(async () => {
  await Promise.all(open.splice(0).map((e) => e.close()));
});

const ALL: ExecutorSpec[] = [
  { strategy: 'sequential' },
  { strategy: 'promise-all' },
  { strategy: 'limited', limit: 2 },
  { strategy: 'chunked', limit: 2 },
  { strategy: 'worker-pool', limit: 2 },
];

describe.each(ALL.map((s) => [formatSpec(s), s] as const))('%s under policies', (_name, spec) => {
  it('times out hanging calls with a timeout outcome and answers every id', async () => {
    const runtime = testRuntime({ faults: { failRate: 0, hangRate: 0.5, crashRate: 0 } });
    const calls = weatherCalls(6, 'hang');
    const hanging = calls.filter((c) => runtime.plan(c).fault === 'hang').map((c) => c.id);
    expect(hanging.length).toBeGreaterThan(0);
    const outcomes = await (await make(spec, runtime, { timeoutMs: 60 })).run(calls);
    expect(outcomes.map((o) => o.id)).toEqual(calls.map((c) => c.id));
    for (const o of outcomes) expect(o.status).toBe(hanging.includes(o.id) ? 'timeout' : 'ok');
    // the hung work was really stopped: nothing of it is still running on this thread
    expect(runtime.inFlight).toBe(0);
  });

  it('fail-fast cancels the siblings of the first failure; every id still gets one outcome', async () => {
    const runtime = testRuntime({ latencyMs: 20, faults: { failRate: 0.3, hangRate: 0, crashRate: 0 } });
    // a batch whose only failure is its first call, so later calls are still waiting or running when it fails
    let prefix = 0;
    const onlyFirstFails = (calls: ReturnType<typeof weatherCalls>) =>
      calls.every((c, i) => (runtime.plan(c).fault === 'fail') === (i === 0));
    while (!onlyFirstFails(weatherCalls(6, `ff${prefix}`))) prefix++;
    const calls = weatherCalls(6, `ff${prefix}`);
    const outcomes = await (await make(spec, runtime, { errorPolicy: 'fail-fast' })).run(calls);
    expect(outcomes.map((o) => o.id)).toEqual(calls.map((c) => c.id));
    const statuses = outcomes.map((o) => o.status);
    expect(statuses[0]).toBe('error');
    // calls that had not finished when call 0 failed are cancelled (a sibling may finish in the same tick)
    expect(statuses.slice(2).every((s) => s === 'cancelled')).toBe(true);
  });
});

describe('timeouts count from the start of the call, not from the queue', () => {
  it.each([
    { strategy: 'limited', limit: 2 },
    { strategy: 'worker-pool', limit: 2 },
  ] as ExecutorSpec[])('$strategy: calls waiting for a slot do not time out', async (spec) => {
    // 6 calls of 40 ms on 2 slots: the last starts after ~80 ms of waiting, past the 60 ms timeout
    const outcomes = await (await make(spec, testRuntime({ latencyMs: 40 }), { timeoutMs: 60 })).run(weatherCalls(6));
    expect(outcomes.map((o) => o.status)).toEqual(['ok', 'ok', 'ok', 'ok', 'ok', 'ok']);
  });
});

describe('timeouts that cannot cancel', () => {
  it('reports work that keeps running after its timeout when the tool ignores its signal', async () => {
    const runtime = testRuntime({
      latencyMs: 80,
      faults: { failRate: 0, hangRate: 0, crashRate: 0, honorAbort: false },
    });
    const outcomes = await (await make({ strategy: 'promise-all' }, runtime, { timeoutMs: 20 })).run(weatherCalls(3));
    expect(outcomes.map((o) => o.status)).toEqual(['timeout', 'timeout', 'timeout']);
    expect(runtime.inFlight).toBe(3); // a timeout is not a cancellation
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(runtime.inFlight).toBe(0);
  });
});

describe('retries', () => {
  it('retries 429s with backoff until the rate limit lets the call through', async () => {
    const runtime = testRuntime({ latencyMs: 10, faults: { failRate: 0, hangRate: 0, crashRate: 0, rateLimit: 2 } });
    const withoutRetry = await (await make({ strategy: 'promise-all' }, runtime, {})).run(weatherCalls(5, 'a'));
    expect(withoutRetry.filter((o) => o.status === 'error')).toHaveLength(3);
    const withRetry = await (await make({ strategy: 'promise-all' }, runtime, { retries: 6, backoffMs: 10 })).run(
      weatherCalls(5, 'b'),
    );
    expect(withRetry.map((o) => o.status)).toEqual(['ok', 'ok', 'ok', 'ok', 'ok']);
  });

  it('retries a timed-out call with a fresh draw, and gives up after the bound', async () => {
    const runtime = testRuntime({ faults: { failRate: 0, hangRate: 1, crashRate: 0 } });
    const started = performance.now();
    const outcomes = await (
      await make({ strategy: 'sequential' }, runtime, { timeoutMs: 15, retries: 2, backoffMs: 1 })
    ).run(weatherCalls(1));
    expect(outcomes[0]?.status).toBe('timeout');
    expect(performance.now() - started).toBeGreaterThanOrEqual(3 * 15 - 3); // three attempts
  });

  it('does not retry plain errors', async () => {
    const runtime = testRuntime({ faults: { failRate: 1, hangRate: 0, crashRate: 0 } });
    const outcomes = await (await make({ strategy: 'sequential' }, runtime, { retries: 3 })).run(weatherCalls(1));
    expect(outcomes[0]).toMatchObject({ status: 'error', error: 'injected failure in get_weather' });
  });

  it('backs off exponentially with full jitter', () => {
    for (let attempt = 0; attempt < 5; attempt++) {
      const delay = backoffDelayMs(50, attempt, 'x');
      expect(delay).toBeGreaterThanOrEqual(0);
      expect(delay).toBeLessThan(50 * 2 ** attempt);
    }
    expect(backoffDelayMs(50, 1, 'x')).toBe(backoffDelayMs(50, 1, 'x'));
  });
});
