import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { answer } from '../src/report/answer.ts';
import { apiTable } from '../src/report/tables/overhead.ts';
import type { CellOk, ResultsDocument } from '../src/results/document.ts';
import { cli } from './helpers.ts';

describe('fanout-bench bench (end to end, 20 ms tools)', () => {
  it('writes a complete results document and prints it with --json', async () => {
    const out = mkdtempSync(join(tmpdir(), 'fanout-'));
    const result = await cli([
      'bench',
      '--latency',
      '20',
      '--calls',
      '1,8',
      '--executors',
      'promise-all,limited(2),worker-pool(2)',
      '--iterations',
      '3',
      '--out',
      out,
      '--json',
      '--quiet',
    ]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const printed = JSON.parse(result.stdout) as ResultsDocument;
    const written = JSON.parse(readFileSync(join(out, 'latest.json'), 'utf8')) as ResultsDocument;
    expect(written).toEqual(printed);
    expect(readdirSync(out).filter((f) => f.startsWith('run-'))).toHaveLength(1);
    expect(readdirSync(out).some((f) => f.endsWith('.tmp'))).toBe(false);

    expect(printed).toMatchObject({ schemaVersion: 2, status: 'complete', tool: { name: 'fanout-bench' } });
    expect(printed.config).toMatchObject({ latencyMs: 20, calls: [1, 8], rounds: 3 });
    expect(printed.config.executors).toEqual(['sequential', 'promise-all', 'limited(2)', 'worker-pool(2)']);
    expect(printed.environment.cores).toBeGreaterThan(0);
    expect(printed.environment.node).toBe(process.version);
    expect(printed.cells).toHaveLength(8);

    const cell = (id: string) => printed.cells.find((c) => c.id === id) as CellOk;
    for (const c of printed.cells) {
      expect(c.status).toBe('ok');
      const ok = c as CellOk;
      expect(ok.stats.samples).toBe(3);
      expect(ok.roundsMs).toHaveLength(3);
      expect(ok.outcomes.ok).toBe(3 * ok.calls);
      expect(ok.speedup?.low).toBeLessThanOrEqual(ok.speedup?.value ?? Number.NaN);
      expect(ok.efficiency?.value).toBeGreaterThan(0.5);
      expect(ok.efficiency?.value).toBeLessThan(1.1);
    }
    expect(cell('io/8/sequential').idealMs).toBe(160);
    expect(cell('io/8/limited(2)').idealMs).toBe(80);
    expect(cell('io/8/promise-all').speedup?.value).toBeGreaterThan(5);
    expect(cell('io/8/promise-all').speedup?.value).toBeGreaterThan(
      2 * (cell('io/8/limited(2)').speedup?.value ?? Number.NaN),
    );
    expect(cell('io/8/limited(2)').speedup?.value).toBeGreaterThan(1.5);
    // the pool starts (outside the samples) for the first group of its kind and serves the next one warm
    expect(cell('io/1/worker-pool(2)').poolStartupMs).toBeGreaterThan(0);
    expect(cell('io/8/worker-pool(2)').poolStartupMs).toBeUndefined();
  });

  it('prints a results document far larger than a pipe buffer through --json, whole', async () => {
    const result = await cli([
      ...['bench', '--calls', '1,2,4,8,16,32', '--executors', 'promise-all,limited,chunked', '--limits', '2,4,8,16'],
      ...['--latency', '1', '--iterations', '2', '--json', '--quiet', '--out', mkdtempSync(join(tmpdir(), 'fanout-'))],
    ]);
    expect(result.code).toBe(0);
    expect(result.stdout.length).toBeGreaterThan(65_536);
    expect((JSON.parse(result.stdout) as ResultsDocument).cells).toHaveLength(6 * 10);
  });

  it('prints the tables and wall time without --json', async () => {
    const out = mkdtempSync(join(tmpdir(), 'fanout-'));
    const result = await cli([
      'bench',
      '--latency',
      '5',
      '--calls',
      '2',
      '--executors',
      'promise-all',
      '--iterations',
      '2',
      '--out',
      out,
    ]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/Speedup vs sequential/);
    expect(result.stdout).toMatch(/promise-all/);
    expect(result.stdout).toMatch(/Wall time/);
    expect(result.stderr).toMatch(/Results: .*latest\.json/);
  });

  it('says under the tables what the figures say, and leaves it out with --quiet', async () => {
    const args = ['bench', '--latency', '20', '--calls', '8', '--executors', 'promise-all,limited(2)'];
    for (const quiet of [false, true]) {
      const out = mkdtempSync(join(tmpdir(), 'fanout-'));
      const result = await cli([...args, '--iterations', '3', '--out', out, ...(quiet ? ['--quiet'] : [])]);
      expect(result.code).toBe(0);
      const said = answer(JSON.parse(readFileSync(join(out, 'latest.json'), 'utf8')) as ResultsDocument);
      const under = result.stdout.split('What the figures say:\n')[1]?.split('\n\nWall time')[0];
      if (quiet || said.length === 0) expect(under).toBeUndefined();
      else expect(under?.replace(/\n {2}/g, ' ').split('\n')).toEqual(said.map((s) => `• ${s}`));
    }
  });
});

describe('fanout-bench bench --mode agent (end to end, 20 ms tools and model turns)', () => {
  it('benchmarks whole agent runs per strategy with model and tool time apart', async () => {
    const out = mkdtempSync(join(tmpdir(), 'fanout-'));
    const result = await cli([
      'bench',
      '--mode',
      'agent',
      '--scenario',
      'weather-stock-news',
      '--latency',
      '20',
      '--model-latency',
      '20',
      '--executors',
      'promise-all,limited(2)',
      '--iterations',
      '3',
      '--out',
      out,
      '--json',
      '--quiet',
    ]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const doc = JSON.parse(result.stdout) as ResultsDocument;
    expect(doc.config.agent).toEqual({
      scenario: 'weather-stock-news',
      api: 'chat',
      dispatch: 'after-stream',
      modelLatencyMs: 20,
    });
    const cell = (executor: string) => doc.cells.find((c) => c.executor === executor) as CellOk;
    expect(cell('sequential').id).toBe('agent/weather-stock-news/chat/sequential');
    for (const c of doc.cells as CellOk[]) {
      expect(c.calls).toBe(3);
      expect(c.agent?.steps).toBe(2);
      expect(c.outcomes.ok).toBe(9);
      expect(c.agent?.modelMs).toBeGreaterThan(30); // two turns of 20 ms
    }
    // sequential ≈ 20 + 3·20 + 20 = 100 ms, promise-all ≈ 60 ms, limited(2) ≈ 80 ms
    expect(cell('promise-all').speedup?.value).toBeGreaterThan(cell('limited(2)').speedup?.value ?? Number.NaN);
    expect(cell('limited(2)').speedup?.value).toBeGreaterThan(1.05);
  });

  it('plays one scenario over several API modes, each against its own sequential, with the cost per turn', async () => {
    const out = mkdtempSync(join(tmpdir(), 'fanout-'));
    const args = ['bench', '--mode', 'agent', '--api', 'chat,messages-stream', '--dispatch', 'both'];
    const result = await cli([
      ...args,
      ...['--latency', '20', '--model-latency', '20', '--executors', 'promise-all', '--iterations', '3'],
      ...['--out', out, '--json', '--quiet'],
    ]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const doc = JSON.parse(result.stdout) as ResultsDocument;
    expect(doc.config.agent?.modes).toHaveLength(3);
    expect(doc.cells.map((c) => c.id)).toEqual([
      'agent/weather-stock-news/chat/sequential',
      'agent/weather-stock-news/chat/promise-all',
      'agent/weather-stock-news/messages-stream/sequential',
      'agent/weather-stock-news/messages-stream/promise-all',
      'agent/weather-stock-news/messages-stream+early/sequential',
      'agent/weather-stock-news/messages-stream+early/promise-all',
    ]);
    for (const c of doc.cells as CellOk[]) {
      expect(c.outcomes.ok).toBe(9);
      expect(c.agent?.steps).toBe(2);
      // each mode's speedups are against its own sequential: 1 for sequential itself, > 1 for promise-all
      if (c.strategy === 'sequential') expect(c.speedup?.value).toBe(1);
      else expect(c.speedup?.value).toBeGreaterThan(1.2);
    }
    expect(doc.cells.map((c) => `${c.api}/${c.dispatch}`)).toEqual([
      ...['chat/after-stream', 'chat/after-stream', 'messages-stream/after-stream', 'messages-stream/after-stream'],
      ...['messages-stream/early', 'messages-stream/early'],
    ]);
    const table = apiTable(doc);
    expect(table?.head).toEqual(['mode', 'model ms/turn', 'sequential', 'promise-all']);
    expect(table?.rows.map((r) => r[0])).toEqual(['chat', 'messages-stream', 'messages-stream+early']);
    // the model's time per turn is the mock's 20 ms, whatever the API
    for (const row of table?.rows ?? []) expect(Number(row[1])).toBeGreaterThanOrEqual(19);
    const text = await cli(['compare', join(out, 'latest.json'), join(out, 'latest.json')]);
    expect(text.code).toBe(0);
  });

  it('names the scenario problem in one line', async () => {
    const result = await cli(['bench', '--mode', 'agent', '--scenario', 'no-such-scenario']);
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/no-such-scenario/);
  });

  it('refuses agent flags without --mode agent', async () => {
    const result = await cli(['bench', '--api', 'responses']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/`--api` belongs to agent runs; add `--mode agent`/);
  });
});

describe('fanout-bench run when every call of a turn fails', () => {
  it('sends the failures back to the model and answers; --stop-when-all-fail ends the run in one line (exit 1)', async () => {
    const args = ['run', '--fail-rate', '1', '--latency', '1'];
    const goesOn = await cli(args);
    expect(goesOn.code, goesOn.stderr).toBe(0);
    expect(goesOn.stdout).toMatch(/^A:/m);
    const stops = await cli([...args, '--stop-when-all-fail']);
    expect(stops.code).toBe(1);
    expect(stops.stderr).toMatch(/^Error: all 3 tool calls of step 1 failed: /);
    expect(stops.stderr.trim().split('\n')).toHaveLength(1);
  });
});

describe('bad input', () => {
  it.each([
    [['bench', '--calls', 'abc'], /Expected `--calls` to be a comma-separated list of whole numbers/],
    [['bench', '--calls', '0'], /Expected `--calls`/],
    [['bench', '--limits', '2,x'], /Expected `--limits`/],
    [['bench', '--latency', '-5'], /Expected `--latency` to be a number from 0/],
    [['bench', '--iterations', '1.5'], /Expected `--iterations` to be a whole number/],
    [['bench', '--kind', 'gpu'], /Expected `--kind` to be one of io, cpu, got `gpu`/],
    [
      ['bench', '--profile', 'normal'],
      /Expected `--profile` to be fixed, uniform, long-tail or a recorded latency file/,
    ],
    [['bench', '--executors', 'parallel'], /Unknown executor `parallel`/],
    [['bench', '--executors', 'sequential(3)'], /takes no limit/],
    [
      ['bench', '--executors', 'limited(2'],
      /^Error: `limited\(2` misses its closing parenthesis; write `limited\(2\)`/,
    ],
    [
      ['bench', '--config', 'package.json'],
      /package\.json: a config is a module that exports it: \.ts, \.mts, \.cts, \.js, \.mjs, \.cjs/,
    ],
    [['report', '--out', 'r.htm'], /`--out r\.htm`: a report is an HTML page; name a file ending in \.html/],
    [['bench', '--suite', 'nope'], /Unknown suite `nope`/],
    [['bench', '--fail-rate', '2'], /Expected `--fail-rate` to be a number from 0 to 1/],
    [['bench', '--bogus'], /unknown option '--bogus'/],
    [['frobnicate'], /unknown command 'frobnicate'/],
    // writable by its permission bits, yet no file can be made there
    ...(existsSync('/proc/self')
      ? [[['bench', '--out', '/proc'], /cannot write in `\/proc`; pick a writable place/]]
      : []),
  ] as [string[], RegExp][])('%j exits 2 with one line naming the fix', async (args, message) => {
    const result = await cli(args);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('names in its help only tools that exist', async () => {
    const help = await cli(['bench', '--help']);
    const named = /e\.g\. ((?:get_\w+,?)+)/.exec(help.stdout.replace(/\s+/g, ' '))?.[1]?.split(',') ?? [];
    expect(named.length).toBeGreaterThan(0);
    const list = (await cli(['list'])).stdout;
    for (const tool of named) expect(list).toContain(`  ${tool}(`);
  });

  it('lists strategies, tools, profiles and suites', async () => {
    const result = await cli(['list']);
    expect(result.code).toBe(0);
    for (const name of ['worker-pool(k)', 'limited(k)', 'get_exchange_rate', 'long-tail', 'default']) {
      expect(result.stdout).toContain(name);
    }
  });
});
