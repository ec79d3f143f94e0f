import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { CellOk, ResultsDocument } from '../src/results/document.ts';

const exec = promisify(execFile);
const root = join(import.meta.dirname, '..');
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};

/** What Node prints for a warning it raises itself (`(node:1234) ExperimentalWarning: …`). */
const RUNTIME_WARNING = /^\(node:\d+\) \w*Warning: .*$/m;
/** Runtime warnings printed by fanout-bench's commands (not npm's): none is the user's doing, so none may appear. */
const runtimeWarnings: string[] = [];

/** Runs a command; resolves with its exit code and output, never rejects. */
async function sh(file: string, args: string[], cwd: string) {
  const result = await exec(file, args, {
    cwd,
    env: { ...process.env, NO_COLOR: '1' },
    maxBuffer: 64 * 1024 * 1024,
  }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
  );
  const ours = file === process.execPath || args.includes('fanout-bench');
  const warning = RUNTIME_WARNING.exec(result.stderr)?.[0];
  if (ours && warning) runtimeWarnings.push(`${[file, ...args].join(' ')}: ${warning}`);
  return result;
}

const TYPES_CHECK = `
import { defineConfig, defineExecutor, defineTool, type Executor, type ResultsDocument, runBench } from 'fanout-bench';
const executor: Executor = { name: 'x', run: async () => [], close: async () => {} };
defineConfig({
  executors: [defineExecutor({ name: 'x', description: 'd', takesLimit: false, ideal: 'unbounded', create: () => executor })],
});
// @ts-expect-error a tool needs its parameters' schema
defineTool({ name: 't', description: 'd', execute: () => 1 });
// @ts-expect-error an ideal schedule is one of serial, unbounded, slots, chunks
defineExecutor({ name: 'y', description: 'd', takesLimit: false, ideal: 'fast', create: () => executor });
export const run: (config: ResultsDocument['config']) => Promise<ResultsDocument> = runBench;
`;

const API_CHECK = `
import { runBench, verifyExecutor, createExecutor, loadConfigFile, applyConfig, createRegistries } from 'fanout-bench';
const registries = createRegistries();
applyConfig(await loadConfigFile('fanout.config.ts'), registries);
const doc = await runBench({ suite: 'api', executors: ['sequential', 'window(2)'], calls: [4], limits: [], kinds: ['io'],
  latencyMs: 20, profile: 'fixed', seed: 1, rounds: 3, faults: { failRate: 0, hangRate: 0, crashRate: 0 } }, { registries });
const rules = await verifyExecutor((runtime, policy) => createExecutor({ strategy: 'window', limit: 2 }, { runtime, policy, registry: registries.executors }), { limit: 2 });
console.log(JSON.stringify({ status: doc.status, cell: doc.cells.find((c) => c.executor === 'window(2)'), rules }));
`;

describe('the packed package, installed into an empty project', () => {
  it('gives a working CLI, config loading, API and types with no dev dependency', async () => {
    const work = await mkdtemp(join(tmpdir(), 'fanout-package-'));
    const packed = await sh('npm', ['pack', '--pack-destination', work, '--json'], root);
    expect(packed.code, packed.stderr).toBe(0);
    const [info] = JSON.parse(packed.stdout.slice(packed.stdout.indexOf('['))) as { filename: string; size: number }[];
    if (!info) throw new Error('npm pack reported nothing');
    const tarball = join(work, info.filename);

    const project = join(work, 'project');
    mkdirSync(project);
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
    const started = performance.now();
    const installed = await sh(
      'npm',
      ['install', '-D', tarball, `@types/node@${manifest.devDependencies['@types/node']}`, '--no-audit', '--no-fund'],
      project,
    );
    expect(installed.code, installed.stderr).toBe(0);
    // on every supported line no dependency that runs asks for a newer Node; msw's `msw init` prompt (@inquirer/*,
    // never loaded by fanout-bench) asks for 22.13, so npm names it on 22.12
    const engines = [...installed.stderr.matchAll(/EBADENGINE +package: '([^']+)@/g)].map((m) => m[1]);
    expect(engines.filter((name) => !name?.startsWith('@inquirer/'))).toEqual([]);
    const added = /added (\d+) packages?/.exec(installed.stdout)?.[1];
    console.log(
      `Node ${process.version}: tarball ${(info.size / 1024).toFixed(0)} kB; installed with ${added} packages in ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );
    const pkg = join(project, 'node_modules', 'fanout-bench');
    expect(existsSync(join(pkg, 'dist', 'src', 'index.d.ts'))).toBe(true);
    expect(existsSync(join(pkg, 'src'))).toBe(false); // the build runs, not the source
    expect(existsSync(join(project, 'node_modules', 'vitest'))).toBe(false);

    // the CLI, from the installed bin, as the README's CI example runs it
    const bench = await sh(
      'npx',
      ['--no-install', 'fanout-bench', 'bench', '--calls', '4', '--latency', '20', '--iterations', '3', '--json'],
      project,
    );
    expect(bench.code, bench.stderr).toBe(0);
    const document = JSON.parse(bench.stdout) as ResultsDocument;
    expect(document.environment.packages.tinybench).toMatch(/^\d+\.\d+\.\d+/); // read from what is installed
    const all = document.cells.find((c) => c.id === 'io/4/promise-all') as CellOk;
    expect(all.speedup?.value).toBeGreaterThan(2.5);
    expect(existsSync(join(project, 'results', 'latest.json'))).toBe(true);

    // a TypeScript config importing from 'fanout-bench': a user executor and a real tool, also on worker threads
    const fixture = readFileSync(join(root, 'test/fixtures/user-config/fanout.config.ts'), 'utf8');
    writeFileSync(join(project, 'fanout.config.ts'), fixture.replace("'../../../src/index.ts'", "'fanout-bench'"));
    writeFileSync(
      join(project, 'latencies.csv'),
      readFileSync(join(root, 'test/fixtures/user-config/latencies.csv'), 'utf8'),
    );
    const mine = await sh(
      'npx',
      ['--no-install', 'fanout-bench', 'bench', '--suite', 'mine', '--executors', 'window(2),worker-pool(2)', '--json'],
      project,
    );
    expect(mine.code, mine.stderr).toBe(0);
    const cells = (JSON.parse(mine.stdout) as ResultsDocument).cells as CellOk[];
    for (const cell of cells) expect(cell.outcomes.ok, cell.id).toBe(3 * 4);
    // the user executor on timer-bound tools, where its speedup is predictable: ideal 2x
    const timed = await sh(
      'npx',
      [
        ...['--no-install', 'fanout-bench', 'bench', '--executors', 'window(2)', '--tools', 'get_weather'],
        ...['--calls', '8', '--latency', '20', '--iterations', '3', '--quiet'],
      ],
      project,
    );
    expect(timed.code, timed.stderr).toBe(0);
    expect(timed.stdout).toMatch(/│ io +│ window\(2\) +│ (1\.[5-9]\d|2\.[01]\d)x ±[\d.]+ \(ideal 2\.00x\)/);
    // the HTML report of that run, rendered by the installed package's own Vega
    const report = await sh('npx', ['--no-install', 'fanout-bench', 'report', '--quiet'], project);
    expect(report.code, report.stderr).toBe(0);
    expect(readFileSync(join(project, 'results', 'report.html'), 'utf8')).toMatch(/data-chart="timeline"><svg/);

    // frameworks load on demand from the user's project: one that is missing is named with its install command...
    const missing = await sh('npx', ['--no-install', 'fanout-bench', 'bench', '--frameworks', 'ai-sdk'], project);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('install it with `npm install --save-dev ai @ai-sdk/openai`');
    // ...and one that is there (openai, installed with fanout-bench) runs its own loop beside ours
    const framework = await sh(
      'npx',
      [
        ...['--no-install', 'fanout-bench', 'bench', '--frameworks', 'openai-runtools', '--scenario', 'fanout'],
        ...['--calls', '4', '--latency', '20', '--iterations', '2', '--json'],
      ],
      project,
    );
    expect(framework.code, framework.stderr).toBe(0);

    const runTools = (JSON.parse(framework.stdout) as ResultsDocument).cells.find(
      (c) => c.executor === 'openai-runtools',
    ) as CellOk;
    expect(runTools.status).toBe('ok');
    expect(runTools.framework?.version).toBe(manifest.dependencies.openai);
    // ...and when the project has its own openai, that is the one measured, never fanout-bench's (now nested)
    const own = await sh('npm', ['install', '-D', 'openai@6.49.0', '--no-audit', '--no-fund'], project);
    expect(own.code, own.stderr).toBe(0);
    expect(existsSync(join(pkg, 'node_modules', 'openai'))).toBe(true);
    const theirs = await sh(
      'npx',
      [
        ...['--no-install', 'fanout-bench', 'bench', '--frameworks', 'openai-runtools', '--scenario', 'fanout'],
        ...['--calls', '4', '--latency', '20', '--iterations', '2', '--json', '--quiet'],
      ],
      project,
    );
    expect(theirs.code, theirs.stderr).toBe(0);
    const measured = (JSON.parse(theirs.stdout) as ResultsDocument).cells.find(
      (c) => c.executor === 'openai-runtools',
    ) as CellOk;
    expect(measured.framework).toMatchObject({ version: '6.49.0', packages: { openai: '6.49.0' } });

    const verify = await sh('npx', ['--no-install', 'fanout-bench', 'verify', '--executor', 'window(2)'], project);
    expect(verify.stdout).toMatch(/window\(2\) keeps every rule/);

    // the API from plain JavaScript
    writeFileSync(join(project, 'api.mjs'), API_CHECK);
    const api = await sh(process.execPath, ['api.mjs'], project);
    expect(api.code, api.stderr).toBe(0);
    const answer = JSON.parse(api.stdout) as { status: string; cell: CellOk; rules: { passed: boolean }[] };
    expect(answer.status).toBe('complete');
    expect(answer.cell.status).toBe('ok');
    expect(answer.rules.every((r) => r.passed)).toBe(true);

    // the types, checked by TypeScript against the installed package's exports map
    writeFileSync(join(project, 'types.ts'), TYPES_CHECK);
    writeFileSync(
      join(project, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: { target: 'ES2022', module: 'NodeNext', strict: true, noEmit: true, skipLibCheck: false },
        files: ['types.ts'],
      }),
    );
    const tsc = await sh(
      process.execPath,
      [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', '.'],
      project,
    );
    expect(tsc.stdout + tsc.stderr).toBe('');
    expect(tsc.code).toBe(0);

    // no command above made Node warn (msw 2 on Node 26: localStorage; require(esm) on 22.12): nothing the user caused
    expect(runtimeWarnings).toEqual([]);
  }, 180_000);
});
