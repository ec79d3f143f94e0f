/**
 * A plan's ways side by side (LLMCompiler's comparison): ReAct, parallel function calling and a planner with a DAG,
 * each a variant of one agent group on a shared mock, ReAct the speedup reference.
 */

import { runPlanAgent } from '../agent/planner.ts';
import { AgentSession } from '../agent/session.ts';
import type { AgentRun } from '../agent/types.ts';
import { formatMode, isAnthropicApi } from '../agent/types.ts';
import { NOT_RUN } from '../executors/dag.ts';
import { mainThreadInvoke } from '../executors/registry.ts';
import type { Exchange } from '../model/context.ts';
import type { ModelMock } from '../model/mock-server.ts';
import type { Plan } from '../model/plan.ts';
import { formatPlanMode, type PlanMode, planScenario, taskId } from '../model/plan-scenarios.ts';
import type { CellResult } from '../results/document.ts';
import { dagScheduleMs } from '../stats/ideal.ts';
import type { ToolRuntimeConfig } from '../tools/config.ts';
import { ToolRuntime } from '../tools/runtime.ts';
import { type AgentGroupOptions, type AgentVariant, runAgentGroup } from './agent-matrix.ts';
import { hasOwnLatency } from './batch.ts';
import { plannedMs } from './sample-ideal.ts';

export interface PlanGroupOptions
  extends Omit<AgentGroupOptions, 'specs' | 'frameworks' | 'variants' | 'reference' | 'label'> {
  /** The plan; the group's `scenario` is its DAG conversation (`planScenario(plan, 'dag', …)`). */
  plan: Plan;
  modes: readonly PlanMode[];
}

/** The way speedups are against: one call per model turn. */
export const PLAN_REFERENCE = 'react';

/** Measures every mode of a plan in interleaved rounds; cells `agent/plan-NAME/API/MODE`. */
export function runPlanGroup(options: PlanGroupOptions): Promise<CellResult[]> {
  const { plan, modes, ...rest } = options;
  const fixed = options.agent.planLatencies ?? {};
  const tools: ToolRuntimeConfig = {
    ...options.tools,
    ...(Object.keys(fixed).length > 0 ? { latencyByCall: { ...options.tools.latencyByCall, ...fixed } } : {}),
  };
  return runAgentGroup({
    ...rest,
    tools,
    specs: [],
    frameworks: [],
    label: `plan-${plan.name}`,
    reference: PLAN_REFERENCE,
    variants: (mock) => modes.map((mode) => planVariant(mode, { ...options, tools }, mock)),
  });
}

function planVariant(mode: PlanMode, options: PlanGroupOptions, mock: ModelMock): AgentVariant {
  const { plan, tools, registries, policy } = options;
  const name = formatPlanMode(mode);
  const key = {
    executor: name,
    strategy: mode.way,
    ...(mode.limit === undefined ? {} : { limit: mode.limit }),
    ...options.mode,
  };
  const id = `${formatMode(options.mode)}/${name}`;
  if (mode.way !== 'dag') {
    const scenario = planScenario(plan, mode.way, registries.tools);
    const react = mode.way === 'react';
    return {
      name,
      key,
      id,
      shape: { schedule: react ? 'serial' : 'unbounded', offMainThread: false },
      async start() {
        const session = await AgentSession.start({
          target: { kind: 'mock', scenario, shared: mock },
          executor: { strategy: react ? 'sequential' : 'promise-all' },
          tools,
          api: options.mode.api,
          ...(policy ? { policy } : {}),
          toolRegistry: registries.tools,
          executorRegistry: registries.executors,
        });
        return { run: (signal) => session.run(signal ? { signal } : {}), close: () => session.close() };
      },
    };
  }
  const { scenario } = options;
  return {
    name,
    key,
    id,
    shape: { offMainThread: false, early: true },
    async start() {
      const runtime = new ToolRuntime(tools, { tools: registries.tools });
      mock.use(scenario);
      const client = isAnthropicApi(options.mode.api)
        ? await mock.createDirectAnthropicClient()
        : mock.createDirectClient();
      const dag = {
        ...(mode.limit === undefined ? {} : { limit: mode.limit }),
        ...(mode.pollMs === undefined ? {} : { pollMs: mode.pollMs }),
      };
      return {
        run: (signal) =>
          runPlanAgent({
            client,
            model: scenario.name,
            plan,
            tools: registries.tools,
            runner: mainThreadInvoke(runtime, policy),
            dag,
            api: options.mode.api,
            ...(signal ? { signal } : {}),
          }),
        close: async () => {},
      };
    },
    idealMs: (run, exchanges) => planIdealMs(run, exchanges, plan, mode, options),
    dependsOn: new Map(plan.tasks.map((task) => [taskId(task.index), task.deps.map(taskId)])),
  };
}

/**
 * The ideal of a planner-and-DAG run: the planning turn takes its server time, and its tasks run no earlier than
 * their line went out in the stream (the whole answer's end when it did not stream) and than the tasks they name
 * ended, on `dag(k)`'s k slots (unbounded: the critical path with release times); the turn ends when both are
 * done. Then the joining turn's server time. Polling is not part of the ideal: what it costs shows as efficiency.
 */
export function planIdealMs(
  run: AgentRun,
  exchanges: readonly Exchange[],
  plan: Plan,
  mode: PlanMode,
  options: Pick<PlanGroupOptions, 'tools' | 'registries' | 'policy'>,
): number {
  const [planning, ...rest] = exchanges;
  const step = run.steps[0];
  if (!planning || !step) return Number.NaN;
  const server = (e: Exchange) => (Number.isFinite(e.respondedAt) ? e.respondedAt : e.receivedAt) - e.receivedAt;
  const modelMs = server(planning);
  const byId = new Map(step.outcomes.map((o) => [o.id, o]));
  const durations = step.calls.map((call) => {
    const outcome = byId.get(call.id);
    // a task whose input failed was never run: it takes no time (with injected faults)
    if (outcome && outcome.status !== 'ok' && outcome.error.startsWith(NOT_RUN)) return 0;
    if (!hasOwnLatency(call, options.registries.tools)) return plannedMs(options.tools, call, options.policy);
    return outcome ? Math.max(0, outcome.endedMs - outcome.startedMs) : Number.NaN;
  });
  const position = new Map(plan.tasks.map((task, i) => [task.index, i]));
  const deps = plan.tasks.map((task) => task.deps.map((d) => position.get(d) ?? 0));
  const releases = plan.tasks.map((task) => {
    const ready = planning.readyAt?.[taskId(task.index)];
    return ready === undefined ? modelMs : Math.min(modelMs, ready - planning.receivedAt);
  });
  const tasksMs = dagScheduleMs(durations, deps, releases, mode.limit ?? Number.POSITIVE_INFINITY);
  return Math.max(modelMs, tasksMs) + rest.reduce((sum, e) => sum + server(e), 0);
}
