import os from 'node:os';
import { resolve } from 'node:path';
import { AgentSession } from '../agent/session.ts';
import { AgentError, type AgentMode, type AgentRun, type AgentStep, formatMode } from '../agent/types.ts';
import { errorMessage } from '../core/errors.ts';
import { withDeadline } from '../core/time.ts';
import type { IdealSchedule } from '../executors/definition.ts';
import type { CallPolicy } from '../executors/policy.ts';
import type { QueueSettings } from '../executors/queue-settings.ts';
import { type ExecutorSpec, formatSpec, idealShape } from '../executors/registry.ts';
import { exchangeTimes } from '../frameworks/observe.ts';
import type { ResolvedFramework } from '../frameworks/registry.ts';
import { FrameworkSession } from '../frameworks/session.ts';
import { type Exchange, type ModelTiming, timingSettings } from '../model/context.ts';
import { createModelMock, type ModelMock } from '../model/mock-server.ts';
import { type Scenario, scenarioCalls } from '../model/scenario.ts';
import {
  type AgentBenchConfig,
  type AgentCellStats,
  type CellKey,
  type CellResult,
  type FrameworkRef,
  TIMELINE_MAX_CALLS,
  type TimelineSpan,
} from '../results/document.ts';
import { mean, peakOverlap } from '../stats/summary.ts';
import type { ToolRuntimeConfig } from '../tools/config.ts';
import { readModelProfile } from '../tools/recorded.ts';
import type { ToolRegistry } from '../tools/registry.ts';
import { hasOwnLatency } from './batch.ts';
import { brokenVariants, callSpans, failureOf, measuredCell, referenceRounds, toMicros } from './cells.ts';
import { runInterleaved, type Variant } from './interleave.ts';
import { SAMPLE_DEADLINE_FLOOR_MS } from './matrix.ts';
import type { MatrixRegistries } from './plan.ts';
import { plannedMs, sampleIdealMs } from './sample-ideal.ts';

interface RunExtra {
  run: AgentRun;
  /** Streamed calls of this run: each tool's start after its call was ready in the stream, and after the stream. */
  dispatch: { afterReadyMs: number[]; afterStreamEndMs: number[] };
  idealMs: number;
  spans?: TimelineSpan[];
  /** As the mock saw them (see {@link exchangeTimes}), for every variant alike. */
  modelMs: number;
  toolsMs: number;
}

/** The model's timing an agent run states: its shorthands and rate, and the turns of its model profile if any. */
export function agentTiming(agent: AgentBenchConfig, seed: number): ModelTiming {
  const profile = agent.modelProfile ? readModelProfile(resolve(agent.modelProfile.file)) : undefined;
  return { ...agent, ...(profile ? { latencySamples: profile.turnsMs, seed } : {}) };
}

/**
 * How a variant's tool batches are ideally scheduled: an executor's declared shape; a framework runs all at once.
 * `early`: its calls may start as soon as their arguments are complete in a streamed turn (our loop with early
 * dispatch; a framework on a streamed API, which decides that itself), so their ready times are release times.
 */
export type Shape = { schedule?: IdealSchedule; limit?: number; offMainThread: boolean; early?: boolean };
const FRAMEWORK_SHAPE: Shape = { schedule: 'unbounded', offMainThread: false, early: true };

/**
 * Ideal of a whole run, turn by turn as the mock saw it. A model turn takes its server time, from the request's
 * arrival to the response's last byte (no client can wait less). Its calls start no earlier than their release:
 * for a variant that dispatches early, when the call's last argument chunk went out (`readyAt`), else when the
 * stream ended; they run on the variant's schedule (sequential: each at max(release, previous end); k slots: list
 * scheduling; unbounded: max(release + duration)). The next turn starts once both the response and the calls are
 * done. The same for our loop and for a framework's, so their overheads compare; efficiency stays at most 1.
 */
export function runIdealMs(
  run: AgentRun,
  exchanges: readonly Exchange[],
  shape: Shape,
  tools: ToolRuntimeConfig,
  registry: ToolRegistry,
  policy?: CallPolicy,
): number {
  const cores = os.availableParallelism();
  const stepOf = new Map(run.steps.flatMap((step) => step.calls.map((call) => [call.id, step] as const)));
  const matched = new Set<AgentStep>();
  let total = 0;
  for (const exchange of exchanges) {
    const responded = Number.isFinite(exchange.respondedAt) ? exchange.respondedAt : exchange.receivedAt;
    const modelMs = responded - exchange.receivedAt;
    const step = exchange.calls[0] ? stepOf.get(exchange.calls[0].id) : undefined;
    if (!step || matched.has(step)) {
      total += modelMs;
      continue;
    }
    matched.add(step);
    const releases = step.calls.map((call) => {
      const ready = shape.early ? exchange.readyAt?.[call.id] : undefined;
      return ready === undefined ? modelMs : Math.min(modelMs, ready - exchange.receivedAt);
    });
    const batch = sampleIdealMs(shape, step.calls, step.outcomes, tools, policy, cores, registry, releases);
    total += Math.max(modelMs, batch);
  }
  // steps the mock did not see ask for their calls (none in practice): their batch after its turn, as before
  for (const step of run.steps) {
    if (step.calls.length > 0 && !matched.has(step)) {
      total += sampleIdealMs(shape, step.calls, step.outcomes, tools, policy, cores, registry);
    }
  }
  return total;
}

/** A run as timeline bars: each turn's model time, then its calls; none when a step was not timed from the run. */
export function runSpans(
  run: AgentRun,
  planned?: { calls: ReadonlyMap<string, number>; turns: readonly (number | undefined)[] },
): TimelineSpan[] | undefined {
  const spans: TimelineSpan[] = [];
  for (const [i, step] of run.steps.entries()) {
    if (step.startedMs === undefined || step.batchStartedMs === undefined) return undefined;
    const startMs = toMicros(step.startedMs);
    const turnPlanned = planned?.turns[i];
    spans.push({
      kind: 'model',
      turn: step.index,
      startMs,
      endMs: toMicros(step.startedMs + step.modelMs),
      ...(turnPlanned === undefined ? {} : { plannedMs: turnPlanned }),
    });
    for (const span of callSpans(step.calls, step.outcomes, step.batchStartedMs, step.index)) {
      const callPlanned = span.kind === 'call' ? planned?.calls.get(span.id) : undefined;
      spans.push(callPlanned === undefined ? span : { ...span, plannedMs: callPlanned });
    }
  }
  return spans;
}

/**
 * What a run was planned to take: each simulated call's drawn latency, and each model turn's latency where that is
 * the whole turn (one per step).
 */
function plannedOf(
  run: AgentRun,
  exchanges: readonly Exchange[],
  tools: ToolRuntimeConfig,
  registry: ToolRegistry,
  policy?: CallPolicy,
): { calls: Map<string, number>; turns: (number | undefined)[] } {
  const calls = new Map<string, number>();
  for (const step of run.steps) {
    for (const call of step.calls) {
      if (!hasOwnLatency(call, registry)) calls.set(call.id, plannedMs(tools, call, policy));
    }
  }
  // a turn's latency is all it took only when it was answered whole and at once (no stream, no token pacing)
  const whole = (e: Exchange) => (e.stream || e.tokensPerSecond !== undefined ? undefined : e.latencyMs);
  const turns = exchanges.length === run.steps.length ? exchanges.map(whole) : [];
  return { calls, turns };
}

/**
 * When each streamed call's tool started, from outside: after the call was complete in the stream (its last
 * argument chunk, as the mock sent it) and after the stream ended. `runStartedAt` is `performance.now()` just
 * before the run; a step's calls are timed from its batch start, which the run times from its own start. A call
 * that needs other calls' results (`dependsOn`: a plan's tasks) is ready only once they also ended.
 */
export function streamDispatch(
  run: AgentRun,
  exchanges: readonly Exchange[],
  runStartedAt: number,
  dependsOn?: ReadonlyMap<string, readonly string[]>,
): RunExtra['dispatch'] {
  const started = new Map<string, number>();
  const ended = new Map<string, number>();
  for (const step of run.steps) {
    if (step.batchStartedMs === undefined) continue;
    for (const o of step.outcomes) {
      if (o.status === 'ok' || o.endedMs > 0) started.set(o.id, runStartedAt + step.batchStartedMs + o.startedMs);
      ended.set(o.id, runStartedAt + step.batchStartedMs + o.endedMs);
    }
  }
  const dispatch: RunExtra['dispatch'] = { afterReadyMs: [], afterStreamEndMs: [] };
  for (const exchange of exchanges) {
    for (const [id, streamedAt] of Object.entries(exchange.readyAt ?? {})) {
      const at = started.get(id);
      if (at === undefined || !Number.isFinite(exchange.respondedAt)) continue;
      const readyAt = Math.max(streamedAt, ...(dependsOn?.get(id) ?? []).map((dep) => ended.get(dep) ?? 0));
      dispatch.afterReadyMs.push(at - readyAt);
      dispatch.afterStreamEndMs.push(at - exchange.respondedAt);
    }
  }
  return dispatch;
}

/** The cell's `streamDispatch`: means over every streamed call of every round; nothing when none streamed. */
function dispatchSummary(rounds: readonly RunExtra['dispatch'][]): Pick<AgentCellStats, 'streamDispatch'> {
  const afterReady = rounds.flatMap((r) => r.afterReadyMs);
  if (afterReady.length === 0) return {};
  const afterEnd = rounds.flatMap((r) => r.afterStreamEndMs);
  return {
    streamDispatch: { afterReadyMs: mean(afterReady), afterStreamEndMs: mean(afterEnd), calls: afterReady.length },
  };
}

/** Most calls running at once in any turn of the run. */
function runPeakInFlight(run: AgentRun): number {
  return Math.max(0, ...run.steps.map((step) => peakOverlap(step.outcomes)));
}

/** One variant of an agent group: our loop with an executor, a framework's own loop, or a way of running a plan. */
export interface AgentVariant {
  name: string;
  key: Omit<CellKey, 'id' | 'calls' | 'kind'>;
  /** Its cell id after the scenario: our loop's mode (`messages-stream+early/promise-all`), a framework's API. */
  id: string;
  shape: Shape;
  start(): Promise<{ run(signal?: AbortSignal): Promise<AgentRun>; close(): Promise<void> }>;
  /** The run's ideal when {@link runIdealMs} on its shape does not describe it (a plan's DAG). */
  idealMs?(run: AgentRun, exchanges: readonly Exchange[]): number;
  /** Calls that need others' results, by id (a plan's tasks): a call is ready once those ended too. */
  dependsOn?: ReadonlyMap<string, readonly string[]>;
}

export interface AgentGroupOptions {
  /** The scenario this group plays (for `fanout`, `fanout-N`). */
  scenario: Scenario;
  agent: AgentBenchConfig;
  /** The API and dispatch our loop uses in this group (one of the run's modes). */
  mode: AgentMode;
  specs: readonly ExecutorSpec[];
  frameworks: readonly ResolvedFramework[];
  tools: ToolRuntimeConfig;
  rounds: number;
  policy?: CallPolicy;
  queue?: QueueSettings;
  /** Where tool and strategy names are looked up. */
  registries: MatrixRegistries;
  signal?: AbortSignal;
  onSample?: (variant: string, round: number) => void;
  /** Variants of their own in place of the specs' and frameworks' (a plan's ways), on the group's shared mock. */
  variants?: (mock: ModelMock) => AgentVariant[];
  /** The variant speedups are against. @default 'sequential' */
  reference?: string;
  /** What cell ids name after `agent/`. @default the scenario's name */
  label?: string;
}

function frameworkRef(framework: ResolvedFramework): FrameworkRef {
  return {
    name: framework.definition.name,
    package: framework.package,
    version: framework.version,
    packages: framework.packages,
    ...(framework.spec.alias === undefined ? {} : { alias: framework.spec.alias }),
    ...(framework.release ? { release: framework.release } : {}),
    api: framework.definition.api,
  };
}

function variantsOf(options: AgentGroupOptions, mock: ModelMock): AgentVariant[] {
  const { scenario, mode, tools, policy, queue, registries } = options;
  const executors = options.specs.map(
    (spec): AgentVariant => ({
      name: formatSpec(spec),
      key: { executor: formatSpec(spec), ...spec, ...mode },
      id: `${formatMode(mode)}/${formatSpec(spec)}`,
      shape: { ...idealShape(spec, registries.executors), early: mode.dispatch === 'early' },
      async start() {
        const session = await AgentSession.start({
          target: { kind: 'mock', scenario, shared: mock },
          executor: spec,
          tools,
          api: mode.api,
          dispatch: mode.dispatch,
          ...(policy ? { policy } : {}),
          ...(queue ? { queue } : {}),
          toolRegistry: registries.tools,
          executorRegistry: registries.executors,
        });
        return { run: (signal) => session.run(signal ? { signal } : {}), close: () => session.close() };
      },
    }),
  );
  const frameworks = options.frameworks.map(
    (framework): AgentVariant => ({
      name: framework.label,
      key: {
        executor: framework.label,
        strategy: framework.definition.name,
        framework: frameworkRef(framework),
        ...mode,
      },
      id: `${framework.definition.api}/${framework.label}`,
      shape: FRAMEWORK_SHAPE,
      start: () =>
        FrameworkSession.start({
          framework,
          scenario,
          mock,
          tools,
          toolRegistry: registries.tools,
          ...(policy ? { policy } : {}),
        }),
    }),
  );
  return [...executors, ...frameworks];
}

/**
 * Benchmarks whole agent runs of one scenario, in interleaved rounds against the mocked API: our loop with each
 * strategy, and each framework's own loop. End-to-end time, where it went (model, tools, the loop's own overhead),
 * speedup against our loop with `sequential`.
 */
export async function runAgentGroup(options: AgentGroupOptions): Promise<CellResult[]> {
  const { scenario, agent, tools, rounds, policy, signal } = options;
  const calls = scenarioCalls(scenario);
  const mock = createModelMock({
    scenario,
    ...timingSettings(agentTiming(agent, tools.seed)),
  });
  mock.listen();
  const variants = options.variants ? options.variants(mock) : variantsOf(options, mock);
  const sessions = new Map<string, Awaited<ReturnType<AgentVariant['start']>>>();
  const cellKey = (variant: AgentVariant) => ({
    id: `agent/${options.label ?? scenario.name}/${variant.id}`,
    kind: tools.kind,
    calls,
    ...variant.key,
  });
  try {
    const startErrors = new Map<string, string>();
    for (const variant of variants) {
      try {
        const session = await withDeadline(variant.start(), SAMPLE_DEADLINE_FLOOR_MS, `${variant.name}: start`);
        sessions.set(variant.name, session);
        // first requests and imports warm up outside the samples; a run whose calls all failed still warmed up
        await withDeadline(
          session.run().catch((error: unknown) => {
            if (!(error instanceof AgentError) && !variant.key.framework) throw error;
          }),
          SAMPLE_DEADLINE_FLOOR_MS,
          `${variant.name}: warm-up run`,
        );
      } catch (error) {
        startErrors.set(variant.name, `could not start: ${errorMessage(error)}`);
      }
    }
    const measured: Variant<RunExtra>[] = variants
      .filter((variant) => sessions.has(variant.name))
      .map((variant) => {
        const session = sessions.get(variant.name) as NonNullable<ReturnType<typeof sessions.get>>;
        return {
          name: variant.name,
          async sample() {
            mock.takeExchanges();
            const deadline = Math.max(SAMPLE_DEADLINE_FLOOR_MS, 20 * calls * tools.latencyMs);
            const runStartedAt = performance.now();
            const run = await withDeadline(session.run(signal), deadline, `${variant.name}: run`);
            const exchanges = mock.takeExchanges();
            const times = exchangeTimes(exchanges, performance.now());
            const dispatch = streamDispatch(run, exchanges, runStartedAt, variant.dependsOn);
            const ideal = variant.idealMs
              ? variant.idealMs(run, exchanges)
              : runIdealMs(run, exchanges, variant.shape, tools, options.registries.tools, policy);
            const spans =
              calls <= TIMELINE_MAX_CALLS
                ? runSpans(run, plannedOf(run, exchanges, tools, options.registries.tools, policy))
                : undefined;
            return {
              durationMs: run.totalMs,
              extra: { run, dispatch, idealMs: ideal, ...times, ...(spans ? { spans } : {}) },
            };
          },
        };
      });
    const records = await runInterleaved(measured, {
      rounds,
      ...(signal ? { signal } : {}),
      ...(options.onSample ? { onSample: options.onSample } : {}),
    });
    const broken = brokenVariants(
      records,
      ({ run }) => {
        const outcomes = run.steps.flatMap((step) => step.outcomes);
        return { statuses: outcomes.map((o) => o.status), ...failureOf(outcomes) };
      },
      tools.faults,
      policy,
    );
    const referenceMs = referenceRounds(records, broken, options.reference);
    return variants.map((variant): CellResult => {
      const key = cellKey(variant);
      const record = records.find((r) => r.name === variant.name);
      if (!record || record.status === 'error') {
        const error = startErrors.get(variant.name) ?? (record?.status === 'error' ? record.error : 'not measured');
        return { ...key, status: 'error', error };
      }
      const failure = broken.get(variant.name);
      if (failure) return { ...key, status: 'error', error: failure };
      const runs = record.rounds.map((s) => s.extra.run);
      const statuses = runs.flatMap((r) => r.steps.flatMap((step) => step.outcomes.map((o) => o.status)));
      return {
        ...measuredCell(key, record, referenceMs, statuses),
        agent: {
          scenario: scenario.name,
          steps: mean(runs.map((r) => r.steps.length)),
          modelMs: mean(record.rounds.map((s) => s.extra.modelMs)),
          toolsMs: mean(record.rounds.map((s) => s.extra.toolsMs)),
          peakInFlight: Math.max(0, ...runs.map(runPeakInFlight)),
          ...dispatchSummary(record.rounds.map((r) => r.extra.dispatch)),
        },
      };
    });
  } finally {
    await Promise.all(
      [...sessions].map(([name, s]) =>
        withDeadline(
          Promise.resolve().then(() => s.close()),
          30_000,
          `${name}: close()`,
        ).catch(() => {}),
      ),
    );
    mock.close();
  }
}
