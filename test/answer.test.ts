import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { answer } from '../src/report/answer.ts';
import { idealSpeedup } from '../src/report/cells.ts';
import { formatMs } from '../src/report/format.ts';
import { renderTable } from '../src/report/table.ts';
import { reportTables } from '../src/report/tables/index.ts';
import type { CellError, CellOk, CellResult, ResultsDocument } from '../src/results/document.ts';

/** Results documents of real runs (see test/table.test.ts). */
const fixture = (name: string): ResultsDocument =>
  JSON.parse(readFileSync(join(import.meta.dirname, 'fixtures', 'results', `${name}.json`), 'utf8'));

const isOk = (c: CellResult): c is CellOk => c.status === 'ok';
const times = (x: number) => `${x.toFixed(2)}x`;
const largest = (doc: ResultsDocument) => Math.max(...doc.cells.map((c) => c.calls));
/** The strategies compared with sequential at `calls`. */
const compared = (doc: ResultsDocument, calls: number) =>
  doc.cells.filter((c): c is CellOk => isOk(c) && c.calls === calls && c.strategy !== 'sequential');
const fastestOf = (cells: CellOk[]) =>
  cells.reduce((a, b) => ((b.speedup?.value ?? 0) > (a.speedup?.value ?? 0) ? b : a));
const withCells = (doc: ResultsDocument, cells: CellResult[]): ResultsDocument => ({ ...doc, cells });

describe('answer: what the figures say', () => {
  it('default suite: the fastest at the largest count with its speedup and ideal, the limits at their cap, the pools', () => {
    const doc = fixture('default');
    const calls = largest(doc);
    const cells = compared(doc, calls);
    const best = fastestOf(cells);
    // the figures support the claim: the best's interval is above every other's
    for (const other of cells.filter((c) => c !== best)) {
      expect(best.speedup?.low).toBeGreaterThan(other.speedup?.high ?? Number.NaN);
    }
    const [first, second, ...rest] = answer(doc);
    expect(first).toBe(
      `For these I/O tools ${best.executor} is fastest at ${calls} calls: ${times(best.speedup?.value ?? 0)} of an ideal ${times(idealSpeedup(doc.cells, best))}.`,
    );
    expect(rest).toEqual([]);
    // every limited(k) and worker-pool(k) at this count has an ideal of k, and reaches it
    const limited = cells.filter((c) => c.limit !== undefined);
    for (const cell of limited) expect(idealSpeedup(doc.cells, cell)).toBeCloseTo(cell.limit ?? 0, 9);
    const limits = [...new Set(limited.map((c) => c.limit))].sort((a, b) => (a ?? 0) - (b ?? 0));
    expect(second).toContain(`limited(k) and worker-pool(k) reach their cap of k× (k = ${limits.join(', ')})`);
    const startups = doc.cells.filter(isOk).flatMap((c) => (c.poolStartupMs === undefined ? [] : [c.poolStartupMs]));
    expect(second).toContain(
      `worker-pool(k) is no faster than limited(k) (k = ${limits.join(', ')}) and pays ${formatMs(Math.min(...startups))}–${formatMs(Math.max(...startups))} ms of start-up`,
    );
  });

  it('cpu suite: no strategy ahead of sequential when every interval reaches 1x; which strategies cannot overlap', () => {
    const doc = fixture('cpu');
    const calls = largest(doc);
    const cells = compared(doc, calls);
    for (const cell of cells) expect(cell.speedup?.low).toBeLessThanOrEqual(1);
    const [first] = answer(doc);
    expect(first).toMatch(
      new RegExp(`^For these CPU-bound tools no strategy is measurably faster than sequential at ${calls} calls`),
    );
    expect(answer(doc).join(' ')).not.toMatch(/fastest/);
    // main-thread strategies: the ideal schedule allows no overlap of CPU work
    const flat = cells.filter((c) => Math.abs(idealSpeedup(doc.cells, c) - 1) < 1e-9).map((c) => c.executor);
    expect(flat.length).toBeGreaterThan(0);
    expect(first).toContain(`${flat.join(' and ')} have an ideal of 1.00x`);
  });

  it('cpu suite, a run where the pool is ahead: a pool short of its ideal yet faster than the same limit', () => {
    // a second real run of the cpu suite: worker-pool(2)'s interval is clear of limited(2)'s, below its ideal of 2x
    const doc = fixture('cpu-run2');
    const calls = largest(doc);
    const cells = compared(doc, calls);
    const pool = cells.find((c) => c.executor === 'worker-pool(2)') as CellOk;
    const limited = cells.find((c) => c.executor === 'limited(2)') as CellOk;
    const ideal = idealSpeedup(doc.cells, pool);
    expect(pool.speedup?.low).toBeGreaterThan(limited.speedup?.high ?? Number.NaN);
    expect(pool.speedup?.high).toBeLessThan(0.9 * ideal);
    const [first, second] = answer(doc);
    // the fastest point, worker-pool(4), is not clear of worker-pool(2): none is named fastest; and as both are clear
    // of 1x, neither is "none faster than sequential" said
    const fastestPool = fastestOf(cells);
    expect(fastestPool.speedup?.low).toBeLessThanOrEqual(pool.speedup?.high ?? Number.NaN);
    expect(pool.speedup?.low).toBeGreaterThan(1);
    expect(first).not.toMatch(/fastest|measurably faster/);
    expect(first).toMatch(/^For these CPU-bound tools promise-all and limited\(2\) have an ideal of 1\.00x/);
    expect(second).toContain(
      `worker-pool(2) falls short of its ideal ${times(ideal)} at ${times(pool.speedup?.value ?? 0)}`,
    );
    expect(second).toContain(`worker-pool(2) is faster than limited(2) and pays ${formatMs(pool.poolStartupMs)} ms`);
  });

  it('quotes only figures the tables print', () => {
    for (const name of ['default', 'cpu', 'cpu-run2', 'agent', 'apis', 'gate-current']) {
      const doc = fixture(name);
      const tables = reportTables(doc)
        .map((model) => renderTable(model, { wide: true }))
        .join('\n');
      const figures = answer(doc)
        .join(' ')
        .match(/\d+\.\d+x|\d+(?=(–\d+)? ms)|(?<=–)\d+(?= ms)/g);
      for (const figure of figures ?? []) expect(tables, `${name}: ${figure}`).toContain(figure);
    }
  });

  it('says nothing without a sequential reference', () => {
    const doc = fixture('default');
    expect(answer({ ...doc, config: { ...doc.config, reference: false } })).toEqual([]);
    expect(
      answer(
        withCells(
          doc,
          doc.cells.filter((c) => c.strategy !== 'sequential'),
        ),
      ),
    ).toEqual([]);
  });

  it('names no winner when the best interval meets the next', () => {
    const doc = fixture('default');
    // up to 8 calls promise-all and limited(8) both run every call at once
    const cut = withCells(
      doc,
      doc.cells.filter((c) => c.calls <= 8),
    );
    const cells = compared(cut, 8);
    const best = fastestOf(cells);
    const runnerUp = fastestOf(cells.filter((c) => c !== best));
    expect(best.speedup?.low).toBeLessThanOrEqual(runnerUp.speedup?.high ?? Number.NaN);
    const text = answer(cut).join(' ');
    expect(text).not.toMatch(/fastest|measurably faster than sequential/);
    // what holds still holds: limits below 8 reach their cap
    expect(text).toMatch(/limited\(k\) and worker-pool\(k\) reach their cap of k× \(k = 2, 4\)/);
  });

  it('names no winner when a strategy at that count could not be measured', () => {
    const doc = fixture('default');
    const calls = largest(doc);
    const broken = doc.cells.map((c): CellResult => {
      if (c.calls !== calls || c.executor !== 'limited(2)') return c;
      const { id, kind, executor, strategy, limit } = c;
      return { id, kind, calls, executor, strategy, limit, status: 'error', error: 'boom' } satisfies CellError;
    });
    const text = answer(withCells(doc, broken)).join(' ');
    expect(answer(doc).join(' ')).toMatch(/fastest/);
    expect(text).not.toMatch(/fastest/);
    // the other limits still reach their cap
    const others = compared(doc, calls).flatMap((c) => (c.strategy === 'limited' && c.limit !== 2 ? [c.limit] : []));
    expect(text).toContain(`limited(k) reaches its cap of k× (k = ${others.join(', ')})`);
  });

  it('ranks nothing when calls failed, and says how many', () => {
    const doc = fixture('default');
    const calls = largest(doc);
    const failing = doc.cells.map((c) =>
      isOk(c) && c.calls === calls && c.executor === 'promise-all'
        ? { ...c, outcomes: { ...c.outcomes, ok: c.outcomes.ok - 3, error: 2, timeout: 1 } }
        : c,
    );
    const total = doc.cells.filter((c) => isOk(c) && c.calls === calls).length * calls * doc.config.rounds;
    expect(answer(withCells(doc, failing))).toEqual([
      `For these I/O tools 3 of the ${total} calls measured at ${calls} calls failed or timed out (${((100 * 3) / total).toFixed(0)}%): a failed call can end early, so no strategy is ranked.`,
    ]);
  });

  it('a single strategy: alone it says nothing; beside sequential, only how far it got', () => {
    const doc = fixture('default');
    expect(
      answer(
        withCells(
          doc,
          doc.cells.filter((c) => c.strategy === 'sequential'),
        ),
      ),
    ).toEqual([]);
    const pair = withCells(
      doc,
      doc.cells.filter((c) => c.executor === 'sequential' || c.executor === 'promise-all'),
    );
    const calls = largest(doc);
    const cell = compared(pair, calls)[0] as CellOk;
    expect(answer(pair)).toEqual([
      `For these I/O tools promise-all runs ${calls} calls ${times(cell.speedup?.value ?? 0)} faster than sequential (ideal ${times(idealSpeedup(pair.cells, cell))}).`,
    ]);
  });

  it('agent runs: per run of the scenario; over several modes, the modes each strategy wins', () => {
    const agent = answer(fixture('agent'));
    expect(agent[0]).toMatch(/^For these I\/O tools, per run of weather-stock-news, promise-all is fastest at 3 calls/);
    const doc = fixture('apis');
    const modes = doc.config.agent?.modes ?? [];
    // the modes in which promise-all's interval is apart from every other strategy's and from 1x
    const won = modes.filter(({ api, dispatch }) => {
      const cells = doc.cells.filter(
        (c): c is CellOk => isOk(c) && c.api === api && c.dispatch === dispatch && c.strategy !== 'sequential',
      );
      const best = fastestOf(cells);
      const low = best.speedup?.low ?? 0;
      return (
        best.executor === 'promise-all' &&
        low > 1 &&
        cells.every(
          (c) =>
            c === best ||
            (low > (c.speedup?.high ?? 0) && (best.speedup?.value ?? 0) >= 1.05 * (c.speedup?.value ?? 0)),
        )
      );
    });
    expect(won.length).toBeGreaterThan(0);
    expect(won.length).toBeLessThan(modes.length);
    const sentences = answer(doc);
    expect(sentences).toHaveLength(1);
    expect(sentences[0]).toMatch(new RegExp(`promise-all is fastest in ${won.length} of the ${modes.length} modes: `));
    for (const { api } of won) expect(sentences[0]).toContain(`${api} (`);
  });
});

describe('the Markdown export says it too', () => {
  it('ends with the answer as a list, and leaves the section out where the figures support no claim', async () => {
    const { serialize } = await import('../src/report/markdown.ts');
    const doc = fixture('default');
    const text = serialize(doc);
    const sentences = answer(doc);
    expect(sentences.length).toBeGreaterThan(0);
    expect(text.trimEnd().endsWith(`## What the figures say\n\n${sentences.map((s) => `- ${s}`).join('\n')}`)).toBe(
      true,
    );
    const noReference = { ...doc, config: { ...doc.config, reference: false as const } };
    expect(serialize(noReference)).not.toContain('What the figures say');
  });
});
