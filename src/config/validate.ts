import { API_MODES, type ApiMode, DISPATCH_MODES, STREAMED_APIS } from '../agent/types.ts';
import { errorMessage, InputError } from '../core/errors.ts';
import { PACKAGE_NAME } from '../core/packages.ts';
import { RANGES } from '../core/ranges.ts';
import { IDEAL_SCHEDULES } from '../executors/definition.ts';
import { ERROR_POLICIES } from '../executors/policy.ts';
import { EXECUTOR_NAME } from '../executors/registry.ts';
import { parseArguments } from '../tools/arguments.ts';
import { LATENCY_PROFILES, WORKLOAD_KINDS } from '../tools/config.ts';
import { looksLikeProfilePath } from '../tools/recorded.ts';
import { TOOL_NAME } from '../tools/registry.ts';
import type { FanoutConfig } from './define.ts';

/** A config file that cannot be used; the message is one line naming the file and the field. */
export class ConfigError extends InputError {
  override name = 'ConfigError';
}

type Fail = (field: string, detail: string) => never;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const show = (v: unknown) => (typeof v === 'function' ? 'a function' : (JSON.stringify(v) ?? String(v)));

function allowKeys(value: Record<string, unknown>, field: string, keys: readonly string[], fail: Fail): void {
  for (const key of Object.keys(value)) {
    if (!keys.includes(key)) fail(`${field}${field ? '.' : ''}${key}`, `unknown field (expected ${keys.join(', ')})`);
  }
}

function list(value: unknown, field: string, fail: Fail): unknown[] {
  return Array.isArray(value) ? value : fail(field, `must be an array, got ${show(value)}`);
}

function inRange(value: unknown, field: string, [min, max]: readonly [number, number], whole: boolean, fail: Fail) {
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

const SUITE_KEYS = [
  'description',
  'executors',
  'calls',
  'limits',
  'kinds',
  'latencyMs',
  'profile',
  'seed',
  'rounds',
  'faults',
  'policy',
  'agent',
  'tools',
  'frameworks',
] as const;

function checkSuite(suite: Record<string, unknown>, at: string, fail: Fail): void {
  allowKeys(suite, at, SUITE_KEYS, fail);
  const strings = (key: string) => {
    if (suite[key] === undefined) return;
    for (const [i, v] of list(suite[key], `${at}.${key}`, fail).entries()) {
      if (typeof v !== 'string' || v === '') fail(`${at}.${key}[${i}]`, `must be a non-empty string, got ${show(v)}`);
    }
  };
  const wholes = (key: 'calls' | 'limits') => {
    if (suite[key] === undefined) return;
    const values = list(suite[key], `${at}.${key}`, fail);
    if (key === 'calls' && values.length === 0) fail(`${at}.calls`, 'must name at least one call count');
    for (const [i, v] of values.entries()) inRange(v, `${at}.${key}[${i}]`, RANGES[key], true, fail);
  };
  if (suite.description !== undefined && typeof suite.description !== 'string') {
    fail(`${at}.description`, 'must be a string');
  }
  strings('executors');
  strings('tools');
  strings('frameworks');
  wholes('calls');
  wholes('limits');
  if (suite.kinds !== undefined) {
    const kinds = list(suite.kinds, `${at}.kinds`, fail);
    if (kinds.length === 0) fail(`${at}.kinds`, "must name at least one kind: 'io' or 'cpu'");
    for (const [i, v] of kinds.entries()) {
      if (!(WORKLOAD_KINDS as readonly unknown[]).includes(v)) fail(`${at}.kinds[${i}]`, `must be 'io' or 'cpu'`);
    }
  }
  if (suite.latencyMs !== undefined) inRange(suite.latencyMs, `${at}.latencyMs`, RANGES.latencyMs, false, fail);
  if (suite.seed !== undefined) inRange(suite.seed, `${at}.seed`, RANGES.seed, true, fail);
  if (suite.rounds !== undefined) inRange(suite.rounds, `${at}.rounds`, RANGES.rounds, true, fail);
  if (suite.profile !== undefined) {
    const p = suite.profile;
    if (typeof p !== 'string' || !((LATENCY_PROFILES as readonly string[]).includes(p) || looksLikeProfilePath(p))) {
      fail(`${at}.profile`, `must be ${LATENCY_PROFILES.join(', ')} or a recorded file (.json, .csv), got ${show(p)}`);
    }
  }
  if (suite.faults !== undefined) {
    if (!isObject(suite.faults)) fail(`${at}.faults`, 'must be an object');
    const f = suite.faults as Record<string, unknown>;
    allowKeys(f, `${at}.faults`, ['failRate', 'hangRate', 'crashRate', 'rateLimit', 'honorAbort'], fail);
    for (const key of ['failRate', 'hangRate', 'crashRate']) {
      if (f[key] !== undefined) inRange(f[key], `${at}.faults.${key}`, RANGES.rate, false, fail);
    }
    if (f.rateLimit !== undefined) inRange(f.rateLimit, `${at}.faults.rateLimit`, RANGES.rateLimit, true, fail);
    if (f.honorAbort !== undefined && typeof f.honorAbort !== 'boolean') {
      fail(`${at}.faults.honorAbort`, 'must be a boolean');
    }
  }
  if (suite.policy !== undefined) {
    if (!isObject(suite.policy)) fail(`${at}.policy`, 'must be an object');
    const p = suite.policy as Record<string, unknown>;
    allowKeys(p, `${at}.policy`, ['timeoutMs', 'retries', 'backoffMs', 'errorPolicy'], fail);
    if (p.timeoutMs !== undefined) inRange(p.timeoutMs, `${at}.policy.timeoutMs`, RANGES.timeoutMs, false, fail);
    if (p.retries !== undefined) inRange(p.retries, `${at}.policy.retries`, RANGES.retries, true, fail);
    if (p.backoffMs !== undefined) inRange(p.backoffMs, `${at}.policy.backoffMs`, RANGES.backoffMs, false, fail);
    if (p.errorPolicy !== undefined && !(ERROR_POLICIES as readonly unknown[]).includes(p.errorPolicy)) {
      fail(`${at}.policy.errorPolicy`, `must be one of ${ERROR_POLICIES.join(', ')}`);
    }
  }
  if (suite.agent !== undefined) checkAgent(suite.agent, `${at}.agent`, fail);
}

function checkModes(value: unknown, at: string, fail: Fail): void {
  const example = "like [{ api: 'chat', dispatch: 'after-stream' }, { api: 'messages-stream', dispatch: 'early' }]";
  if (!Array.isArray(value) || value.length === 0) fail(at, `must be a list of modes ${example}`);
  const seen = new Set<string>();
  for (const [index, mode] of (value as unknown[]).entries()) {
    if (!isObject(mode)) fail(`${at}[${index}]`, `must be a mode ${example}`);
    const { api, dispatch } = mode as Record<string, unknown>;
    allowKeys(mode as Record<string, unknown>, `${at}[${index}]`, ['api', 'dispatch'], fail);
    if (!(API_MODES as readonly unknown[]).includes(api)) {
      fail(`${at}[${index}].api`, `must be one of ${API_MODES.join(', ')}, got ${show(api)}`);
    }
    if (!(DISPATCH_MODES as readonly unknown[]).includes(dispatch)) {
      fail(`${at}[${index}].dispatch`, `must be one of ${DISPATCH_MODES.join(', ')}, got ${show(dispatch)}`);
    }
    if (dispatch === 'early' && !STREAMED_APIS.includes(api as ApiMode)) {
      fail(`${at}[${index}]`, `early dispatch applies to streamed APIs (${STREAMED_APIS.join(', ')}), not ${api}`);
    }
    if (seen.has(`${api}/${dispatch}`)) fail(`${at}[${index}]`, `repeats ${api} ${dispatch}; list each mode once`);
    seen.add(`${api}/${dispatch}`);
  }
}

function checkAgent(value: unknown, at: string, fail: Fail): void {
  if (!isObject(value)) fail(at, "must be an object like { scenario: 'weather-stock-news', api: 'chat' }");
  const agent = value as Record<string, unknown>;
  allowKeys(agent, at, ['scenario', 'api', 'dispatch', 'modelLatencyMs', 'streamChunkDelayMs', 'modes'], fail);
  if (typeof agent.scenario !== 'string' || agent.scenario === '') {
    fail(`${at}.scenario`, 'required: a scenario name or the path of a scenario file');
  }
  if (agent.api !== undefined && !(API_MODES as readonly unknown[]).includes(agent.api)) {
    fail(`${at}.api`, `must be one of ${API_MODES.join(', ')}, got ${show(agent.api)}`);
  }
  if (agent.dispatch !== undefined && !(DISPATCH_MODES as readonly unknown[]).includes(agent.dispatch)) {
    fail(`${at}.dispatch`, `must be one of ${DISPATCH_MODES.join(', ')}, got ${show(agent.dispatch)}`);
  }
  if (agent.modes !== undefined) {
    checkModes(agent.modes, `${at}.modes`, fail);
    if (agent.api !== undefined || agent.dispatch !== undefined) {
      fail(at, '`modes` lists every API and dispatch of the run; drop `api` and `dispatch` beside it');
    }
  }
  if (agent.modelLatencyMs !== undefined) {
    inRange(agent.modelLatencyMs, `${at}.modelLatencyMs`, RANGES.modelLatencyMs, false, fail);
  }
  if (agent.streamChunkDelayMs !== undefined) {
    inRange(agent.streamChunkDelayMs, `${at}.streamChunkDelayMs`, RANGES.streamChunkDelayMs, false, fail);
  }
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
      checkSuite(suite as Record<string, unknown>, `suites.${name}`, fail);
    }
  }
  return value as FanoutConfig;
}
