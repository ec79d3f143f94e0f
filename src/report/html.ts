/**
 * The HTML report: one self-contained page per run (or per pair of runs), charts rendered to inline SVG when the
 * page is written, no script and nothing fetched when it is viewed.
 */
import type { ResultsDocument } from '../results/document.ts';
import { type Chart, type ChartSpec, runCharts } from './charts.ts';
import { cellChanges, compareTable } from './compare.ts';
import { reportTables, type TableModel } from './model.ts';
import { renderSvg } from './svg.ts';

export interface ReportOptions {
  /** A second run: the page compares `results` (A) with it (B). */
  compareWith?: ResultsDocument;
  /** Where each document came from, shown in the header. */
  sources?: string[];
}

const escapeHtml = (text: string): string =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string,
  );

function tableHtml(model: TableModel): string {
  const head = model.head.map((h) => `<th>${escapeHtml(h)}</th>`).join('');
  const rows = model.rows.map((row) => `<tr>${row.map((v) => `<td>${escapeHtml(v)}</td>`).join('')}</tr>`).join('\n');
  return `<h3>${escapeHtml(model.title)}</h3>\n<div class="scroll"><table><thead><tr>${head}</tr></thead><tbody>\n${rows}\n</tbody></table></div>`;
}

function pairsTable(title: string, pairs: [string, string][]): TableModel {
  return { title, head: ['', ''], rows: pairs.map(([k, v]) => [k, v]) };
}

/** The run's configuration and machine, as key–value rows. */
function runFacts(results: ResultsDocument): TableModel[] {
  const { config, environment: env } = results;
  const show = (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value));
  const settings = Object.entries(config)
    .filter(([, value]) => value !== undefined)
    .map(([key, value]): [string, string] => [key, show(value)]);
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
  return [pairsTable('Configuration', settings), pairsTable('Environment', machine)];
}

async function chartHtml(chart: Chart, run?: string): Promise<string> {
  const svg = await renderSvg(chart.spec);
  const runAttribute = run ? ` data-run="${run}"` : '';
  return `<section><h2>${escapeHtml(chart.title)}</h2>\n<figure data-chart="${chart.name}"${runAttribute}>${svg}</figure>\n<p class="caption">${escapeHtml(chart.caption)}</p></section>`;
}

/** Two runs: each cell's speedup change as a bar, grey where the intervals overlap (the change may be noise). */
function comparisonChart(a: ResultsDocument, b: ResultsDocument): Chart | undefined {
  const values = cellChanges(a, b)
    .filter((c) => Number.isFinite(c.change))
    .map((c) => ({
      cell: c.id,
      change: c.change,
      verdict: c.overlap ? 'intervals overlap' : c.change < 0 ? 'slower' : 'faster',
    }));
  if (values.length === 0) return undefined;
  const spec: ChartSpec = {
    width: 560,
    height: { step: 18 },
    data: { values },
    mark: 'bar',
    encoding: {
      y: { field: 'cell', type: 'nominal', title: null, sort: null, axis: { labelLimit: 360 } },
      x: { field: 'change', type: 'quantitative', title: 'speedup change, B vs A', axis: { format: '+%' } },
      color: {
        field: 'verdict',
        type: 'nominal',
        title: null,
        scale: { domain: ['slower', 'faster', 'intervals overlap'], range: ['#e45756', '#54a24b', '#bab0ac'] },
      },
    },
  };
  return {
    name: 'comparison',
    title: 'Change per cell: A → B',
    caption:
      'B’s speedup ÷ A’s − 1 for every cell measured in both. Grey: the two 95% intervals overlap, so the change may be noise; red and green do not overlap.',
    spec,
  };
}

const STYLE = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0 auto;max-width:1100px;padding:0 20px 40px;color:#222}
h1{font-size:22px;margin:24px 0 4px}h2{font-size:17px;margin:28px 0 6px;border-bottom:1px solid #ddd;padding-bottom:4px}
h3{font-size:14px;margin:18px 0 6px}.meta{color:#555;margin:0 0 12px}figure{margin:0;overflow-x:auto}
.caption{color:#555;margin:4px 0 0;max-width:760px}.scroll{overflow-x:auto}
table{border-collapse:collapse;font-size:12.5px;font-variant-numeric:tabular-nums}
th,td{border:1px solid #ddd;padding:3px 7px;text-align:left;vertical-align:top}th{background:#f5f5f5}
`;

function header(results: ResultsDocument, options: ReportOptions): string {
  const what = results.config.agent ? `agent runs of ${results.config.agent.scenario}` : 'tool batches';
  const sources = (options.sources ?? []).map((s, i) => `${options.compareWith ? `${'AB'[i]}: ` : ''}${s}`);
  const facts = [
    `suite ${results.config.suite}`,
    what,
    `${results.status}, ${(results.wallTimeMs / 1000).toFixed(1)} s`,
    `run ${results.createdAt}`,
    `fanout-bench ${results.tool.version}`,
  ];
  return `<h1>fanout-bench report${options.compareWith ? ': comparison' : ''}</h1>
<p class="meta">${escapeHtml(facts.join(' · '))}</p>${sources.length > 0 ? `\n<p class="meta">${sources.map(escapeHtml).join('<br>')}</p>` : ''}`;
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
    if (run) parts.push(`<h2>Run ${run}</h2>`);
    for (const chart of runCharts(doc)) parts.push(await chartHtml(chart, run));
    parts.push(`<section><h2>Tables</h2>\n${reportTables(doc).map(tableHtml).join('\n')}</section>`);
    parts.push(`<section><h2>Run</h2>\n${runFacts(doc).map(tableHtml).join('\n')}</section>`);
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
