/**
 * Seeded fuzzing of the two inputs fanout-bench does not control: scenario files and model responses.
 * Every case derives from FUZZ_SEED (env, default below) and its index, so a failure message's
 * "seed S case N" reproduces with `FUZZ_SEED=S npx vitest run test/fuzz.test.ts`.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HttpResponse, http } from 'msw';
import type OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAgent } from '../src/agent/loop.ts';
import { AgentError, type AgentRun } from '../src/agent/types.ts';
import { createExecutor, type ExecutorSpec, formatSpec } from '../src/executors/registry.ts';
import type { Executor } from '../src/executors/types.ts';
import { loadScenario, scenariosDir } from '../src/model/load.ts';
import { createModelMock } from '../src/model/mock-server.ts';
import { type ChatRequestMessage, checkChatMessages } from '../src/model/rules.ts';
import { isAnswerTurn, parseScenario, type Scenario, ScenarioError } from '../src/model/scenario.ts';
import type { ToolDefinition } from '../src/tools/definition.ts';
import { mulberry32 } from '../src/tools/random.ts';
import { ToolRegistry } from '../src/tools/registry.ts';

const builtIns = new ToolRegistry();

import { cli, testRuntime } from './helpers.ts';

const SEED = Number(process.env.FUZZ_SEED ?? 0x5eed_f00d) >>> 0;
const SCENARIO_CASES = 400;
const CLI_CASES = 20;
const MODEL_CASES_PER_STRATEGY = 25;

type Rng = () => number;
const int = (rng: Rng, n: number): number => Math.floor(rng() * n);
const pick = <T>(rng: Rng, items: readonly T[]): T => items[int(rng, items.length)] as T;
const chance = (rng: Rng, p: number): boolean => rng() < p;
/** A PRNG for case `index` of stream `stream`: cases do not depend on each other. */
const caseRng = (stream: number, index: number): Rng => mulberry32((SEED ^ Math.imul(stream, 0x9e3779b1)) + index);

const summary = {
  scenarioCases: 0,
  scenarioDistinct: new Set<string>(),
  scenarioValid: 0,
  scenarioErrors: new Map<string, number>(),
  cliCases: 0,
  cliCodes: new Map<string, number>(),
  modelCases: 0,
  modelDistinct: new Set<string>(),
  badCalls: new Set<string>(),
  modelOutcomes: new Map<string, number>(),
};
const bump = (map: Map<string, number>, key: string) => map.set(key, (map.get(key) ?? 0) + 1);

afterAll(() => {
  const list = (map: Map<string, number>) => [...map].map(([k, v]) => `${k} ${v}`).join(', ');
  console.log(
    `fuzz: seed ${SEED}: ${summary.scenarioCases} scenario mutations (${summary.scenarioDistinct.size} distinct, ` +
      `${summary.scenarioValid} still valid, ${summary.cliCases} through the CLI: ${list(summary.cliCodes)}), ` +
      `${summary.modelCases} model responses (${summary.modelDistinct.size} distinct tool_calls lists, ` +
      `${summary.badCalls.size} distinct bad calls; ${list(summary.modelOutcomes)})`,
  );
  const top = [...summary.scenarioErrors].sort((a, b) => b[1] - a[1]).slice(0, 12);
  console.log(`fuzz: ${summary.scenarioErrors.size} kinds of scenario errors, most frequent: ${list(new Map(top))}`);
});

// ---------------------------------------------------------------------------------------------------------------
// a. scenario files
// ---------------------------------------------------------------------------------------------------------------

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Path = (string | number)[];

const FIXTURES = readdirSync(scenariosDir)
  .filter((f) => f.endsWith('.json'))
  .sort()
  .map((f) => ({ file: f, text: readFileSync(join(scenariosDir, f), 'utf8') }));

function tryParse(text: string): Json | undefined {
  try {
    return JSON.parse(text) as Json;
  } catch {
    return undefined;
  }
}

const isObject = (v: unknown): v is { [key: string]: Json } => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Sets an own property even for names like `__proto__` (plain assignment would change the prototype). */
function define(target: { [key: string]: Json }, key: string, value: Json): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

function nodes(value: Json, path: Path = []): { path: Path; value: Json }[] {
  const out: { path: Path; value: Json }[] = [{ path, value }];
  if (Array.isArray(value)) for (const [i, v] of value.entries()) out.push(...nodes(v, [...path, i]));
  else if (isObject(value)) for (const [k, v] of Object.entries(value)) out.push(...nodes(v, [...path, k]));
  return out;
}

function getAt(root: Json, path: Path): Json | undefined {
  let current: Json | undefined = root;
  for (const key of path) {
    if (Array.isArray(current) && typeof key === 'number') current = current[key];
    else if (isObject(current) && typeof key === 'string' && Object.hasOwn(current, key)) current = current[key];
    else return undefined;
  }
  return current;
}

function setAt(root: Json, path: Path, value: Json): void {
  const parent = getAt(root, path.slice(0, -1));
  const key = path[path.length - 1];
  if (Array.isArray(parent) && typeof key === 'number') parent[key] = value;
  else if (isObject(parent) && typeof key === 'string') define(parent, key, value);
}

function deleteAt(root: Json, path: Path): void {
  const parent = getAt(root, path.slice(0, -1));
  const key = path[path.length - 1];
  if (Array.isArray(parent) && typeof key === 'number') parent.splice(key, 1);
  else if (isObject(parent) && typeof key === 'string') delete parent[key];
}

const WRONG_VALUES: Json[] = [null, true, false, 0, -1, 1.5, 7, '', 'x', ' ', [], {}, ['a'], { a: 1 }, [{}], '{{x.y}}'];
const UNKNOWN_TOOLS = [
  'get_wether',
  'GET_WEATHER',
  'get_weather ',
  '',
  'constructor',
  '__proto__',
  'toString',
  'send-email',
  'get_weather\n',
  'run_shell',
  '💥',
];
const UNKNOWN_KEYS = ['extra', 'Name', 'turn', 'calls ', '', 'constructor', 'toString', '__proto__', 'bad\nkey', '💥'];
// Argument names only: names that Object.prototype has are a known bug (see "known bugs"), tried there.
const UNKNOWN_ARGUMENTS = ['extra', 'City', 'city ', '', 'bad\nkey', '💥', 'cities'];
const GARBAGE = [
  '\u0000',
  '\u0007',
  '\u001f',
  '\ufffd',
  '\ud800',
  '\udfff',
  '\ufeff',
  'é',
  '\u2028',
  '“',
  '"',
  '\\',
  '{',
  '}',
  '[',
  ']',
  ',',
  ':',
  '\n',
  '\t',
  'x',
  '0',
  '-',
  'e',
];
const BROKEN_REFERENCES = [
  '{{nobody.email}}',
  '{{profile.email}',
  '{profile.email}}',
  '{{}}',
  '{{ profile }}',
  '{{profile..email}}',
  '{{email.to}}',
  '{{PROFILE.email}}',
  '{{weather_la.temp_c.deep.er}}',
  '{{ weather_la . temp_c }}',
  '{{profile.email}}{{nobody}}',
];

/** Call nodes of a parsed scenario: `[turn, call]` paths of objects under `turns[t].calls[c]`. */
function callPaths(data: Json): Path[] {
  return nodes(data)
    .filter(({ path, value }) => path.length === 4 && path[0] === 'turns' && path[2] === 'calls' && isObject(value))
    .map(({ path }) => path);
}

type Mutation = (text: string, rng: Rng) => string;

/** Mutations of the parsed document; when the text no longer parses they fall back to a text mutation. */
function onData(mutate: (data: Json, rng: Rng) => Json | undefined): Mutation {
  return (text, rng) => {
    const data = tryParse(text);
    if (data === undefined) return TEXT_MUTATIONS['delete-char']?.(text, rng) ?? text;
    const result = mutate(data, rng) ?? data;
    return JSON.stringify(result, null, pick(rng, [0, 2, '\t']));
  };
}

const TEXT_MUTATIONS: Record<string, Mutation> = {
  truncate: (t, rng) => t.slice(0, int(rng, t.length)),
  'delete-char': (t, rng) => {
    const i = int(rng, t.length);
    return t.slice(0, i) + t.slice(i + 1);
  },
  'duplicate-char': (t, rng) => {
    const i = int(rng, t.length);
    return t.slice(0, i + 1) + t.slice(i);
  },
  'swap-chars': (t, rng) => {
    const i = int(rng, Math.max(1, t.length - 1));
    return t.slice(0, i) + t.charAt(i + 1) + t.charAt(i) + t.slice(i + 2);
  },
  'insert-garbage': (t, rng) => {
    const i = int(rng, t.length + 1);
    return t.slice(0, i) + pick(rng, GARBAGE) + t.slice(i);
  },
  'bytes-garbage': (t, rng) => {
    const bytes = Buffer.from(Array.from({ length: 1 + int(rng, 12) }, () => int(rng, 256)));
    const i = int(rng, t.length);
    return t.slice(0, i) + bytes.toString(pick(rng, ['utf8', 'latin1'] as const)) + t.slice(i + int(rng, 8));
  },
  bom: (t) => `\ufeff${t}`,
  'deep-nesting': (t, rng) => {
    const i = int(rng, t.length);
    return t.slice(0, i) + '['.repeat(pick(rng, [10, 1000, 100_000])) + t.slice(i);
  },
  'trailing-garbage': (t, rng) => t + pick(rng, [',', '}', ']', 'x', '\u0000', '{}', '// end']),
  comment: (t, rng) => {
    const i = t.indexOf('\n', int(rng, t.length));
    return i < 0 ? `${t}// c` : `${t.slice(0, i)} // comment${t.slice(i)}`;
  },
  'latency-text': (t, rng) =>
    t.replace(
      /("(?:modelLatencyMs|latencyMs)":\s*)[^,}\n]+/,
      `$1${pick(rng, ['1e400', '-1', 'NaN', '"20"', '-0', '0.5'])}`,
    ),
  'break-reference': (t, rng) => {
    const references = [...t.matchAll(/\{\{[^}]*\}\}/g)];
    const hit = references.length > 0 ? pick(rng, references) : undefined;
    if (!hit || hit.index === undefined) return t.replace('"Tokyo"', `"${pick(rng, BROKEN_REFERENCES)}"`);
    return t.slice(0, hit.index) + pick(rng, BROKEN_REFERENCES) + t.slice(hit.index + hit[0].length);
  },
};

const DATA_MUTATIONS: Record<string, Mutation> = {
  'wrong-type': onData((data, rng) => {
    const targets = nodes(data).filter(({ path }) => path.length > 0);
    const target = pick(rng, targets);
    if (target) setAt(data, target.path, structuredClone(pick(rng, WRONG_VALUES)));
    return data;
  }),
  'drop-field': onData((data, rng) => {
    const targets = nodes(data).filter(({ path }) => typeof path[path.length - 1] === 'string');
    const target = pick(rng, targets);
    if (target) deleteAt(data, target.path);
    return data;
  }),
  'drop-required': onData((data, rng) => {
    const calls = callPaths(data);
    const targets: Path[] = [['name'], ['question'], ['turns'], ...calls.map((c) => [...c, 'name'])];
    for (const c of calls) {
      const args = getAt(data, [...c, 'arguments']);
      if (isObject(args)) for (const k of Object.keys(args)) targets.push([...c, 'arguments', k]);
    }
    deleteAt(data, pick(rng, targets));
    return data;
  }),
  'drop-element': onData((data, rng) => {
    const arrays = nodes(data).filter(({ value }) => Array.isArray(value) && value.length > 0);
    const target = pick(rng, arrays);
    if (target && Array.isArray(target.value)) target.value.splice(int(rng, target.value.length), 1);
    return data;
  }),
  'unknown-tool': onData((data, rng) => {
    const call = pick(rng, callPaths(data));
    if (call) setAt(data, [...call, 'name'], pick(rng, UNKNOWN_TOOLS));
    return data;
  }),
  'unknown-key': onData((data, rng) => {
    const objects = nodes(data).filter(({ path, value }) => isObject(value) && path[path.length - 1] !== 'arguments');
    const target = pick(rng, objects);
    if (target && isObject(target.value)) define(target.value, pick(rng, UNKNOWN_KEYS), pick(rng, ['x', 1]));
    return data;
  }),
  'unknown-argument': onData((data, rng) => {
    const call = pick(rng, callPaths(data));
    const args = call ? getAt(data, [...call, 'arguments']) : undefined;
    if (isObject(args)) define(args, pick(rng, UNKNOWN_ARGUMENTS), 'x');
    return data;
  }),
  'empty-turns': onData((data, rng) => {
    if (isObject(data)) define(data, 'turns', pick(rng, [[], {}, null, [[]], [{}]]));
    return data;
  }),
  'answer-first': onData((data, rng) => {
    const turns = isObject(data) ? data.turns : undefined;
    if (Array.isArray(turns) && turns.length > 0) {
      const answer = turns[turns.length - 1] as Json;
      if (chance(rng, 0.5)) turns.unshift(structuredClone(answer));
      else turns.unshift(...turns.splice(turns.length - 1, 1));
    }
    return data;
  }),
  'no-answer': onData((data, rng) => {
    const turns = isObject(data) ? data.turns : undefined;
    if (Array.isArray(turns)) {
      if (chance(rng, 0.5)) turns.pop();
      else turns.push(structuredClone(turns[0] ?? null));
    }
    return data;
  }),
  'both-answer-and-calls': onData((data) => {
    const turns = isObject(data) ? data.turns : undefined;
    const first = Array.isArray(turns) ? turns[0] : undefined;
    if (isObject(first)) define(first, 'answer', 'both');
    return data;
  }),
  'reference-forward': onData((data, rng) => {
    // a reference to a call of the same turn or a later one: calls of one turn run in parallel
    const calls = callPaths(data);
    const from = pick(rng, calls);
    const to = pick(rng, calls);
    if (!from || !to) return data;
    const id = `ref_${int(rng, 1000)}`;
    setAt(data, [...to, 'id'], id);
    const args = getAt(data, [...from, 'arguments']);
    const key = isObject(args) ? Object.keys(args)[0] : undefined;
    if (isObject(args) && key !== undefined) define(args, key, `{{${id}.field}}`);
    return data;
  }),
  'bad-id': onData((data, rng) => {
    const calls = callPaths(data);
    const call = pick(rng, calls);
    const other = pick(rng, calls);
    if (!call) return data;
    const existing = other ? getAt(data, [...other, 'id']) : undefined;
    const id: Json = pick(rng, ['has space', '', 'x'.repeat(65), 'x'.repeat(64), 5, null, 'ünï', 'ok_id-1', 'dup']);
    setAt(data, [...call, 'id'], chance(rng, 0.4) && typeof existing === 'string' ? existing : id);
    if (chance(rng, 0.3) && other) setAt(data, [...other, 'id'], 'dup');
    return data;
  }),
  'latency-value': onData((data, rng) => {
    const targets: Path[] = [
      ['modelLatencyMs'],
      ...callPaths(data).map((c) => [c[0] as string, c[1] as number, 'latencyMs']),
    ];
    setAt(data, pick(rng, targets), pick(rng, [-1, 0, 0.5, 3, '3', null, true, [3]]));
    return data;
  }),
  'root-type': (text, rng) =>
    pick(rng, ['[]', 'null', '"scenario"', '42', 'true', '', ' ', `[${text}]`, `{"scenario": ${text}}`]),
  'random-bytes': (_text, rng) =>
    Buffer.from(Array.from({ length: int(rng, 200) }, () => int(rng, 256))).toString(
      pick(rng, ['utf8', 'latin1'] as const),
    ),
};

const MUTATIONS: Record<string, Mutation> = { ...TEXT_MUTATIONS, ...DATA_MUTATIONS };
const MUTATION_NAMES = Object.keys(MUTATIONS);

interface ScenarioCase {
  index: number;
  base: string;
  applied: string[];
  text: string;
}

function scenarioCase(index: number): ScenarioCase {
  const rng = caseRng(1, index);
  const base = FIXTURES[index % FIXTURES.length] ?? FIXTURES[0];
  if (!base) throw new Error('no fixtures');
  // every mutation gets a turn first, then stacks of 1-3 random ones
  const count = index < MUTATION_NAMES.length ? 1 : 1 + int(rng, 3);
  const applied: string[] = [];
  let text = base.text;
  for (let k = 0; k < count; k++) {
    const name =
      k === 0 && index < MUTATION_NAMES.length ? (MUTATION_NAMES[index] as string) : pick(rng, MUTATION_NAMES);
    applied.push(name);
    text = (MUTATIONS[name] as Mutation)(text, rng);
  }
  return { index, base: base.file, applied, text };
}

const label = (c: ScenarioCase) =>
  `seed ${SEED} case ${c.index} (${c.base} + ${c.applied.join(' + ')}): ${JSON.stringify(c.text.slice(0, 160))}`;

const REFERENCE = /\{\{\s*([A-Za-z0-9_-]+)((?:\.[A-Za-z0-9_-]+)*)\s*\}\}/g;
const CALL_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** What makes a parsed scenario valid, checked independently of the validator. Problems start with a kind. */
function scenarioProblems(s: Scenario): string[] {
  const problems: string[] = [];
  const catalog = builtIns.definitions();
  if (typeof s.name !== 'string' || s.name === '') problems.push('name: empty');
  if (typeof s.question !== 'string' || s.question === '') problems.push('question: empty');
  if (typeof s.description !== 'string') problems.push('description: not a string');
  if (!Number.isFinite(s.modelLatencyMs) || s.modelLatencyMs < 0) problems.push('modelLatencyMs: invalid');
  if (s.turns.length === 0) problems.push('turns: empty');
  const known = new Set<string>();
  s.turns.forEach((turn, t) => {
    const last = t === s.turns.length - 1;
    if (turn.latencyMs !== undefined && !(Number.isFinite(turn.latencyMs) && turn.latencyMs >= 0)) {
      problems.push(`turns[${t}].latencyMs: invalid`);
    }
    if (isAnswerTurn(turn)) {
      if (!last) problems.push(`turns[${t}]: answer before the end`);
      if (typeof turn.answer !== 'string') problems.push(`turns[${t}].answer: not a string`);
      return;
    }
    if (last) problems.push(`turns[${t}]: last turn is not an answer`);
    if (!('calls' in turn)) {
      problems.push(`turns[${t}]: a plan turn in a scenario file`);
      return;
    }
    if (turn.calls.length === 0) problems.push(`turns[${t}].calls: empty`);
    const defined: string[] = [];
    turn.calls.forEach((call, c) => {
      const at = `turns[${t}].calls[${c}]`;
      const tool = catalog.find((d) => d.name === call.name);
      if (!tool) {
        problems.push(`${at}.name: unknown tool ${JSON.stringify(call.name)}`);
        return;
      }
      for (const [key, value] of Object.entries(call.arguments)) {
        if (!Object.hasOwn(tool.parameters.properties, key)) {
          problems.push(
            key in Object.prototype ? `proto-arg: ${at}.arguments.${key}` : `${at}.arguments.${key}: unknown`,
          );
        }
        if (typeof value !== 'string') {
          problems.push(`${at}.arguments.${key}: not a string`);
          continue;
        }
        for (const match of value.matchAll(REFERENCE)) {
          if (!known.has(match[1] ?? '')) problems.push(`${at}.arguments.${key}: reference to ${match[1]} not earlier`);
        }
      }
      for (const key of tool.parameters.required ?? []) {
        if (!Object.hasOwn(call.arguments, key)) problems.push(`${at}.arguments: missing ${key}`);
      }
      if (call.id !== undefined) {
        if (!CALL_ID.test(call.id)) problems.push(`${at}.id: invalid`);
        if (known.has(call.id) || defined.includes(call.id)) problems.push(`${at}.id: duplicate`);
        defined.push(call.id);
      }
    });
    for (const id of defined) known.add(id);
  });
  return problems;
}

type Verdict = { valid: true; scenario: Scenario } | { valid: false };

/**
 * The property: a valid scenario or a ScenarioError with a one-line message that names the file (and for schema
 * errors a field). Violations caused by the known bugs described below are counted, not failed.
 */
function checkScenarioCase(c: ScenarioCase): Verdict {
  let scenario: Scenario;
  try {
    scenario = parseScenario(c.text, 'fuzz.json');
  } catch (error) {
    expect(error, `${label(c)}: threw ${String(error)}`).toBeInstanceOf(ScenarioError);
    const e = error as ScenarioError;
    const data = tryParse(c.text);
    const firstLine = e.message.split('\n')[0] ?? '';
    expect(firstLine, label(c)).toMatch(/^fuzz\.json: ./);
    if (data === undefined) {
      // JSON syntax: the position must be there and agree with the text
      bump(summary.scenarioErrors, 'invalid JSON');
      expect(e.field, label(c)).toBe('');
      const where = /^fuzz\.json: invalid JSON at line (\d+) column (\d+) \(position (\d+)\): /.exec(e.message);
      if (!where && /\[{1000}/.test(c.text)) {
        // nested too deeply for the position scanner: the error still comes, without a position
        expect(e.message, label(c)).toMatch(/^fuzz\.json: invalid JSON: /);
        return { valid: false };
      }
      expect(where, `${label(c)}: ${e.message}`).not.toBeNull();
      const [line, column, position] = (where ?? []).slice(1).map(Number) as [number, number, number];
      expect(position, label(c)).toBeLessThanOrEqual(c.text.length);
      const before = c.text.slice(0, position);
      expect([line, column], label(c)).toEqual([before.split('\n').length, position - before.lastIndexOf('\n')]);
    } else if (!isObject(data)) {
      bump(summary.scenarioErrors, 'root');
      expect(e.message, label(c)).toBe('fuzz.json: must be a JSON object');
    } else {
      const kind = e.field.replace(/\[\d+\]/g, '[]').replace(/\.arguments\..*$/s, '.arguments.*');
      bump(summary.scenarioErrors, JSON.stringify(kind.length > 30 ? `${kind.slice(0, 30)}…` : kind));
      expect(e.field, `${label(c)}: a schema error names no field: ${e.message}`).not.toBe('');
      expect(e.message.startsWith(`fuzz.json: ${e.field}: `), `${label(c)}: ${e.message}`).toBe(true);
    }
    expect(e.message, `${label(c)}: message is not one line`).not.toMatch(/[\n\r]/);
    return { valid: false };
  }
  const problems = scenarioProblems(scenario);
  expect(problems, `${label(c)}: accepted an invalid scenario`).toEqual([]);
  summary.scenarioValid++;
  return { valid: true, scenario };
}

describe('fuzz: malformed scenario files', () => {
  const cases = Array.from({ length: SCENARIO_CASES }, (_, i) => scenarioCase(i));
  const verdicts = new Map<number, Verdict>();

  it(`parseScenario returns a valid scenario or throws a one-line ScenarioError (${SCENARIO_CASES} cases)`, () => {
    for (const c of cases) {
      summary.scenarioCases++;
      summary.scenarioDistinct.add(c.text);
      verdicts.set(c.index, checkScenarioCase(c));
    }
    // the fuzzer must reach both sides and most of the validator
    expect(summary.scenarioValid).toBeGreaterThan(10);
    expect(summary.scenarioErrors.size).toBeGreaterThan(15);
  });

  it(`the CLI runs or refuses ${CLI_CASES} mutated files with one line and exit code 2`, {
    timeout: 90_000,
  }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fanout-fuzz-'));
    try {
      const totalModelMs = (s: Scenario) => s.turns.reduce((sum, t) => sum + (t.latencyMs ?? s.modelLatencyMs), 0);
      const valid = cases.filter((c) => {
        const v = verdicts.get(c.index);
        return v?.valid === true && totalModelMs(v.scenario) <= 1000;
      });
      const invalid = cases.filter((c) => verdicts.get(c.index)?.valid === false);
      // a few valid ones, the rest spread over the invalid ones (different error kinds)
      const validCount = Math.min(5, valid.length);
      const chosen = [
        ...valid.slice(0, validCount),
        ...Array.from(
          { length: CLI_CASES - validCount },
          (_, i) => invalid[Math.floor((i * invalid.length) / (CLI_CASES - validCount))] as ScenarioCase,
        ),
      ];
      const results = await pool(chosen, 3, async (c) => {
        const path = join(dir, `case-${c.index}.json`);
        writeFileSync(path, c.text);
        return {
          c,
          path,
          result: await cli(['run', '--scenario', path, '--executor', 'promise-all', '--latency', '1']),
        };
      });
      for (const { c, result } of results) {
        summary.cliCases++;
        bump(summary.cliCodes, `exit ${result.code}`);
        const verdict = verdicts.get(c.index);
        const context = `${label(c)}\nexit ${result.code}\nstderr: ${result.stderr}`;
        expect(result.stderr, context).not.toMatch(/\n\s+at /);
        if (verdict?.valid) {
          // a complete run: failed calls go back to the model, whatever failed
          expect(result.code, context).toBe(0);
          expect(result.stdout.length, context).toBeGreaterThan(0);
        } else {
          expect(result.code, context).toBe(2);
          expect(result.stderr, context).toMatch(/^Error: [^\n]+\n$/);
          // known bug 1: the stack overflow's message names no file
          expect(result.stderr, context).toContain(`case-${c.index}.json`);
        }
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** Runs `work` over `items` with at most `limit` at once; results in item order. */
async function pool<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return results;
}

// ---------------------------------------------------------------------------------------------------------------
// b. model responses through the agent loop
// ---------------------------------------------------------------------------------------------------------------

const SPECS: ExecutorSpec[] = [
  { strategy: 'sequential' },
  { strategy: 'promise-all' },
  { strategy: 'limited', limit: 2 },
  { strategy: 'worker-pool', limit: 2 },
];
const COMPLETIONS_URL = 'https://api.openai.com/v1/chat/completions';
const CURRENCIES = ['USD', 'JPY', 'EUR', 'GBP', 'CNY'];

interface FuzzCall {
  id: string;
  name: string;
  arguments: string;
  kind: string;
}

/** A turn of the scripted model: tool calls (possibly an empty list) or the final text. */
type FuzzTurn = { calls: FuzzCall[]; text: string | null } | { answer: string; emptyList: boolean };

function validArguments(tool: ToolDefinition, rng: Rng): Record<string, string> {
  const values: Record<string, readonly string[]> = {
    city: ['Tokyo', 'LA', 'Atlantis', '', 'São Paulo', 'x'.repeat(300)],
    ticker: ['AAPL', 'msft', 'ZZZZ', ''],
    topic: ['AI', '', '🚀', '"quoted"'],
    from_currency: [...CURRENCIES, 'usd', 'XXX'],
    to_currency: [...CURRENCIES, 'jpy', '???'],
    to: ['jack@example.com', 'not an address', ''],
    message: ['hi', '', 'line\nbreak', '{{profile.email}}'],
  };
  const args: Record<string, string> = {};
  for (const key of Object.keys(tool.parameters.properties)) args[key] = pick(rng, values[key] ?? ['x']);
  return args;
}

function fuzzArguments(tool: ToolDefinition | undefined, rng: Rng): { text: string; kind: string } {
  const args = tool ? validArguments(tool, rng) : { city: 'Tokyo' };
  const valid = JSON.stringify(args, null, chance(rng, 0.3) ? 1 : 0);
  const required = tool?.parameters.required ?? [];
  const kind = pick(rng, [
    'valid',
    'valid',
    'valid',
    'valid',
    'valid',
    'valid',
    'empty',
    'invalid-json',
    'not-object',
    'wrong-type',
    'missing-field',
    'extra-field',
  ]);
  switch (kind) {
    case 'empty':
      return { kind, text: pick(rng, ['', '  ', '\n']) };
    case 'invalid-json': {
      const broken = [
        valid.slice(0, Math.max(1, int(rng, valid.length - 1))),
        "{'city': 'x'}",
        '{city: x}',
        'undefined',
      ];
      return { kind, text: pick(rng, [...broken, 'NaN', `${valid}}`, `${valid} trailing`, '{"a":1,}', '\u0000']) };
    }
    case 'not-object':
      return { kind, text: pick(rng, ['null', '[]', '"Tokyo"', '42', 'true', JSON.stringify([args])]) };
    case 'wrong-type': {
      const key = required.length > 0 ? pick(rng, required) : 'x';
      return { kind, text: JSON.stringify({ ...args, [key]: pick(rng, [5, null, true, {}, [], ['Tokyo']]) }) };
    }
    case 'missing-field': {
      const copy: Record<string, string> = { ...args };
      if (required.length > 0) delete copy[pick(rng, required)];
      return { kind, text: JSON.stringify(copy) };
    }
    case 'extra-field':
      return { kind, text: JSON.stringify({ ...args, [pick(rng, ['extra', 'City', '', '💥'])]: 'x' }) };
    default:
      return { kind, text: valid };
  }
}

/**
 * What the tool runtime must answer for a call, from the catalog's schemas (written independently of
 * `parseArguments`): ok, or error.
 */
function expectedStatus(name: string, raw: string): 'ok' | 'error' {
  const tool = builtIns.definitions().find((t) => t.name === name);
  if (!tool) return 'error';
  let args: unknown;
  try {
    args = raw.trim() === '' ? {} : JSON.parse(raw);
  } catch {
    return 'error';
  }
  if (!isObject(args)) return 'error';
  for (const key of tool.parameters.required ?? []) if (!Object.hasOwn(args, key)) return 'error';
  for (const [key, value] of Object.entries(args)) {
    if (!Object.hasOwn(tool.parameters.properties, key) || typeof value !== 'string') return 'error';
  }
  return 'ok';
}

function fuzzScript(rng: Rng): FuzzTurn[] {
  const catalog = builtIns.definitions();
  const turns: FuzzTurn[] = [];
  const used: string[] = [];
  const toolTurns = int(rng, 4);
  for (let t = 0; t < toolTurns; t++) {
    const calls: FuzzCall[] = [];
    const count = 1 + int(rng, 6);
    for (let c = 0; c < count; c++) {
      const mine = calls.map((x) => x.id);
      const id =
        mine.length > 0 && chance(rng, 0.25)
          ? pick(rng, mine) // duplicate within the turn
          : used.length > 0 && chance(rng, 0.1)
            ? pick(rng, used) // an id an earlier turn used
            : chance(rng, 0.15)
              ? pick(rng, ['', ' ', 'a'.repeat(200), 'ид', 'call\n1', 'call_0', '__proto__'])
              : `call_${int(rng, 1e6).toString(36)}`;
      const tool = chance(rng, 0.85) ? pick(rng, catalog) : undefined;
      const name = tool ? tool.name : pick(rng, UNKNOWN_TOOLS);
      const args = fuzzArguments(tool, rng);
      calls.push({ id, name, arguments: args.text, kind: tool ? args.kind : 'unknown-tool' });
    }
    used.push(...calls.map((x) => x.id));
    turns.push({ calls, text: chance(rng, 0.3) ? 'Let me check.' : null });
  }
  const emptyList = chance(rng, 0.2);
  turns.push({ answer: emptyList ? 'an empty tool_calls list' : 'done', emptyList });
  return turns;
}

function uniqueById(calls: readonly FuzzCall[]): FuzzCall[] {
  const seen = new Set<string>();
  return calls.filter((c) => !seen.has(c.id) && seen.add(c.id) !== undefined);
}

function completion(turn: FuzzTurn, n: number) {
  const message =
    'calls' in turn
      ? {
          role: 'assistant',
          content: turn.text,
          tool_calls: turn.calls.map((c) => ({
            id: c.id,
            type: 'function',
            function: { name: c.name, arguments: c.arguments },
          })),
        }
      : { role: 'assistant', content: turn.answer, ...(turn.emptyList ? { tool_calls: [] } : {}) };
  const finish = 'calls' in turn ? 'tool_calls' : 'stop';
  return {
    id: `chatcmpl-fuzz-${n}`,
    object: 'chat.completion',
    created: 0,
    model: 'fuzz',
    choices: [{ index: 0, message, finish_reason: finish, logprobs: null }],
  };
}

interface RequestBody {
  messages: (ChatRequestMessage & { content?: unknown })[];
}

describe('fuzz: malformed model responses through the agent loop', () => {
  const mock = createModelMock({ scenario: loadScenario('weather-two-cities'), latencyOverrideMs: 0 });
  let client: OpenAI;
  const executors = new Map<string, Executor>();

  beforeAll(async () => {
    mock.listen();
    client = mock.createClient();
    for (const spec of SPECS) {
      executors.set(formatSpec(spec), await createExecutor(spec, { runtime: testRuntime({ latencyMs: 2 }) }));
    }
  });
  afterAll(async () => {
    mock.close();
    await Promise.all([...executors.values()].map((e) => e.close()));
  });

  it.each(SPECS.map((s, i) => [formatSpec(s), i] as const))(
    `answers every unique call id exactly once with %s (${MODEL_CASES_PER_STRATEGY} cases)`,
    async (name, stream) => {
      const executor = executors.get(name) as Executor;
      for (let index = 0; index < MODEL_CASES_PER_STRATEGY; index++) {
        const rng = caseRng(100 + stream, index);
        const script = fuzzScript(rng);
        const maxSteps = chance(rng, 0.2) ? 1 + int(rng, 2) : undefined;
        const where = `seed ${SEED} ${name} case ${index}: ${JSON.stringify(script)}`;
        summary.modelCases++;
        for (const turn of script) {
          if (!('calls' in turn)) continue;
          summary.modelDistinct.add(JSON.stringify(turn.calls));
          for (const c of turn.calls) {
            if (expectedStatus(c.name, c.arguments) === 'error') summary.badCalls.add(`${c.name}(${c.arguments})`);
          }
        }

        const bodies: RequestBody[] = [];
        mock.server.resetHandlers();
        mock.server.use(
          http.post(COMPLETIONS_URL, async ({ request }) => {
            bodies.push((await request.json()) as RequestBody);
            const turn = script[Math.min(bodies.length - 1, script.length - 1)] as FuzzTurn;
            return HttpResponse.json(completion(turn, bodies.length));
          }),
        );
        const outcome = await runAgent({
          client,
          executor,
          model: 'fuzz',
          question: 'fuzz',
          tools: builtIns.chatTools(),
          stopWhenAllFail: true, // the path where a turn's failures end the run, checked against the schemas
          ...(maxSteps === undefined ? {} : { maxSteps }),
        }).then(
          (run): { run: AgentRun } => ({ run }),
          (error: unknown) => ({ error }),
        );

        // the expected run, turn by turn, from the schemas alone
        let expected: { status: string; steps: number; failedStep?: number } | undefined;
        for (const [t, turn] of script.entries()) {
          const step = t + 1;
          if (!('calls' in turn)) {
            expected = { status: 'answered', steps: step };
            break;
          }
          if (uniqueById(turn.calls).every((c) => expectedStatus(c.name, c.arguments) === 'error')) {
            expected = { status: 'all-failed', steps: step, failedStep: step };
            break;
          }
          if (maxSteps !== undefined && step === maxSteps) {
            expected = { status: 'max-steps', steps: step };
            break;
          }
        }
        if ('error' in outcome) {
          expect(outcome.error, `${where}: rejected with ${String(outcome.error)}`).toBeInstanceOf(AgentError);
          expect(String(outcome.error), where).toMatch(
            new RegExp(`all \\d+ tool calls of step ${expected?.failedStep} failed: `),
          );
        } else {
          expect(['answered', 'max-steps'], where).toContain(outcome.run.status);
          expect(outcome.run.status, where).toBe(expected?.status);
          expect(outcome.run.steps, where).toHaveLength(expected?.steps ?? -1);
          for (const [s, step] of outcome.run.steps.entries()) {
            const turn = script[s] as FuzzTurn;
            const unique = 'calls' in turn ? uniqueById(turn.calls) : [];
            expect(
              step.outcomes.map((o) => [o.id, o.status === 'ok' ? 'ok' : 'error']),
              `${where}: step ${s + 1}`,
            ).toEqual(unique.map((c) => [c.id, expectedStatus(c.name, c.arguments)]));
            const duplicates = 'calls' in turn ? turn.calls.length - unique.length : 0;
            expect(
              step.warnings.filter((w) => w.startsWith('duplicate call id')),
              where,
            ).toHaveLength(duplicates);
          }
        }
        bump(summary.modelOutcomes, 'error' in outcome ? 'all-failed' : outcome.run.status);
        expect('error' in outcome ? 'all-failed' : outcome.run.status, where).toBe(expected?.status);
        expect(bodies, where).toHaveLength(expected?.steps ?? -1);

        // every request: the history answers each unique call id of each turn exactly once, right after it
        for (const [k, body] of bodies.entries()) {
          const messages = body.messages;
          const at = `${where}: request ${k + 1}`;
          expect(checkChatMessages(messages), at).toBeUndefined();
          expect(messages[0], at).toEqual({ role: 'user', content: 'fuzz' });
          let i = 1;
          for (let t = 0; t < k; t++) {
            const turn = script[t] as FuzzTurn;
            if (!('calls' in turn)) throw new Error(`${at}: the loop went on after the answer`);
            const unique = uniqueById(turn.calls);
            const assistant = messages[i];
            expect(assistant?.role, at).toBe('assistant');
            expect(
              assistant?.tool_calls?.map((c) => [c.id, c.function?.name, c.function?.arguments]),
              at,
            ).toEqual(unique.map((c) => [c.id, c.name, c.arguments]));
            const tools = messages.slice(i + 1, i + 1 + unique.length);
            expect(
              tools.map((m) => [m.role, m.tool_call_id]),
              `${at}: tool messages after turn ${t + 1}`,
            ).toEqual(unique.map((c) => ['tool', c.id]));
            for (const [j, m] of tools.entries()) {
              const call = unique[j] as FuzzCall;
              const content = JSON.parse(String(m.content)) as unknown;
              const failed = isObject(content) && typeof content.error === 'string';
              expect(failed ? 'error' : 'ok', `${at}: content of ${call.id}`).toBe(
                expectedStatus(call.name, call.arguments),
              );
            }
            i += 1 + unique.length;
          }
          expect(messages, `${at}: extra messages`).toHaveLength(i);
        }
      }
    },
  );
});

// ---------------------------------------------------------------------------------------------------------------
// Bugs the fuzzer found, fixed since: each stays as a regression test.
// ---------------------------------------------------------------------------------------------------------------

describe('bugs found by fuzzing', () => {
  it('parseScenario throws a ScenarioError (not a RangeError) for deeply nested invalid JSON', () => {
    // json-syntax.ts scans recursively to find the error position and overflows the stack
    expect(() => parseScenario('['.repeat(100_000), 'fuzz.json')).toThrow(ScenarioError);
  });

  it('ScenarioError messages are one line even when the input holds newlines', () => {
    const messages: string[] = [];
    for (const text of [
      '{\n"name": "a",\n]', // JSON.parse quotes the source around the error, newlines included
      '{"name":"a","question":"q","turns":[{"answer":"x"}],"bad\\nkey":1}',
    ]) {
      try {
        parseScenario(text, 'fuzz.json');
      } catch (error) {
        messages.push((error as Error).message);
      }
    }
    expect(messages).toHaveLength(2);
    for (const message of messages) expect(message).not.toMatch(/\n/);
  });

  it('an unknown empty key at the top level is named in the message', () => {
    const text = '{"": 1, "name": "a", "question": "q", "turns": [{"answer": "x"}]}';
    const error = (() => {
      try {
        parseScenario(text, 'fuzz.json');
      } catch (e) {
        return e as ScenarioError;
      }
    })();
    expect(error).toBeInstanceOf(ScenarioError);
    expect(error?.field).not.toBe('');
  });

  it('scenario arguments named like Object.prototype members are refused as unknown parameters', () => {
    const text = JSON.stringify({
      name: 'a',
      question: 'q',
      turns: [{ calls: [{ name: 'get_user_profile', arguments: { constructor: 'x' } }] }, { answer: 'done' }],
    });
    expect(() => parseScenario(text, 'fuzz.json')).toThrow(/arguments\.constructor: not a parameter/);
  });

  it('a model call with an argument named like an Object.prototype member is an error outcome', async () => {
    const executor = await createExecutor({ strategy: 'promise-all' }, { runtime: testRuntime({ latencyMs: 1 }) });
    try {
      const [outcome] = await executor.run([
        { id: 'a', name: 'get_weather', arguments: '{"city":"Tokyo","toString":"x"}' },
      ]);
      expect(outcome?.status).toBe('error');
    } finally {
      await executor.close();
    }
  });
});
