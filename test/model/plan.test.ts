import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isInputError } from '../../src/core/errors.ts';
import {
  listPlans,
  loadPlan,
  namedArguments,
  type Plan,
  PlanError,
  PlanStreamParser,
  type PlanTask,
  parsePlanJson,
  parsePlanText,
  planDepth,
  resolveReferences,
  scenarioReferences,
} from '../../src/model/plan.ts';
import { findReferences } from '../../src/model/references.ts';
import { defineTool } from '../../src/tools/definition.ts';
import { registerPlanTools } from '../../src/tools/plan-tools.ts';
import { registerSimulatedTool } from '../../src/tools/recorded-tools.ts';
import { ToolRegistry } from '../../src/tools/registry.ts';

function planTools(): ToolRegistry {
  const tools = new ToolRegistry();
  registerPlanTools(tools);
  return tools;
}

const tools = planTools();

/** The paper's ParallelQA example, as the planner writes it. */
const PAPER_TEXT = `Question: If cheetah was 1.3 times slower, greyhound was 1.5 times faster, and falcon was 2.3 time slower then their maximum speeds, what will be the ratio of the fastest animal to the slowest animal?
1. search("cheetah")
2. math("cheetah max speed in km/h if 1.3 times slower?", ["$1"])
3. search("greyhound")
4. math("greyhound max speed in km/h if 1.5 times faster?", ["$3"])
5. search("falcon")
6. math("falcon max speed in km/h if 2.3 times slower?", ["$5"])
7. math("max($2, $4, $6) / min($2, $4, $6)")
Thought: I can answer the question now.
8. join()<END_OF_PLAN>
`;

const shape = (task: PlanTask) => ({ index: task.index, tool: task.tool, args: task.args, deps: task.deps });

function refusal(run: () => unknown): PlanError {
  try {
    run();
  } catch (error) {
    expect(isInputError(error)).toBe(true);
    if (error instanceof PlanError) {
      expect(error.message).not.toContain('\n');
      return error;
    }
    throw error;
  }
  throw new Error('expected a PlanError');
}

const textRefusal = (text: string) => refusal(() => parsePlanText(text, 'p.txt', tools)).message;
const jsonRefusal = (plan: unknown) =>
  refusal(() => parsePlanJson(typeof plan === 'string' ? plan : JSON.stringify(plan), 'p.json', tools)).message;
const jsonTasks = (...tasks: unknown[]) => ({ question: 'q?', tasks });

describe('reading plans', () => {
  it('reads the text form and the JSON form of the same plan to the same tasks', () => {
    const text = parsePlanText(PAPER_TEXT, 'plans/paper.txt', tools);
    const json = loadPlan('parallelqa', tools);
    expect(text.tasks.map(shape)).toEqual(json.tasks.map(shape));
    expect(text.tasks.map((task) => task.line)).toEqual(json.tasks.map((task) => task.line));
    expect(text.tasks[6]?.deps).toEqual([2, 4, 6]); // references inside a quoted string count
    expect(text.tasks[1]?.args).toEqual(['cheetah max speed in km/h if 1.3 times slower?', ['$1']]);
    expect(text.question).toBe(json.question);
    expect(text.name).toBe('paper');
    // the planner's text: every line but the question, Thought lines kept, the join last
    expect(text.text).toBe(`${PAPER_TEXT.split('\n').slice(1).join('\n')}`);
    expect(json.text.split('\n').slice(-2)).toEqual(['8. join()<END_OF_PLAN>', '']);
    expect(json.text).toContain('2. math("cheetah max speed in km/h if 1.3 times slower?", ["$1"])\n');
  });

  it(`reads $N and \${N}, bare or quoted, Python literals and a missing join`, () => {
    const tools = planTools();
    registerSimulatedTool(tools, 'compare', 'any arguments', 'test');
    const plan = parsePlanText(
      [
        '1. search("a")',
        "2. search('b\\'s')",
        `3. compare($1, \${2}, "both \${1} and $2", [1, 2.5, True, None], {"k": (1, 2)})  #E3`,
      ].join('\n'),
      'cmp.txt',
      tools,
    );
    expect(plan.question).toBe("Answer using the plan's tools.");
    expect(plan.tasks.map((task) => task.deps)).toEqual([[], [], [1, 2]]);
    expect(plan.tasks[1]?.args).toEqual(["b's"]);
    expect(plan.tasks[2]?.args).toEqual(['$1', `\${2}`, `both \${1} and $2`, [1, 2.5, true, null], { k: [1, 2] }]);
    expect(plan.text.split('\n').at(-2)).toBe('4. join()<END_OF_PLAN>');
    expect(namedArguments(plan.tasks[2] as PlanTask, tools)).toEqual({ args: plan.tasks[2]?.args });
  });

  it('names positional arguments by the schema', () => {
    const plan = loadPlan('parallelqa', tools);
    expect(namedArguments(plan.tasks[0] as PlanTask, tools)).toEqual({ query: 'cheetah' });
    expect(namedArguments(plan.tasks[1] as PlanTask, tools)).toEqual({
      problem: 'cheetah max speed in km/h if 1.3 times slower?',
      context: ['$1'],
    });
    expect(namedArguments(plan.tasks[6] as PlanTask, tools)).toEqual({ problem: 'max($2, $4, $6) / min($2, $4, $6)' });
  });

  it('resolves references to results and rewrites them as scenario references', () => {
    const results = new Map([
      [2, '10'],
      [4, '20'],
    ]);
    const value = [`max($2, \${4})`, { problem: '$2', context: [`\${4}`, 3] }, '$9'];
    expect(resolveReferences(value, results)).toEqual(['max(10, 20)', { problem: '10', context: ['20', 3] }, '$9']);
    expect(value[0]).toBe(`max($2, \${4})`); // a copy
    const rewritten = scenarioReferences(value) as [string, unknown, string];
    expect(rewritten).toEqual([
      'max({{task_2}}, {{task_4}})',
      { problem: '{{task_2}}', context: ['{{task_4}}', 3] },
      '{{task_9}}',
    ]);
    expect(findReferences(rewritten[0]).map((reference) => reference.callId)).toEqual(['task_2', 'task_4']);
  });
});

describe('refusals name the task on one line', () => {
  it('refuses a plan with no tasks', () => {
    const none = 'no tasks: a plan needs at least one, e.g. 1. search("cheetah")';
    expect(textRefusal('Question: q?\nThought: nothing to do.\n')).toBe(`p.txt: ${none}`);
    expect(jsonRefusal(jsonTasks())).toBe(`p.json: ${none}`);
  });

  it('refuses task numbers out of order', () => {
    expect(textRefusal('1. search("a")\n2. search("b")\n5. search("c")')).toBe('p.txt: task 3: numbered 5, expected 3');
  });

  it('refuses references to the task itself, a later task, a missing one, and a cycle', () => {
    expect(textRefusal('1. search("a")\n2. search("b")\n3. math("$3 twice")')).toBe(
      'p.txt: task 3: $3 refers to itself',
    );
    expect(textRefusal('1. search("a")\n2. math("x", ["$4"])\n3. search("c")\n4. search("d")')).toBe(
      'p.txt: task 2: $4 refers to a later task; a task may only use results of tasks before it',
    );
    expect(textRefusal(`1. search("a")\n2. math("\${9}")`)).toBe(
      `p.txt: task 2: \${9} refers to a missing task (the plan has tasks 1 to 2)`,
    );
    const cycle = jsonTasks({ tool: 'math', args: ['$2'] }, { tool: 'math', args: ['$1'] });
    expect(jsonRefusal(cycle)).toBe(
      'p.json: task 1: $2 refers to a later task (a cycle: 1 → 2 → 1); a task may only use results of tasks before it',
    );
    const longer = jsonTasks(
      { tool: 'search', args: ['a'] },
      { tool: 'math', args: ['$4'] },
      { tool: 'math', args: ['$2'] },
      { tool: 'math', args: ['$3 and $1'] },
    );
    expect(jsonRefusal(longer)).toBe(
      'p.json: task 2: $4 refers to a later task (a cycle: 2 → 4 → 3 → 2); a task may only use results of tasks before it',
    );
  });

  it('refuses an unknown tool and arguments the schema does not take', () => {
    expect(textRefusal('1. search("a")\n2. serch("b")')).toBe(
      `p.txt: task 2: unknown tool "serch" (known: ${tools.names().join(', ')})`,
    );
    expect(textRefusal('1. search("a", "b")')).toBe('p.txt: task 1: search takes 1 argument (query), got 2');
    expect(textRefusal('1. math()')).toBe(
      'p.txt: task 1: missing required argument "problem" of math (in order: problem, context)',
    );
    expect(textRefusal('1. search(42)')).toBe('p.txt: task 1: argument 1 (query) of search must be a string');
    expect(textRefusal('1. search("a")\n2. math("x", "b")')).toBe(
      'p.txt: task 2: argument 2 (context) of math must be an array',
    );
    // a string holding a reference passes whatever type the parameter wants
    expect(parsePlanText('1. search("a")\n2. math("x", $1)', 'ok.txt', tools).tasks[1]?.deps).toEqual([1]);
  });

  it('refuses arguments it cannot read and lines that are not tasks', () => {
    const four = '1. search("a")\n2. search("b")\n3. search("c")\n';
    expect(textRefusal(`${four}4. search("d)`)).toBe(
      'p.txt: task 4: cannot read the arguments: the string at column 1 is not closed',
    );
    expect(textRefusal(`${four}4. search(query="d")`)).toBe(
      'p.txt: task 4: cannot read the arguments: keyword argument "query" at column 1: write the arguments in order, unnamed',
    );
    expect(textRefusal(`${four}4. search("d" "e")`)).toBe(
      'p.txt: task 4: cannot read the arguments: expected "," at column 5, found "\\""',
    );
    expect(textRefusal('1. search "a"')).toBe(
      'p.txt: task 1: cannot read the task: expected "1. tool(arguments)", got "1. search \\"a\\""',
    );
    expect(textRefusal('1. search("a")\nhello')).toBe('p.txt: line 2: not a task, a Thought or the Question: "hello"');
  });

  it('refuses tasks after the join', () => {
    expect(textRefusal('1. search("a")\n2. join()\n3. search("b")')).toBe(
      'p.txt: task 3: follows join() (task 2); join() must be the last task',
    );
    expect(jsonRefusal(jsonTasks({ tool: 'join' }, { tool: 'search', args: ['a'] }))).toBe(
      'p.json: task 2: follows join() (task 1); join() must be the last task',
    );
    expect(textRefusal('1. search("a")\n2. join("x")')).toBe('p.txt: task 2: join() takes no arguments');
    const joined = parsePlanJson(
      JSON.stringify(jsonTasks({ tool: 'search', args: ['a'] }, { tool: 'join' })),
      'j.json',
      tools,
    );
    expect(joined.tasks).toHaveLength(1);
  });

  it('refuses invalid JSON, unknown fields and numbers out of range', () => {
    // V8 quotes the source, newlines and all: the message stays on one line
    expect(jsonRefusal('{"question": "q?",\n"tasks": [}')).toMatch(
      /^p\.json: invalid JSON at line 2 column 11 \(position 29\): /,
    );
    expect(jsonRefusal({ ...jsonTasks({ tool: 'search', args: ['a'] }), steps: [] })).toBe(
      'p.json: unknown field "steps" (expected name, description, question, tasks, answer, modelLatencyMs, tokensPerSecond, toolLatencyMs, paper)',
    );
    expect(jsonRefusal(jsonTasks({ tool: 'search', arguments: ['a'] }))).toBe(
      'p.json: task 1: unknown field "arguments" (expected tool, args, latencyMs)',
    );
    expect(jsonRefusal({ ...jsonTasks({ tool: 'search', args: ['a'] }), modelLatencyMs: -1 })).toBe(
      'p.json: modelLatencyMs: must be a number of milliseconds from 0 to 600000, got -1',
    );
    expect(jsonRefusal({ ...jsonTasks({ tool: 'search', args: ['a'] }), tokensPerSecond: 0 })).toBe(
      'p.json: tokensPerSecond: must be a number from 1 to 100000, got 0',
    );
    expect(jsonRefusal({ ...jsonTasks({ tool: 'search', args: ['a'] }), toolLatencyMs: 1e9 })).toBe(
      'p.json: toolLatencyMs: must be a number of milliseconds from 0 to 600000, got 1000000000',
    );
    expect(jsonRefusal(jsonTasks({ tool: 'search', args: ['a'], latencyMs: 'fast' }))).toBe(
      'p.json: task 1: latencyMs: must be a number of milliseconds from 0 to 600000, got "fast"',
    );
    expect(jsonRefusal({ tasks: [{ tool: 'search', args: ['a'] }] })).toBe(
      'p.json: question: required: a non-empty string',
    );
    expect(jsonRefusal(jsonTasks({ tool: 'se\narch' }))).toBe(
      `p.json: task 1: unknown tool "se\\narch" (known: ${tools.names().join(', ')})`,
    );
  });
});

describe('presets', () => {
  it('load through loadPlan with the plan tools, with their paper figures and timing', () => {
    expect(listPlans()).toEqual(expect.arrayContaining(['hotpotqa', 'movie', 'parallelqa']));
    const depths: Record<string, number[]> = {
      hotpotqa: [1, 1],
      movie: [1, 1, 1, 1, 1, 1, 1, 1],
      parallelqa: [1, 2, 1, 2, 1, 2, 3],
    };
    for (const [name, depth] of Object.entries(depths)) {
      const plan: Plan = loadPlan(name, tools);
      expect(plan.name).toBe(name);
      expect(planDepth(plan)).toEqual(depth);
      expect(plan.description).not.toBe('');
      expect(plan.paper?.source).toBe('Kim et al. 2024, Table 1');
      expect(plan.modelLatencyMs).toBeGreaterThan(0);
      expect(plan.tokensPerSecond).toBeGreaterThan(0);
      expect(plan.toolLatencyMs).toBeGreaterThan(0);
    }
    expect(loadPlan('hotpotqa', tools).answer).toBe('yes');
    expect(loadPlan('movie', tools).answer).toBe('Austin Powers International Man of Mystery');
    expect(loadPlan('parallelqa', tools).paper).toMatchObject({ model: 'gpt-4-turbo', reactS: 35.9, dagS: 16.69 });
    expect(loadPlan('parallelqa', tools).tasks[1]?.latencyMs).toBe(1200);
  });

  it('need the plan tools, and name the known presets for an unknown one', () => {
    expect(refusal(() => loadPlan('hotpotqa', new ToolRegistry())).message).toMatch(
      /^fixtures\/plans\/hotpotqa\.json: task 1: unknown tool "search"/,
    );
    expect(refusal(() => loadPlan('nope', tools)).message).toMatch(
      /^fixtures\/plans\/nope\.json: unknown plan "nope" \(known: hotpotqa, movie, parallelqa/,
    );
  });

  it('loads a text plan by path and refuses a missing file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fanout-plan-'));
    writeFileSync(join(dir, 'mine.txt'), PAPER_TEXT);
    expect(loadPlan(join(dir, 'mine.txt'), tools).tasks).toHaveLength(7);
    expect(refusal(() => loadPlan(join(dir, 'none.json'), tools)).message).toBe(
      `${join(dir, 'none.json')}: file not found`,
    );
  });
});

describe('PlanStreamParser', () => {
  const plan = loadPlan('parallelqa', tools);

  it.each([1, 3, 7])('returns each task once its line is complete (%i-character pieces)', (size) => {
    const parser = new PlanStreamParser(plan);
    const seen: PlanTask[] = [];
    let fed = '';
    for (let at = 0; at < plan.text.length; at += size) {
      const before = fed;
      fed += plan.text.slice(at, at + size);
      for (const task of parser.push(plan.text.slice(at, at + size))) {
        expect(fed).toContain(`${task.line}\n`);
        expect(before).not.toContain(`${task.line}\n`);
        seen.push(task);
      }
    }
    expect(parser.end()).toEqual([]);
    expect(seen).toEqual(plan.tasks); // the plan's own objects, in order, once each
    expect(seen.every((task, i) => task === plan.tasks[i])).toBe(true);
  });

  it('completes a last line without a newline at end(), and passes over other lines', () => {
    const parser = new PlanStreamParser(plan);
    expect(parser.push('Thought: start.\n1. search("cheetah")\n1. search("cheetah")\n99. nothing()\n2. math(')).toEqual(
      [plan.tasks[0]],
    );
    expect(parser.push('"x", ["$1"])')).toEqual([]);
    expect(parser.end()).toEqual([plan.tasks[1]]);
  });
});

describe('plan tools', () => {
  it('answer deterministically', () => {
    const { definition: search } = tools.named('search');
    const { definition: math } = tools.named('math');
    expect(search.execute({ query: 'cheetah' }, { mailbox: [] })).toMatch(/^Search result for "cheetah": /);
    const answer = math.execute({ problem: 'max($2, $4)' }, { mailbox: [] });
    expect(math.execute({ problem: 'max($2, $4)' }, { mailbox: [] })).toBe(answer);
    expect(search.latency).toBe('simulated');
    expect(tools.entries().find((entry) => entry.definition.name === 'math')?.source).toBe('plan tools');
  });

  it("leave a user's own search alone", () => {
    const mine = defineTool({
      name: 'search',
      description: 'mine',
      parameters: { type: 'object', properties: { q: { type: 'string' } } },
      execute: () => 'mine',
    });
    const registry = new ToolRegistry();
    registry.register(mine, 'fanout.config.ts');
    registerPlanTools(registry);
    registerPlanTools(registry);
    expect(registry.named('search')).toEqual({ definition: mine, source: 'fanout.config.ts' });
    expect(registry.named('math').source).toBe('plan tools');
  });
});
