/** The JSON form of a plan: its fields read and range-checked, before the tools and references are. */
import { RANGES } from '../core/ranges.ts';
import type { PaperFigures } from './plan.ts';
import { JOIN } from './plan-text.ts';

/** A task as read, before its tool, arguments and references are checked. */
export interface DraftTask {
  tool: string;
  args: unknown[];
  /** The line as written (text form); rendered when absent. */
  line?: string;
  latencyMs?: number;
}

/** A plan as read from either form. */
export interface DraftPlan {
  name: string;
  description: string;
  question: string;
  tasks: DraftTask[];
  answer?: string;
  /** The planner's lines as written, Thought lines included (text form); rendered from the tasks when absent. */
  lines?: string[];
  modelLatencyMs?: number;
  tokensPerSecond?: number;
  toolLatencyMs?: number;
  paper?: PaperFigures;
}

/** Throws the error of a field of the plan (`task` undefined) or of one task. */
export type PlanFail = (task: number | undefined, detail: string) => never;

const PLAN_KEYS = [
  'name',
  'description',
  'question',
  'tasks',
  'answer',
  'modelLatencyMs',
  'tokensPerSecond',
  'toolLatencyMs',
  'paper',
];
const TASK_KEYS = ['tool', 'args', 'latencyMs'];
const PAPER_KEYS = ['source', 'model', 'reactS', 'parallelFcS', 'dagS', 'note'];

/** Reads a parsed JSON plan's fields; task numbers are their 1-based positions, and a last `join` task is dropped. */
export function readPlanJson(data: unknown, defaultName: string, fail: PlanFail): DraftPlan {
  const plan = (detail: string): never => fail(undefined, detail);
  const root = object(data) ?? plan('must be a JSON object: {"question": "...", "tasks": [...]}');
  allowKeys(root, '', PLAN_KEYS, plan);
  const question = root.question;
  if (typeof question !== 'string' || question === '') plan('question: required: a non-empty string');
  if (!Array.isArray(root.tasks))
    plan('tasks: required: an array of tasks like {"tool": "search", "args": ["cheetah"]}');
  const raw = root.tasks as unknown[];
  const tasks = raw.flatMap((value, position): DraftTask[] => {
    const index = position + 1;
    const task = (detail: string): never => fail(index, detail);
    const entry = object(value) ?? task('must be an object like {"tool": "search", "args": ["cheetah"]}');
    allowKeys(entry, '', TASK_KEYS, task);
    if (typeof entry.tool !== 'string' || entry.tool === '') task('tool: required: a tool name');
    if (entry.args !== undefined && !Array.isArray(entry.args)) task("args: must be an array of the tool's arguments");
    const args = (entry.args ?? []) as unknown[];
    if (entry.tool === JOIN) {
      if (position < raw.length - 1) fail(index + 1, `follows join() (task ${index}); join() must be the last task`);
      if (args.length > 0) task('join() takes no arguments');
      return [];
    }
    const out: DraftTask = { tool: entry.tool as string, args };
    const latencyMs = milliseconds(entry.latencyMs, 'latencyMs', RANGES.latencyMs, task);
    return [latencyMs === undefined ? out : { ...out, latencyMs }];
  });
  const draft: DraftPlan = {
    name: optionalString(root.name, 'name', plan) || defaultName,
    description: optionalString(root.description, 'description', plan) ?? '',
    question: question as string,
    tasks,
  };
  const answer = optionalString(root.answer, 'answer', plan);
  if (answer !== undefined) draft.answer = answer;
  const modelLatencyMs = milliseconds(root.modelLatencyMs, 'modelLatencyMs', RANGES.modelLatencyMs, plan);
  if (modelLatencyMs !== undefined) draft.modelLatencyMs = modelLatencyMs;
  const tokensPerSecond = inRange(root.tokensPerSecond, 'tokensPerSecond', RANGES.tokensPerSecond, 'a number', plan);
  if (tokensPerSecond !== undefined) draft.tokensPerSecond = tokensPerSecond;
  const toolLatencyMs = milliseconds(root.toolLatencyMs, 'toolLatencyMs', RANGES.latencyMs, plan);
  if (toolLatencyMs !== undefined) draft.toolLatencyMs = toolLatencyMs;
  if (root.paper !== undefined) draft.paper = readPaper(root.paper, plan);
  return draft;
}

function readPaper(value: unknown, fail: (detail: string) => never): PaperFigures {
  const paper = object(value) ?? fail('paper: must be an object like {"source": "...", "model": "...", "dagS": 3.95}');
  allowKeys(paper, 'paper.', PAPER_KEYS, fail);
  for (const key of ['source', 'model']) {
    if (typeof paper[key] !== 'string' || paper[key] === '') fail(`paper.${key}: required: a non-empty string`);
  }
  const out: PaperFigures = { source: paper.source as string, model: paper.model as string };
  for (const key of ['reactS', 'parallelFcS', 'dagS'] as const) {
    const seconds = paper[key];
    if (seconds === undefined) continue;
    if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds <= 0) {
      fail(`paper.${key}: must be a positive number of seconds, got ${JSON.stringify(seconds)}`);
    }
    out[key] = seconds as number;
  }
  const note = optionalString(paper.note, 'paper.note', fail);
  if (note !== undefined) out.note = note;
  return out;
}

function object(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

function allowKeys(value: Record<string, unknown>, prefix: string, keys: string[], fail: (d: string) => never): void {
  for (const key of Object.keys(value)) {
    if (!keys.includes(key)) fail(`unknown field ${JSON.stringify(prefix + key)} (expected ${keys.join(', ')})`);
  }
}

function optionalString(value: unknown, field: string, fail: (detail: string) => never): string | undefined {
  if (value === undefined || typeof value === 'string') return value;
  return fail(`${field}: must be a string`);
}

function milliseconds(
  value: unknown,
  field: string,
  range: readonly [number, number],
  fail: (d: string) => never,
): number | undefined {
  return inRange(value, field, range, 'a number of milliseconds', fail);
}

function inRange(
  value: unknown,
  field: string,
  [min, max]: readonly [number, number],
  what: string,
  fail: (detail: string) => never,
): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    return fail(`${field}: must be ${what} from ${min} to ${max}, got ${JSON.stringify(value)}`);
  }
  return value;
}
