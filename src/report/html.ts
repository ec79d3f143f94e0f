/**
 * The HTML report: one self-contained page per run (or per pair of runs), charts rendered to inline SVG when the
 * page is written, no script and nothing fetched when it is viewed.
 */
import type { ResultsDocument } from '../results/document.ts';
import { answer } from './answer.ts';
import { type Chart, comparisonChart, runCharts } from './charts/index.ts';
import { compareTable } from './compare.ts';
import { fullForm, type TableModel } from './model.ts';
import { renderSvg } from './svg.ts';
import { reportTables } from './tables/index.ts';

export interface ReportOptions {
  /** A second run: the page compares `results` (A) with it (B). */
  compareWith?: ResultsDocument;
  /** Where each document came from, shown in the header. */
  sources?: string[];
  /** Configuration fields in which A and B differ (only cells with the same id line up). */
  differences?: string[];
}

const escapeHtml = (text: string): string =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string,
  );

function tableHtml(model: TableModel): string {
  // a page scrolls sideways: every table in its full form, notes in their column
  const { head: columns, rows: cells } = fullForm(model);
  const head = columns.map((h) => `<th>${escapeHtml(h)}</th>`).join('');
  const rows = cells.map((row) => `<tr>${row.map((v) => `<td>${escapeHtml(v)}</td>`).join('')}</tr>`).join('\n');
  return `<h3>${escapeHtml(model.title)}</h3>\n<div class="scroll"><table><thead><tr>${head}</tr></thead><tbody>\n${rows}\n</tbody></table></div>`;
}

/** `latencyMs` → `latency`, `failRate` → `fail rate`: a field's name as words (its unit goes with the value). */
const words = (key: string): string => key.replace(/Ms$/, '').replace(/[A-Z]/g, (c) => ` ${c.toLowerCase()}`);

/** A configuration value as text: lists joined by commas, fields as `name value`, ms with their unit, no JSON. */
function readable(key: string, value: unknown): string {
  if (Array.isArray(value)) {
    if (value.length === 0) return 'none';
    return value.map((item) => (isRecord(item) ? `(${readable(key, item)})` : readable(key, item))).join(', ');
  }
  if (isRecord(value)) {
    return Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${words(k)} ${isRecord(v) ? `(${readable(k, v)})` : readable(k, v)}`)
      .join(', ');
  }
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  return typeof value === 'number' && key.endsWith('Ms') ? `${value} ms` : String(value);
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

/** Name–value pairs as a definition list. */
function factsHtml(title: string, pairs: [string, string][]): string {
  const items = pairs.map(([name, value]) => `<dt>${escapeHtml(name)}</dt><dd>${escapeHtml(value)}</dd>`);
  return `<h3>${escapeHtml(title)}</h3>\n<dl class="facts">${items.join('\n')}</dl>`;
}

/** The run's configuration and machine, as definition lists. */
function runFacts(results: ResultsDocument): string {
  const { config, environment: env } = results;
  const settings = Object.entries(config)
    .filter(([, value]) => value !== undefined)
    .map(([key, value]): [string, string] => [words(key), readable(key, value)]);
  const machine: [string, string][] = [
    ['node', env.node],
    ['cpu', `${env.cpuModel} × ${env.cores}`],
    ['os', `${env.os ?? ''} ${env.arch ?? ''}`.trim()],
    [
      'packages',
      Object.entries(env.packages ?? {})
        .map(([name, version]) => `${name} ${version}`)
        .join(', '),
    ],
    ['git', env.gitCommit ? `${env.gitCommit.slice(0, 12)}${env.gitDirty ? ' (dirty)' : ''}` : '—'],
  ];
  return [factsHtml('Configuration', settings), factsHtml('Environment', machine)].join('\n');
}

/** What the figures say, as the page's opening lines; '' when they support no claim. */
function answerHtml(results: ResultsDocument): string {
  const sentences = answer(results);
  if (sentences.length === 0) return '';
  return `<section class="answer" data-answer>${sentences.map((s) => `<p>${escapeHtml(s)}</p>`).join('')}</section>`;
}

async function chartHtml(chart: Chart, run?: string): Promise<string> {
  const svg = await renderSvg(chart.spec);
  const runAttribute = run ? ` data-run="${run}"` : '';
  return `<section><h2>${escapeHtml(chart.title)}</h2>\n<figure data-chart="${chart.name}"${runAttribute}>${svg}</figure>\n<p class="caption">${escapeHtml(chart.caption)}</p></section>`;
}

const STYLE = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0 auto;max-width:1100px;padding:0 20px 40px;color:#222}
h1{font-size:22px;margin:24px 0 4px}h2{font-size:17px;margin:28px 0 6px;border-bottom:1px solid #ddd;padding-bottom:4px}
h3{font-size:14px;margin:18px 0 6px}.meta{color:#555;margin:0 0 12px}figure{margin:0;overflow-x:auto}
.note{background:#fff6e0;border:1px solid #f0d58c;padding:6px 10px}.answer{background:#eef5fb;border-left:4px solid #4c78a8;padding:4px 12px;margin:12px 0;font-size:15px}.answer p{margin:6px 0}.caption{color:#555;margin:4px 0 0;max-width:760px}.scroll{overflow-x:auto}
table{border-collapse:collapse;font-size:12.5px;font-variant-numeric:tabular-nums}
th,td{border:1px solid #ddd;padding:3px 7px;text-align:left;vertical-align:top}th{background:#f5f5f5}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:3px 16px;margin:0;font-size:13px}dt{color:#555}dd{margin:0}
`;

/** One line on a run: its suite, what it measured, how it ended, when, and with which version. */
function runMeta(results: ResultsDocument): string {
  const what = results.config.agent ? `agent runs of ${results.config.agent.scenario}` : 'tool batches';
  const facts = [
    `suite ${results.config.suite}`,
    what,
    `${results.status}, ${(results.wallTimeMs / 1000).toFixed(1)} s`,
    `run ${results.createdAt}`,
    `fanout-bench ${results.tool.version}`,
  ];
  return `<p class="meta">${escapeHtml(facts.join(' · '))}</p>`;
}

function header(results: ResultsDocument, options: ReportOptions): string {
  const sources = (options.sources ?? []).map((s, i) => `${options.compareWith ? `${'AB'[i]}: ` : ''}${s}`);
  const lines = [
    `<h1>fanout-bench report${options.compareWith ? ': comparison' : ''}</h1>`,
    ...(options.compareWith ? [] : [runMeta(results)]),
    ...(sources.length > 0 ? [`<p class="meta">${sources.map(escapeHtml).join('<br>')}</p>`] : []),
    ...(options.differences?.length
      ? [
          `<p class="note">The configurations differ (${escapeHtml(options.differences.join(', '))}): only cells with the same id line up.</p>`,
        ]
      : []),
  ];
  return lines.join('\n');
}

/**
 * The page for one run (charts, its tables, configuration and environment) or, with `compareWith`, for two: the
 * change per cell first, then each run's charts.
 */
export async function renderReport(results: ResultsDocument, options: ReportOptions = {}): Promise<string> {
  const parts: string[] = [header(results, options)];
  const b = options.compareWith;
  if (b) {
    const chart = comparisonChart(results, b);
    if (chart) parts.push(await chartHtml(chart));
    parts.push(tableHtml(compareTable(results, b)));
  }
  for (const [index, doc] of (b ? [results, b] : [results]).entries()) {
    const run = b ? 'AB'[index] : undefined;
    if (run) parts.push(`<h2>Run ${run}</h2>\n${runMeta(doc)}`);
    parts.push(answerHtml(doc));
    for (const chart of runCharts(doc)) parts.push(await chartHtml(chart, run));
    parts.push(`<section><h2>Tables</h2>\n${reportTables(doc).map(tableHtml).join('\n')}</section>`);
    parts.push(`<section><h2>Run</h2>\n${runFacts(doc)}</section>`);
  }
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>fanout-bench report · ${escapeHtml(results.config.suite)} · ${escapeHtml(results.createdAt)}</title>
<style>${STYLE}</style></head>
<body>
${parts.join('\n')}
</body></html>
`;
}
