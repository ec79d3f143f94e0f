import type Anthropic from '@anthropic-ai/sdk';
import type OpenAI from 'openai';
import { type CallRunner, epochNow } from '../executors/call.ts';
import { type DagOptions, type DagTask, startDag } from '../executors/dag.ts';
import type { ToolCall, ToolOutcome } from '../executors/types.ts';
import { namedArguments, type Plan, PlanStreamParser, type PlanTask, resolveReferences } from '../model/plan.ts';
import { taskId } from '../model/plan-scenarios.ts';
import type { ToolRegistry } from '../tools/registry.ts';
import { aggregateErrors, createProvider, summarize } from './loop.ts';
import type { ModelTurn } from './provider.ts';
import type { AgentRun, AgentStep, ApiMode } from './types.ts';

export interface PlanAgentOptions {
  /** OpenAI's SDK client for `chat`, Anthropic's for `messages`. */
  client: OpenAI | Anthropic;
  model: string;
  plan: Plan;
  /** The tools the plan's tasks name (their schemas map positional arguments to names). */
  tools: ToolRegistry;
  /** Runs one task's call (the harness's tools, faults and policy). */
  runner: CallRunner;
  /** Limit and polling of the Task Fetching Unit. */
  dag: DagOptions;
  /** @default 'chat-stream' */
  api?: ApiMode;
  signal?: AbortSignal;
}

/** What a task's `$N` becomes: a text result as it is, anything else as JSON (LLMCompiler passes observations). */
function resultText(outcome: ToolOutcome): string {
  if (outcome.status !== 'ok') return `error: ${outcome.error}`;
  return typeof outcome.value === 'string' ? outcome.value : JSON.stringify(outcome.value ?? null);
}

/** The joiner's input: each task's observation, as LLMCompiler hands them to its joiner. */
export function observations(tasks: readonly PlanTask[], outcomes: readonly ToolOutcome[]): string {
  const byId = new Map(outcomes.map((o) => [o.id, o]));
  const lines = tasks.map((task) => {
    const outcome = byId.get(taskId(task.index));
    return `${task.line}\nObservation: ${outcome ? resultText(outcome) : 'not run'}`;
  });
  return `${lines.join('\n')}\nThought: answer the question from these observations.`;
}

/**
 * LLMCompiler's loop: one planning turn whose text streams; each task goes to the Task Fetching Unit (a DAG run)
 * the moment its line is complete and starts once the tasks it names are done, their results in place of `$N`;
 * then a joining turn gets every observation and answers. The run's steps are the planning turn with its tasks as
 * calls (timed from the turn's start, like early dispatch) and the answer.
 */
export async function runPlanAgent(options: PlanAgentOptions): Promise<AgentRun> {
  const api = options.api ?? 'chat-stream';
  const { plan, signal } = options;
  const provider = createProvider(api, {
    client: options.client,
    model: options.model,
    question: plan.question,
    tools: [],
  });
  const started = performance.now();
  const origin = epochNow();
  // a failed planning turn stops the tasks it started: none runs on into the next run
  const stop = new AbortController();
  const dagSignal = signal ? AbortSignal.any([signal, stop.signal]) : stop.signal;
  const dag = startDag(options.runner, { ...options.dag, origin, signal: dagSignal });
  const built = new Map<string, ToolCall>();
  const parser = new PlanStreamParser(plan);
  let duringStream = 0;
  const add = (tasks: readonly PlanTask[]) => {
    for (const task of tasks) dag.add(dagTask(task, options.tools, built));
  };
  let turn: ModelTurn;
  try {
    turn = await provider.ask({
      signal,
      onText: (piece) => {
        const ready = parser.push(piece);
        duringStream += ready.length;
        add(ready);
      },
    });
    add(parser.end());
    dag.end();
  } catch (error) {
    stop.abort(error);
    dag.end();
    await dag.outcomes; // every task settled (cancelled, or ended by the signal) and the DAG's polling stopped
    throw error;
  }
  const answered = performance.now();
  const outcomes = await dag.outcomes;
  const calls = plan.tasks.map(
    (task) => built.get(taskId(task.index)) ?? { id: taskId(task.index), name: task.tool, arguments: '{}' },
  );
  const failed = outcomes.filter((o) => o.status !== 'ok');
  const planning: AgentStep = {
    index: 1,
    text: turn.text,
    calls,
    outcomes,
    modelMs: turn.modelMs,
    toolsMs: performance.now() - answered,
    ...(turn.streamMs === undefined ? {} : { streamMs: turn.streamMs, startedDuringStream: duringStream }),
    turnMs: performance.now() - started,
    startedMs: 0,
    batchStartedMs: 0,
    warnings: turn.warnings,
    ...(failed.length > 0
      ? { errorSummary: `${failed.length} of ${outcomes.length} tasks failed: ${aggregateErrors(failed)}` }
      : {}),
  };
  provider.reply(turn, observations(plan.tasks, outcomes));
  const joinStart = performance.now();
  const join = await provider.ask({ signal });
  const joining: AgentStep = {
    index: 2,
    text: join.text,
    calls: join.calls,
    outcomes: [],
    modelMs: join.modelMs,
    toolsMs: 0,
    turnMs: performance.now() - joinStart,
    startedMs: joinStart - started,
    batchStartedMs: performance.now() - started,
    warnings: join.warnings,
  };
  return summarize(plan.question, [planning, joining], join.text, 'answered', started);
}

/** A plan's task as the DAG runs it: its call is built when the tasks it names are done, their results in place. */
function dagTask(task: PlanTask, tools: ToolRegistry, built: Map<string, ToolCall>): DagTask {
  const id = taskId(task.index);
  return {
    id,
    deps: task.deps.map(taskId),
    call(done) {
      const results = new Map(task.deps.map((d) => [d, resultText(done.get(taskId(d)) as ToolOutcome)]));
      const args = resolveReferences(task.args, results) as unknown[];
      const call: ToolCall = {
        id,
        name: task.tool,
        arguments: JSON.stringify(namedArguments({ ...task, args }, tools)),
      };
      built.set(id, call);
      return call;
    },
  };
}
