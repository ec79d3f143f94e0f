/**
 * Measures what the mocked model costs per turn with no scripted delay (SDK + mock), per API mode, over both
 * paths in one process, interleaved round by round so a noisy machine slows both alike: `intercept` (msw patches
 * the global fetch; what framework adapters use) and `direct` (the SDK's own fetch calls the mock's routes; what
 * our loop uses).
 * Usage: npm run bench:mock-overhead [-- turns=300] [--markdown docs/figures/mock-overhead.md]
 * (`--markdown FILE` also writes the medians and tails as a table there, under the line naming machine, Node, date.)
 */
import Anthropic from '@anthropic-ai/sdk';
import type OpenAI from 'openai';
import { runAgent } from '../src/agent/loop.ts';
import { API_MODES, isAnthropicApi } from '../src/agent/types.ts';
import { createExecutor } from '../src/executors/registry.ts';
import { createModelMock, type ModelMock } from '../src/model/index.ts';
import { fanoutScenario } from '../src/model/load.ts';
import { ANTHROPIC_BASE_URL } from '../src/model/messages.ts';
import { quantileSorted } from '../src/stats/summary.ts';
import { toolRuntimeConfig } from '../src/tools/config.ts';
import { ToolRegistry } from '../src/tools/registry.ts';
import { ToolRuntime } from '../src/tools/runtime.ts';
import { markdownOption, npmCommand, writeFigures } from './figures-header.ts';

const { file: markdown, rest } = markdownOption(process.argv.slice(2));
const turns = Number(rest[0] ?? 300);
const scenario = fanoutScenario(1, 0);
const executor = await createExecutor(
  { strategy: 'promise-all' },
  { runtime: new ToolRuntime(toolRuntimeConfig({ latencyMs: 0 })) },
);
const paths: { name: string; mock: ModelMock; openai: OpenAI; anthropic: Anthropic }[] = [];
const intercepted = createModelMock({ scenario, latencyOverrideMs: 0 });
intercepted.listen();
paths.push({
  name: 'intercept',
  mock: intercepted,
  openai: intercepted.createClient(),
  anthropic: new Anthropic({ apiKey: 'test', baseURL: ANTHROPIC_BASE_URL, maxRetries: 0 }),
});
const direct = createModelMock({ scenario, latencyOverrideMs: 0 });
paths.push({
  name: 'direct',
  mock: direct,
  openai: direct.createDirectClient(),
  anthropic: await direct.createDirectAnthropicClient(),
});

const q = (values: number[], p: number) => quantileSorted(values, p).toFixed(3);
const rows: string[] = [];
for (const api of API_MODES) {
  const perTurn = new Map<string, number[]>(paths.map((p) => [p.name, []]));
  const run = (path: (typeof paths)[number]) =>
    runAgent({
      client: isAnthropicApi(api) ? path.anthropic : path.openai,
      model: scenario.name,
      question: scenario.question,
      executor,
      tools: new ToolRegistry().chatTools(),
      api,
    });
  for (const path of paths) for (let i = 0; i < 20; i++) await run(path); // warm the SDK and the JIT
  while ((perTurn.get('direct')?.length ?? 0) < turns) {
    for (const path of paths) {
      const result = await run(path);
      for (const step of result.steps) perTurn.get(path.name)?.push(step.modelMs);
      path.mock.takeExchanges(); // the log is for benches; here it would only grow
    }
  }
  const sorted = paths.map((path) => (perTurn.get(path.name) ?? []).sort((a, b) => a - b));
  const line = paths.map((path, i) => {
    const values = sorted[i] ?? [];
    return `${path.name} median ${q(values, 0.5)} ms, p90 ${q(values, 0.9)}, p99 ${q(values, 0.99)}`;
  });
  console.log(`${api.padEnd(16)} per model turn: ${line.join(' | ')}`);
  rows.push(
    `| ${api} | ${sorted.map((values) => [0.5, 0.9, 0.99].map((p) => q(values, p)).join(' | ')).join(' | ')} |`,
  );
}
if (markdown) {
  const head = paths.flatMap((path) => ['median', 'p90', 'p99'].map((stat) => `${path.name} ${stat}`));
  writeFigures(
    markdown,
    npmCommand('bench:mock-overhead', rest),
    'What the mocked model costs per turn (SDK + mock, no scripted delay)',
    [
      `ms per model turn over ${turns} turns per path and API, the paths interleaved in one process: ${paths.map((p) => p.name).join(', ')}.`,
      '',
      `| API | ${head.join(' | ')} |`,
      `|---|${head.map(() => '---').join('|')}|`,
      ...rows,
    ].join('\n'),
  );
}
intercepted.close();
await executor.close();
