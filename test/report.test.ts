import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answer } from '../src/report/answer.ts';
import { renderReport } from '../src/report/html.ts';
import type { CellOk, ResultsDocument } from '../src/results/document.ts';
import { cli } from './helpers.ts';

/** Debian's Chromium, which `.ci/run` installs; playwright-core drives it (it never downloads a browser). */
const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);

const out = mkdtempSync(join(tmpdir(), 'fanout-report-'));
const batchDir = join(out, 'batch');
const agentDir = join(out, 'agent');
const read = (dir: string) => JSON.parse(readFileSync(join(dir, 'latest.json'), 'utf8')) as ResultsDocument;
/** A results document of a real run (see test/table.test.ts). */
const fixture = (name: string): ResultsDocument =>
  JSON.parse(readFileSync(join(import.meta.dirname, 'fixtures', 'results', `${name}.json`), 'utf8'));

/** WCAG contrast ratio of two CSS colours (`rgb(r, g, b)`), 1 to 21. */
function contrast(a: string, b: string): number {
  const luminance = (color: string) => {
    const [r, g, bl] = (color.match(/\d+(\.\d+)?/g) ?? []).map((c) => {
      const v = Number(c) / 255;
      return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
    }) as [number, number, number];
    return 0.2126 * r + 0.7152 * g + 0.0722 * bl;
  };
  const [x, y] = [luminance(a), luminance(b)].sort((m, n) => n - m) as [number, number];
  return (x + 0.05) / (y + 0.05);
}

/** A small real run with failures and timeouts (so every outcome colour shows), then an agent run. */
beforeAll(async () => {
  const batch = await cli([
    ...['bench', '--executors', 'sequential,promise-all,limited(2),chunked(2),worker-pool(2)'],
    ...['--calls', '1,4,8', '--latency', '10', '--iterations', '3', '--fail-rate', '0.2'],
    ...['--hang-rate', '0.1', '--timeout', '40', '--out', batchDir, '--report', '--quiet'],
  ]);
  expect(batch.stderr).toBe('');
  const agent = await cli([
    ...['bench', '--mode', 'agent', '--executors', 'sequential,promise-all', '--latency', '10'],
    ...['--model-latency', '10', '--iterations', '3', '--out', agentDir, '--report'],
  ]);
  expect(agent.code).toBe(0);
  expect(agent.stderr).toMatch(/Report: .*report\.html \(\d+ KB, rendered in [\d.]+ s\)/);
}, 120_000);

describe('the HTML report (files)', () => {
  it('is one self-contained page: no script, nothing it must fetch', () => {
    for (const dir of [batchDir, agentDir]) {
      const html = readFileSync(join(dir, 'report.html'), 'utf8');
      expect(html).toMatch(/^<!doctype html>/);
      // (an SVG gradient's `url(#id)` points into the page itself)
      expect(html.match(/<script|<link|<img|<iframe|@import|url\((?!#)/i)?.[0]).toBeUndefined();
      // the only URLs are the SVG namespaces
      expect(html.replace(/xmlns(:xlink)?="http:\/\/www\.w3\.org\/[^"]+"/g, '')).not.toMatch(/https?:\/\//);
    }
  });

  it('keeps the timings of one representative sample per cell in the results document', () => {
    const doc = read(batchDir);
    expect(doc.schemaVersion).toBe(2);
    for (const cell of doc.cells as CellOk[]) {
      const timeline = cell.timeline as NonNullable<CellOk['timeline']>;
      expect(timeline.spans).toHaveLength(cell.calls);
      expect(cell.roundsMs[timeline.round]).toBe(timeline.durationMs);
      // the median round: as many rounds took less as took more
      const shorter = cell.roundsMs.filter((ms) => ms < timeline.durationMs).length;
      expect(shorter).toBe(1);
      for (const span of timeline.spans) expect(span.endMs).toBeGreaterThanOrEqual(span.startMs);
    }
    const agent = read(agentDir).cells[0] as CellOk;
    const kinds = agent.timeline?.spans.map((s) => s.kind);
    expect(kinds).toEqual(['model', 'call', 'call', 'call', 'model']); // weather-stock-news: 3 calls in turn 1
  });

  it('refuses bad input in one line before writing anything (exit 2)', async () => {
    for (const [args, message] of [
      [['report', 'a.json', 'b.json', 'c.json'], /at most two/],
      [['report', join(batchDir, 'latest.json'), '--out', join(out, 'r.json')], /ending in \.html/],
      [['report', join(out, 'missing.json')], /Cannot read results file/],
      [['bench', '--report', '--out', join(out, 'x'), '--calls', 'abc'], /--calls/],
    ] as const) {
      const result = await cli([...args]);
      expect(result.code).toBe(2);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stderr).toMatch(message);
    }
  });
});

describe.skipIf(!hasChromium)(
  `the HTML report in headless Chromium${hasChromium ? '' : ` (skipped: ${CHROMIUM} is missing; apt-get install chromium)`}`,
  () => {
    let browser: Browser;
    beforeAll(async () => {
      const { chromium } = await import('playwright-core');
      browser = await chromium.launch({
        executablePath: CHROMIUM,
        args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
      });
    }, 60_000);
    afterAll(async () => browser?.close());

    /** Opens a page; every request, console error and page error it causes is recorded. */
    async function open(file: string) {
      const page = await browser.newPage();
      const requests: string[] = [];
      const errors: string[] = [];
      page.on('request', (request) => requests.push(request.url()));
      page.on('console', (message) => {
        if (message.type() === 'error') errors.push(message.text());
      });
      page.on('pageerror', (error) => errors.push(error.message));
      const url = pathToFileURL(file).href;
      await page.goto(url);
      const marks = (chart: string, mark: string) =>
        page.locator(`figure[data-chart="${chart}"] g.mark-${mark}.role-mark > path`).count();
      return { page, requests: requests.filter((r) => r !== url), errors, marks };
    }

    it('draws every chart of a batch run with one mark per cell, bar per call, and no request', async () => {
      const doc = read(batchDir);
      const { page, requests, errors, marks } = await open(join(batchDir, 'report.html'));
      const cells = doc.cells.filter((c): c is CellOk => c.status === 'ok');
      const charts = await page
        .locator('figure[data-chart]')
        .evaluateAll((f) => f.map((e) => e.getAttribute('data-chart')));
      expect(charts).toEqual(['speedup', 'efficiency', 'timeline', 'faults']);
      // sequential, the reference, has no point of its own
      expect(await marks('speedup', 'symbol')).toBe(
        cells.filter((c) => c.speedup && c.strategy !== 'sequential').length,
      );
      expect(await marks('efficiency', 'rect')).toBe(cells.filter((c) => c.efficiency).length);
      // the timeline shows each strategy's sample at its largest count: 8 calls, one bar each
      const strategies = new Set(cells.map((c) => c.executor)).size;
      expect(await marks('timeline', 'rect')).toBe(strategies * 8);
      // biome-ignore lint/performance/useDomNodeTextContent: a Playwright Locator, not a DOM node; the text a reader sees
      const text = await page.locator('body').innerText();
      for (const name of ['sequential', 'promise-all', 'limited(2)', 'chunked(2)', 'worker-pool(2)']) {
        expect(text).toContain(name);
      }
      // failed and timed-out calls have their own colours in the timeline
      const fills = await page
        .locator('figure[data-chart="timeline"] g.mark-rect.role-mark > path')
        .evaluateAll((paths) => [...new Set(paths.map((p) => p.getAttribute('fill')))]);
      const statuses = new Set(
        cells
          .filter((c) => c.calls === 8)
          .flatMap((c) => c.timeline?.spans.map((s) => (s.kind === 'call' ? s.status : '')) ?? []),
      );
      expect(fills.length).toBe(statuses.size);
      expect(errors).toEqual([]);
      expect(requests).toEqual([]);
      await page.close();
    });

    it('draws an agent run: model turns on the timeline and where the time went', async () => {
      const { page, requests, errors, marks } = await open(join(agentDir, 'report.html'));
      // two strategies × (2 model turns + 3 calls)
      expect(await marks('timeline', 'rect')).toBe(10);
      expect(await marks('turns', 'rect')).toBe(6);
      // one call count: a dot per strategy (sequential is the reference)
      expect(await marks('speedup', 'symbol')).toBe(1);
      expect(errors).toEqual([]);
      expect(requests).toEqual([]);
      await page.close();
    });

    it('tells every series of the speedup chart apart, and shows each ideal where the measured line lies on it', async () => {
      const { page } = await open(join(batchDir, 'report.html'));
      const figure = page.locator('figure[data-chart="speedup"]');
      const points = await figure.locator('g.mark-symbol.role-mark > path').evaluateAll((paths) =>
        paths.map((p) => {
          const box = p.getBoundingClientRect();
          return {
            series: /(?:series|strategy): ([^;]+)/.exec(p.getAttribute('aria-label') ?? '')?.[1],
            x: box.x + box.width / 2,
            y: box.y + box.height / 2,
            local: /translate\(([^)]+)\)/.exec(p.getAttribute('transform') ?? '')?.[1],
            shape: p.getAttribute('d'),
            color: p.getAttribute('stroke') ?? p.getAttribute('fill'),
          };
        }),
      );
      expect(new Set(points.map((p) => p.series)).size).toBe(4); // every strategy but sequential
      // points of two series closer than a point's size differ in shape and colour
      for (const [i, a] of points.entries()) {
        for (const b of points.slice(i + 1)) {
          if (a.series === b.series || Math.hypot(a.x - b.x, a.y - b.y) >= 8) continue;
          expect(a.shape, `${a.series} and ${b.series}`).not.toBe(b.shape);
          expect(a.color, `${a.series} and ${b.series}`).not.toBe(b.color);
        }
      }
      // each series has two lines: the measured one through its points, and its ideal, drawn wider so it shows
      const lines = await figure.locator('g.mark-line.role-mark > path').evaluateAll((paths) =>
        paths.map((p) => ({
          series: /(?:series|strategy): ([^;]+)/.exec(p.getAttribute('aria-label') ?? '')?.[1],
          vertices: (p.getAttribute('d') ?? '').match(/-?[\d.]+,-?[\d.]+/g) ?? [],
          width: Number(p.getAttribute('stroke-width') ?? 1),
        })),
      );
      const near = (u: string, v: string) => {
        const [ux, uy] = u.split(',').map(Number) as [number, number];
        const [vx, vy] = v.split(',').map(Number) as [number, number];
        return Math.hypot(ux - vx, uy - vy) < 0.5;
      };
      for (const series of new Set(points.map((p) => p.series))) {
        const own = lines.filter((l) => l.series === series);
        const through = points.filter((p) => p.series === series).map((p) => p.local ?? '');
        const measured = own.find((l) => l.vertices.every((v: string) => through.some((t) => near(v, t))));
        const ideal = own.find((l) => l !== measured);
        expect(measured && ideal, String(series)).toBeTruthy();
        expect(ideal?.width ?? 0, String(series)).toBeGreaterThanOrEqual((measured?.width ?? 0) + 4);
      }
      await page.close();
    });

    it('draws each timeline at its own scale', async () => {
      const doc = read(batchDir);
      const { page } = await open(join(batchDir, 'report.html'));
      const labels = await page
        .locator(
          'figure[data-chart="timeline"] [aria-label^="X-axis"], figure[data-chart="timeline"] [aria-label^="Title text"]',
        )
        .evaluateAll((nodes) => nodes.map((n) => n.getAttribute('aria-label') ?? ''));
      const shown = doc.cells.filter((c): c is CellOk => c.status === 'ok' && c.calls === 8);
      const axes = labels.filter((l) => l.startsWith('X-axis'));
      expect(axes).toHaveLength(shown.length); // one axis per panel
      for (const cell of shown) {
        const title = labels.findIndex((l) => l.startsWith(`Title text '${cell.executor} ·`));
        const axis = labels[title - 1] ?? ''; // each panel's axis comes before its title
        const top = Number(/values from 0 to ([\d.]+)/.exec(axis)?.[1]);
        const end = Math.max(...(cell.timeline?.spans.map((s) => s.endMs) ?? []));
        expect(top, cell.executor).toBeGreaterThanOrEqual(end);
        expect(top, cell.executor).toBeLessThan(2 * end);
      }
      await page.close();
    });

    it('spreads the efficiency colours over the run’s values, each number readable on its colour', async () => {
      // the default suite's cells all lie within a few percent of the ideal
      const file = join(out, 'default-fixture.html');
      writeFileSync(file, await renderReport(fixture('default')));
      const { page } = await open(file);
      const figure = page.locator('figure[data-chart="efficiency"]');
      /** Where each mark is drawn, its text and its colour as the browser paints it (`rgb(r, g, b)`). */
      const drawn = (selector: string) =>
        figure.locator(selector).evaluateAll((nodes) =>
          nodes.map((node) => {
            const box = node.getBoundingClientRect();
            const paint = (globalThis as unknown as { getComputedStyle(n: unknown): { fill: string } })
              .getComputedStyle;
            return { box, text: node.textContent, fill: paint(node).fill };
          }),
        );
      const texts = await drawn('g.mark-text.role-mark > text');
      const cells = (await drawn('g.mark-rect.role-mark > path')).map(({ box, fill }) => {
        const label = texts.find(({ box: t }) => {
          const [x, y] = [t.x + t.width / 2, t.y + t.height / 2];
          return x > box.left && x < box.right && y > box.top && y < box.bottom;
        });
        return { value: Number(label?.text), background: fill, text: label?.fill ?? '' };
      });
      expect(cells.length).toBeGreaterThan(0);
      const lowest = cells.reduce((a, b) => (b.value < a.value ? b : a));
      const highest = cells.reduce((a, b) => (b.value > a.value ? b : a));
      expect(highest.value - lowest.value).toBeLessThan(0.1);
      // the lowest and highest cells are far apart in lightness (WCAG contrast between them)
      expect(contrast(lowest.background, highest.background)).toBeGreaterThanOrEqual(3);
      for (const cell of cells)
        expect(contrast(cell.text, cell.background), String(cell.value)).toBeGreaterThanOrEqual(4.5);
      await page.close();
    });

    it('lists the configuration as a definition list, no raw JSON and no empty header row', async () => {
      const doc = read(batchDir);
      for (const file of [join(batchDir, 'report.html'), join(agentDir, 'report.html')]) {
        const { page } = await open(file);
        const facts = page.locator('dl.facts').first();
        const names = await facts.locator('dt').allTextContents();
        const values = await facts.locator('dd').allTextContents();
        if (file.startsWith(batchDir)) {
          expect(names).toHaveLength(Object.values(doc.config).filter((v) => v !== undefined).length);
          expect(values).toContain(doc.config.executors.join(', '));
        }
        for (const value of values) expect(value).not.toMatch(/[{}[\]"]/);
        const heads = await page
          .locator('thead tr')
          .evaluateAll((rows) => rows.map((r) => [...r.querySelectorAll('th')].map((th) => th.textContent?.trim())));
        for (const head of heads) expect(head.some(Boolean), head.join('|')).toBe(true);
        await page.close();
      }
    });

    it('opens with what the figures say, or with nothing when they support no claim', async () => {
      const doc = read(batchDir);
      const { page } = await open(join(batchDir, 'report.html'));
      const said = await page.locator('[data-answer] p').allTextContents();
      expect(said).toEqual(answer(doc));
      expect(said.length).toBeGreaterThan(0);
      // above the first chart
      const order = await page
        .locator('[data-answer], figure[data-chart]')
        .evaluateAll((nodes) => nodes.map((n) => (n.hasAttribute('data-answer') ? 'answer' : 'chart')));
      expect(order[0]).toBe('answer');
      await page.close();
      const results = fixture('default');
      const file = join(out, 'no-reference.html');
      writeFileSync(file, await renderReport({ ...results, config: { ...results.config, reference: false } }));
      const bare = await open(file);
      expect(await bare.page.locator('[data-answer]').count()).toBe(0);
      await bare.page.close();
    });

    it('compares two runs cell by cell', async () => {
      const file = join(out, 'compare.html');
      const result = await cli(['report', join(batchDir, 'latest.json'), join(batchDir, 'latest.json'), '--out', file]);
      expect(result.code).toBe(0);
      const { page, errors, requests, marks } = await open(file);
      const measured = read(batchDir).cells.filter((c) => c.status === 'ok' && c.speedup).length;
      expect(await marks('comparison', 'rect')).toBe(measured);
      // the same run twice: every change is 0 and every pair of intervals overlaps
      // biome-ignore lint/performance/useDomNodeTextContent: a Playwright Locator, not a DOM node; the text a reader sees
      expect(await page.locator('table').first().innerText()).toMatch(/overlap/);
      expect(await page.locator('figure[data-run="B"]').count()).toBeGreaterThan(0);
      expect(errors).toEqual([]);
      expect(requests).toEqual([]);
      await page.close();
    });
  },
);
