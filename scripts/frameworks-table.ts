/**
 * The frameworks at a glance: one table of framework@version × (tool wall at 8 × 50 ms, speedup vs our sequential
 * loop, efficiency, overhead per call at the largest fan-out, growth exponent b, peak in flight at 20 calls, what
 * the model hears when a tool throws, result order). Two bench runs and the probes, written to results/frameworks/.
 * Usage: npm run bench:frameworks [-- frameworks=every installed one, and its previous major] [largest=1000]
 *        [--markdown docs/figures/frameworks.md]   (also the tables there, under the line naming machine, Node, date)
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { resolveBenchConfig } from '../src/cli/options.ts';
import { createRegistries } from '../src/config/registries.ts';
import { probeFramework } from '../src/frameworks/probe.ts';
import { parseFrameworkSpec, resolveFramework } from '../src/frameworks/registry.ts';
import { executorLabel } from '../src/report/cells.ts';
import { formatMs, formatRatio, formatSmallMs, formatSpeedup } from '../src/report/format.ts';
import { markdownTable } from '../src/report/markdown.ts';
import type { TableModel } from '../src/report/model.ts';
import { renderTable } from '../src/report/table.ts';
import type { CellOk, ResultsDocument } from '../src/results/document.ts';
import { writeFileAtomic } from '../src/results/store.ts';
import { markdownOption, measureInto, npmCommand, writeFigures } from './figures-header.ts';

/** The previous major of each framework, as this repository installs it under dev aliases. */
const PREVIOUS: Record<string, string> = {
  'ai-sdk': 'ai-6+ai-sdk-openai-3',
  'ai-sdk-stream': 'ai-6+ai-sdk-openai-3',
  'openai-agents': 'openai-agents-0-14',
  'openai-runtools': 'openai-6',
  mastra: 'mastra-core-0-24',
  'mastra-stream': 'mastra-core-0-24',
};
const resolves = (text: string) => {
  try {
    resolveFramework(parseFrameworkSpec(text));
    return true;
  } catch {
    return false;
  }
};
// each installed framework, its previous major beside it where that is installed too
/** The built-ins: this script measures fanout-bench's own adapters. */
const registries = createRegistries();
const installed = registries.frameworks
  .names()
  .filter((framework) => resolves(framework))
  .flatMap((framework) => {
    const previous = PREVIOUS[framework] && `${framework}@${PREVIOUS[framework]}`;
    return previous && resolves(previous) ? [framework, previous] : [framework];
  });
const { file: markdown, rest } = markdownOption(process.argv.slice(2));
const frameworks = rest[0] ?? installed.join(',');
const largest = Number(rest[1] ?? 1000);
const out = join('results', 'frameworks');
mkdirSync(out, { recursive: true });

async function bench(name: string, flags: Record<string, string>): Promise<ResultsDocument> {
  // a framework that streams is measured beside our loop on the streamed API: the run plays both
  const streamed = frameworks
    .split(',')
    .some((spec) => registries.frameworks.definition(parseFrameworkSpec(spec).framework).api === 'chat-stream');
  const api = streamed ? { api: 'chat,chat-stream' } : {};
  const config = resolveBenchConfig(
    { mode: 'agent', frameworks, scenario: 'fanout', ...api, ...flags },
    { registries },
  );
  return measure(name, config);
}

function measure(name: string, config: ReturnType<typeof resolveBenchConfig>): Promise<ResultsDocument> {
  return measureInto(out, name, config, registries);
}

const cell = (doc: ResultsDocument, executor: string, calls: number) =>
  doc.cells.find((c): c is CellOk => c.status === 'ok' && c.executor === executor && c.calls === calls);

const wall = await bench('tools-wall', { calls: '8,20', latency: '50', iterations: '5' });
const scale = await bench('scale', {
  calls: [10, largest / 10, largest / 4, largest / 2, largest].map(Math.round).join(','),
  latency: '0',
  iterations: '3',
});
const probes = new Map<string, Awaited<ReturnType<typeof probeFramework>>>();
for (const spec of frameworks.split(','))
  probes.set(spec, await probeFramework(resolveFramework(parseFrameworkSpec(spec))));

const executors = [...new Set(wall.cells.map((c) => c.executor))];
const table: TableModel = {
  title: `Frameworks: tools at 8 × 50 ms, overhead at ${largest} calls of 0 ms, peak in flight at 20 calls (${wall.environment.cpuModel} × ${wall.environment.cores}, Node ${wall.environment.node})`,
  head: [
    'framework',
    'tool wall @8×50ms',
    'speedup vs sequential',
    'efficiency',
    `overhead/call @${largest}`,
    'growth b',
    'peak @20',
    'when a tool throws',
    'result order',
  ],
  rows: executors.map((executor) => {
    const at8 = cell(wall, executor, 8);
    const at20 = cell(wall, executor, 20);
    const big = cell(scale, executor, largest);
    const growth = big?.growth;
    const probe = probes.get(executor);
    return [
      at8 ? executorLabel(at8) : executor,
      at8?.agent ? `${at8.agent.toolsMs.toFixed(1)} ms` : '—',
      at8 ? formatSpeedup(at8.speedup) : '—',
      formatRatio(at8?.efficiency),
      formatSmallMs(big?.overheadPerCallMs?.value),
      growth ? `${growth.exponent.toFixed(2)}${growth.superlinear ? ' superlinear' : ''}` : '—',
      at20?.agent?.peakInFlight === undefined ? '—' : String(at20.agent.peakInFlight),
      probe?.onError ?? '(our loop: the error as that call’s result)',
      probe?.resultOrder ?? 'call order',
    ];
  }),
};
process.stdout.write(`${renderTable(table)}\n`);

// 3. streamed turns that take time (10 ms between chunks): when each framework that streams starts a tool, against
// when its call was complete in the stream, beside our loop after the stream and with early dispatch
const streamed = frameworks.split(',').filter((spec) => parseFrameworkSpec(spec).framework.endsWith('-stream'));
const stream =
  streamed.length > 0
    ? await measure(
        'stream',
        resolveBenchConfig(
          {
            ...{ mode: 'agent', frameworks: streamed.join(','), executors: 'sequential,promise-all' },
            ...{ api: 'chat,chat-stream', dispatch: 'both', scenario: 'fanout', calls: '8', latency: '50' },
            ...{ streamDelay: '10', iterations: '5' },
          },
          { registries },
        ),
      )
    : undefined;
const streamTable: TableModel | undefined = stream && {
  title: `Streamed turns (8 calls, 10 ms between chunks): when tools start (${stream.environment.cpuModel} × ${stream.environment.cores}, Node ${stream.environment.node})`,
  // no speedup here: frameworks take theirs against our loop on Chat Completions unstreamed (docs/frameworks.md)
  head: ['row', 'model ms/run', 'tool start after its call is complete', 'tool start after the stream ends'],
  rows: stream.cells.flatMap((c) =>
    c.status === 'ok' && c.agent?.streamDispatch
      ? [
          [
            executorLabel(c) + (c.framework ? '' : ` @${c.api}${c.dispatch === 'early' ? '+early' : ''}`),
            formatMs(c.agent.modelMs),
            formatSmallMs(c.agent.streamDispatch.afterReadyMs),
            formatSmallMs(c.agent.streamDispatch.afterStreamEndMs),
          ],
        ]
      : [],
  ),
};
if (streamTable) process.stdout.write(`${renderTable(streamTable)}\n`);
const streamSection = streamTable ? `\n## ${streamTable.title}\n\n${markdownTable(streamTable)}\n` : '';
const summary = `## ${table.title}\n\n${markdownTable(table)}\n${streamSection}`;
writeFileAtomic(join(out, 'summary.md'), summary);
process.stderr.write(`Table: ${join(out, 'summary.md')}\n`);
if (markdown) writeFigures(markdown, npmCommand('bench:frameworks', rest), 'Frameworks at a glance', summary);
