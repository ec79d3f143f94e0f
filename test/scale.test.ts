import { getEventListeners } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runGroup } from '../src/bench/matrix.ts';
import { planGroups } from '../src/bench/plan.ts';
import { resolveBenchConfig } from '../src/cli/options.ts';
import { profileWarnings } from '../src/cli/profile-flags.ts';
import { createRegistries } from '../src/config/registries.ts';
import { defineExecutor } from '../src/executors/definition.ts';
import { promiseAllExecutor } from '../src/executors/promise-all.ts';
import { createExecutor, ExecutorRegistry } from '../src/executors/registry.ts';
import type { CellOk, ResultsDocument } from '../src/results/document.ts';
import { checkResults } from '../src/results/schema.ts';
import { serializeResults } from '../src/results/store.ts';
import { AbortWaiter, listen, onAbort, unlisten } from '../src/tools/abort.ts';
import { toolRuntimeConfig } from '../src/tools/config.ts';
import { ToolRegistry } from '../src/tools/registry.ts';
import { cli, testRuntime, weatherCalls } from './helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'fanout-scale-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('one abort listener per signal, however many calls wait on it', () => {
  it('a batch of 2000 calls on the run signal adds one listener, and the abort still reaches every call', async () => {
    const runtime = testRuntime({ latencyMs: 60_000 });
    const executor = await createExecutor({ strategy: 'promise-all' }, { runtime });
    const controller = new AbortController();
    const running = executor.run(weatherCalls(2000), controller.signal);
    expect(runtime.inFlight).toBe(2000);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(1);
    controller.abort();
    const outcomes = await running;
    expect(outcomes.map((o) => o.status)).toEqual(Array(2000).fill('cancelled'));
    expect(runtime.inFlight).toBe(0);
  });

  it('the same under fail-fast and a timeout: the batch and each call listen through one registration each', async () => {
    const runtime = testRuntime({ latencyMs: 60_000 });
    const policy = { retries: 0, backoffMs: 50, errorPolicy: 'fail-fast' as const, timeoutMs: 60_000 };
    const executor = await createExecutor({ strategy: 'promise-all' }, { runtime, policy });
    const controller = new AbortController();
    const running = executor.run(weatherCalls(500), controller.signal);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(1);
    controller.abort();
    expect((await running).every((o) => o.status === 'cancelled')).toBe(true);
  });

  it('leaving unlinks a waiter from the middle, the head and the tail; an abort reaches only those still waiting', () => {
    class Probe extends AbortWaiter {
      reason: Error | undefined;
      abortWith(reason: Error): void {
        this.reason = reason;
      }
    }
    const controller = new AbortController();
    const probes = Array.from({ length: 5 }, () => new Probe());
    for (const p of probes) listen(controller.signal, p);
    for (const i of [0, 2, 4]) unlisten(probes[i] as Probe);
    unlisten(probes[2] as Probe); // twice is harmless
    const stop = onAbort(controller.signal, () => {});
    stop();
    controller.abort(new Error('stop'));
    expect(probes.map((p) => p.reason?.message)).toEqual([undefined, 'stop', undefined, 'stop', undefined]);
    const late = new Probe();
    listen(controller.signal, late); // already aborted: at once
    expect(late.reason?.message).toBe('stop');
  });
});

describe('scale runs: --no-reference, 0 ms tools, growth', () => {
  it('skips sequential, writes no speedup and no null, fits growth over 10..1000 calls and shows it', async () => {
    const out = join(dir, 'no-ref');
    const run = await cli([
      'bench',
      ...['--executors', 'promise-all,limited(8)', '--calls', '10,100,1000', '--latency', '0'],
      ...['--iterations', '3', '--no-reference', '--quiet', '--out', out],
    ]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const text = readFileSync(join(out, 'latest.json'), 'utf8');
    expect(text).not.toContain('null');
    const document = JSON.parse(text) as ResultsDocument;
    expect(checkResults(document).ok).toBe(true);
    expect(document.config.reference).toBe(false);
    expect(document.cells.map((c) => c.executor)).not.toContain('sequential');
    for (const cell of document.cells as CellOk[]) {
      expect(cell.status).toBe('ok');
      expect(cell.speedup).toBeUndefined();
      expect(cell.idealMs).toBe(0); // 0 ms tools: no timer, the ideal is nothing at all...
      expect(cell.efficiency).toBeUndefined(); // ...so there is no efficiency, only overhead
      expect(cell.overheadPerCallMs?.value).toBeGreaterThan(0);
      expect(cell.growth?.points).toBe(3);
    }
    expect(run.stdout).not.toContain('Speedup vs sequential');
    expect(run.stdout).toContain('Overhead per call (batch − ideal) ÷ calls');
    expect(run.stdout).toMatch(/io\s+│ promise-all\s+│ \d+ µs\s+│ \d+ µs\s+│ \d+ µs\s+│ -?\d\.\d\d/);
    expect(run.stdout).not.toMatch(/NaN|null/);
  });

  it('refuses --no-reference where a speedup is needed or nothing is left (exit 2, one line)', async () => {
    for (const args of [
      ['bench', '--no-reference', '--executors', 'sequential,promise-all'],
      ['baseline', '--no-reference', '--file', join(dir, 'b.json')],
      ['bench', '--calls', '10001'],
    ]) {
      const run = await cli(args);
      expect(run.code, args.join(' ')).toBe(2);
      expect(run.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
    }
  });

  it('warns before a run whose sequential reference alone takes more than ten minutes', () => {
    const state = { registries: createRegistries() };
    const config = resolveBenchConfig(
      { executors: 'promise-all', calls: '10000', latency: '300', iterations: '2' },
      state,
    );
    expect(profileWarnings(config, state.registries).join('\n')).toContain('`sequential` at 10000 calls takes 50m');
    expect(profileWarnings({ ...config, reference: false }, state.registries)).toEqual([]);
    expect(
      profileWarnings(resolveBenchConfig({ calls: '1000', latency: '300', iterations: '2' }, state), state.registries),
    ).toEqual([]);
  });
});

describe('what cannot be computed stays out of the file', () => {
  it('leaves out NaN fields and whole estimates, never writes null', () => {
    const nan = Number.NaN;
    const text = serializeResults({
      cells: [
        { idealMs: nan, speedup: { value: nan, low: nan, high: nan }, efficiency: { value: 1, low: nan, high: 1 } },
      ],
    } as unknown as ResultsDocument);
    expect(JSON.parse(text)).toEqual({ cells: [{}] });
  });

  it('reads overhead and growth that older documents kept under `agent`', () => {
    const baseline = JSON.parse(readFileSync(join(import.meta.dirname, '..', 'results', 'baseline.json'), 'utf8'));
    const cell = baseline.cells[1];
    // an older document: the figures only under `agent`
    delete cell.overheadPerCallMs;
    delete cell.growth;
    cell.agent = {
      scenario: 'fanout-8',
      steps: 2,
      modelMs: 40,
      toolsMs: 10,
      overheadPerCallMs: { value: 0.2, low: 0.1, high: 0.3 },
      growth: { exponent: 1.5, points: 3, superlinear: true },
    };
    const read = checkResults(baseline);
    expect(read.ok).toBe(true);
    const lifted = (read as { value: ResultsDocument }).value.cells[1] as CellOk;
    expect(lifted.overheadPerCallMs?.value).toBe(0.2);
    expect(lifted.growth?.superlinear).toBe(true);
  });
});

describe('the warm-up batch', () => {
  it('runs the success path (timers included) before the first sample, not only a failing call', async () => {
    const batches: string[][] = [];
    const registries = { tools: new ToolRegistry(), executors: new ExecutorRegistry() };
    registries.executors.register(
      defineExecutor({
        name: 'recording-all',
        description: 'promise-all that records the statuses of every batch',
        takesLimit: false,
        ideal: 'unbounded',
        create: ({ invoke }) => {
          const inner = promiseAllExecutor(invoke);
          return {
            name: 'recording-all',
            async run(calls, signal) {
              const outcomes = await inner.run(calls, signal);
              batches.push(outcomes.map((o) => `${o.id}:${o.status}`));
              return outcomes;
            },
            close: () => inner.close(),
          };
        },
      }),
      'scale.test.ts',
    );
    const options = {
      executors: [{ strategy: 'recording-all' }],
      calls: [8],
      limits: [],
      kinds: ['io' as const],
      tools: toolRuntimeConfig({ latencyMs: 20, faults: { failRate: 0.5, hangRate: 0, crashRate: 0 } }),
      rounds: 2,
      reference: false,
      registries,
    };
    const [group] = planGroups(options);
    await runGroup(group as NonNullable<typeof group>, options);
    const [warmUp, ...samples] = batches;
    expect(samples).toHaveLength(2);
    // the warm-up: one call that fails on its arguments, then 8 that succeed (no injected faults, 1 ms each)
    expect(warmUp?.[0]).toBe('warm-up:error');
    expect(warmUp?.slice(1)).toEqual(Array.from({ length: 8 }, (_, i) => `warm-up-ok-c${i}:ok`));
    expect(samples.flat().some((s) => s.endsWith(':error'))).toBe(true); // the samples keep their faults
  });
});
