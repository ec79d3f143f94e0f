/**
 * Runs the CLI on a battery of bad or odd inputs and counts how many end as the project promises: exit 2 and one
 * line `Error: …`, no stack trace, before anything is measured (each case must end within 20 s).
 * Usage: npx tsx scripts/bad-input-battery.ts
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const root = join(import.meta.dirname, '..');
const loader = pathToFileURL(join(root, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;
const dir = mkdtempSync(join(tmpdir(), 'fanout-battery-'));
const base = JSON.parse(readFileSync(join(root, 'results', 'baseline.json'), 'utf8'));
const file = (name: string, text: string) => {
  writeFileSync(join(dir, name), text);
  return join(dir, name);
};
const results = (
  name: string, // biome-ignore lint/suspicious/noExplicitAny: a document being broken on purpose
  mutate: (d: Record<string, any>) => unknown,
) => {
  const copy = structuredClone(base);
  const replaced = mutate(copy);
  return file(name, JSON.stringify(replaced === undefined ? copy : replaced));
};
const good = file('good.json', JSON.stringify(base));

const cases: string[][] = [
  // flags of bench
  ['bench', '--calls', '0'],
  ['bench', '--calls', 'abc'],
  ['bench', '--calls', '1,,2'],
  ['bench', '--calls', '100000'],
  ['bench', '--limits', '0', '--executors', 'limited'],
  ['bench', '--iterations', '1'],
  ['bench', '--iterations', '-3'],
  ['bench', '--latency', '-1'],
  ['bench', '--latency', '0x10'],
  ['bench', '--latency', '1e-400'],
  ['bench', '--latency', 'Infinity'],
  ['bench', '--seed', '1.5'],
  ['bench', '--kind', 'gpu'],
  ['bench', '--profile', 'nope'],
  ['bench', '--profile', join(dir, 'missing.csv')],
  ['bench', '--fail-rate', '2'],
  ['bench', '--fail-rate', '0.6', '--hang-rate', '0.6', '--timeout', '10'],
  ['bench', '--hang-rate', '0.1'],
  ['bench', '--timeout', '0'],
  ['bench', '--retries', '99'],
  ['bench', '--backoff', '10'],
  ['bench', '--error-policy', 'maybe'],
  ['bench', '--rate-limit', '0'],
  ['bench', '--executors', 'nope'],
  ['bench', '--executors', 'limited(0)'],
  ['bench', '--executors', 'limited(1e20)'],
  ['bench', '--executors', 'worker-pool(999)'],
  ['bench', '--executors', 'promise-all(2)'],
  ['bench', '--executors', 'toString'],
  ['bench', '--suite', 'constructor'],
  ['bench', '--suite', '__proto__'],
  ['bench', '--tools', '__proto__'],
  ['bench', '--tools', ''],
  ['bench', '--mode', 'both'],
  ['bench', '--scenario', 'weather-fx'],
  ['bench', '--mode', 'agent', '--scenario', 'constructor'],
  ['bench', '--mode', 'agent', '--scenario', 'fanout-0'],
  ['bench', '--mode', 'agent', '--scenario', 'fanout-99999999999'],
  ['bench', '--mode', 'agent', '--calls', '4'],
  ['bench', '--mode', 'agent', '--api', 'grpc'],
  ['bench', '--mode', 'agent', '--dispatch', 'early'],
  ['bench', '--mode', 'agent', '--scenario', file('bad-scenario.json', '{"name": "x", "turns": []}')],
  ['bench', '--mode', 'agent', '--scenario', file('not-json.json', '{ nope')],
  ['bench', '--frameworks', 'crewai'],
  ['bench', '--frameworks', ' , '],
  ['bench', '--frameworks', 'ai-sdk@openai-6-44'],
  ['bench', '--frameworks', 'openai-runtools@not-installed'],
  ['bench', '--frameworks', 'ai-sdk', '--api', 'responses'],
  ['bench', '--frameworks', 'ai-sdk', '--error-policy', 'fail-fast'],
  ['bench', '--export-csv', dir],
  ['bench', '--out', good],
  ['bench', '--export-json', 'results/baseline.json'],
  ['bench', '--executors', 'promise-all', '--limits', '4'],
  ['bench', '--executors', 'worker-pool', '--limits', '100'],
  ['bench', '--config', join(dir, 'nope.config.ts')],
  ['bench', '--config', file('bad.config.mjs', 'export default { executors: [{ name: 42 }] };')],
  ['bench', '--nonsense'],
  ['bench', '--no-reference', '--executors', 'sequential,promise-all'],
  ['bench', '--no-reference', '--calls', '10001'],
  ['baseline', '--no-reference', '--file', join(dir, 'b.json')],
  // gate, compare, baseline
  ['gate', '--baseline', join(dir, 'missing.json')],
  ['gate', '--baseline', file('null.json', 'null')],
  [
    'gate',
    '--baseline',
    results('empty.json', (d) => {
      d.cells = [];
    }),
  ],
  [
    'gate',
    '--baseline',
    results('partial.json', (d) => {
      d.status = 'partial';
    }),
  ],
  [
    'gate',
    '--baseline',
    results('nospeed.json', (d) => {
      d.cells[2].speedup = 'fast';
    }),
  ],
  [
    'gate',
    '--baseline',
    results('rounds0.json', (d) => {
      d.config.rounds = 0;
    }),
  ],
  [
    'gate',
    '--baseline',
    results('string.json', (d) => {
      d.cells[0].stats.mean = '3';
    }),
  ],
  [
    'gate',
    '--baseline',
    results('v3.json', (d) => {
      d.schemaVersion = 3;
    }),
  ],
  ['gate', '--baseline', good, '--tolerance', '2'],
  ['gate', '--baseline', good, '--tolerance', '0x1'],
  ['gate', '--baseline', good, '--summary', good],
  ['gate', '--baseline', good, '--with', ''],
  ['gate', '--baseline', good, '--with', 'openai-runtools@openai-6-44'],
  ['gate', '--baseline', good, '--summary', dir],
  ['compare', good, join(dir, 'missing.json')],
  [
    'compare',
    good,
    results('intr.json', (d) => {
      d.status = 'interrupted';
    }),
  ],
  ['baseline', '--file', good],
  ['baseline', '--file', dir, '--force'],
  // run, verify, probe, list
  ['run', '--executor', 'nope(2)'],
  ['run', '--executor', 'limited'],
  ['run', '--max-steps', '0'],
  ['run', '--model', 'm'],
  ['run', '--base-url', 'not a url', '--model', 'm'],
  ['run', '--scenario', 'fanout'],
  ['verify'],
  ['verify', '--executor', 'x'],
  ['verify', '--executor', 'limited(2)', '--calls', '0'],
  ['probe', '--frameworks', 'crewai'],
  ['probe', '--frameworks', ''],
  ['nonsense'],
  ['list', '--config', join(dir, 'nope.mjs')],
  // several API modes (issue 11)
  ['bench', '--mode', 'agent', '--api', 'all,chat'],
  ['bench', '--mode', 'agent', '--api', 'chat,responses', '--dispatch', 'both'],
  ['bench', '--mode', 'agent', '--api', 'chat', '--dispatch', 'early'],
  ['run', '--api', 'all'],
  ['bench', '--mode', 'agent', '--api', 'messages', '--frameworks', 'openai-runtools'],
  // the report (issue 12)
  ['report', 'a.json', 'b.json', 'c.json'],
  ['report', good, '--out', 'page.json'],
  ['report', good, '--out', good],
  ['report', 'missing.json'],
  [
    'report',
    good,
    results('partial.json', (d) => {
      d.status = 'partial';
    }),
  ],
  ['bench', '--report', '--export-markdown', 'results/report.html'],
  // the queue (issue 13)
  ['bench', '--workers', '2'],
  ['bench', '--executors', 'queue(2)', '--workers', '3'],
  ['bench', '--executors', 'queue(2)', '--redis', 'http://x'],
  ['bench', '--executors', 'queue(2)', '--redis', 'redis://:s%ecret@127.0.0.1:1'],
  ['bench', '--executors', 'queue(2)', '--redis', 'redis://:pw@127.0.0.1:1'],
  ['bench', '--executors', 'queue(2)', '--external-workers', '--workers', '1'],
  ['worker', '--concurrency', 'abc'],
  ['worker', '--concurrency', '0'],
  ['bench', '--out', '/proc'],
];

function run(args: string[]): Promise<{ args: string[]; code: number; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', loader, join(root, 'src/cli/main.ts'), ...args],
      { cwd: dir, timeout: 20_000, env: { ...process.env, NO_COLOR: '1', OPENAI_API_KEY: 'test' } },
      (error, _stdout, stderr) =>
        resolve({ args, code: error ? ((error as { code?: number }).code ?? -1) : 0, stderr }),
    );
  });
}

const outcomes: Awaited<ReturnType<typeof run>>[] = [];
for (let i = 0; i < cases.length; i += 2) outcomes.push(...(await Promise.all(cases.slice(i, i + 2).map(run))));
const clean = (o: (typeof outcomes)[number]) =>
  o.code === 2 && /^Error: [^\n]+\n$/.test(o.stderr) && !o.stderr.includes('    at ');
const bad = outcomes.filter((o) => !clean(o));
for (const o of bad)
  console.log(`NOT CLEAN (exit ${o.code}): ${o.args.join(' ')}\n  ${o.stderr.trim().split('\n').join('\n  ')}`);
console.log(`${outcomes.length - bad.length} of ${outcomes.length} bad inputs ended with exit 2 and one line Error: …`);
rmSync(dir, { recursive: true, force: true });
process.exitCode = bad.length === 0 ? 0 : 1;
