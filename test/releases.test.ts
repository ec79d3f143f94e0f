import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseFrameworkSpec, resolveFramework } from '../src/frameworks/registry.ts';
import { isReleaseRange, RELEASE_CACHE, ReleaseError } from '../src/frameworks/releases.ts';
import { cli } from './helpers.ts';

/** Whether the npm registry answers here: the on-demand install is tested against the real one, or skipped. */
function registryReachable(): boolean {
  try {
    execFileSync('npm', ['view', 'openai@6.30.1', 'version', '--fetch-retries=0'], {
      stdio: 'ignore',
      timeout: 30_000,
    });
    return true;
  } catch {
    return false;
  }
}
const online = registryReachable();
if (!online) console.log('the npm registry is unreachable: the on-demand install tests are skipped');

describe('framework@version and framework@range', () => {
  it('tells a version, a range or latest from an npm alias, and refuses nothing after @', () => {
    for (const text of ['6', '6.44.0', '^6', '~6.4', '>=6 <7', '*', 'x', 'v6', 'latest', '1.0.0-beta.1']) {
      expect(isReleaseRange(text), text).toBe(true);
    }
    for (const text of ['openai-6-44', 'openai-next', 'ai-6', 'xray', 'mastra-core-0-24']) {
      expect(isReleaseRange(text), text).toBe(false);
    }
    expect(() => parseFrameworkSpec('openai-runtools@')).toThrow(/nothing after @/);
  });

  it('reads a version or range after @ as a release, anything else as an npm alias', () => {
    expect(parseFrameworkSpec('openai-runtools@6.44.0')).toEqual({ framework: 'openai-runtools', version: '6.44.0' });
    expect(parseFrameworkSpec('ai-sdk@^6')).toEqual({ framework: 'ai-sdk', version: '^6' });
    expect(parseFrameworkSpec('mastra@1.x')).toEqual({ framework: 'mastra', version: '1.x' });
    expect(parseFrameworkSpec('openai-runtools@openai-6-44')).toEqual({
      framework: 'openai-runtools',
      alias: 'openai-6-44',
    });
  });
});

describe.skipIf(!online)('a release installed on demand, from the npm registry', () => {
  const registry = process.env.npm_config_registry;
  afterEach(() => {
    if (registry === undefined) delete process.env.npm_config_registry;
    else process.env.npm_config_registry = registry;
  });

  it("installs once into the project's cache, records integrity, reuses it, leaves the project as it was", async () => {
    const project = mkdtempSync(join(tmpdir(), 'fanout-release-'));
    writeFileSync(join(project, 'package.json'), '{ "private": true }\n');
    const lines: string[] = [];
    const first = resolveFramework({ framework: 'openai-runtools', version: '6.30.1' }, project, (l) => lines.push(l));
    expect(lines).toEqual([
      `Installing openai-runtools openai@6.30.1 into ${join(RELEASE_CACHE, 'openai-runtools@6.30.1')} (first use; no install scripts run)`,
    ]);
    expect(first).toMatchObject({ version: '6.30.1', label: 'openai-runtools@6.30.1' });
    expect(first.release?.integrity.openai).toMatch(/^sha512-/);
    expect((await first.load('openai/version')).VERSION).toBe('6.30.1');
    // the second time, from the cache: nothing said, nothing fetched (the registry is out of reach now)
    process.env.npm_config_registry = 'http://127.0.0.1:9/';
    const again = resolveFramework({ framework: 'openai-runtools', version: '6.30.1' }, project, (l) => lines.push(l));
    expect(lines).toHaveLength(1);
    expect(again.from).toBe(first.from);
    // the project's own files are untouched: no lockfile, no package in its node_modules
    expect(readFileSync(join(project, 'package.json'), 'utf8')).toBe('{ "private": true }\n');
    expect(existsSync(join(project, 'package-lock.json'))).toBe(false);
    expect(existsSync(join(project, 'node_modules', 'openai'))).toBe(false);
  }, 120_000);

  it("pairs an old major's release with companions of its own line, not the newest by date", () => {
    const project = mkdtempSync(join(tmpdir(), 'fanout-release-'));
    const lines: string[] = [];
    // ai 6.0.326 came out after @ai-sdk/openai 4.0; by date alone it would get a v4 provider and fail every call
    const ai6 = resolveFramework({ framework: 'ai-sdk', version: '6.0.326' }, project, (l) => lines.push(l));
    expect(lines[0]).toMatch(/^Installing ai-sdk ai@6\.0\.326 @ai-sdk\/openai@3\.\d+\.\d+ into /);
    expect(ai6.packages['@ai-sdk/openai']).toMatch(/^3\./);
  }, 120_000);

  it('names the nearest releases when the version does not exist, and says when the registry is out of reach', () => {
    const project = mkdtempSync(join(tmpdir(), 'fanout-release-'));
    const missing = () => resolveFramework({ framework: 'openai-runtools', version: '6.44.7' }, project, () => {});
    expect(missing).toThrow(ReleaseError);
    expect(missing).toThrow('openai@6.44.7 is not a released version; the nearest that are: 6.43.0, 6.44.0, 6.45.0');
    process.env.npm_config_registry = 'http://127.0.0.1:9/';
    expect(() => resolveFramework({ framework: 'mastra', version: '1.70.0' }, project, () => {})).toThrow(
      /^cannot reach the npm registry to find @mastra\/core \(ECONNREFUSED\)/,
    );
  }, 60_000);

  it('bisects openai-node 6.43.0..6.46.0 on speedup: runTools ran calls in parallel from 6.45.0', async () => {
    const out = mkdtempSync(join(tmpdir(), 'fanout-bisect-'));
    const args = ['bisect', 'openai-runtools', '6.43.0', '6.46.0', '--calls', '8', '--latency', '50'];
    const result = await cli([...args, '--iterations', '4', '--out', out]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(
      /^First changed at openai 6\.45\.0 \(speedup [\d.]+x .*\), previous release 6\.44\.0 .*; confirmed side by side\n$/,
    );
    expect(result.stderr).toMatch(/Bisecting openai-runtools \(openai\) over 4 releases 6\.43\.0\.\.6\.46\.0/);
    const document = JSON.parse(readFileSync(join(out, 'bisect-latest.json'), 'utf8'));
    expect(document.status).toBe('complete');
    expect(document.bisect).toMatchObject({ verdict: 'changed', firstChanged: '6.45.0', previous: '6.44.0' });
    expect(Object.keys(document.bisect.readings).sort()).toEqual(['6.43.0', '6.44.0', '6.45.0', '6.46.0']);
    // every run kept its own reference: one sequential cell per run, ids apart
    const ids = document.cells.map((c: { id: string }) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
  }, 180_000);

  it('refuses bad bisect input in one line, exit 2, before measuring', async () => {
    for (const [args, message] of [
      [['bisect', 'nope', '1.0.0', '2.0.0'], /^Error: Unknown framework `nope`/],
      [['bisect', 'openai-runtools', '6.49.0', '6.30.1'], /must be an older release than/],
      [
        ['bisect', 'openai-runtools', '6.30.1', '6.99.0'],
        /openai@6\.99\.0 is not a released version; the nearest that are/,
      ],
      [['bisect', 'openai-runtools', 'six', '6.49.0'], /<from> must be a version such as 6\.30\.1/],
      [['bisect', 'openai-runtools', '6.30.1', '6.49.0', '--calls', '0'], /--calls/],
    ] as const) {
      const result = await cli([...args]);
      expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(2);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stderr).toMatch(message);
    }
  }, 60_000);

  it('refuses a release that does not exist in one line, exit 2, before measuring', async () => {
    const result = await cli(['bench', '--frameworks', 'openai-runtools@6.44.7', '--scenario', 'fanout']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /^Error: openai@6\.44\.7 is not a released version; the nearest that are: [\d., ]+ \(in `--frameworks`\)\n$/,
    );
  }, 60_000);
});
