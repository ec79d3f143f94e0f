import { dagLabel } from '../executors/dag.ts';
import type { ToolRegistry } from '../tools/registry.ts';
import { namedArguments, type Plan, type PlanTask, planDepth, scenarioReferences } from './plan.ts';
import { type Scenario, type ScenarioCall, type ScenarioTurn, validateScenario } from './scenario.ts';

/** The call id of a plan's task, `task_3`, the same in every way of running the plan (references use it). */
export const taskId = (index: number): string => `task_${index}`;

/** The ways a plan is run, as LLMCompiler compares them. */
export type PlanWay = 'react' | 'parallel-fc' | 'dag';

/** Per-task latencies a plan fixes (a task's `latencyMs`), by the call id every way gives the task. */
export function planLatencies(plan: Plan): Record<string, number> {
  return Object.fromEntries(
    plan.tasks.flatMap((task) => (task.latencyMs === undefined ? [] : [[taskId(task.index), task.latencyMs]])),
  );
}

/** A task as a scripted function call: named arguments, `$N` turned into a reference to `task_N`'s result. */
function scriptedCall(task: PlanTask, tools: ToolRegistry): ScenarioCall {
  const args = namedArguments({ ...task, args: task.args.map(scenarioReferences) }, tools);
  return { id: taskId(task.index), name: task.tool, arguments: args };
}

/**
 * A plan as the conversation of one way of running it, played by the mock through the official SDKs:
 * `react` asks one call per model turn, in the plan's order; `parallel-fc` asks, each turn, every call whose inputs
 * are known (the plan's levels: a call waits for the turn after the calls it names); `dag` is LLMCompiler's: one
 * planning turn whose text is the plan (the client runs its tasks), then the answer. The model fills references
 * from the results the client sent back, as a real model would read them.
 */
export function planScenario(plan: Plan, way: PlanWay, tools: ToolRegistry): Scenario {
  const name = `${plan.name}-${way}`;
  const answer = { answer: plan.answer };
  let turns: ScenarioTurn[];
  if (way === 'dag') {
    const tasks = plan.tasks.map((task) => ({ id: taskId(task.index), line: task.line }));
    // built here, not read from a file: the scenario checker knows no plan turns
    return {
      name,
      description: `${plan.description} (planner and DAG)`,
      question: plan.question,
      modelLatencyMs: plan.modelLatencyMs ?? 0,
      ...(plan.tokensPerSecond === undefined ? {} : { tokensPerSecond: plan.tokensPerSecond }),
      turns: [{ plan: plan.text, tasks }, answer],
    };
  }
  if (way === 'react') {
    turns = plan.tasks.map((task) => ({ calls: [scriptedCall(task, tools)] }));
  } else {
    const depth = planDepth(plan);
    const levels = Math.max(0, ...depth);
    turns = Array.from({ length: levels }, (_, level) => ({
      calls: plan.tasks.filter((_, i) => depth[i] === level + 1).map((task) => scriptedCall(task, tools)),
    }));
  }
  return validateScenario(
    {
      name,
      description: `${plan.description} (${way})`,
      question: plan.question,
      modelLatencyMs: plan.modelLatencyMs ?? 0,
      ...(plan.tokensPerSecond === undefined ? {} : { tokensPerSecond: plan.tokensPerSecond }),
      turns: [...turns, answer],
    },
    name,
    tools,
  );
}

/** LLMCompiler's Task Fetching Unit polls for startable tasks every 10 ms (`SCHEDULING_INTERVAL`). */
export const LLMCOMPILER_POLL_MS = 10;

/** One cell of a plan run: a way of running it, and for the DAG its limit and polling. */
export interface PlanMode {
  way: PlanWay;
  /** `dag(k)`: at most k tasks at once. */
  limit?: number;
  /** `dag+poll`: look for startable tasks every this many ms instead of at once. */
  pollMs?: number;
}

export const DEFAULT_PLAN_MODES: readonly string[] = ['react', 'parallel-fc', 'dag'];
export const PLAN_MODE_EXAMPLES = 'react, parallel-fc, dag, dag(4), dag+poll (every 10 ms), dag(4)+poll20ms';

const PLAN_MODE = /^(react|parallel-fc|dag)(?:\((\d+)\))?(?:\+poll(?:(\d+)ms)?)?$/;

/** `dag(4)+poll10ms` → `{ way: 'dag', limit: 4, pollMs: 10 }`; undefined when the text names no plan mode. */
export function parsePlanMode(text: string): PlanMode | undefined {
  const match = PLAN_MODE.exec(text.trim());
  if (!match) return undefined;
  const way = match[1] as PlanWay;
  const polled = text.includes('+poll');
  if (way !== 'dag' && (match[2] !== undefined || polled)) return undefined;
  const limit = match[2] === undefined ? undefined : Number(match[2]);
  const pollMs = polled ? (match[3] === undefined ? LLMCOMPILER_POLL_MS : Number(match[3])) : undefined;
  if (limit !== undefined && !(Number.isSafeInteger(limit) && limit >= 1 && limit <= 10_000)) return undefined;
  if (pollMs !== undefined && !(Number.isSafeInteger(pollMs) && pollMs >= 1 && pollMs <= 1000)) return undefined;
  return { way, ...(limit === undefined ? {} : { limit }), ...(pollMs === undefined ? {} : { pollMs }) };
}

/** How cells and tables name a plan mode: `react`, `dag(4)`, `dag+poll10ms`. */
export function formatPlanMode(mode: PlanMode): string {
  return mode.way === 'dag' ? dagLabel(mode) : mode.way;
}
