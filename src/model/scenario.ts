import { InputError } from '../core/errors.ts';
import { parseJsonText } from '../core/json-syntax.ts';
import { RANGES } from '../core/ranges.ts';
import { expectedType, matchesType } from '../tools/arguments.ts';
import { ToolRegistry } from '../tools/registry.ts';
import { findReferencesDeep } from './references.ts';

/** One scripted tool call. String arguments may hold `{{call_id.field}}` references to earlier results. */
export interface ScenarioCall {
  name: string;
  /** JSON values of the tool's schema; strings may hold references. */
  arguments: Record<string, unknown>;
  /** Call id sent to the client, and the name references use; generated when absent. */
  id?: string;
}

/** A model turn that asks for tools. */
export interface CallTurn {
  calls: ScenarioCall[];
  /** Assistant text sent along with the calls. */
  text?: string;
  /** Model latency of this turn; overrides the scenario's. */
  latencyMs?: number;
}

/** The final model turn. */
export interface AnswerTurn {
  answer: string;
  latencyMs?: number;
}

/**
 * A planner's turn (LLMCompiler): the model answers with the text of a plan, no calls; the client runs its tasks
 * itself and sends their results back in a message of its own. Built from a plan (`src/model/plan.ts`), never read
 * from a scenario file.
 */
export interface PlanTurn {
  plan: string;
  /** Each task's id (`task_3`) and its line in `plan`, in order: the stream marks a task ready when its line is out. */
  tasks: { id: string; line: string }[];
  latencyMs?: number;
}

export type ScenarioTurn = CallTurn | AnswerTurn | PlanTurn;

/** A scripted conversation: turns of tool calls, ending with an answer. */
export interface Scenario {
  name: string;
  description: string;
  /** The user's message that starts the conversation. */
  question: string;
  /** Model latency of each turn unless the turn sets its own: the time to the first token. @default 0 */
  modelLatencyMs: number;
  /** Output tokens per second after the first token (about 4 characters a token); absent: all at once. */
  tokensPerSecond?: number;
  turns: ScenarioTurn[];
}

/** A scenario file or object that does not hold a valid scenario; the message names the file and the field. */
export class ScenarioError extends InputError {
  override name = 'ScenarioError';

  constructor(
    readonly file: string,
    readonly field: string,
    detail: string,
  ) {
    // one line whatever the input held: newlines from quoted source or keys are shown escaped
    super((field === '' ? `${file}: ${detail}` : `${file}: ${field}: ${detail}`).replace(/\r?\n/g, '\\n'));
  }
}

/** Calls a scenario makes over all its turns. */
export function scenarioCalls(scenario: Scenario): number {
  return scenario.turns.reduce(
    (n, turn) => n + ('calls' in turn ? turn.calls.length : 'plan' in turn ? turn.tasks.length : 0),
    0,
  );
}

export function isPlanTurn(turn: ScenarioTurn): turn is PlanTurn {
  return 'plan' in turn;
}

export function isAnswerTurn(turn: ScenarioTurn): turn is AnswerTurn {
  return 'answer' in turn;
}

const CALL_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** Parses and validates a scenario file's text; `file` is the name errors show. */
export function parseScenario(text: string, file: string, tools: ToolRegistry = new ToolRegistry()): Scenario {
  const parsed = parseJsonText(text);
  if (!parsed.ok) throw new ScenarioError(file, '', parsed.detail);
  return validateScenario(parsed.value, file, tools);
}

/** Checks a scenario object: fields, tool names and arguments against the tools, ids and references. */
export function validateScenario(data: unknown, file: string, tools: ToolRegistry = new ToolRegistry()): Scenario {
  const fail = (field: string, detail: string): never => {
    throw new ScenarioError(file, field, detail);
  };
  const root = record(data, '', 'must be a JSON object', fail);
  allowKeys(root, '', ['name', 'description', 'question', 'modelLatencyMs', 'tokensPerSecond', 'turns'], fail);
  const name = text(root.name, 'name', fail);
  const description = root.description === undefined ? '' : string(root.description, 'description', fail);
  const question = text(root.question, 'question', fail);
  const modelLatencyMs = root.modelLatencyMs === undefined ? 0 : latency(root.modelLatencyMs, 'modelLatencyMs', fail);
  if (!Array.isArray(root.turns) || root.turns.length === 0) {
    return fail('turns', 'required: a non-empty array of turns ending with {"answer": "..."}');
  }

  const catalog = tools.definitions();
  const known = new Set<string>();
  const turns = root.turns.map((raw: unknown, t): ScenarioTurn => {
    const at = `turns[${t}]`;
    const last = t === (root.turns as unknown[]).length - 1;
    const turn = record(raw, at, 'must be an object with "calls" or "answer"', fail);
    const latencyMs = turn.latencyMs === undefined ? undefined : latency(turn.latencyMs, `${at}.latencyMs`, fail);
    if ('answer' in turn) {
      allowKeys(turn, at, ['answer', 'latencyMs'], fail);
      if (!last) fail(`${at}.answer`, 'only the last turn may answer: the conversation ends there');
      const answer = string(turn.answer, `${at}.answer`, fail);
      return latencyMs === undefined ? { answer } : { answer, latencyMs };
    }
    if (last) fail(at, 'the last turn must be {"answer": "..."}');
    allowKeys(turn, at, ['calls', 'text', 'latencyMs'], fail);
    if (!Array.isArray(turn.calls) || turn.calls.length === 0)
      fail(`${at}.calls`, 'required: a non-empty array of calls');
    const defined: string[] = [];
    const calls = (turn.calls as unknown[]).map((rawCall, c): ScenarioCall => {
      const atCall = `${at}.calls[${c}]`;
      const call = record(rawCall, atCall, 'must be an object with "name" and "arguments"', fail);
      allowKeys(call, atCall, ['name', 'arguments', 'id'], fail);
      const toolName = string(call.name, `${atCall}.name`, fail);
      const definition = catalog.find((tool) => tool.name === toolName);
      if (!definition) {
        const names = catalog.map((tool) => tool.name).join(', ');
        return fail(`${atCall}.name`, `unknown tool "${toolName}" (known tools: ${names})`);
      }
      const args =
        call.arguments === undefined ? {} : record(call.arguments, `${atCall}.arguments`, 'must be an object', fail);
      for (const [key, value] of Object.entries(args)) {
        const atArg = `${atCall}.arguments.${fieldKey(key)}`;
        const declared = Object.hasOwn(definition.parameters.properties, key);
        // a tool that takes any arguments (a replayed or recorded one) has none declared
        if (!declared && definition.parameters.additionalProperties !== true)
          fail(atArg, `not a parameter of ${toolName}`);
        const schema = definition.parameters.properties[key];
        // a string may hold a reference that fills in a value of the right type later
        if (declared && typeof value !== 'string' && !matchesType(schema, value)) {
          fail(atArg, `must be ${expectedType(schema)}`);
        }
        for (const reference of findReferencesDeep(value)) {
          if (!known.has(reference.callId)) {
            fail(atArg, `${reference.text} refers to call "${reference.callId}", which no earlier turn defines`);
          }
        }
      }
      for (const key of definition.parameters.required ?? []) {
        if (!(key in args)) fail(`${atCall}.arguments`, `missing required argument "${key}" of ${toolName}`);
      }
      const out: ScenarioCall = { name: toolName, arguments: args };
      if (call.id !== undefined) {
        const id = string(call.id, `${atCall}.id`, fail);
        if (!CALL_ID.test(id)) fail(`${atCall}.id`, 'must be 1-64 letters, digits, _ or -');
        if (known.has(id) || defined.includes(id)) fail(`${atCall}.id`, `"${id}" is used twice`);
        defined.push(id);
        out.id = id;
      }
      return out;
    });
    // Calls of one turn run in parallel, so a reference may only reach back to earlier turns.
    for (const id of defined) known.add(id);
    const result: CallTurn = { calls };
    if (turn.text !== undefined) result.text = string(turn.text, `${at}.text`, fail);
    if (latencyMs !== undefined) result.latencyMs = latencyMs;
    return result;
  });
  const rate = root.tokensPerSecond;
  if (
    rate !== undefined &&
    !(typeof rate === 'number' && rate >= RANGES.tokensPerSecond[0] && rate <= RANGES.tokensPerSecond[1])
  ) {
    fail(
      'tokensPerSecond',
      `must be a number from ${RANGES.tokensPerSecond[0]} to ${RANGES.tokensPerSecond[1]}, got ${JSON.stringify(rate)}`,
    );
  }
  return {
    name,
    description,
    question,
    modelLatencyMs,
    ...(rate === undefined ? {} : { tokensPerSecond: rate as number }),
    turns,
  };
}

type Fail = (field: string, detail: string) => never;

/** A key as it appears in a field path: plain names bare, anything else (empty, spaces, newlines) quoted. */
function fieldKey(key: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(key) ? key : JSON.stringify(key);
}

function record(value: unknown, field: string, detail: string, fail: Fail): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return fail(field, detail);
  return value as Record<string, unknown>;
}

function allowKeys(value: Record<string, unknown>, field: string, keys: string[], fail: Fail): void {
  for (const key of Object.keys(value)) {
    if (!keys.includes(key))
      fail(field === '' ? fieldKey(key) : `${field}.${fieldKey(key)}`, `unknown field (expected ${keys.join(', ')})`);
  }
}

function string(value: unknown, field: string, fail: Fail): string {
  return typeof value === 'string' ? value : fail(field, 'must be a string');
}

function text(value: unknown, field: string, fail: Fail): string {
  return typeof value === 'string' && value !== '' ? value : fail(field, 'required: a non-empty string');
}

function latency(value: unknown, field: string, fail: Fail): number {
  const [min, max] = RANGES.modelLatencyMs;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    return fail(field, `must be a number of milliseconds from ${min} to ${max}, got ${JSON.stringify(value)}`);
  }
  return value;
}
