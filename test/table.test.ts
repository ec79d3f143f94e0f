import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { judge } from '../src/gate/decide.ts';
import { verdictTable } from '../src/gate/summary.ts';
import { scenarioLabel } from '../src/model/load.ts';
import { answer } from '../src/report/answer.ts';
import { speedupChart } from '../src/report/chart.ts';
import { columnWidths, shorten, widestLine, wrapText } from '../src/report/fit.ts';
import { formatMs, formatSpeedup } from '../src/report/format.ts';
import { markdownTable } from '../src/report/markdown.ts';
import type { TableModel } from '../src/report/model.ts';
import { DEFAULT_WIDTH, renderTable, serialize, terminalWidth } from '../src/report/table.ts';
import { reportTables } from '../src/report/tables/index.ts';
import { latencyTable } from '../src/report/tables/latency.ts';
import { speedupMatrix } from '../src/report/tables/speedup.ts';
import type { CellOk, ResultsDocument } from '../src/results/document.ts';

/**
 * Results documents of real runs (their per-round arrays left out: no table reads them): `default` is `npm run
 * bench`; `agent`, `apis` and `cpu` are those suites with 20 ms tools and turns (50 ms for cpu) and 2–3 rounds;
 * `gate-current` is the gate suite measured again, judged against `gate-baseline` with a tight floor so it fails.
 */
const fixture = (name: string): ResultsDocument =>
  JSON.parse(readFileSync(join(import.meta.dirname, 'fixtures', 'results', `${name}.json`), 'utf8'));

const DOCUMENTS = ['default', 'agent', 'apis', 'cpu'] as const;

function failingGate(width: number | undefined, wide = false): string {
  const verdicts = judge(fixture('gate-baseline'), fixture('gate-current'), { tolerance: 0.001, minEfficiency: 0.99 });
  return renderTable(verdictTable(verdicts, new Set()), { ...(width ? { width } : {}), wide });
}

describe('terminal tables', () => {
  for (const name of DOCUMENTS) {
    for (const width of [120, 80]) {
      it(`${name} at ${width} columns`, () => {
        const text = serialize(fixture(name), { width });
        expect(widestLine(text)).toBeLessThanOrEqual(width);
        expect(text).toMatchSnapshot();
      });
    }
  }

  for (const width of [120, 80]) {
    it(`a failing gate at ${width} columns`, () => {
      const text = failingGate(width);
      expect(widestLine(text)).toBeLessThanOrEqual(width);
      expect(text).toMatch(/REGRESSION/);
      expect(text).toMatchSnapshot();
    });
  }

  it('no line of the default suite is longer than the width, down to 60 columns', () => {
    const results = fixture('default');
    expect(widestLine(serialize(results, { wide: true }))).toBeGreaterThan(DEFAULT_WIDTH); // it needs fitting
    for (let width = 60; width <= 160; width += 5) {
      expect(widestLine(serialize(results, { width })), `width ${width}`).toBeLessThanOrEqual(width);
    }
  });

  it('keeps every speedup, interval, ideal and note when it narrows', () => {
    const results = fixture('default');
    const narrow = serialize(results, { width: 80 });
    for (const cell of results.cells.filter((c): c is CellOk => c.status === 'ok')) {
      for (const part of formatSpeedup(cell.speedup).split(' ')) expect(narrow).toContain(part);
    }
    expect(narrow).toContain('(16.00x)');
    const pools = results.cells.filter((c): c is CellOk => c.status === 'ok' && c.poolStartupMs !== undefined);
    expect(pools.length).toBeGreaterThan(0);
    for (const cell of pools) {
      const note = new RegExp(
        `^${cell.executor.replace(/[()]/g, '\\$&')} at 1 call: .*pool start ${formatMs(cell.poolStartupMs)} ms`,
        'm',
      );
      expect(narrow).toMatch(note);
    }
  });

  it('moves a column that holds one value into the title only when the table must narrow', () => {
    const results = fixture('default');
    const latency = latencyTable(results);
    expect(renderTable(latency, { width: 200 }).split('\n')[0]).toBe('Latency per batch (ms)');
    expect(renderTable(latency, { width: 80 }).split('\n')[0]).toMatch(/^Latency per batch \(ms\) — kind io, /);
  });

  it('--wide is the full form, and Markdown keeps it whatever the terminal', () => {
    const results = fixture('default');
    const wide = serialize(results, { wide: true, chart: false });
    expect(wide).toMatch(/│ io +│ promise-all +│ [\d.]+x ±[\d.]+ \(ideal 1\.00x\) │/);
    expect(wide).toMatch(/│ notes +│/);
    const markdown = markdownTable(latencyTable(results));
    expect(markdown.split('\n')[0]).toMatch(/\| samples \| notes \|$/);
    expect(markdown).toMatch(/\| pool start \d+ ms \|/);
    expect(failingGate(undefined, true)).toMatch(/│ REGRESSION: speedup ≤ [\d.]+x is below/);
  });

  it('fits stdout when it is a terminal, else 120 columns', () => {
    expect(terminalWidth({ isTTY: true, columns: 91 })).toBe(91);
    expect(terminalWidth({ isTTY: false, columns: 91 })).toBe(120);
    expect(terminalWidth({})).toBe(120);
  });
});

describe('speedup chart', () => {
  it('draws one bar per strategy at the largest call count, in proportion, with no colour codes', () => {
    const results = fixture('default');
    const chart = speedupChart(results, 100) as string;
    const lines = chart.split('\n');
    expect(lines[0]).toMatch(/^Speedup at 16 calls/);
    const strategies = new Set(results.cells.map((c) => c.executor));
    expect(lines.slice(1)).toHaveLength(strategies.size - 1); // sequential is the reference, 1x by definition
    const bar = (name: string) => {
      const line = lines.find((l) => l.startsWith(`${name} `)) ?? '';
      return (line.match(/[█▏▎▍▌▋▊▉]/g) ?? []).length;
    };
    expect(bar('promise-all')).toBeGreaterThan(bar('limited(8)'));
    expect(bar('limited(8)')).toBeGreaterThan(bar('limited(4)'));
    expect(bar('limited(4)')).toBeGreaterThan(bar('limited(2)'));
    expect(chart).not.toContain('\u001b');
    expect(widestLine(chart)).toBeLessThanOrEqual(100);
  });

  it('is left out with --quiet and for a run without speedups', () => {
    const results = fixture('default');
    expect(serialize(results, { chart: false })).not.toMatch(/Speedup at 16 calls/);
    expect(serialize(results)).toMatch(/Speedup at 16 calls/);
    expect(speedupChart({ ...results, config: { ...results.config, reference: false } }, 120)).toBeUndefined();
  });
});

describe('what the figures say, under the tables', () => {
  it('is the answer of the run, wrapped to the width, after the last table', () => {
    for (const name of DOCUMENTS) {
      const results = fixture(name);
      const sentences = answer(results);
      expect(sentences.length, name).toBeGreaterThan(0);
      const text = serialize(results, { width: 80 });
      const [tables = '', said = ''] = text.split('\nWhat the figures say:\n');
      expect(tables).toContain(renderTable(reportTables(results).at(-1) as TableModel, { width: 80 }));
      expect(
        said
          .replace(/\n {2}/g, ' ')
          .trim()
          .split('\n'),
      ).toEqual(sentences.map((s) => `• ${s}`));
    }
  });

  it('is left out with --quiet, and when the figures support no claim', () => {
    const results = fixture('default');
    expect(serialize(results, { answer: false })).not.toMatch(/What the figures say/);
    const unreferenced = { ...results, config: { ...results.config, reference: false as const } };
    expect(serialize(unreferenced)).not.toMatch(/What the figures say/);
  });
});

describe('agent-mode tables', () => {
  it('say per run, never per batch', () => {
    for (const name of ['agent', 'apis'] as const) {
      const text = serialize(fixture(name), { width: 120 });
      expect(text).toMatch(/Speedup vs sequential per run of weather-stock-news/);
      expect(text).toMatch(/Latency per run of weather-stock-news/);
      expect(text).not.toMatch(/batch/);
    }
  });

  it('name a scenario given as a path by its file name', () => {
    expect(scenarioLabel('/home/me/flows/checkout-flow.json')).toBe('checkout-flow.json');
    expect(scenarioLabel('weather-stock-news')).toBe('weather-stock-news');
    const results = fixture('agent');
    const agent = results.config.agent as NonNullable<ResultsDocument['config']['agent']>;
    const pathed = { ...results, config: { ...results.config, agent: { ...agent, scenario: './my/flows/x.json' } } };
    expect(speedupMatrix(pathed)?.title).toMatch(/per run of x\.json /);
    expect(latencyTable(pathed).title).toBe('Latency per run of x.json (ms)');
  });
});

describe('fitting text', () => {
  it('wraps at spaces, then after a slash, and shortens what still does not fit', () => {
    expect(wrapText('one two three', 7)).toEqual(['one two', 'three']);
    expect(wrapText('agent/weather-stock-news/chat', 14)).toEqual(['agent/', 'weathe…k-news/', 'chat']);
    expect(shorten('worker-pool(8)', 10)).toBe('work…ol(8)');
    expect(wrapText('a long note here', 10, '  ')).toEqual(['a long', '  note', '  here']);
  });

  it('takes width from the widest columns first, down to their longest word', () => {
    const columns = [
      ['executor', 'worker-pool(8)'],
      ['16 calls', '15.59x ±2.03 (ideal 16.00x)'],
      ['n', '3'],
    ];
    const widths = columnWidths(columns, 40);
    expect(widths[0]).toBe(14);
    expect(widths[2]).toBe(1);
    expect((widths[0] ?? 0) + (widths[1] ?? 0) + (widths[2] ?? 0) + 10).toBeLessThanOrEqual(40);
  });
});
