/**
 * What a worker thread or queue worker process costs to start: the project modules its entry loads (counted by a
 * module hook in a child Node that imports the entry as the pool does and runs one call), and the start-up of a
 * 4-thread worker pool (median of 5). `npm run bench:worker-footprint`.
 */
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { entryModule } from '../src/executors/worker-pool.ts';
import { createExecutor, ToolRuntime, toolRuntimeConfig } from '../src/index.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const srcUrl = new URL('../src/', import.meta.url).href;
/** The same modules as built (`npm run build`): a checkout with a fresh `dist/` runs workers from there. */
const builtUrl = new URL('../dist/src/', import.meta.url).href;

/** Project modules (under src/) that importing `entry` and running one call loads. */
function modulesLoaded(name: string): string[] {
  const { filename, execArgv } = entryModule(name);
  const hook = `data:text/javascript,${encodeURIComponent(`
    import { registerHooks } from 'node:module';
    const seen = new Set();
    registerHooks({ resolve(s, c, next) { const r = next(s, c); if (r.url.startsWith(${JSON.stringify(srcUrl)}) || r.url.startsWith(${JSON.stringify(builtUrl)})) seen.add(r.url); return r; } });
    process.on('exit', () => process.stderr.write('MODULES ' + JSON.stringify([...seen]) + '\\n'));
  `)}`;
  const run = `const m = await import(${JSON.stringify(filename)}); if (m.runWorkerTask) await m.runWorkerTask({ call: { id: 'c1', name: 'get_weather', arguments: '{"city":"Paris"}' }, config: ${JSON.stringify(toolRuntimeConfig({ latencyMs: 1 }))} }); process.exit(0);`;
  const child = spawnSync(process.execPath, [...execArgv, '--import', hook, '--input-type=module', '-e', run], {
    cwd: root,
    encoding: 'utf8',
  });
  const match = /MODULES (.*)/.exec(child.stderr);
  if (!match) throw new Error(`could not count the modules of ${name}: ${child.stderr.trim().split('\n')[0]}`);
  return (JSON.parse(match[1] as string) as string[]).map((url) =>
    url.startsWith(builtUrl) ? `dist: ${url.slice(builtUrl.length)}` : url.slice(srcUrl.length),
  );
}

async function poolStartMs(threads: number): Promise<number> {
  const runtime = new ToolRuntime(toolRuntimeConfig({ latencyMs: 1 }));
  const started = performance.now();
  const executor = await createExecutor({ strategy: 'worker-pool', limit: threads }, { runtime });
  const ms = performance.now() - started;
  await executor.close();
  return ms;
}

console.log(
  `entries from ${entryModule('worker').filename.includes('/dist/') ? 'the build (dist/)' : 'source, through tsx'}`,
);
for (const entry of ['worker', 'queue-worker-process']) {
  const modules = modulesLoaded(entry);
  console.log(`${entry}: ${modules.length} project modules`);
  if (process.argv.includes('--list')) for (const m of modules.sort()) console.log(`  ${m}`);
}
const times: number[] = [];
for (let i = 0; i < 5; i++) times.push(await poolStartMs(4));
times.sort((a, b) => a - b);
console.log(
  `worker-pool(4) start-up: median ${Math.round(times[2] as number)} ms (${times.map(Math.round).join(', ')})`,
);
