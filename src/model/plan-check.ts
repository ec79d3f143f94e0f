/** A read plan checked against the tools (names, arguments) and its references (no cycles), then completed. */
import { expectedType, matchesType } from '../tools/arguments.ts';
import type { ParameterSchema } from '../tools/definition.ts';
import type { ToolRegistry } from '../tools/registry.ts';
import type { Plan, PlanTask } from './plan.ts';
import type { DraftPlan, DraftTask, PlanFail } from './plan-json.ts';
import { END_OF_PLAN, JOIN, quoteSource, referencesIn, renderTaskLine } from './plan-text.ts';

/** The answer of a plan that states none. */
export const DEFAULT_ANSWER = 'The plan is done; here is the answer.';

/** A tool with no declared parameters that accepts any (a recorded or replayed one). */
export function takesAnyArguments(parameters: ParameterSchema): boolean {
  return Object.keys(parameters.properties).length === 0 && parameters.additionalProperties === true;
}

/** Checks a read plan against the tools (names, arguments) and its references, in task order, and completes it. */
export function checkPlan(draft: DraftPlan, tools: ToolRegistry, fail: PlanFail): Plan {
  if (draft.tasks.length === 0) fail(undefined, 'no tasks: a plan needs at least one, e.g. 1. search("cheetah")');
  const references = draft.tasks.map((task) => referencesIn(task.args));
  const uses = references.map((found) => [...new Set(found.map((reference) => reference.task))]);
  const tasks = draft.tasks.map((task, position): PlanTask => {
    const index = position + 1;
    const refuse = (detail: string): never => fail(index, detail);
    checkArguments(task, tools, refuse);
    for (const reference of references[position] ?? []) {
      const { text, task: used } = reference;
      if (used === index) refuse(`${text} refers to itself`);
      if (used < 1 || used > draft.tasks.length) {
        refuse(`${text} refers to a missing task (the plan has tasks 1 to ${draft.tasks.length})`);
      }
      if (used > index) {
        // Numbers run 1, 2, 3… and a task may use only earlier ones, so every reference points back and no cycle
        // can form: a cycle always holds a forward reference. Where one closes a cycle, the message shows it.
        const cycle = cycleThrough(index, used, uses);
        const shown = cycle === undefined ? '' : ` (a cycle: ${cycle.join(' → ')})`;
        refuse(`${text} refers to a later task${shown}; a task may only use results of tasks before it`);
      }
    }
    const deps = [...(uses[position] ?? [])].sort((a, b) => a - b);
    const line = task.line ?? renderTaskLine(index, task.tool, task.args);
    return {
      index,
      tool: task.tool,
      args: task.args,
      deps,
      line,
      ...(task.latencyMs === undefined ? {} : { latencyMs: task.latencyMs }),
    };
  });
  const lines = draft.lines ?? tasks.map((task) => task.line);
  const text = `${[...lines, `${tasks.length + 1}. ${JOIN}()${END_OF_PLAN}`].join('\n')}\n`;
  const {
    name,
    description,
    question,
    answer = DEFAULT_ANSWER,
    modelLatencyMs,
    tokensPerSecond,
    toolLatencyMs,
  } = draft;
  return {
    name,
    description,
    question,
    tasks,
    answer,
    text,
    ...(modelLatencyMs === undefined ? {} : { modelLatencyMs }),
    ...(tokensPerSecond === undefined ? {} : { tokensPerSecond }),
    ...(toolLatencyMs === undefined ? {} : { toolLatencyMs }),
    ...(draft.paper === undefined ? {} : { paper: draft.paper }),
  };
}

/** Refuses an unknown tool, more arguments than it has parameters, a missing required one, or a wrong type. */
function checkArguments(task: DraftTask, tools: ToolRegistry, fail: (detail: string) => never): void {
  if (!tools.has(task.tool)) fail(`unknown tool ${quoteSource(task.tool)} (known: ${tools.names().join(', ')})`);
  const { parameters } = tools.named(task.tool).definition;
  if (takesAnyArguments(parameters)) return;
  const names = Object.keys(parameters.properties);
  if (task.args.length > names.length) {
    const takes =
      names.length === 0
        ? 'no arguments'
        : `${names.length} argument${names.length === 1 ? '' : 's'} (${names.join(', ')})`;
    fail(`${task.tool} takes ${takes}, got ${task.args.length}`);
  }
  for (const key of parameters.required ?? []) {
    const at = names.indexOf(key);
    if (at >= task.args.length)
      fail(`missing required argument "${key}" of ${task.tool} (in order: ${names.join(', ')})`);
  }
  for (const [i, value] of task.args.entries()) {
    const schema = parameters.properties[names[i] ?? ''];
    // a string holding a reference becomes a result later, whatever type the parameter wants
    if (typeof value === 'string' && referencesIn(value).length > 0) continue;
    if (!matchesType(schema, value))
      fail(`argument ${i + 1} (${names[i]}) of ${task.tool} must be ${expectedType(schema)}`);
  }
}

/** The shortest cycle `from → to → … → from` along the tasks' references, if `to` leads back to `from`. */
function cycleThrough(from: number, to: number, uses: readonly number[][]): number[] | undefined {
  const previous = new Map<number, number>([[to, from]]);
  const queue = [to];
  for (let k = 0; k < queue.length; k++) {
    const at = queue[k] ?? from;
    if (at === from) {
      const path = [from];
      for (let step = previous.get(from); step !== undefined && step !== from; step = previous.get(step))
        path.unshift(step);
      return [from, ...path];
    }
    for (const next of uses[at - 1] ?? []) {
      if (next === at || previous.has(next)) continue;
      previous.set(next, at);
      queue.push(next);
    }
  }
  return undefined;
}
