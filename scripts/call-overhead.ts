/**
 * What a strategy costs per call on top of the work, against the bare primitive in the same process: `promise-all`
 * against `Promise.all` over plain timers, `limited(64)` against p-limit(64), at 100, 1000 and 10 000 calls, with
 * 0 ms tools (no timer: pure overhead) and 1 ms timers, the calls listening on a run's signal as in `bench`. Also the
 * heap held per in-flight call.
 * Usage: npm run bench:call-overhead [-- rounds=15] [--markdown docs/figures/call-overhead.md]
 * (run with --expose-gc for the heap figures; `--markdown FILE` also writes them as a table there, under the line
 * naming machine, Node, date)
 */
import { setTimeout as sleep } from 'node:timers/promises';
import pLimit from 'p-limit';
import { DEFAULT_BATCH_TOOLS, syntheticBatch } from '../src/bench/batch.ts';
import { ToolRegistry } from '../src/tools/registry.ts';

/** The built-in tools the batches call. */
const TOOLS = new ToolRegistry();

import { createExecutor } from '../src/executors/registry.ts';
import type { ToolCall } from '../src/executors/types.ts';
import { quantileSorted } from '../src/stats/summary.ts';
import { toolRuntimeConfig } from '../src/tools/config.ts';
import { ToolRuntime } from '../src/tools/runtime.ts';
import { markdownOption, npmCommand, writeFigures } from './figures-header.ts';

const { file: markdown, rest } = markdownOption(process.argv.slice(2));
const rounds = Number(rest[0] ?? 15);
const rows: string[] = [];
let names: string[] = [];
const heap: string[] = [];
const COUNTS = [100, 1000, 10_000];
const LIMIT = 64;

/** The bare primitive's call: what `waitIo` does for a simulated tool, with nothing around it. */
function bareCall(ms: number): Promise<unknown> {
  return ms > 0 ? sleep(ms) : Promise.resolve();
}

type Run = (calls: readonly ToolCall[]) => Promise<unknown>;

async function variants(latencyMs: number): Promise<[string, Run, () => Promise<void>][]> {
  const runtime = new ToolRuntime(toolRuntimeConfig({ latencyMs }));
  const controller = new AbortController(); // the run's signal, as `bench` passes it to every batch
  const all = await createExecutor({ strategy: 'promise-all' }, { runtime });
  const limited = await createExecutor({ strategy: 'limited', limit: LIMIT }, { runtime });
  const gate = pLimit(LIMIT);
  return [
    ['Promise.all (bare)', (calls) => Promise.all(calls.map(() => bareCall(latencyMs))), async () => {}],
    ['promise-all', (calls) => all.run(calls, controller.signal), () => all.close()],
    [
      `p-limit(${LIMIT}) (bare)`,
      (calls) => Promise.all(calls.map(() => gate(() => bareCall(latencyMs)))),
      async () => {},
    ],
    [`limited(${LIMIT})`, (calls) => limited.run(calls, controller.signal), () => limited.close()],
  ];
}

/** Ideal wall time of one batch: one timer for all-at-once, ⌈N/k⌉ waves for a window of k. */
function idealMs(name: string, calls: number, latencyMs: number): number {
  return name.includes(`(${LIMIT})`) ? Math.ceil(calls / LIMIT) * latencyMs : latencyMs;
}

console.log(`per-call overhead in µs: median over ${rounds} rounds of (wall − ideal) / N; Node ${process.version}`);
for (const latencyMs of [0, 1]) {
  const all = await variants(latencyMs);
  for (const calls of COUNTS) {
    const batch = syntheticBatch(`n${calls}`, calls, DEFAULT_BATCH_TOOLS, TOOLS);
    const cells: string[] = [];
    const medians: string[] = [];
    names = all.map(([name]) => name);
    for (const [name, run] of all) {
      await run(batch); // warm
      const perCall: number[] = [];
      for (let r = 0; r < rounds; r++) {
        const started = performance.now();
        await run(batch);
        perCall.push(((performance.now() - started - idealMs(name, calls, latencyMs)) * 1000) / calls);
      }
      perCall.sort((a, b) => a - b);
      medians.push(quantileSorted(perCall, 0.5).toFixed(2));
      cells.push(`${name} ${medians.at(-1)}`);
    }
    console.log(`${latencyMs} ms tools, N=${String(calls).padStart(5)}: ${cells.join(' | ')}`);
    rows.push(`| ${latencyMs === 0 ? '0 ms tools' : `${latencyMs} ms timers`}, ${calls} | ${medians.join(' | ')} |`);
  }
  for (const [, , close] of all) await close();
}

const gc = (globalThis as { gc?: () => void }).gc;
if (gc) {
  const held = async (label: string, start: (calls: readonly ToolCall[]) => Promise<unknown>) => {
    const calls = syntheticBatch('heap', 10_000, DEFAULT_BATCH_TOOLS, TOOLS);
    gc();
    const before = process.memoryUsage().heapUsed;
    const pending = start(calls);
    gc();
    const during = process.memoryUsage().heapUsed;
    await pending;
    const bytes = `${((during - before) / calls.length).toFixed(0)} B`;
    console.log(`heap per in-flight call, ${label}: ${bytes}`);
    heap.push(`${label} ${bytes}`);
  };
  const runtime = new ToolRuntime(toolRuntimeConfig({ latencyMs: 300 }));
  const executor = await createExecutor({ strategy: 'promise-all' }, { runtime });
  const controller = new AbortController();
  await held('Promise.all (bare)', (calls) => Promise.all(calls.map(() => bareCall(300))));
  await held('promise-all', (calls) => executor.run(calls, controller.signal));
  await executor.close();
} else {
  console.log('heap per in-flight call: run with node --expose-gc (npm run bench:call-overhead does)');
}

if (markdown)
  writeFigures(
    markdown,
    npmCommand('bench:call-overhead', rest),
    'What a strategy costs per call, against the bare primitive',
    [
      `µs per call: median over ${rounds} rounds of (wall − ideal) ÷ N, in one process; all calls on one run signal.`,
      '',
      `| tools, N | ${names.map((name) => `\`${name}\``).join(' | ')} |`,
      `|---|${names.map(() => '---').join('|')}|`,
      ...rows,
      '',
      heap.length > 0
        ? `Heap per call in flight (10 000 calls of 300 ms): ${heap.join('; ')}.`
        : 'Heap per call in flight: not measured (run with node --expose-gc, as npm run bench:call-overhead does).',
    ].join('\n'),
  );
