import { errorMessage, InputError } from '../core/errors.ts';
import { PACKAGE_NAME } from '../core/packages.ts';
import { IDEAL_SCHEDULES } from '../executors/definition.ts';
import { EXECUTOR_NAME } from '../executors/registry.ts';
import { firstProblem, show, suiteSchema } from '../results/settings.ts';
import { parseArguments } from '../tools/arguments.ts';
import { WORKLOAD_KINDS } from '../tools/config.ts';
import { TOOL_NAME } from '../tools/registry.ts';
import type { FanoutConfig } from './define.ts';

/** A config file that cannot be used; the message is one line naming the file and the field. */
export class ConfigError extends InputError {
  override name = 'ConfigError';
}

type Fail = (field: string, detail: string) => never;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function allowKeys(value: Record<string, unknown>, field: string, keys: readonly string[], fail: Fail): void {
  for (const key of Object.keys(value)) {
    if (!keys.includes(key)) fail(`${field}${field ? '.' : ''}${key}`, `unknown field (expected ${keys.join(', ')})`);
  }
}

function list(value: unknown, field: string, fail: Fail): unknown[] {
  return Array.isArray(value) ? value : fail(field, `must be an array, got ${show(value)}`);
}

function _inRange(value: unknown, field: string, [min, max]: readonly [number, number], whole: boolean, fail: Fail) {
  const ok = typeof value === 'number' && Number.isFinite(value) && value >= min && value <= max;
  if (!ok || (whole && !Number.isInteger(value))) {
    fail(field, `must be a ${whole ? 'whole number' : 'number'} from ${min} to ${max}, got ${show(value)}`);
  }
}

/** A declared name: it matches the pattern and no earlier entry of the same list uses it. */
function checkName(
  value: unknown,
  at: string,
  pattern: RegExp,
  rule: string,
  earlier: Map<string, number>,
  index: number,
  fail: Fail,
): void {
  if (typeof value !== 'string' || !pattern.test(value)) fail(`${at}.name`, `must be ${rule}, got ${show(value)}`);
  const name = value as string;
  const previous = earlier.get(name);
  const list = at.slice(0, at.indexOf('['));
  if (previous !== undefined) fail(`${at}.name`, `"${name}" is also ${list}[${previous}]; names must be unique`);
  earlier.set(name, index);
}

function checkExecutors(value: unknown, fail: Fail): void {
  const names = new Map<string, number>();
  for (const [i, raw] of list(value, 'executors', fail).entries()) {
    const at = `executors[${i}]`;
    if (!isObject(raw)) fail(at, 'must be defineExecutor({ name, description, takesLimit, create })');
    const e = raw as Record<string, unknown>;
    allowKeys(e, at, ['name', 'description', 'takesLimit', 'ideal', 'offMainThread', 'create'], fail);
    checkName(e.name, at, EXECUTOR_NAME, 'lowercase letters, digits, - or _ starting with a letter', names, i, fail);
    if (typeof e.description !== 'string') fail(`${at}.description`, 'required: one line for `fanout-bench list`');
    if (e.takesLimit !== undefined && typeof e.takesLimit !== 'boolean') fail(`${at}.takesLimit`, 'must be a boolean');
    if (e.ideal !== undefined && !(IDEAL_SCHEDULES as readonly unknown[]).includes(e.ideal)) {
      fail(`${at}.ideal`, `must be one of ${IDEAL_SCHEDULES.join(', ')}, got ${show(e.ideal)}`);
    }
    if ((e.ideal === 'slots' || e.ideal === 'chunks') && e.takesLimit !== true) {
      // the ideal of k slots or chunks of k needs the k a limit gives: without one it would be computed from nothing
      fail(
        `${at}.ideal`,
        `'${e.ideal}' runs k calls at a time and needs takesLimit: true (${show(e.name)} has takesLimit: ${show(e.takesLimit ?? false)}); without a limit declare 'serial' or 'unbounded'`,
      );
    }
    if (e.offMainThread !== undefined && typeof e.offMainThread !== 'boolean') {
      fail(`${at}.offMainThread`, 'must be a boolean');
    }
    if (typeof e.create !== 'function') fail(`${at}.create`, 'required: a function (context, limit) => Executor');
  }
}

function checkTools(value: unknown, fail: Fail): void {
  const names = new Map<string, number>();
  for (const [i, raw] of list(value, 'tools', fail).entries()) {
    const at = `tools[${i}]`;
    if (!isObject(raw)) fail(at, 'must be defineTool({ name, description, parameters, execute })');
    const t = raw as Record<string, unknown>;
    allowKeys(t, at, ['name', 'description', 'parameters', 'execute', 'latency', 'kind', 'examples'], fail);
    checkName(t.name, at, TOOL_NAME, '1-64 letters, digits, _ or -', names, i, fail);
    const name = t.name as string;
    if (typeof t.description !== 'string') fail(`${at}.description`, 'required: a string the model reads');
    const p = t.parameters;
    if (!isObject(p) || p.type !== 'object' || !isObject(p.properties)) {
      fail(`${at}.parameters`, "required: a JSON schema { type: 'object', properties: { … } }");
    }
    const schema = p as Record<string, unknown>;
    if (schema.required !== undefined) {
      const required = list(schema.required, `${at}.parameters.required`, fail);
      for (const key of required) {
        if (typeof key !== 'string' || !Object.hasOwn(schema.properties as object, key)) {
          fail(`${at}.parameters.required`, `${show(key)} is not one of the properties`);
        }
      }
    }
    if (typeof t.execute !== 'function') fail(`${at}.execute`, 'required: a function (args, { signal }) => result');
    if (t.latency !== undefined && t.latency !== 'own' && t.latency !== 'simulated') {
      fail(`${at}.latency`, `must be 'own' or 'simulated', got ${show(t.latency)}`);
    }
    if (t.kind !== undefined && !(WORKLOAD_KINDS as readonly unknown[]).includes(t.kind)) {
      fail(`${at}.kind`, `must be 'io' or 'cpu', got ${show(t.kind)}`);
    }
    if (t.examples !== undefined) {
      for (const [j, example] of list(t.examples, `${at}.examples`, fail).entries()) {
        try {
          parseArguments({ name, parameters: schema as never }, JSON.stringify(example ?? null));
        } catch (error) {
          fail(`${at}.examples[${j}]`, errorMessage(error));
        }
      }
    }
  }
}

function checkFrameworks(value: unknown, fail: Fail): void {
  const names = new Map<string, number>();
  for (const [i, raw] of list(value, 'frameworks', fail).entries()) {
    const at = `frameworks[${i}]`;
    if (!isObject(raw)) fail(at, 'must be defineFramework({ name, description, packages, api, create })');
    const f = raw as Record<string, unknown>;
    allowKeys(f, at, ['name', 'description', 'packages', 'api', 'concurrencyOption', 'create'], fail);
    checkName(f.name, at, EXECUTOR_NAME, 'lowercase letters, digits, - or _ starting with a letter', names, i, fail);
    if (typeof f.description !== 'string') fail(`${at}.description`, 'required: one line for `fanout-bench list`');
    const packages = list(f.packages, `${at}.packages`, fail);
    if (packages.length === 0) fail(`${at}.packages`, 'must name the npm packages it loads, the main one first');
    for (const [j, name] of packages.entries()) {
      if (typeof name !== 'string' || !PACKAGE_NAME.test(name)) {
        fail(`${at}.packages[${j}]`, `must be an npm package name, got ${show(name)}`);
      }
    }
    if (f.api !== 'chat' && f.api !== 'chat-stream')
      fail(`${at}.api`, `must be 'chat' or 'chat-stream', got ${show(f.api)}`);
    if (f.concurrencyOption !== undefined && typeof f.concurrencyOption !== 'string') {
      fail(`${at}.concurrencyOption`, 'must be a string naming the option');
    }
    if (typeof f.create !== 'function') fail(`${at}.create`, 'required: a function (load, setup) => agent');
  }
}

function checkSuite(suite: unknown, at: string, fail: Fail): void {
  const problem = firstProblem(suiteSchema, suite, at);
  if (problem) fail(problem.field, problem.message);
}

/** Checks the shape of a config module's default export; every error names the file and the field. */
export function checkConfig(value: unknown, file: string): FanoutConfig {
  const fail: Fail = (field, detail) => {
    throw new ConfigError(`${file}: ${field ? `${field}: ` : ''}${detail}`.replace(/\r?\n/g, ' '));
  };
  if (!isObject(value)) {
    return fail(
      '',
      'exports nothing usable; write `export default defineConfig({ executors, tools, profile, suites })`',
    );
  }
  allowKeys(value, '', ['executors', 'tools', 'frameworks', 'profile', 'suites'], fail);
  if (value.executors !== undefined) checkExecutors(value.executors, fail);
  if (value.frameworks !== undefined) checkFrameworks(value.frameworks, fail);
  if (value.tools !== undefined) checkTools(value.tools, fail);
  if (value.profile !== undefined && (typeof value.profile !== 'string' || value.profile === '')) {
    fail('profile', 'must be the path of a recorded latency file (JSON, CSV or OTLP JSON)');
  }
  if (value.suites !== undefined) {
    if (!isObject(value.suites)) fail('suites', 'must be an object of named suites');
    for (const [name, suite] of Object.entries(value.suites as Record<string, unknown>)) {
      if (!/^[a-z0-9][a-z0-9_-]{0,47}$/i.test(name)) fail(`suites.${name}`, 'suite names are letters, digits, - or _');
      if (!isObject(suite)) fail(`suites.${name}`, 'must be an object of settings');
      checkSuite(suite, `suites.${name}`, fail);
    }
  }
  return value as FanoutConfig;
}
