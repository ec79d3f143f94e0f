import { describe, expect, it } from 'vitest';
import { type CallRunner, epochNow, settleCall } from '../src/executors/call.ts';
import { applyPolicy, type CallPolicy } from '../src/executors/policy.ts';
import { createExecutor } from '../src/executors/registry.ts';
import type { Executor, ToolCall, ToolOutcome } from '../src/executors/types.ts';
import type { ToolRuntime } from '../src/tools/runtime.ts';
import { RULES, type RuleResult, verifyExecutor } from '../src/verify/conformance.ts';
import type { ExecutorFactory } from '../src/verify/harness.ts';

/** The only use of the registry: a factory for a built-in strategy. */
function builtIn(strategy: string, limit?: number): ExecutorFactory {
  return (runtime, policy) =>
    createExecutor(limit === undefined ? { strategy } : { strategy, limit }, { runtime, policy });
}

function byRule(results: readonly RuleResult[]): Record<string, RuleResult> {
  return Object.fromEntries(results.map((r) => [r.rule, r]));
}

function failed(results: readonly RuleResult[]): string[] {
  return results.filter((r) => !r.passed).map((r) => r.rule);
}

function mainRunner(runtime: ToolRuntime, policy: CallPolicy): CallRunner {
  return applyPolicy((call, signal) => runtime.invoke(call, signal), policy);
}

/** Every call at once, as promise-all does; the broken executors below bend this one way each. */
function allAtOnce(runner: CallRunner, calls: readonly ToolCall[], signal?: AbortSignal): Promise<ToolOutcome[]> {
  const start = epochNow();
  return Promise.all(calls.map((call) => settleCall(call, runner, start, signal)));
}

function broken(
  name: string,
  run: (runner: CallRunner, calls: readonly ToolCall[], signal?: AbortSignal) => Promise<ToolOutcome[]>,
  close: () => Promise<void> = async () => {},
): ExecutorFactory {
  return async (runtime, policy) => {
    const runner = mainRunner(runtime, policy);
    return { name, run: (calls, signal) => run(runner, calls, signal), close } satisfies Executor;
  };
}

describe('verifyExecutor on the built-in strategies', () => {
  const builtIns: [string, ExecutorFactory, number | undefined][] = [
    ['sequential', builtIn('sequential'), 1],
    ['promise-all', builtIn('promise-all'), undefined],
    ['limited(3)', builtIn('limited', 3), 3],
    ['chunked(3)', builtIn('chunked', 3), 3],
    ['worker-pool(2)', builtIn('worker-pool', 2), 2],
  ];

  it.each(builtIns)('%s passes every rule', async (_name, factory, limit) => {
    const results = await verifyExecutor(factory, limit === undefined ? {} : { limit });
    expect(results.map((r) => r.rule)).toEqual(RULES.map((r) => r.rule));
    expect(results.filter((r) => !r.passed)).toEqual([]);
    for (const r of results) expect(r.evidence).not.toMatch(/\n/);
    if (limit === undefined)
      expect(byRule(results)['limit-respected']).toMatchObject({ skipped: true, evidence: /^no limit declared/ });
    else
      expect(byRule(results)['limit-respected']?.evidence).toMatch(new RegExp(`^peak \\d+ in flight, limit ${limit}`));
  });
});

describe('verifyExecutor judges calls, not the batch', () => {
  it('passes an executor that runs calls in fixed pairs without declaring a limit: each call times out on time', async () => {
    const pairs = broken('pairs', async (runner, calls, signal) => {
      const start = epochNow();
      const outcomes: ToolOutcome[] = [];
      for (let i = 0; i < calls.length; i += 2) {
        outcomes.push(...(await Promise.all(calls.slice(i, i + 2).map((c) => settleCall(c, runner, start, signal)))));
      }
      return outcomes;
    });
    const rules = byRule(await verifyExecutor(pairs));
    expect(rules['hanging-tool-times-out']).toMatchObject({
      passed: true,
      evidence: /^6 hanging calls → 6 timeout in \d+ ms; each timed out 60 ms after it started$/,
    });
    expect(rules['limit-respected']?.skipped).toBe(true);
  });
});

describe('verifyExecutor on broken executors', () => {
  it('an executor that drops the last outcome fails one-outcome-per-call, naming the missing id', async () => {
    const results = await verifyExecutor(
      broken('drops-last', async (runner, calls, signal) => (await allAtOnce(runner, calls, signal)).slice(0, -1)),
    );
    const rules = byRule(results);
    expect(rules['one-outcome-per-call']).toMatchObject({
      passed: false,
      evidence: '6 calls → 5 outcomes; missing v-5',
    });
    expect(rules['close-twice-is-safe']?.passed).toBe(true);
    expect(rules['timings-relative-to-batch']?.passed).toBe(true);
    expect(rules['never-rejects']?.passed).toBe(true);
  });

  it('an executor that declares limit 2 but runs everything at once fails limit-respected', async () => {
    const results = await verifyExecutor(
      broken('greedy', (runner, calls, signal) => allAtOnce(runner, calls, signal)),
      { limit: 2 },
    );
    expect(failed(results)).toEqual(['limit-respected']);
    expect(byRule(results)['limit-respected']?.evidence).toMatch(/^peak 6 in flight, limit 2\b/);
  });

  it('an executor whose run rejects when a call fails fails never-rejects, with the error as evidence', async () => {
    const results = await verifyExecutor(
      broken('rejects', async (runner, calls, signal) => {
        const outcomes = await allAtOnce(runner, calls, signal);
        const error = outcomes.find((o) => o.status === 'error');
        if (error) throw new Error(`call ${error.id} failed`);
        return outcomes;
      }),
    );
    const rules = byRule(results);
    expect(rules['never-rejects']).toMatchObject({ passed: false, evidence: 'run rejected: call v-0 failed' });
    expect(rules['throwing-tool-is-error-outcome']?.passed).toBe(false);
    expect(rules['one-outcome-per-call']?.passed).toBe(true);
    expect(rules['hanging-tool-times-out']?.passed).toBe(true);
    expect(rules['abort-ends-every-call']?.passed).toBe(true);
    expect(rules['close-twice-is-safe']?.passed).toBe(true);
  });

  it('an executor that ignores the abort signal fails abort-ends-every-call', async () => {
    const results = await verifyExecutor(broken('deaf', (runner, calls) => allAtOnce(runner, calls)));
    expect(failed(results)).toEqual(['abort-ends-every-call']);
    expect(byRule(results)['abort-ends-every-call']?.evidence).toMatch(/^settled \d+ ms after the abort .*; 6 ok$/);
  });

  it('an executor that returns outcomes in reverse order fails one-outcome-per-call', async () => {
    const results = await verifyExecutor(
      broken('reversed', async (runner, calls, signal) => (await allAtOnce(runner, calls, signal)).reverse()),
    );
    expect(failed(results)).toEqual(['one-outcome-per-call']);
    expect(byRule(results)['one-outcome-per-call']?.evidence).toBe(
      '6 calls → 6 outcomes, out of order: position 0 holds v-5, expected v-0',
    );
  });

  it('an executor whose close throws the second time fails close-twice-is-safe', async () => {
    const factory: ExecutorFactory = async (runtime, policy) => {
      let closed = false;
      return broken(
        'closes-once',
        (runner, calls, signal) => allAtOnce(runner, calls, signal),
        async () => {
          if (closed) throw new Error('already closed');
          closed = true;
        },
      )(runtime, policy);
    };
    const results = await verifyExecutor(factory);
    expect(failed(results)).toEqual(['close-twice-is-safe']);
    expect(byRule(results)['close-twice-is-safe']?.evidence).toBe('second close() rejected: already closed');
  });

  it('reports malformed outcomes and a throwing factory as failures instead of crashing', async () => {
    const malformed = broken('malformed', async (runner, calls, signal) => {
      const outcomes = await allAtOnce(runner, calls, signal);
      return outcomes.map((o, i) => (i === 2 ? ({ ...o, status: 'done' } as unknown as ToolOutcome) : o));
    });
    const rules = byRule(await verifyExecutor(malformed));
    expect(rules['one-outcome-per-call']?.passed).toBe(false);
    expect(rules['one-outcome-per-call']?.evidence).toMatch(/^outcome 2 has status "done"/);

    const throwing: ExecutorFactory = async () => {
      throw new Error('no such tool server');
    };
    const results = await verifyExecutor(throwing, { limit: 2 });
    expect(results.map((r) => r.passed)).toEqual(RULES.map(() => false));
    for (const r of results) expect(r.evidence).toBe('factory rejected: no such tool server');
  });
});
