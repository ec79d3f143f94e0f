/**
 * Ctrl-C and crashes in the middle of `fanout-bench bench`: the CLI runs as a child process, and the test
 * interrupts it once `latest.json` holds finished cells.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { CellOk, ResultsDocument } from '../src/results/document.ts';
import { mulberry32 } from '../src/tools/random.ts';

const root = join(import.meta.dirname, '..');
const SEED = Number(process.env.FUZZ_SEED ?? 0x5eed_f00d) >>> 0;
const CALLS = [1, 2, 4, 8];
const EXECUTORS = ['sequential', 'promise-all']; // sequential is always measured
const ROUNDS = 3;
const TOTAL_CELLS = CALLS.length * EXECUTORS.length;

interface Child {
  process: ChildProcess;
  stderr: () => string;
  stdout: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const children: ChildProcess[] = [];
const dirs: string[] = [];

afterEach(() => {
  // only the children this file started, by pid
  for (const child of children.splice(0))
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function outDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'fanout-interrupt-'));
  dirs.push(dir);
  return dir;
}

const DEFAULT_ARGS = ['--latency', '30', '--calls', CALLS.join(','), '--executors', 'promise-all'];

function startBench(out: string, args: readonly string[] = DEFAULT_ARGS): Child {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      'src/cli/main.ts',
      'bench',
      ...args,
      ...(args.includes('--iterations') ? [] : ['--iterations', String(ROUNDS)]),
      '--out',
      out,
      '--quiet',
    ],
    { cwd: root, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal })),
  );
  return { process: child, stdout: () => stdout, stderr: () => stderr, exited };
}

/**
 * Reads `latest.json`: undefined while it does not exist yet. A file that exists but does not parse is recorded
 * (it is written atomically, so a reader must never see half of it).
 */
function reader(out: string) {
  const torn: string[] = [];
  let reads = 0;
  return {
    torn,
    get reads() {
      return reads;
    },
    read(): ResultsDocument | undefined {
      let text: string;
      try {
        text = readFileSync(join(out, 'latest.json'), 'utf8');
      } catch {
        return undefined;
      }
      reads++;
      try {
        return JSON.parse(text) as ResultsDocument;
      } catch (error) {
        torn.push(`${(error as Error).message} (${text.length} chars)`);
        return undefined;
      }
    },
  };
}

/** Polls every 5 ms until `probe` gives a value, the child exits, or the deadline passes. */
async function waitFor<T>(child: Child, probe: () => T | undefined, what: string, timeoutMs = 20_000): Promise<T> {
  let exited = false;
  void child.exited.then(() => {
    exited = true;
  });
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (exited) throw new Error(`the bench exited before ${what}; stderr: ${child.stderr()}`);
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}; stderr: ${child.stderr()}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Cells come in whole groups (all executors of a call count), in matrix order. */
function expectWholeGroups(document: ResultsDocument, context: string): void {
  const ids = document.cells.map((c) => c.id);
  const groups = ids.length / EXECUTORS.length;
  expect(Number.isInteger(groups), `${context}: ${ids.join(', ')}`).toBe(true);
  expect(ids, context).toEqual(
    CALLS.slice(0, groups).flatMap((calls) => EXECUTORS.map((executor) => `io/${calls}/${executor}`)),
  );
  for (const cell of document.cells) {
    expect(cell.status, `${context}: ${cell.id}`).toBe('ok');
    const ok = cell as CellOk;
    for (const key of ['mean', 'p50', 'p75', 'p99', 'min', 'max', 'sd', 'rme'] as const) {
      expect(Number.isFinite(ok.stats[key]), `${context}: ${cell.id} stats.${key}`).toBe(true);
    }
    expect(ok.stats.samples, `${context}: ${cell.id}`).toBe(ROUNDS);
    expect(ok.stats.mean, `${context}: ${cell.id}`).toBeGreaterThanOrEqual(30 * 0.9);
    expect(ok.roundsMs, `${context}: ${cell.id}`).toHaveLength(ROUNDS);
    expect(ok.idealRoundsMs, `${context}: ${cell.id}`).toHaveLength(ROUNDS);
    expect(ok.outcomes, `${context}: ${cell.id}`).toEqual({
      ok: ROUNDS * ok.calls,
      error: 0,
      timeout: 0,
      cancelled: 0,
    });
    for (const estimate of [ok.speedup, ok.efficiency]) {
      const parts = estimate ? [estimate.value, estimate.low, estimate.high] : [];
      expect(parts.length === 3 && parts.every(Number.isFinite), `${context}: ${cell.id}`).toBe(true);
    }
  }
}

describe('Ctrl-C during fanout-bench bench', () => {
  it('exits 130 and keeps the finished groups in an interrupted results file', async () => {
    const out = outDir();
    const child = startBench(out);
    const latest = reader(out);
    const seen = await waitFor(
      child,
      () => {
        const document = latest.read();
        return document && document.cells.length > 0 ? document : undefined;
      },
      'the first finished group',
    );
    child.process.kill('SIGINT');
    const { code, signal } = await child.exited;
    const context = `stderr: ${child.stderr()}`;

    expect(signal, context).toBeNull();
    expect(code, context).toBe(130);
    expect(latest.torn, 'latest.json was read half-written').toEqual([]);
    const document = latest.read() as ResultsDocument;
    expect(document, context).toBeDefined();
    expect(document.status).toBe('interrupted');
    expect(document.cells.length).toBeGreaterThanOrEqual(seen.cells.length);
    expect(document.cells.length).toBeGreaterThan(0);
    expect(document.cells.length).toBeLessThan(TOTAL_CELLS);
    expectWholeGroups(document, 'interrupted run');
    expect(document.wallTimeMs).toBeGreaterThan(0);

    const files = readdirSync(out);
    expect(
      files.filter((f) => f.endsWith('.tmp')),
      files.join(', '),
    ).toEqual([]);
    const copies = files.filter((f) => /^run-.*\.json$/.test(f));
    expect(copies, files.join(', ')).toHaveLength(1);
    const copy = JSON.parse(readFileSync(join(out, copies[0] as string), 'utf8')) as ResultsDocument;
    expect(copy).toEqual(document);

    expect(child.stderr()).toMatch(/Interrupted: finishing the current sample/);
    expect(child.stderr()).toContain(
      `Interrupted: ${document.cells.length} finished cells kept in ${join(out, copies[0] as string)}`,
    );
    expect(child.stderr()).not.toMatch(/\n\s+at /);
  });

  it('never leaves a half-written results file when killed at a random moment (SIGKILL)', async () => {
    const rng = mulberry32(SEED);
    // three runs side by side, each killed at its own seeded moment after the first write
    const delays = [0, 1, 2].map((i) => Math.floor(((i + rng()) / 3) * 1500));
    const runs = delays.map(async (delayMs) => {
      const out = outDir();
      const child = startBench(out);
      const latest = reader(out);
      await waitFor(child, () => latest.read(), 'the first write of latest.json');
      // hammer the file with reads until the kill, so a torn write would be seen
      const until = performance.now() + delayMs;
      while (performance.now() < until && child.process.exitCode === null) {
        latest.read();
        await new Promise((r) => setImmediate(r));
      }
      child.process.kill('SIGKILL');
      const exit = await child.exited;
      return { delayMs, out, exit, latest, child };
    });
    for (const { delayMs, out, exit, latest, child } of await Promise.all(runs)) {
      const context = `seed ${SEED}, killed ${delayMs} ms after the first write; stderr: ${child.stderr()}`;
      // the run may have finished before the kill on a fast machine; both are fine
      expect(exit.signal === 'SIGKILL' || exit.code === 0, context).toBe(true);
      expect(latest.torn, `${context}: latest.json was read half-written`).toEqual([]);
      expect(latest.reads, context).toBeGreaterThan(0);
      const text = readFileSync(join(out, 'latest.json'), 'utf8');
      const document = JSON.parse(text) as ResultsDocument;
      expect(document.schemaVersion, context).toBe(2);
      expect(['partial', 'complete'], context).toContain(document.status);
      expectWholeGroups(document, context);
      for (const file of readdirSync(out).filter((f) => f.endsWith('.json'))) {
        expect(() => JSON.parse(readFileSync(join(out, file), 'utf8')), `${context}: ${file}`).not.toThrow();
      }
    }
  });

  it('reacts to Ctrl-C within a sample while CPU-bound tools hold the main thread (exit 130)', async () => {
    const out = outDir();
    // 30 rounds of 2 × 150 ms of computation on the main thread, twice per round: about 18 s if never interrupted
    const cpu = [
      '--kind',
      'cpu',
      '--latency',
      '150',
      '--calls',
      '2',
      '--executors',
      'promise-all',
      '--iterations',
      '30',
    ];
    const child = startBench(out, cpu);
    const latest = reader(out);
    await waitFor(child, () => latest.read(), 'the first write of latest.json (after calibration)');
    await new Promise((r) => setTimeout(r, 1000)); // well inside the rounds
    const sent = performance.now();
    child.process.kill('SIGINT');
    const exit = await child.exited;
    const reactedMs = performance.now() - sent;
    expect(exit.code, child.stderr()).toBe(130);
    // one sample is at most 300 ms of computation; before each sample the loop now turns, so the signal is seen
    expect(reactedMs, `exited ${reactedMs.toFixed(0)} ms after SIGINT`).toBeLessThan(5000);
    expect(latest.read()?.status).toBe('interrupted');
  }, 60_000);
});
