import { lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkOutputs } from '../src/cli/outputs.ts';
import { parseNumber } from '../src/cli/parse.ts';
import { parseSpec } from '../src/executors/registry.ts';
import { judgeCell } from '../src/gate/decide.ts';
import { loadScenario } from '../src/model/load.ts';
import { validateScenario } from '../src/model/scenario.ts';
import type { CellOk, ResultsDocument } from '../src/results/document.ts';
import { ResultsFileError, readResults, requireComparable, writeFileAtomic } from '../src/results/store.ts';
import { ResultsWriter } from '../src/results/writer.ts';
import { cli } from './helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'fanout-trust-'));
const baseline = JSON.parse(readFileSync(join(import.meta.dirname, '..', 'results', 'baseline.json'), 'utf8'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Writes a mutated copy of the committed baseline and reads it back. */
function readMutated(
  name: string, // biome-ignore lint/suspicious/noExplicitAny: a document being broken on purpose
  mutate: (d: Record<string, any>) => unknown,
): ResultsDocument {
  const copy = structuredClone(baseline);
  const replaced = mutate(copy);
  const path = join(dir, `${name}.json`);
  writeFileSync(path, JSON.stringify(replaced === undefined ? copy : replaced));
  return readResults(path);
}

describe('one reader checks the whole results document', () => {
  // biome-ignore lint/suspicious/noExplicitAny: documents being broken on purpose
  const cases: [string, (d: Record<string, any>) => unknown, RegExp][] = [
    ['null', () => null, /the document/],
    ['an array', () => [], /no schemaVersion/],
    [
      'config null',
      (d) => {
        d.config = null;
      },
      /config: /,
    ],
    [
      'no environment',
      (d) => {
        delete d.environment;
      },
      /environment is missing/,
    ],
    [
      'a speedup that is not an estimate',
      (d) => {
        d.cells[2].speedup = 'fast';
      },
      /cells\[2\]\.speedup/,
    ],
    [
      'a cell without stats',
      (d) => {
        delete d.cells[1].stats;
      },
      /cells\[1\]\.stats is missing/,
    ],
    [
      'cells: [null]',
      (d) => {
        d.cells = [null];
      },
      /cells\[0\]/,
    ],
    [
      'a number as a string',
      (d) => {
        d.cells[0].stats.mean = '12';
      },
      /cells\[0\]\.stats\.mean/,
    ],
    [
      'an unknown status',
      (d) => {
        d.cells[0].status = 'maybe';
      },
      /cells\[0\]/,
    ],
    [
      'executors not a list',
      (d) => {
        d.config.executors = 'sequential';
      },
      /config\.executors/,
    ],
    [
      'rounds 0',
      (d) => {
        d.config.rounds = 0;
      },
      /config\.rounds/,
    ],
    [
      'a negative latency',
      (d) => {
        d.config.latencyMs = -50;
      },
      /config\.latencyMs/,
    ],
    [
      '100000 calls',
      (d) => {
        d.config.calls = [100000];
      },
      /config\.calls\[0\]/,
    ],
    [
      'a fail rate of 2',
      (d) => {
        d.config.faults.failRate = 2;
      },
      /config\.faults\.failRate/,
    ],
    [
      'schema version "1"',
      (d) => {
        d.schemaVersion = '1';
      },
      /schema version "1"/,
    ],
    [
      'no schema version',
      (d) => {
        delete d.schemaVersion;
      },
      /no schemaVersion/,
    ],
  ];
  for (const [name, mutate, message] of cases) {
    it(`refuses ${name} with one line naming the field`, () => {
      let error: unknown;
      try {
        readMutated(name.replaceAll(/\W+/g, '-'), mutate);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ResultsFileError);
      expect((error as Error).message).toMatch(message);
      expect((error as Error).message).not.toContain('\n');
    });
  }

  it('reads a speedup saved as null (NaN) back as NaN, and the gate does not pass such a cell', () => {
    const document = readMutated('null-speedup', (d) => {
      d.cells[2].speedup = { value: null, low: null, high: null };
    });
    const cell = document.cells[2] as CellOk;
    expect(Number.isNaN(cell.speedup?.value)).toBe(true);
    const verdict = judgeCell(baseline.cells[2] as CellOk, cell, { tolerance: 0.05, minEfficiency: 0.9 });
    expect(verdict.verdict).toBe('missing');
    expect(verdict.reason).toContain('could not be computed');
  });

  it('fails a cell faster than its ideal schedule allows (a limiter that stopped limiting)', () => {
    const limited = structuredClone(baseline.cells.find((c: CellOk) => c.executor === 'limited(4)')) as CellOk;
    const broken = {
      ...limited,
      speedup: { value: 7.9, low: 7.8, high: 8 },
      efficiency: { value: 1.98, low: 1.95, high: 2 },
    };
    const options = { tolerance: 0.05, minEfficiency: 0.9 };
    expect(judgeCell(limited, broken, options)).toMatchObject({ verdict: 'above-ideal' });
    expect(judgeCell(limited, limited, options).verdict).toBe('pass');
  });

  it('refuses, for judging, a run that is not complete or measured nothing', () => {
    const partial = readMutated('partial', (d) => {
      d.status = 'partial';
    });
    expect(() => requireComparable(partial, 'p.json', 'The baseline')).toThrow(/unfinished \(partial\)/);
    const failed = readMutated('failed', (d) => {
      d.cells = d.cells.map((c: Record<string, unknown>) => ({ ...c, status: 'error', error: 'x' }));
    });
    expect(() => requireComparable(failed, 'f.json', 'The baseline')).toThrow(/no measured cell/);
  });
});

describe('writing results', () => {
  it('writes through a symlink (the link stays) and into a device without replacing it', () => {
    const target = join(dir, 'target.json');
    const link = join(dir, 'link.json');
    writeFileSync(target, 'old');
    symlinkSync(target, link);
    writeFileAtomic(link, 'new');
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readFileSync(target, 'utf8')).toBe('new');
    writeFileAtomic('/dev/null', 'discarded');
    expect(lstatSync('/dev/null').isCharacterDevice()).toBe(true);
  });

  it('gives two runs started in the same millisecond two copies', () => {
    const out = join(dir, 'same-ms');
    const a = new ResultsWriter(out, '2026-11-22T10:00:00.123Z');
    const b = new ResultsWriter(out, '2026-11-22T10:00:00.123Z');
    expect(a.runPath).not.toBe(b.runPath);
    expect(readdirSync(out).sort()).toEqual([
      'run-2026-11-22T10-00-00.123Z-2.json',
      'run-2026-11-22T10-00-00.123Z.json',
    ]);
  });

  it('checks output paths before measuring: never over a protected file, never a directory', () => {
    const kept = join(dir, 'kept.json');
    writeFileSync(kept, '{}');
    const protect = [{ what: 'the baseline', path: kept }];
    expect(() => checkOutputs([{ flag: '--export-json', path: kept }], protect, false)).toThrow(
      `\`--export-json ${kept}\` would overwrite the baseline; name another file or pass \`--force\``,
    );
    expect(() => checkOutputs([{ flag: '--export-json', path: kept }], protect, true)).not.toThrow();
    expect(() => checkOutputs([{ flag: '--summary', path: dir }], [])).toThrow('is a directory');
    expect(() => checkOutputs([{ flag: '--summary', path: join(kept, 'x.md') }], [])).toThrow(
      'is a file, not a directory',
    );
  });

  it('takes plain decimals only for decimal flags', () => {
    expect(parseNumber('--latency', '16', 0, 100)).toBe(16);
    expect(parseNumber('--tolerance', '.05', 0, 1)).toBe(0.05);
    for (const text of ['0x10', '1e-400', '1e3', '-1', 'Infinity', '']) {
      expect(() => parseNumber('--latency', text, 0, 100_000), text).toThrow(/Expected `--latency` to be a number/);
    }
  });

  it('the gate refuses an output over its baseline or its --current file (exit 2, before measuring)', async () => {
    const file = join(dir, 'base.json');
    writeFileSync(file, JSON.stringify(baseline));
    const cases = [
      ['--summary', file],
      ['--export-benchmark-action', file],
      ['--current', file, '--summary', file],
    ];
    // separate processes that time nothing: side by side
    for (const run of await Promise.all(cases.map((args) => cli(['gate', '--baseline', file, ...args])))) {
      expect(run.code, run.stderr).toBe(2);
      expect(run.stderr).toMatch(/would overwrite the (baseline|results `--current` names)/);
    }
  });
});

describe('bounds on what a name can ask for', () => {
  it('bounds limits inside executor names, lower for threads', () => {
    expect(parseSpec('limited(256)')).toEqual({ strategy: 'limited', limit: 256 });
    expect(() => parseSpec('limited(257)')).toThrow('from 1 to 256');
    expect(() => parseSpec('limited(100000000000000000000)')).toThrow('from 1 to 256');
    expect(() => parseSpec('worker-pool(999)')).toThrow('from 1 to 64');
  });

  it('bounds generated scenarios and scripted model latencies', () => {
    expect(() => loadScenario('fanout-99999999999')).toThrow('fanout-N takes N from 1 to 10000,');
    expect(() =>
      validateScenario({ name: 'x', question: 'q', modelLatencyMs: 1e12, turns: [{ answer: 'a' }] }, 'x.json'),
    ).toThrow(/from 0 to 600000/);
  });

  it('refuses --limits that would start more threads than the cap, before measuring', async () => {
    const run = await cli(['bench', '--executors', 'worker-pool', '--limits', '100']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('would start 100 threads');
  });
});

describe('run names the right thing', () => {
  it('names --executor, an unusable --base-url and an unreachable server in one line each (exit 2)', async () => {
    const env = { OPENAI_API_KEY: 'test' };
    const cases = [
      [['--executor', 'nope(2)'], '(in `--executor`)'],
      [['--base-url', 'not a url', '--model', 'm'], 'is not an http(s) URL'],
      [['--base-url', 'http://127.0.0.1:9/v1', '--model', 'm'], 'Cannot reach http://127.0.0.1:9/v1'],
      [['--scenario', 'fanout'], 'name one scenario'],
    ] as const;
    const runs = await Promise.all(cases.map(([args]) => cli(['run', ...args], env)));
    for (const [i, run] of runs.entries()) {
      const message = cases[i]?.[1] ?? '';
      expect(run.code, run.stderr).toBe(2);
      expect(run.stderr).toContain(message);
      expect(run.stderr.trim().split('\n')).toHaveLength(1);
    }
  });
});

describe('flags that would change nothing are refused', () => {
  it('refuses --limits with no strategy to take them, --backoff without retries, --rate-limit only on pools, live flags without --base-url', async () => {
    const cases = [
      [
        ['bench', '--executors', 'promise-all', '--limits', '4'],
        '`--limits` applies to strategies named without a limit',
      ],
      [['bench', '--backoff', '100'], '`--backoff` spaces out retries'],
      [['bench', '--executors', 'worker-pool(2)', '--rate-limit', '2'], '`--rate-limit` counts calls in flight'],
      [['run', '--model', 'gpt-4o'], '`--model` is for live mode'],
      [['run', '--question', 'why?'], '`--question` is for live mode'],
    ] as const;
    const runs = await Promise.all(cases.map(([args]) => cli([...args])));
    for (const [i, run] of runs.entries()) {
      const message = cases[i]?.[1] ?? '';
      expect(run.code, run.stderr).toBe(2);
      expect(run.stderr).toContain(message);
    }
  });
});
