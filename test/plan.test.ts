/** Plans run three ways (issue 24): the planner's DAG through the mock and the SDK, the bench's cells, refusals. */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { observations, runPlanAgent } from '../src/agent/planner.ts';
import { AgentSession } from '../src/agent/session.ts';
import { resolveBenchConfig } from '../src/cli/options.ts';
import { createRegistries } from '../src/config/registries.ts';
import { errorMessage, isInputError } from '../src/core/errors.ts';
import { mainThreadInvoke } from '../src/executors/registry.ts';
import { createModelMock } from '../src/model/mock-server.ts';
import { parsePlanText, planDepth } from '../src/model/plan.ts';
import { planScenario } from '../src/model/plan-scenarios.ts';
import type { CellOk, ResultsDocument } from '../src/results/document.ts';
import { toolRuntimeConfig } from '../src/tools/config.ts';
import { registerPlanTools } from '../src/tools/plan-tools.ts';
import { ToolRegistry } from '../src/tools/registry.ts';
import { ToolRuntime } from '../src/tools/runtime.ts';
import { cli } from './helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'fanout-plan-'));

function tools(): ToolRegistry {
  const registry = new ToolRegistry();
  registerPlanTools(registry);
  return registry;
}

/** Two searches, a math task on both, a search on its result: depth 3, two tasks on the first level. */
const TEXT = `Question: Which is taller, and what is the difference?
1. search("Mount Everest")
2. search("Mount Kilimanjaro")
3. math("abs($1 - $2)", ["$1", "$2"])
4. search("mountain of height $3")
Thought: I can answer the question now.
5. join()<END_OF_PLAN>
`;

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe('a plan through the mock and the OpenAI SDK', () => {
  it.each(['chat-stream', 'responses-stream', 'messages-stream'] as const)(
    'the DAG starts tasks while the plan streams (%s), each after the tasks it names, with their results in place',
    async (api) => {
      const registry = tools();
      const plan = parsePlanText(TEXT, 'mountains.txt', registry);
      const scenario = planScenario(plan, 'dag', registry);
      // a slow stream: the plan's text takes a few hundred ms, so the first tasks run while the rest still streams
      const mock = createModelMock({ scenario, tokensPerSecond: 400 });
      const runtime = new ToolRuntime(toolRuntimeConfig({ latencyMs: 20 }), { tools: registry });
      const run = await runPlanAgent({
        client: api === 'messages-stream' ? await mock.createDirectAnthropicClient() : mock.createDirectClient(),
        model: scenario.name,
        plan,
        tools: registry,
        runner: mainThreadInvoke(runtime),
        dag: {},
        api,
      });
      const [planning, joining] = run.steps;
      expect(run.status).toBe('answered');
      expect(run.answer).toBe(plan.answer);
      expect(planning?.outcomes.map((o) => [o.id, o.status])).toEqual([
        ['task_1', 'ok'],
        ['task_2', 'ok'],
        ['task_3', 'ok'],
        ['task_4', 'ok'],
      ]);
      expect(planning?.startedDuringStream).toBeGreaterThan(0);
      const outcome = (id: string) => planning?.outcomes.find((o) => o.id === id);
      // each task after the tasks it names ended
      expect(outcome('task_3')?.startedMs).toBeGreaterThanOrEqual(
        Math.max(outcome('task_1')?.endedMs ?? 0, outcome('task_2')?.endedMs ?? 0),
      );
      expect(outcome('task_4')?.startedMs).toBeGreaterThanOrEqual(outcome('task_3')?.endedMs ?? 0);
      // the first search began before the plan's last byte: the stream ended after it
      expect(outcome('task_1')?.startedMs).toBeLessThan(planning?.modelMs ?? 0);
      // `$1`, `$2` became the searches' results (LLMCompiler passes observations as text)
      const math = JSON.parse(planning?.calls[2]?.arguments ?? '{}') as { problem: string; context: string[] };
      const first = (outcome('task_1') as { value: unknown }).value as string;
      expect(math.context[0]).toBe(first);
      expect(math.problem).toContain(first);
      // the joiner got every observation, and the mock saw one planning request and one joining request
      const exchanges = mock.takeExchanges();
      expect(exchanges.map((e) => e.stream)).toEqual([true, true]);
      expect(Object.keys(exchanges[0]?.readyAt ?? {})).toEqual(['task_1', 'task_2', 'task_3', 'task_4']);
      expect(joining?.calls).toEqual([]);
      expect(observations(plan.tasks, planning?.outcomes ?? [])).toContain(`Observation: ${first}`);
    },
  );

  it('ReAct asks one call a turn and parallel FC one turn per level; the model fills each reference', async () => {
    const registry = tools();
    const plan = parsePlanText(TEXT, 'mountains.txt', registry);
    const mock = createModelMock({});
    mock.listen();
    try {
      for (const [way, turns] of [
        ['react', [1, 1, 1, 1]],
        ['parallel-fc', [2, 1, 1]],
      ] as const) {
        const scenario = planScenario(plan, way, registry);
        const session = await AgentSession.start({
          target: { kind: 'mock', scenario, shared: mock },
          executor: { strategy: way === 'react' ? 'sequential' : 'promise-all' },
          tools: toolRuntimeConfig({ latencyMs: 5 }),
          toolRegistry: registry,
          api: 'chat',
        });
        const run = await session.run();
        await session.close();
        expect(run.steps.filter((s) => s.calls.length > 0).map((s) => s.calls.length)).toEqual(turns);
        expect(turns.length).toBe(way === 'react' ? plan.tasks.length : Math.max(...planDepth(plan)));
        const calls = run.steps.flatMap((s) => s.calls);
        const searched = run.steps.flatMap((s) => s.outcomes).find((o) => o.id === 'task_1') as { value: string };
        const math = JSON.parse(calls.find((c) => c.id === 'task_3')?.arguments ?? '{}') as { context: string[] };
        expect(math.context[0]).toBe(searched.value);
        expect(run.answer).toBe(plan.answer);
      }
    } finally {
      mock.close();
    }
  });
});

describe('bench --plan', () => {
  it('measures each way in one run: ReAct the reference, the DAG polled and unpolled, ideals from the stream', async () => {
    const out = join(dir, 'bench');
    const result = await cli([
      ...['bench', '--plan', file('mountains.txt', TEXT), '--plan-modes', 'react,parallel-fc,dag,dag(1),dag+poll'],
      ...['--latency', '30', '--model-latency', '10', '--tokens-per-second', '2000', '--iterations', '2'],
      ...['--json', '--out', out],
    ]);
    expect(result.code, result.stderr).toBe(0);
    const document = JSON.parse(result.stdout) as ResultsDocument;
    expect(document.config.agent).toMatchObject({
      plan: expect.stringContaining('mountains.txt'),
      planModes: ['react', 'parallel-fc', 'dag', 'dag(1)', 'dag+poll10ms'],
      api: 'chat-stream',
    });
    const cells = document.cells as CellOk[];
    expect(cells.map((c) => [c.id, c.status])).toEqual(
      ['react', 'parallel-fc', 'dag', 'dag(1)', 'dag+poll10ms'].map((way) => [
        `agent/plan-mountains/chat-stream/${way}`,
        'ok',
      ]),
    );
    const cell = (way: string) => cells.find((c) => c.executor === way) as CellOk;
    expect(cell('react').speedup?.value).toBe(1);
    expect(cell('react').agent?.steps).toBe(5);
    expect(cell('parallel-fc').agent?.steps).toBe(4);
    expect(cell('dag').agent?.steps).toBe(2);
    expect(cell('react').agent?.peakInFlight).toBe(1);
    expect(cell('dag(1)').agent?.peakInFlight).toBe(1);
    expect(cell('parallel-fc').agent?.peakInFlight).toBe(2);
    // the tasks that ran after the plan's stream ended are tool time, not the loop's
    expect(cell('dag').agent?.toolsMs).toBeGreaterThan(0);
    for (const c of cells) {
      expect(c.idealMs, c.id).toBeGreaterThan(0);
      // no run beats its ideal: within its interval, efficiency stays at most 1
      expect(c.efficiency?.low ?? 2, c.id).toBeLessThanOrEqual(1);
    }
    // the ideal orders the ways as the schedule does: ReAct serial, the DAG on the critical path
    expect(cell('dag').idealMs).toBeLessThan(cell('parallel-fc').idealMs ?? 0);
    expect(cell('parallel-fc').idealMs).toBeLessThan(cell('react').idealMs ?? 0);
    expect(result.stderr).not.toContain('Error');
  }, 120_000);

  it.each([
    [
      'a cycle',
      'cycle.json',
      '{"question":"q","tasks":[{"tool":"search","args":["$2"]},{"tool":"search","args":["$1"]}]}',
      /task 1: \$2 refers to a later task \(a cycle: 1 → 2 → 1\)/,
    ],
    [
      'a forward reference',
      'forward.txt',
      '1. search("a")\n2. search($3)\n3. search("b")\n',
      /task 2: \$3 refers to a later task/,
    ],
    ['a reference to itself', 'self.txt', '1. search("a")\n2. search("$2")\n', /task 2: \$2 refers to itself/],
    ['an unknown tool', 'unknown.txt', '1. search("a")\n2. serch($1)\n', /task 2: unknown tool "serch"/],
  ])('refuses %s in one line, exit 2, before anything runs', async (_what, name, text, message) => {
    const out = join(dir, `refused-${name}`);
    const result = await cli(['bench', '--plan', file(name, text), '--out', out]);
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(message);
    expect(() => readFileSync(join(out, 'latest.json'))).toThrow();
  });

  it.each([
    [{ planModes: 'react,dagg' }, /Expected `--plan-modes` to list .*; got `dagg`/],
    [{ planModes: 'dag,dag+poll10ms,dag+poll' }, /names dag\+poll10ms twice/],
    [{ dispatch: 'early' }, /does not apply to a plan/],
    [{ executors: 'promise-all' }, /measures its ways, not executors/],
    [{ scenario: 'fanout-4' }, /drop `--scenario`/],
    [{ reference: false }, /`--no-reference` skips `react`/],
    [{ planModes: 'dag,dag(2)' }, /speedups are against `react`; add it to `--plan-modes`, or pass `--no-reference`/],
  ])('refuses %j beside --plan with an input error naming the fix', (flags, message) => {
    // the flags as commander hands them over; the CLI prints an input error in one line, exit 2 (see above)
    const resolve = () => resolveBenchConfig({ plan: 'hotpotqa', ...flags }, { registries: createRegistries() });
    expect(resolve).toThrow(message);
    try {
      resolve();
    } catch (error) {
      expect(isInputError(error)).toBe(true);
      expect(errorMessage(error)).not.toContain('\n');
    }
  });

  it('refuses a folder as a plan, and a plan in `run`', async () => {
    const folder = await cli(['bench', '--plan', dir]);
    expect(folder.code).toBe(2);
    expect(folder.stderr).toMatch(/a folder, not a plan file/);
    const run = await cli(['run', '--plan', 'hotpotqa']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/unknown option '--plan'/);
  });

  it('with faults, a task whose input failed is not run and takes no time in the ideal', async () => {
    const result = await cli([
      ...['bench', '--plan', file('faults.txt', TEXT), '--plan-modes', 'react,dag', '--fail-rate', '0.4'],
      ...['--latency', '20', '--model-latency', '5', '--tokens-per-second', '5000', '--iterations', '4', '--json'],
      ...['--out', join(dir, 'faults')],
    ]);
    expect(result.code, result.stderr).toBe(0);
    const cells = (JSON.parse(result.stdout) as ResultsDocument).cells as CellOk[];
    const dag = cells.find((c) => c.executor === 'dag') as CellOk;
    expect(dag.outcomes.error).toBeGreaterThan(0);
    expect(dag.efficiency?.low ?? 2).toBeLessThanOrEqual(1);
  }, 60_000);

  it('the gate measures a plan baseline again, and refuses one whose plan changed since', async () => {
    const plan = file('gated.txt', TEXT);
    const out = join(dir, 'gated');
    const baseline = join(out, 'baseline.json');
    const recorded = await cli([
      ...['baseline', '--plan', plan, '--plan-modes', 'react,dag', '--latency', '20', '--model-latency', '5'],
      ...['--tokens-per-second', '5000', '--iterations', '3', '--file', baseline, '--quiet'],
    ]);
    expect(recorded.code, recorded.stderr).toBe(0);
    const gate = await cli(['gate', '--baseline', baseline, '--out', out, '--min-efficiency', '0.5']);
    expect(gate.code, gate.stderr + gate.stdout).toBe(0);
    expect(gate.stdout).toContain('agent/plan-gated/chat-stream/dag');
    writeFileSync(plan, TEXT.replace('Mount Everest', 'K2'));
    const changed = await cli(['gate', '--baseline', baseline, '--out', out]);
    expect(changed.code).toBe(2);
    expect(changed.stderr).toMatch(/the plan .*gated\.txt changed since .* was recorded; re-record it/);
  }, 120_000);

  it('refuses --plan-modes without a plan', async () => {
    const result = await cli(['bench', '--mode', 'agent', '--plan-modes', 'dag']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/`--plan-modes` belongs to plan runs; add `--plan FILE`/);
  });
});
