import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentSession } from '../src/agent/session.ts';
import { withGrowth } from '../src/bench/cells.ts';
import { DEFAULT_POLICY } from '../src/executors/policy.ts';
import { probeFramework } from '../src/frameworks/probe.ts';
import { FrameworkError, FrameworkRegistry, parseFrameworkSpec, resolveFramework } from '../src/frameworks/registry.ts';
import { FrameworkSession } from '../src/frameworks/session.ts';
import { judgeCell } from '../src/gate/decide.ts';
import { scriptedCallId } from '../src/model/ids.ts';
import { loadScenario } from '../src/model/load.ts';
import { createModelMock, type ModelMock } from '../src/model/mock-server.ts';
import { progressFromIds } from '../src/model/script.ts';
import type { CellOk, CellResult, ResultsDocument } from '../src/results/document.ts';
import { peakOverlap } from '../src/stats/summary.ts';
import { toolRuntimeConfig } from '../src/tools/config.ts';
import { cli } from './helpers.ts';

/** The openai that fanout-bench itself depends on (what openai-runtools runs until a project brings its own). */
const OWN_OPENAI = (
  JSON.parse(readFileSync(join(import.meta.dirname, '..', 'package.json'), 'utf8')) as {
    dependencies: Record<string, string>;
  }
).dependencies.openai as string;

const ADAPTERS = [
  'ai-sdk',
  'ai-sdk-stream',
  'openai-agents',
  'openai-runtools',
  'langchain',
  'langgraph-toolnode',
  'mastra',
  'mastra-stream',
];

/** Each adapter on the previous major of its framework, installed under dev aliases (LangChain has one major). */
const PREVIOUS_MAJORS = [
  'ai-sdk@ai-6+ai-sdk-openai-3',
  'ai-sdk-stream@ai-6+ai-sdk-openai-3',
  'openai-agents@openai-agents-0-14',
  'openai-runtools@openai-6',
  'mastra@mastra-core-0-24',
  'mastra-stream@mastra-core-0-24',
];

/** What the probe finds of each spec's concurrency option: honoured at 2 where the installed major has one. */
const CONCURRENCY: Record<string, RegExp> = {
  'ai-sdk': /^toolCallConcurrency: honoured/,
  'ai-sdk-stream': /^toolCallConcurrency: honoured/,
  'ai-sdk@ai-6+ai-sdk-openai-3': /^none \(no toolCallConcurrency in 6\./,
  'ai-sdk-stream@ai-6+ai-sdk-openai-3': /^none \(no toolCallConcurrency in 6\./,
  'openai-agents': /^toolExecution\.maxFunctionToolConcurrency: honoured/,
  'openai-agents@openai-agents-0-14': /^toolExecution\.maxFunctionToolConcurrency: honoured/,
  'openai-runtools': /^none$/,
  'openai-runtools@openai-6': /^none$/,
  langchain: /^invoke\(…, \{ maxConcurrency \}\): honoured/,
  // ToolNode runs a turn's calls inside one graph task: the graph's limit never reaches them
  'langgraph-toolnode': /^invoke\(…, \{ maxConcurrency \}\): ignored \(peak 6 of 6 at 2\)/,
  mastra: /^toolCallConcurrency: honoured/,
  'mastra-stream': /^toolCallConcurrency: honoured/,
  'mastra@mastra-core-0-24': /^none; a built-in cap of 10 \(no toolCallConcurrency in 0\.24\./,
  'mastra-stream@mastra-core-0-24': /^none; a built-in cap of 10 \(no toolCallConcurrency in 0\.24\./,
};

describe('framework adapters, each running its own loop against the mock', () => {
  let mock: ModelMock;
  beforeAll(() => {
    mock = createModelMock();
    mock.listen();
  });
  afterAll(() => mock.close());

  it('registers every framework of the issue', () => {
    expect(new FrameworkRegistry().names()).toEqual(expect.arrayContaining(ADAPTERS));
  });

  it('covers every adapter on its previous major too, and knows what each does with its concurrency option', () => {
    const named = (specs: string[]) => new Set(specs.map((s) => parseFrameworkSpec(s).framework));
    expect([...named(PREVIOUS_MAJORS)].sort()).toEqual(ADAPTERS.filter((a) => !a.startsWith('lang')).sort());
    expect(Object.keys(CONCURRENCY).sort()).toEqual([...ADAPTERS, ...PREVIOUS_MAJORS].sort());
  });

  for (const name of [...ADAPTERS, ...PREVIOUS_MAJORS]) {
    it(`${name}: answers every call id exactly once over a multi-turn scenario, and runs a turn's calls concurrently`, async () => {
      const tools = toolRuntimeConfig({ latencyMs: 30 });
      const multi = loadScenario('weather-profile-email');
      const framework = parseFrameworkSpec(name);
      const session = await FrameworkSession.start({ framework, scenario: multi, mock, tools });
      const violations = mock.counters.violations;
      const run = await session.run();
      // the mock refuses (400) a request that leaves an id unanswered or answers an unknown one
      expect(mock.counters.violations).toBe(violations);
      expect(run.status).toBe('answered');
      const withCalls = run.steps.filter((s) => s.calls.length > 0);
      expect(withCalls.map((s) => s.calls.length)).toEqual([3, 1]);
      for (const step of withCalls) {
        expect(step.warnings).toEqual([]);
        const sent = (step.answered ?? []).map((a) => a.id);
        expect([...sent].sort()).toEqual(step.calls.map((c) => c.id).sort());
        expect(new Set(sent).size).toBe(sent.length);
        expect(step.outcomes.every((o) => o.status === 'ok')).toBe(true);
      }
      // the second turn's email went to the address the profile call returned: results reached the model intact
      expect(withCalls[1]?.calls[0]?.arguments).toContain('jack@example.com');

      const fanout = loadScenario('fanout-6');
      const wide = await FrameworkSession.start({ framework, scenario: fanout, mock, tools });
      const turn = (await wide.run()).steps[0];
      expect(turn?.calls).toHaveLength(6);
      expect(peakOverlap(turn?.outcomes ?? [])).toBe(6); // all six tools were running at one moment
      await Promise.all([session.close(), wide.close()]);
    }, 30_000);
  }

  for (const name of [...ADAPTERS, ...PREVIOUS_MAJORS]) {
    it(`${name}: a failing tool reaches the model as that call's result, or rejects the run; its concurrency option`, async () => {
      const probe = await probeFramework(resolveFramework(parseFrameworkSpec(name)));
      if (name.startsWith('openai-runtools'))
        expect(probe.onError).toMatch(/^the run rejects: probe: this tool failed/);
      else expect(probe.onError).toMatch(/^error as that call's result: .*(probe: this tool failed|error occurred)/);
      expect(probe.resultOrder).toBe('call order');
      expect(probe.version).toMatch(/^\d+\.\d+\.\d+/);
      expect(probe.concurrencyLimit).toMatch(CONCURRENCY[name] as RegExp);
    }, 30_000);
  }
});

describe('timelines and outcomes', () => {
  it('a framework call that times out is a timeout outcome, as for the strategies', async () => {
    const mock = createModelMock();
    mock.listen();
    try {
      const tools = toolRuntimeConfig({ latencyMs: 10, faults: { failRate: 0, hangRate: 1, crashRate: 0 } });
      const session = await FrameworkSession.start({
        framework: { framework: 'ai-sdk' },
        scenario: loadScenario('fanout-3'),
        mock,
        tools,
        policy: { ...DEFAULT_POLICY, timeoutMs: 30 },
      });
      const run = await session.run();
      expect(run.steps[0]?.outcomes.map((o) => o.status)).toEqual(['timeout', 'timeout', 'timeout']);
      await session.close();
    } finally {
      mock.close();
    }
  });

  it("early dispatch keeps one origin per turn: a limiter's peak in flight is its limit", async () => {
    for (const [strategy, limit, peak] of [
      ['limited', 2, 2],
      ['sequential', undefined, 1],
    ] as const) {
      const session = await AgentSession.start({
        target: { kind: 'mock', scenario: loadScenario('fanout-4'), timing: { streamChunkDelayMs: 5 } },
        executor: { strategy, ...(limit === undefined ? {} : { limit }) },
        tools: toolRuntimeConfig({ latencyMs: 40 }),
        api: 'chat-stream',
        dispatch: 'early',
      });
      const run = await session.run();
      await session.close();
      expect(peakOverlap(run.steps[0]?.outcomes ?? []), strategy).toBe(peak);
    }
  });
});

describe('the mock follows conversations by call id', () => {
  it('counts a turn done when all its ids are in the history, however the client grouped them', () => {
    const scenario = loadScenario('weather-profile-email');
    const ids = (turn: number, count: number) =>
      Array.from({ length: count }, (_, i) => {
        const call = (scenario.turns[turn] as { calls: { id?: string }[] }).calls[i];
        return scriptedCallId(scenario, turn, i, call?.id);
      });
    expect(progressFromIds(scenario, new Set())).toEqual({ turnIndex: 0, callsDone: 0 });
    expect(progressFromIds(scenario, new Set(ids(0, 1)))).toEqual({ turnIndex: 0, callsDone: 1 });
    expect(progressFromIds(scenario, new Set(ids(0, 3)))).toEqual({ turnIndex: 1, callsDone: 0 });
    // Mastra sends both turns' calls in one assistant message: the mock must still move on to the answer
    expect(progressFromIds(scenario, new Set([...ids(0, 3), ...ids(1, 1)]))).toEqual({ turnIndex: 2, callsDone: 0 });
  });
});

describe('framework names, aliases and missing packages', () => {
  it('parses name@alias and refuses unknown names with the known ones', () => {
    expect(parseFrameworkSpec('openai-runtools@openai-6-44')).toEqual({
      framework: 'openai-runtools',
      alias: 'openai-6-44',
    });
    expect(() => parseFrameworkSpec('crewai')).toThrow(/Unknown framework `crewai`; expected one of ai-sdk/);
    expect(() => parseFrameworkSpec('ai-sdk@Not Valid')).toThrow(FrameworkError);
  });

  it('finds the version an alias installs, and names the install command when it is missing', () => {
    expect(resolveFramework({ framework: 'openai-runtools', alias: 'openai-6-44' }).version).toBe('6.44.0');
    expect(() => resolveFramework({ framework: 'openai-runtools', alias: 'openai-9-99' })).toThrow(
      'add it with `npm install --save-dev openai-9-99@npm:openai@VERSION`',
    );
    expect(() => resolveFramework({ framework: 'ai-sdk', alias: 'openai-6-44' })).toThrow(/is openai, not ai/);
  });

  it("maps several of a framework's packages to aliases joined by +, each by the package it installs", async () => {
    const spec = parseFrameworkSpec('ai-sdk@ai-sdk-openai-3+ai-6'); // in any order
    expect(spec).toEqual({ framework: 'ai-sdk', alias: 'ai-sdk-openai-3+ai-6' });
    const resolved = resolveFramework(spec);
    expect(resolved).toMatchObject({ label: 'ai-sdk@ai-sdk-openai-3+ai-6', installedAs: 'ai-6', package: 'ai' });
    expect(resolved.version).toBe('6.0.326');
    expect(resolved.packages).toMatchObject({ 'ai-6': '6.0.326', 'ai-sdk-openai-3': '3.0.141' });
    expect(Object.keys(resolved.packages)).not.toContain('ai'); // an alias stays an alias
    expect(await resolved.load('@ai-sdk/openai')).toBe(await import('ai-sdk-openai-3'));
    expect(await resolved.load('ai')).toBe(await import('ai-6'));
    // a package the spec leaves alone is the one installed under its own name
    const provider = resolveFramework(parseFrameworkSpec('ai-sdk@ai-sdk-openai-3'));
    expect(provider.packages).toMatchObject({ ai: expect.stringMatching(/^7\./), 'ai-sdk-openai-3': '3.0.141' });
    expect(await provider.load('ai')).toBe(await import('ai'));

    expect(() => parseFrameworkSpec('ai-sdk@ai-6+Not Valid')).toThrow(FrameworkError);
    expect(() => parseFrameworkSpec('ai-sdk@ai-6+')).toThrow(FrameworkError);
    expect(() => resolveFramework(parseFrameworkSpec('ai-sdk@ai-6+openai-6'))).toThrow(
      '`openai-6` is openai, not ai or @ai-sdk/openai',
    );
    expect(() => resolveFramework(parseFrameworkSpec('ai-sdk@ai-6+ai'))).toThrow('names two aliases of ai');
    expect(() => resolveFramework(parseFrameworkSpec('ai-sdk@ai-6+ai-sdk-openai-9'))).toThrow(
      'needs @ai-sdk/openai installed under the alias `ai-sdk-openai-9`; add it with `npm install --save-dev ai-sdk-openai-9@npm:@ai-sdk/openai@VERSION`',
    );
    // in any order: the missing alias stands for what the installed one does not replace
    expect(() => resolveFramework(parseFrameworkSpec('ai-sdk@ai-sdk-openai-3+ai-99'))).toThrow(
      'needs ai installed under the alias `ai-99`; add it with `npm install --save-dev ai-99@npm:ai@VERSION`',
    );
  });
});

function agentCell(executor: string, calls: number, overheadMs: number): CellOk {
  const estimate = (value: number) => ({ value, low: value * 0.95, high: value * 1.05 });
  return {
    id: `agent/fanout-${calls}/chat/${executor}`,
    kind: 'io',
    calls,
    executor,
    strategy: executor,
    status: 'ok',
    stats: { mean: 1, p50: 1, p75: 1, p99: 1, min: 1, max: 1, sd: 0, rme: 0, samples: 3 },
    speedup: estimate(5),
    roundsMs: [1, 1, 1],
    outcomes: { ok: calls, error: 0, timeout: 0, cancelled: 0 },
    overheadMs: estimate(overheadMs),
    overheadPerCallMs: estimate(overheadMs / calls),
    agent: { scenario: `fanout-${calls}`, steps: 2, modelMs: 40, toolsMs: 1, peakInFlight: calls },
  };
}

describe('growth of the overhead with the calls of a turn', () => {
  it('fits b ≈ 1 for a linear loop with a fixed cost, b ≈ 2 for a quadratic one, and flags only the latter', () => {
    const counts = [10, 100, 250, 500, 1000];
    const cells: CellResult[] = [
      ...counts.map((n) => agentCell('linear', n, 5 + 0.25 * n)), // a fixed 5 ms per run, 0.25 ms per call
      ...counts.map((n) => agentCell('quadratic', n, 5 + 0.04 * n * n)),
    ];
    withGrowth(cells);
    const growth = (executor: string) => (cells.find((c) => c.executor === executor) as CellOk).growth;
    expect(growth('linear')?.exponent).toBeGreaterThan(0.8);
    expect(growth('linear')?.exponent).toBeLessThan(1.1);
    expect(growth('linear')?.superlinear).toBe(false);
    expect(growth('quadratic')?.exponent).toBeGreaterThan(1.8);
    expect(growth('quadratic')?.superlinear).toBe(true);
  });

  it('does not fit fewer than three call counts', () => {
    const cells: CellResult[] = [agentCell('x', 10, 5), agentCell('x', 100, 50)];
    withGrowth(cells);
    expect((cells[0] as CellOk).growth).toBeUndefined();
  });

  it('the gate fails a cell that turned superlinear, and one whose overhead per call grew beyond its interval', () => {
    const options = { tolerance: 0.05, minEfficiency: 0.9 };
    const before = agentCell('openai-agents', 1000, 250);
    before.growth = { exponent: 1.0, points: 4, superlinear: false };
    const after = agentCell('openai-agents', 1000, 250);
    after.growth = { exponent: 1.7, points: 4, superlinear: true };
    expect(judgeCell(before, after, options).verdict).toBe('superlinear');
    expect(judgeCell(before, agentCell('openai-agents', 1000, 400), options)).toMatchObject({
      verdict: 'regression',
      reason: expect.stringMatching(/^overhead ≥ 380 µs\/call/),
    });
    expect(judgeCell(before, agentCell('openai-agents', 1000, 255), options).verdict).toBe('pass');
  });
});

describe('bench and gate with frameworks (CLI)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fanout-frameworks-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const common = ['--scenario', 'fanout', '--calls', '4', '--latency', '30', '--iterations', '3', '--quiet'];

  it('refuses a framework that is not installed, and agent-only flags, before measuring (exit 2, one line)', async () => {
    const missing = await cli(['bench', '--frameworks', 'openai-runtools@openai-1-0', ...common, '--out', dir]);
    expect(missing.code).toBe(2);
    expect(missing.stderr.trim().split('\n')).toHaveLength(1);
    expect(missing.stderr).toContain('npm install --save-dev openai-1-0@npm:openai@VERSION');
    const tools = await cli(['bench', '--mode', 'tools', '--frameworks', 'ai-sdk', '--out', dir]);
    expect(tools.code).toBe(2);
    expect(tools.stderr).toContain('`--frameworks` belongs to agent runs');
    // a framework that streams is measured against our loop on the streamed API, which the run must play
    const streamed = await cli(['bench', '--frameworks', 'ai-sdk-stream', ...common, '--out', dir]);
    expect(streamed.code).toBe(2);
    expect(streamed.stderr).toContain('`ai-sdk-stream` streams Chat Completions');
    expect(streamed.stderr).toContain('`--api chat,chat-stream`');
    const calls = await cli(['bench', '--frameworks', 'ai-sdk', '--calls', '4', '--out', dir]);
    expect(calls.code).toBe(2);
    expect(calls.stderr).toContain('--scenario fanout --calls');
    const probe = await cli(['probe', '--frameworks', 'crewai']);
    expect(probe.code).toBe(2);
    expect(probe.stderr).toMatch(/^Error: Unknown framework `crewai`; expected one of ai-sdk, .*\n$/);
    const gateWith = await cli(['gate', '--with', 'mastra', '--current', 'results/baseline.json']);
    expect(gateWith.code).toBe(2);
    expect(gateWith.stderr).toContain('`--with` measures framework versions');
    for (const [args, message] of [
      [
        ['--api', 'responses'],
        '`ai-sdk` speaks Chat Completions and is measured beside our loop on the same API; add `chat` to `--api`',
      ],
      [['--error-policy', 'fail-fast'], 'a framework decides itself what a failed call does'],
      [['--frameworks', ' , '], 'Expected framework names in `--frameworks`'],
    ] as const) {
      const refused = await cli(['bench', '--frameworks', 'ai-sdk', ...common, ...args, '--out', dir]);
      expect(refused.code, refused.stderr).toBe(2);
      expect(refused.stderr).toContain(message);
    }
    for (const [list, message] of [
      ['', 'Expected framework names in `--with`'],
      ['openai-runtools@openai-6-44,openai-runtools', '`--with` names openai-runtools twice'],
      ['openai-runtools@nope', 'needs openai installed under the alias `nope`'],
    ] as const) {
      const refused = await cli(['gate', '--with', list, '--baseline', 'results/baseline.json']);
      expect(refused.code, refused.stderr).toBe(2);
      expect(refused.stderr).toContain(message);
    }
    // a config executor under a framework's name would make two cells with one id
    const clash = join(dir, 'clash.config.mjs');
    writeFileSync(
      clash,
      `export default { executors: [{ name: 'mastra', description: 'x', takesLimit: false, ideal: 'unbounded',
        create: () => ({ name: 'mastra', run: async (calls) => [], close: async () => {} }) }] };\n`,
    );
    const both = await cli(['bench', '--config', clash, '--frameworks', 'mastra', '--executors', 'mastra', ...common]);
    expect(both.code, both.stderr).toBe(2);
    expect(both.stderr).toContain('`mastra` names both an executor and a framework');
  });

  it("measures a user's own framework adapter from the config, in a suite beside a built-in one", async () => {
    const config = join(import.meta.dirname, 'fixtures', 'user-framework', 'fanout.config.ts');
    const run = await cli(['bench', '--config', config, '--suite', 'loops', '--json', '--out', join(dir, 'loops')]);
    expect(run.code, run.stderr).toBe(0);
    const cells = (JSON.parse(run.stdout) as ResultsDocument).cells as CellOk[];
    const mine = cells.find((c) => c.executor === 'my-loop');
    const runTools = cells.find((c) => c.executor === 'openai-runtools');
    expect(mine?.framework).toMatchObject({ name: 'my-loop', package: 'openai' });
    expect(mine?.agent?.peakInFlight).toBe(1); // it runs calls one after another...
    expect(mine?.speedup?.value).toBeLessThan(1.2); // ...so it is no faster than sequential
    expect(runTools?.agent?.peakInFlight).toBe(4);
    const list = await cli(['list', '--config', config]);
    expect(list.stdout).toMatch(/my-loop +a hand-written loop on openai-node/);
  }, 60_000);

  it('the gate fails openai-node 6.44.0 (sequential runTools) against a baseline of our own openai, and passes it', async () => {
    const out = join(dir, 'baseline-run');
    // 5 rounds: the gate compares intervals, and 3 on a loaded machine can leave them too wide to tell
    const args = ['--scenario', 'fanout', '--calls', '4', '--latency', '30', '--iterations', '5', '--quiet'];
    const bench = await cli(['bench', '--frameworks', 'openai-runtools', ...args, '--out', out]);
    expect(bench.code, bench.stderr).toBe(0);
    const document = JSON.parse(readFileSync(join(out, 'latest.json'), 'utf8')) as ResultsDocument;
    expect(document.config.executors).toEqual(['sequential', 'promise-all']); // beside frameworks, by default
    const cell = document.cells.find((c) => c.executor === 'openai-runtools') as CellOk;
    expect(cell.framework).toMatchObject({ name: 'openai-runtools', package: 'openai', version: OWN_OPENAI });
    // 4 calls at once: ideal (40 + 120) ÷ (40 + 30) = 2.3x; one after another (6.44.0) reads about 1x
    expect(cell.speedup?.value).toBeGreaterThan(1.5);
    const baseline = join(dir, 'baseline.json');
    writeFileSync(baseline, readFileSync(join(out, 'latest.json')));

    const older = await cli([
      'gate',
      '--baseline',
      baseline,
      '--with',
      'openai-runtools@openai-6-44',
      '--out',
      out,
      '--wide',
    ]);
    expect(older.code, older.stdout + older.stderr).toBe(1);
    expect(older.stdout).toContain(`openai-runtools (openai@${OWN_OPENAI} → openai@6.44.0)`);
    expect(older.stdout).toMatch(/openai-runtools \(openai@[\d.]+ → openai@6\.44\.0\).*REGRESSION/);

    const same = await cli(['gate', '--baseline', baseline, '--out', out]);
    expect(same.code, same.stdout + same.stderr).toBe(0);
    expect(same.stdout).toContain('Gate passed');
  }, 120_000);
});
