import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type CellVerdict,
  configDifferences,
  confirm,
  environmentWarnings,
  type GateOptions,
  judgeCell,
} from '../src/gate/decide.ts';
import { benchmarkActionEntries } from '../src/gate/summary.ts';
import type { BenchConfig, CellOk, ResultsDocument } from '../src/results/document.ts';
import type { EnvironmentFingerprint } from '../src/results/environment.ts';
import { requireSameIdeals } from '../src/results/store.ts';
import { cli } from './helpers.ts';

const OPTIONS: GateOptions = { tolerance: 0.05, minEfficiency: 0.9 };

function cell(speedup: [number, number, number], efficiency: [number, number, number] = [0.98, 0.97, 0.99]): CellOk {
  const [value, low, high] = speedup;
  const [ev, el, eh] = efficiency;
  return {
    id: 'io/8/limited(4)',
    kind: 'io',
    calls: 8,
    executor: 'limited(4)',
    strategy: 'limited',
    limit: 4,
    status: 'ok',
    stats: { mean: 80, p50: 80, p75: 80, p99: 81, min: 79, max: 81, sd: 0.5, rme: 0.5, samples: 10 },
    idealMs: 80,
    efficiency: { value: ev, low: el, high: eh },
    speedup: { value, low, high },
    roundsMs: [],
    idealRoundsMs: [],
    outcomes: { ok: 80, error: 0, timeout: 0, cancelled: 0 },
  };
}

describe('judgeCell', () => {
  const baseline = cell([4, 3.98, 4.02]);

  it('passes an unchanged cell', () => {
    expect(judgeCell(baseline, cell([3.99, 3.97, 4.01]), OPTIONS).verdict).toBe('pass');
  });

  it('passes a drop within tolerance', () => {
    expect(judgeCell(baseline, cell([3.85, 3.83, 3.87]), OPTIONS).verdict).toBe('pass'); // floor 3.80
  });

  it('fails when even the upper end of the interval is below the floor', () => {
    const verdict = judgeCell(baseline, cell([3.2, 3.1, 3.3]), OPTIONS);
    expect(verdict.verdict).toBe('regression');
    expect(verdict.change).toBeCloseTo(-0.2, 10);
    expect(verdict.reason).toMatch(/below 3\.80x/);
  });

  it('passes an interval that straddles the floor (not proven slower)', () => {
    expect(judgeCell(baseline, cell([3.7, 3.5, 3.9]), OPTIONS).verdict).toBe('pass');
  });

  it('fails a cell whose efficiency is clearly under the floor', () => {
    expect(judgeCell(baseline, cell([4, 3.98, 4.02], [0.8, 0.78, 0.82]), OPTIONS).verdict).toBe('inefficient');
    expect(judgeCell(baseline, cell([4, 3.98, 4.02], [0.88, 0.85, 0.91]), OPTIONS).verdict).toBe('pass');
  });

  it('fails a cell whose calls started failing', () => {
    const failing = cell([4.4, 4.3, 4.5]);
    failing.outcomes = { ok: 70, error: 10, timeout: 0, cancelled: 0 };
    const verdict = judgeCell(baseline, failing, OPTIONS);
    expect(verdict.verdict).toBe('failing');
    expect(verdict.reason).toBe('10 calls failed (baseline: 0)');
  });

  it('fails a cell that the current run did not measure', () => {
    expect(judgeCell(baseline, undefined, OPTIONS).verdict).toBe('missing');
    const errored = { ...baseline, status: 'error' as const, error: 'boom' };
    expect(judgeCell(baseline, errored, OPTIONS).reason).toMatch(/boom/);
  });
});

describe('confirm-by-rerun', () => {
  const baseline = cell([4, 3.98, 4.02]);
  const failing = judgeCell(baseline, cell([3.2, 3.1, 3.3]), OPTIONS);
  const passing = judgeCell(baseline, cell([4, 3.99, 4.01]), OPTIONS);

  it('clears a failure that does not repeat', () => {
    expect(confirm([failing], [passing]).map((v: CellVerdict) => v.verdict)).toEqual(['pass']);
  });

  it('keeps a failure that repeats', () => {
    expect(confirm([failing], [failing]).map((v) => v.verdict)).toEqual(['regression']);
  });

  it('never re-judges a cell that passed', () => {
    expect(confirm([passing], [failing]).map((v) => v.verdict)).toEqual(['pass']);
  });
});

describe('comparability', () => {
  const config: BenchConfig = {
    suite: 'gate',
    executors: ['sequential', 'limited(4)'],
    calls: [8],
    limits: [4],
    kinds: ['io'],
    latencyMs: 40,
    profile: 'fixed',
    seed: 42,
    rounds: 15,
    faults: { failRate: 0, hangRate: 0, crashRate: 0 },
  };

  it('names the config fields that differ, ignoring the suite name', () => {
    expect(configDifferences(config, { ...config, suite: 'custom' })).toEqual([]);
    expect(configDifferences(config, { ...config, latencyMs: 20, calls: [4] })).toEqual(['calls', 'latencyMs']);
  });

  it('warns about a different core count or Node major', () => {
    const env: EnvironmentFingerprint = {
      node: 'v20.20.2',
      cpuModel: 'x',
      cores: 2,
      os: 'linux',
      arch: 'x64',
      packages: {},
      gitCommit: null,
      gitDirty: null,
    };
    expect(environmentWarnings(env, { ...env, node: 'v20.11.0' })).toEqual([]);
    expect(environmentWarnings(env, { ...env, node: 'v22.1.0', cores: 4 })).toHaveLength(2);
  });

  it('exports github-action-benchmark entries for every cell but the reference', () => {
    const verdict = judgeCell(cell([4, 3.98, 4.02]), cell([3.99, 3.97, 4.01]), OPTIONS);
    expect(benchmarkActionEntries([verdict])).toEqual([
      { name: 'io/8/limited(4) speedup', unit: 'x', value: 3.99, range: '±0.020' },
    ]);
  });
});

describe('gate, baseline and compare commands', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fanout-gate-'));
  const own = join(dir, 'own.json');

  beforeAll(async () => {
    const result = await cli([
      'baseline',
      '--file',
      own,
      '--latency',
      '15',
      '--executors',
      'promise-all,limited(2)',
      '--calls',
      '6',
      '--iterations',
      '6',
      '--quiet',
    ]);
    expect(result.code).toBe(0);
  });

  it('refuses to overwrite a baseline without --force', async () => {
    const result = await cli(['baseline', '--file', own, '--quiet']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/already exists; pass `--force`/);
  });

  it('passes a run against its own baseline', async () => {
    const result = await cli(['gate', '--baseline', own, '--current', own]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/Gate passed/);
  });

  it('fails a run against the baseline of a faster run, and exports the benchmark-action JSON', async () => {
    const faster = JSON.parse(readFileSync(own, 'utf8')) as ResultsDocument;
    for (const c of faster.cells)
      if (c.status === 'ok' && c.strategy !== 'sequential' && c.speedup) c.speedup.value *= 1.3;
    const fasterPath = join(dir, 'faster.json');
    writeFileSync(fasterPath, JSON.stringify(faster));
    const exported = join(dir, 'bench-action.json');
    const summary = join(dir, 'summary.md');
    const result = await cli([
      'gate',
      '--baseline',
      fasterPath,
      '--current',
      own,
      '--export-benchmark-action',
      exported,
      '--summary',
      summary,
    ]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/REGRESSION/);
    expect(result.stdout).toMatch(/Gate failed: 2 of 3 cells did not pass \(io\/6\/promise-all: regression/);
    const entries = JSON.parse(readFileSync(exported, 'utf8')) as { name: string }[];
    expect(entries.map((e) => e.name)).toEqual(['io/6/promise-all speedup', 'io/6/limited(2) speedup']);
    expect(readFileSync(summary, 'utf8')).toMatch(/\| io\/6\/limited\(2\) \|/);
  });

  it('refuses (exit 2) to compare runs of different configurations', async () => {
    const other = JSON.parse(readFileSync(own, 'utf8')) as ResultsDocument;
    other.config.latencyMs = 99;
    const otherPath = join(dir, 'other.json');
    writeFileSync(otherPath, JSON.stringify(other));
    const result = await cli(['gate', '--baseline', own, '--current', otherPath]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/Configuration differs from the baseline \(latencyMs\)/);
  });

  it('exits 2 on a missing or malformed baseline and on bad numbers', async () => {
    expect((await cli(['gate', '--baseline', join(dir, 'none.json')])).code).toBe(2);
    const broken = join(dir, 'broken.json');
    writeFileSync(broken, '{"schemaVersion": 1, "cells": [');
    const result = await cli(['gate', '--baseline', broken]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/is not valid JSON/);
    expect((await cli(['gate', '--baseline', own, '--tolerance', 'lots'])).stderr).toMatch(/Expected `--tolerance`/);
  });

  it('compares two files side by side', async () => {
    const result = await cli(['compare', own, own]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/io\/6\/limited\(2\).*\+0\.0%.*overlap/);
    expect(result.stderr).toBe('');
  });

  it('notes (never fails) a run taken on another Node line, in compare and in the gate', async () => {
    const document = JSON.parse(readFileSync(own, 'utf8')) as ResultsDocument;
    const older = join(dir, 'node20.json');
    writeFileSync(older, JSON.stringify({ ...document, environment: { ...document.environment, node: 'v20.20.2' } }));
    const compared = await cli(['compare', older, own]);
    expect(compared.code).toBe(0);
    expect(compared.stderr).toBe(
      `Note: Node line differs: A v20.20.2, B ${process.version} (timers and promises change between lines); ratios may not be comparable\n`,
    );
    const gated = await cli(['gate', '--baseline', older, '--current', own]);
    expect(gated.code, gated.stdout + gated.stderr).toBe(0);
    expect(gated.stderr).toContain(`Note: Node line differs: baseline v20.20.2, current ${process.version}`);
  });
});

describe('documents from before the release-time ideal', () => {
  const base = JSON.parse(readFileSync('results/baseline.json', 'utf8')) as ResultsDocument;
  const agent = (early: boolean, marked: boolean): ResultsDocument => ({
    ...base,
    config: {
      ...base.config,
      agent: { scenario: 'fanout', api: 'chat-stream', dispatch: early ? 'early' : 'after-stream' },
    },
    setup: marked ? { agentIdeal: 'release-times' } : {},
  });

  it('refuses to set an old early-dispatch document beside a new one, naming the old file and the fix', () => {
    expect(() => requireSameIdeals(agent(true, false), 'old.json')).toThrow(
      /`old\.json` was recorded before agent ideals released each streamed call .*record it again/,
    );
    expect(() =>
      requireSameIdeals(agent(true, true), 'new.json', { document: agent(true, false), path: 'old.json' }),
    ).toThrow(/`old\.json`/);
  });

  it('lets documents computed the same way compare, and cells the change did not touch', () => {
    expect(() => requireSameIdeals(agent(true, true), 'new.json')).not.toThrow();
    expect(() =>
      requireSameIdeals(agent(true, false), 'a.json', { document: agent(true, false), path: 'b.json' }),
    ).not.toThrow();
    expect(() => requireSameIdeals(agent(false, false), 'after-stream.json')).not.toThrow();
    expect(() => requireSameIdeals(base, 'results/baseline.json')).not.toThrow();
  });
});
