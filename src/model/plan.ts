/**
 * LLMCompiler plans (Kim et al., ICML 2024): numbered tool tasks whose arguments may name earlier results, read from
 * the planner's text form or a JSON form, checked against the tools, and loaded by preset name or path.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { errorMessage, InputError } from '../core/errors.ts';
import { parseJsonText } from '../core/json-syntax.ts';
import { fixturesDir, jsonNames, packagePath } from '../tools/paths.ts';
import type { ToolRegistry } from '../tools/registry.ts';
import { checkPlan, takesAnyArguments } from './plan-check.ts';
import { type DraftTask, type PlanFail, readPlanJson } from './plan-json.ts';
import {
  END_OF_PLAN,
  isNumbered,
  JOIN,
  quoteSource,
  readArguments,
  readTaskLine,
  replaceReferences,
} from './plan-text.ts';

export { DEFAULT_ANSWER } from './plan-check.ts';
export { PlanStreamParser } from './plan-text.ts';

/** One task of a plan: a tool call whose arguments may name earlier tasks' results. */
export interface PlanTask {
  /** The task's number as written (`3.`), 1-based. */
  index: number;
  tool: string;
  /** Positional arguments as written, as JSON values; strings (and bare references) may hold `$N` / `${N}`. A bare `$1` argument is the string "$1". */
  args: unknown[];
  /** Task numbers its arguments name, ascending, each once. */
  deps: number[];
  /** The task's line in the plan's text form, e.g. `3. compare($1, $2)` (no newline). */
  line: string;
  /** A fixed tool latency for this task (JSON form only), ms. */
  latencyMs?: number;
}

/** What the paper measured for the benchmark a preset reproduces, end-to-end seconds per question. */
export interface PaperFigures {
  /** Where the figures are printed, e.g. `Kim et al. 2024, Table 1`. */
  source: string;
  model: string;
  /** ReAct: one tool call per model turn. */
  reactS?: number;
  /** OpenAI parallel function calling. */
  parallelFcS?: number;
  /** LLMCompiler: tasks start as their references resolve. */
  dagS?: number;
  note?: string;
}

/** A planner's plan: its tasks in order (the join is not a task) and the joiner's answer. */
export interface Plan {
  name: string;
  description: string;
  question: string;
  tasks: PlanTask[];
  /** The joiner's final answer. */
  answer: string;
  /** The planner's text as it streams: every line (Thought lines, tasks, `N. join()<END_OF_PLAN>`), ending in a newline. For a JSON plan, rendered in the text form. */
  text: string;
  /** The planner's time to first token, ms. */
  modelLatencyMs?: number;
  /** The planner's output tokens per second after the first token. */
  tokensPerSecond?: number;
  /** Tool latency of tasks that set none, ms. */
  toolLatencyMs?: number;
  paper?: PaperFigures;
}

/** A plan that cannot be read or run; the message (one line) names the file and the task. */
export class PlanError extends InputError {
  override name = 'PlanError';

  constructor(
    readonly file: string,
    readonly task: number | undefined,
    detail: string,
  ) {
    // one line whatever the input held: newlines from quoted source are shown escaped
    super((task === undefined ? `${file}: ${detail}` : `${file}: task ${task}: ${detail}`).replace(/\r?\n|\r/g, '\\n'));
  }
}

/** The question of a text plan without a `Question:` line. */
export const DEFAULT_QUESTION = "Answer using the plan's tools.";

export const plansDir = join(fixturesDir, 'plans');

/** Reads the planner's text form: an optional `Question:` line, `Thought:` lines, task lines, an optional join. */
export function parsePlanText(text: string, file: string, tools: ToolRegistry): Plan {
  const fail: PlanFail = (task, detail) => {
    throw new PlanError(file, task, detail);
  };
  let question: string | undefined;
  let joined: number | undefined;
  const lines: string[] = [];
  const tasks: DraftTask[] = [];
  for (const [k, raw] of text.split(/\r?\n/).entries()) {
    const line = raw.trim();
    if (line === '' || line === END_OF_PLAN) continue;
    const index = tasks.length + 1;
    if (joined !== undefined) {
      const after = `follows join() (task ${joined}); join() must be the last task`;
      if (isNumbered(line)) fail(joined + 1, after);
      fail(undefined, `line ${k + 1} ${after}`);
    }
    if (line.startsWith('Question:') && question === undefined && lines.length === 0) {
      question = line.slice('Question:'.length).trim();
      continue;
    }
    if (line.startsWith('Thought:')) {
      lines.push(line);
      continue;
    }
    if (!isNumbered(line))
      fail(undefined, `line ${k + 1}: not a task, a Thought or the Question: ${quoteSource(line)}`);
    const task =
      readTaskLine(line) ??
      fail(index, `cannot read the task: expected "${index}. tool(arguments)", got ${quoteSource(line)}`);
    if (task.index !== index) fail(index, `numbered ${task.index}, expected ${index}`);
    let args: unknown[] = [];
    try {
      args = readArguments(task.args);
    } catch (error) {
      fail(index, `cannot read the arguments: ${errorMessage(error)}`);
    }
    if (task.tool === JOIN) {
      if (args.length > 0) fail(index, 'join() takes no arguments');
      joined = index;
      continue;
    }
    tasks.push({ tool: task.tool, args, line: task.line });
    lines.push(task.line);
  }
  const plan = { name: baseName(file), description: '', question: question || DEFAULT_QUESTION, tasks };
  return checkPlan({ ...plan, lines }, tools, fail);
}

/** Reads the JSON form: `{ "question", "tasks": [{ "tool", "args"?, "latencyMs"? }, …], … }`. */
export function parsePlanJson(text: string, file: string, tools: ToolRegistry): Plan {
  const parsed = parseJsonText(text);
  if (!parsed.ok) throw new PlanError(file, undefined, parsed.detail);
  const fail: PlanFail = (task, detail) => {
    throw new PlanError(file, task, detail);
  };
  return checkPlan(readPlanJson(parsed.value, baseName(file), fail), tools, fail);
}

/**
 * Loads a plan: a bare name reads the preset `fixtures/plans/NAME.json`; a path (with a slash, or ending in `.json`
 * or `.txt`) is read, `.json` in the JSON form and anything else in the text form.
 */
export function loadPlan(nameOrPath: string, tools: ToolRegistry): Plan {
  const isPath = /[/\\]|\.(json|txt)$/.test(nameOrPath);
  const path = isPath ? resolve(nameOrPath) : join(plansDir, `${nameOrPath}.json`);
  const shown = packagePath(path);
  if (!existsSync(path)) {
    if (isPath) throw new PlanError(shown, undefined, 'file not found');
    throw new PlanError(shown, undefined, `unknown plan "${nameOrPath}" (known: ${listPlans().join(', ')})`);
  }
  if (statSync(path).isDirectory()) throw new PlanError(shown, undefined, 'a folder, not a plan file');
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new PlanError(shown, undefined, `cannot read: ${errorMessage(error)}`);
  }
  return path.endsWith('.json') ? parsePlanJson(text, shown, tools) : parsePlanText(text, shown, tools);
}

/**
 * A digest of what a plan runs (question, tasks, their latencies, text, answer, timing), so a run recorded with one
 * plan is never judged against another of the same name.
 */
export function planDigest(plan: Plan): string {
  const { paper: _paper, description: _description, ...run } = plan;
  return createHash('sha256').update(JSON.stringify(run)).digest('hex');
}

/** Names of the preset plans in `fixtures/plans`, sorted. */
export function listPlans(): string[] {
  return jsonNames(plansDir);
}

/** Each task's level: 1 for a task that uses no results, else 1 + the highest level of the tasks it uses. */
export function planDepth(plan: Plan): number[] {
  const levels = new Map<number, number>();
  return plan.tasks.map((task) => {
    const level = 1 + Math.max(0, ...task.deps.map((dep) => levels.get(dep) ?? 0));
    levels.set(task.index, level);
    return level;
  });
}

/**
 * A task's positional arguments named by its tool's parameters, in their declared order; a tool that takes any
 * arguments gets them as `{ args: [...] }`. Parsing refused more arguments than parameters.
 */
export function namedArguments(task: PlanTask, tools: ToolRegistry): Record<string, unknown> {
  const { parameters } = tools.named(task.tool).definition;
  if (takesAnyArguments(parameters)) return { args: structuredClone(task.args) };
  const names = Object.keys(parameters.properties).slice(0, task.args.length);
  return Object.fromEntries(names.map((name, i) => [name, structuredClone(task.args[i])]));
}

/** A deep copy with every `$N` / `${N}` in its strings replaced by task N's result text (kept as written if none). */
export function resolveReferences(value: unknown, results: ReadonlyMap<number, string>): unknown {
  return replaceReferences(value, (task, text) => results.get(task) ?? text);
}

/** A deep copy with every `$N` / `${N}` rewritten as the scenario reference `{{task_N}}` (the whole result). */
export function scenarioReferences(value: unknown): unknown {
  return replaceReferences(value, (task) => `{{task_${task}}}`);
}

/** A file's name without its folder and extension: the plan's name. */
function baseName(file: string): string {
  return basename(file.replaceAll('\\', '/')).replace(/\.[^.]*$/, '');
}
