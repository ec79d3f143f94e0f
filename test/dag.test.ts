import { afterEach, describe, expect, it, vi } from 'vitest';
import type { CallRunner } from '../src/executors/call.ts';
import { type DagOptions, type DagTask, dagExecutor, dagLabel, startDag } from '../src/executors/dag.ts';
import type { ToolOutcome } from '../src/executors/types.ts';
import { criticalPathMs, dagScheduleMs, listScheduleMs } from '../src/stats/ideal.ts';
import { AbortError } from '../src/tools/errors.ts';
import { mulberry32 } from '../src/tools/random.ts';

/** A runner that waits each call's `ms` (or fails with its `fail`) and logs `start id` / `end id` in order. */
function recorder() {
  const events: string[] = [];
  const runner: CallRunner = (call, signal) =>
    new Promise((resolve, reject) => {
      events.push(`start ${call.id}`);
      const { ms, fail } = JSON.parse(call.arguments) as { ms: number; fail?: string };
      const onAbort = () => {
        clearTimeout(timer);
        events.push(`abort ${call.id}`);
        reject(new AbortError('aborted while running'));
      };
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        events.push(`end ${call.id}`);
        if (fail === undefined) resolve(`${call.id} done`);
        else reject(new Error(fail));
      }, ms);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  return { events, runner };
}

function task(id: string, ms: number, deps: string[] = [], fail?: string): DagTask {
  return { id, deps, call: () => ({ id, name: 'wait', arguments: JSON.stringify({ ms, fail }) }) };
}

function byId(outcomes: ToolOutcome[]): Record<string, ToolOutcome> {
  return Object.fromEntries(outcomes.map((o) => [o.id, o]));
}

/** Runs `tasks` to the end and resolves with their outcomes, the run's peak and the runner's events. */
async function runAll(tasks: DagTask[], options: DagOptions = {}) {
  const { events, runner } = recorder();
  const run = startDag(runner, options);
  for (const t of tasks) run.add(t);
  run.end();
  const outcomes = await run.outcomes;
  return { outcomes, peak: run.peak, events, byId: byId(outcomes) };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('startDag', () => {
  it('starts a dependent the moment its dependency settles, before an unrelated slow task ends', async () => {
    const { outcomes, events, byId: o } = await runAll([task('a', 5), task('slow', 80), task('b', 5, ['a'])]);
    expect(outcomes.map((x) => x.id)).toEqual(['a', 'slow', 'b']);
    expect(outcomes.every((x) => x.status === 'ok')).toBe(true);
    expect(events.indexOf('start b')).toBeGreaterThan(events.indexOf('end a'));
    expect(events.indexOf('start b')).toBeLessThan(events.indexOf('end slow'));
    expect(o.b?.startedMs).toBeGreaterThanOrEqual(o.a?.endedMs ?? Number.NaN);
  });

  it('keeps at most `limit` tasks running: dag(1) one at a time, dag(2) at most two', async () => {
    const tasks = () => [task('a', 5), task('b', 10), task('c', 5, ['a']), task('d', 5), task('e', 5, ['b', 'c'])];
    const one = await runAll(tasks(), { limit: 1 });
    expect(one.peak).toBe(1);
    expect(one.events.every((e, i) => e.startsWith(i % 2 === 0 ? 'start' : 'end'))).toBe(true);
    expect(one.outcomes.map((x) => x.id)).toEqual(['a', 'b', 'c', 'd', 'e']);
    const two = await runAll(tasks(), { limit: 2 });
    expect(two.peak).toBe(2);
    const unbounded = await runAll(tasks());
    expect(unbounded.peak).toBe(3);
  });

  it('gives slots to startable tasks in the order they became startable', async () => {
    // a ends first and frees c; d and e were startable from the beginning and wait in add order, ahead of c
    const { events } = await runAll([task('a', 5), task('b', 30), task('c', 5, ['a']), task('d', 5), task('e', 5)], {
      limit: 2,
    });
    const starts = events.filter((e) => e.startsWith('start')).map((e) => e.slice(6));
    expect(starts).toEqual(['a', 'b', 'd', 'e', 'c']);
  });

  it('passes call() the outcomes of its dependencies, by id', async () => {
    let seen: ReadonlyMap<string, ToolOutcome> | undefined;
    const c: DagTask = {
      id: 'c',
      deps: ['a', 'b', 'a'],
      call(done) {
        seen = done;
        return { id: 'c', name: 'wait', arguments: JSON.stringify({ ms: 1 }) };
      },
    };
    const { byId: o } = await runAll([task('a', 5), task('x', 1), task('b', 10), c]);
    expect([...(seen?.keys() ?? [])].sort()).toEqual(['a', 'b']);
    expect(seen?.get('a')).toMatchObject({ id: 'a', status: 'ok', value: 'a done' });
    expect(seen?.get('b')).toMatchObject({ id: 'b', status: 'ok', value: 'b done' });
    expect(o.c?.status).toBe('ok');
  });

  it('does not run a task whose dependency failed, and says which one and why', async () => {
    const { events, byId: o } = await runAll([task('a', 5, [], 'boom'), task('b', 5, ['a']), task('c', 5, ['b'])]);
    expect(o.a).toMatchObject({ status: 'error', error: 'boom' });
    expect(o.b).toMatchObject({ status: 'error', error: 'not run: a failed (boom)' });
    expect(o.c).toMatchObject({ status: 'error', error: 'not run: b failed (not run: a failed (boom))' });
    expect(o.b?.startedMs).toBe(o.b?.endedMs);
    expect(o.b?.startedMs).toBeGreaterThanOrEqual(o.a?.endedMs ?? Number.NaN);
    expect(events).not.toContain('start b');
    expect(events).not.toContain('start c');
  });

  it('does not run a task added after its dependency already failed', async () => {
    const { events, runner } = recorder();
    const run = startDag(runner);
    run.add(task('a', 1, [], 'boom'));
    await new Promise((resolve) => setTimeout(resolve, 20));
    run.add(task('b', 1, ['a']));
    run.end();
    expect(byId(await run.outcomes).b).toMatchObject({ status: 'error', error: 'not run: a failed (boom)' });
    expect(events).not.toContain('start b');
  });

  it("turns a throwing call() into that task's error, and its dependents are not run", async () => {
    const bad: DagTask = {
      id: 'bad',
      deps: ['a'],
      call: () => {
        throw new Error('no argument $1');
      },
    };
    const { byId: o, peak } = await runAll([task('a', 5), bad, task('c', 5, ['bad']), task('d', 5, ['a'])]);
    expect(o.bad).toMatchObject({ status: 'error', error: 'no argument $1' });
    expect(o.c).toMatchObject({ status: 'error', error: 'not run: bad failed (no argument $1)' });
    expect(o.d?.status).toBe('ok');
    expect(peak).toBe(1);
  });

  it('ends unstarted tasks cancelled on abort and hands the signal to running ones', async () => {
    const { events, runner } = recorder();
    const controller = new AbortController();
    const run = startDag(runner, { limit: 2, signal: controller.signal });
    for (const t of [task('a', 2), task('slow', 5_000), task('b', 5_000), task('c', 5, ['slow'])]) run.add(t);
    await new Promise((resolve) => setTimeout(resolve, 30));
    controller.abort();
    run.add(task('late', 5));
    run.end();
    const o = byId(await run.outcomes);
    expect(o.a?.status).toBe('ok');
    expect(o.slow?.status).toBe('cancelled');
    expect(o.b?.status).toBe('cancelled'); // started in a's slot, aborted while running
    expect(o.c).toMatchObject({ status: 'cancelled', error: expect.stringMatching(/^not run: /) });
    expect(o.late?.status).toBe('cancelled');
    expect(events).toContain('abort slow');
    expect(events).not.toContain('start c');
    expect(events).not.toContain('start late');
  });

  it('runs nothing when the signal has already aborted', async () => {
    const { events, runner } = recorder();
    const run = startDag(runner, { signal: AbortSignal.abort(), pollMs: 10 });
    run.add(task('a', 5));
    run.end();
    expect((await run.outcomes).map((o) => o.status)).toEqual(['cancelled']);
    expect(events).toEqual([]);
  });

  it('refuses a duplicate id, an unknown or later dependency, and tasks after end()', () => {
    const run = startDag(recorder().runner);
    run.add(task('a', 1));
    expect(() => run.add(task('a', 1))).toThrow(/`a` was added twice/);
    expect(() => run.add(task('b', 1, ['c']))).toThrow(/depends on `c`, which was not added before it/);
    expect(() => run.add(task('self', 1, ['self']))).toThrow(/depends on `self`/);
    run.end();
    expect(() => run.add(task('z', 1))).toThrow(/after end\(\)/);
    expect(() => startDag(recorder().runner, { limit: 0 })).toThrow(/`limit` to be a whole number ≥ 1/);
    expect(() => startDag(recorder().runner, { pollMs: -1 })).toThrow(/`pollMs`/);
  });

  it('settles an empty plan at end()', async () => {
    const run = startDag(recorder().runner, { pollMs: 10 });
    run.end();
    expect(await run.outcomes).toEqual([]);
    expect(run.peak).toBe(0);
  });

  it('counts times from `origin` when given', async () => {
    const origin = performance.timeOrigin + performance.now() - 1_000;
    const { outcomes } = await runAll([task('a', 1)], { origin });
    expect(outcomes[0]?.startedMs).toBeGreaterThanOrEqual(1_000);
  });
});

describe('startDag polling', () => {
  it('holds a task freed by a completion until the next tick, but starts an added startable task at once', async () => {
    vi.useFakeTimers();
    const { events, runner } = recorder();
    const run = startDag(runner, { pollMs: 50 });
    run.add(task('a', 5));
    expect(events).toEqual(['start a']); // added with nothing to wait for: at once, as LLMCompiler's queue wakes it
    run.add(task('b', 5, ['a']));
    run.end();
    await vi.advanceTimersByTimeAsync(20);
    expect(events).toEqual(['start a', 'end a']); // b is startable since 5 ms but waits for the tick
    await vi.advanceTimersByTimeAsync(30);
    expect(events).toEqual(['start a', 'end a', 'start b']);
    await vi.advanceTimersByTimeAsync(10);
    expect((await run.outcomes).map((o) => o.status)).toEqual(['ok', 'ok']);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('with a limit, a slot freed by a completion is filled at the next tick', async () => {
    vi.useFakeTimers();
    const { events, runner } = recorder();
    const run = startDag(runner, { pollMs: 50, limit: 1 });
    run.add(task('a', 5));
    run.add(task('b', 5));
    run.end();
    await vi.advanceTimersByTimeAsync(20);
    expect(events).toEqual(['start a', 'end a']);
    await vi.advanceTimersByTimeAsync(30);
    expect(events).toEqual(['start a', 'end a', 'start b']);
    await vi.advanceTimersByTimeAsync(10);
    expect(run.peak).toBe(1);
    expect((await run.outcomes).map((o) => o.status)).toEqual(['ok', 'ok']);
  });

  it('costs time per level of a chain that the event-driven run does not', async () => {
    const chain = () => [task('a', 5), task('b', 5, ['a']), task('c', 5, ['b'])];
    const total = (outcomes: ToolOutcome[]) => Math.max(...outcomes.map((o) => o.endedMs));
    const eventDriven = await runAll(chain());
    const polled = await runAll(chain(), { pollMs: 50 });
    for (const [dep, next] of [
      ['a', 'b'],
      ['b', 'c'],
    ] as const) {
      expect(polled.byId[next]?.startedMs).toBeGreaterThanOrEqual(polled.byId[dep]?.endedMs ?? Number.NaN);
    }
    expect(total(polled.outcomes)).toBeGreaterThan(total(eventDriven.outcomes));
  });

  it('leaves no timer behind once settled or aborted', async () => {
    vi.useFakeTimers();
    const { runner } = recorder();
    const run = startDag(runner, { pollMs: 10, limit: 2 });
    for (const t of [task('a', 5), task('b', 15, ['a']), task('c', 5, ['a'])]) run.add(t);
    run.end();
    expect(vi.getTimerCount()).toBeGreaterThanOrEqual(2); // the poll interval and a's timer
    await vi.advanceTimersByTimeAsync(100);
    expect((await run.outcomes).every((o) => o.status === 'ok')).toBe(true);
    expect(vi.getTimerCount()).toBe(0);

    const controller = new AbortController();
    const aborted = startDag(runner, { pollMs: 10, signal: controller.signal });
    aborted.add(task('a', 1_000));
    aborted.add(task('b', 5, ['a']));
    aborted.end();
    controller.abort();
    await vi.advanceTimersByTimeAsync(0);
    expect((await aborted.outcomes).map((o) => o.status)).toEqual(['cancelled', 'cancelled']);
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('dagExecutor', () => {
  it('is named after its limit and polling', () => {
    expect(dagLabel({})).toBe('dag');
    expect(dagLabel({ limit: 4 })).toBe('dag(4)');
    expect(dagLabel({ pollMs: 10 })).toBe('dag+poll10ms');
    expect(dagLabel({ limit: 4, pollMs: 10 })).toBe('dag(4)+poll10ms');
    expect(dagExecutor(recorder().runner, { limit: 4, pollMs: 10 }).name).toBe('dag(4)+poll10ms');
  });

  it('runs a batch of independent calls, one outcome per call id in call order, repeated ids too', async () => {
    const { runner } = recorder();
    const calls = ['x', 'y', 'x', 'z'].map((id) => ({ id, name: 'wait', arguments: JSON.stringify({ ms: 5 }) }));
    for (const options of [{}, { limit: 2 }, { limit: 1, pollMs: 5 }]) {
      const outcomes = await dagExecutor(runner, options).run(calls);
      expect(outcomes.map((o) => o.id)).toEqual(['x', 'y', 'x', 'z']);
      expect(outcomes.every((o) => o.status === 'ok')).toBe(true);
    }
  });

  it("cancels a run through the run's signal", async () => {
    const { runner } = recorder();
    const calls = ['a', 'b'].map((id) => ({ id, name: 'wait', arguments: JSON.stringify({ ms: 5_000 }) }));
    const outcomes = await dagExecutor(runner, { limit: 1 }).run(calls, AbortSignal.timeout(20));
    expect(outcomes.map((o) => o.status)).toEqual(['cancelled', 'cancelled']);
  });
});

describe('dagScheduleMs and criticalPathMs', () => {
  const chain = [[], [0], [1]];
  const diamond = [[], [0], [0], [1, 2]];

  it('a chain takes the sum of its latencies', () => {
    expect(criticalPathMs([10, 20, 30], chain)).toBe(60);
    expect(dagScheduleMs([10, 20, 30], chain)).toBe(60);
    expect(dagScheduleMs([10, 20, 30], chain, undefined, 2)).toBe(60);
  });

  it('a diamond takes its longest branch; one slot, the sum', () => {
    const latencies = [10, 20, 50, 5];
    expect(criticalPathMs(latencies, diamond)).toBe(65); // 10 + 50 + 5
    expect(dagScheduleMs(latencies, diamond)).toBe(65);
    expect(dagScheduleMs(latencies, diamond, undefined, 2)).toBe(65); // 20 and 50 side by side
    expect(dagScheduleMs(latencies, diamond, undefined, 1)).toBe(85);
  });

  it('releases delay a task past its dependencies', () => {
    expect(criticalPathMs([10, 10], [[], [0]], [0, 50])).toBe(60); // b released at 50, after a ended at 10
    expect(criticalPathMs([10, 10], [[], [0]], [30, 0])).toBe(50); // a released at 30 holds b back
    expect(dagScheduleMs([10, 10], [[], [0]], [0, 50], 1)).toBe(60);
    // one slot: the task that can start first goes first, whatever its index
    expect(dagScheduleMs([10, 10, 10], [[], [], [1]], [40, 0, 0], 1)).toBe(50); // 1, 2, then 0 at 40
  });

  it('without dependencies is listScheduleMs', () => {
    const latencies = [40, 10, 30, 20];
    const none = [[], [], [], []];
    expect(dagScheduleMs(latencies, none, undefined, 2)).toBe(60);
    expect(dagScheduleMs(latencies, none, undefined, 2)).toBe(listScheduleMs(latencies, 2));
    expect(dagScheduleMs(latencies, none, [30, 0, 5, 0], 2)).toBe(listScheduleMs(latencies, 2, [30, 0, 5, 0]));
  });

  it('answers 0 for no tasks and refuses a dependency that is not an earlier task', () => {
    expect(dagScheduleMs([], [])).toBe(0);
    expect(criticalPathMs([], [])).toBe(0);
    expect(() => criticalPathMs([1, 1], [[], [1]])).toThrow(/deps\[1\]/);
    expect(() => dagScheduleMs([1, 1], [[1], []])).toThrow(/deps\[0\]/);
  });

  it('with unbounded slots equals the critical path on random DAGs, and k slots never beat it', () => {
    const random = mulberry32(7);
    for (let trial = 0; trial < 200; trial++) {
      const count = 1 + Math.floor(random() * 12);
      const latencies = Array.from({ length: count }, () => Math.round(1 + random() * 100));
      const deps = latencies.map((_, i) => Array.from({ length: i }, (_, d) => d).filter(() => random() < 0.3));
      const releases = trial % 2 === 0 ? undefined : latencies.map(() => Math.round(random() * 150));
      const critical = criticalPathMs(latencies, deps, releases);
      expect(dagScheduleMs(latencies, deps, releases)).toBe(critical);
      expect(dagScheduleMs(latencies, deps, releases, count)).toBe(critical);
      const sum = latencies.reduce((a, b) => a + b, 0);
      for (const k of [1, 2, 3]) {
        const makespan = dagScheduleMs(latencies, deps, releases, k);
        expect(makespan).toBeGreaterThanOrEqual(critical);
        expect(makespan).toBeGreaterThanOrEqual(sum / k);
      }
      if (!releases) expect(dagScheduleMs(latencies, deps, undefined, 1)).toBe(sum);
    }
  });
});
