import os from 'node:os';
import { AgentSession } from '../agent/session.ts';
import { AgentError, type AgentRun } from '../agent/types.ts';
import type { CallPolicy } from '../executors/policy.ts';
import { type ExecutorSpec, formatSpec } from '../executors/registry.ts';
import { loadScenario } from '../model/load.ts';
import { createModelMock } from '../model/mock-server.ts';
import type { AgentBenchConfig, CellResult } from '../results/document.ts';
import { mean } from '../stats/summary.ts';
import type { ToolRuntimeConfig } from '../tools/config.ts';
import { measuredCell, referenceRounds } from './cells.ts';
import { runInterleaved, type Variant } from './interleave.ts';
import { sampleIdealMs } from './matrix.ts';

interface RunExtra {
  run: AgentRun;
  idealMs: number;
}

/**
 * Ideal of a whole run: every turn's model time as measured (the model is not what is being scheduled) plus the
 * ideal of the batch it asked for. With early dispatch tools overlap the stream, so efficiency can pass 1.
 */
function runIdealMs(run: AgentRun, spec: ExecutorSpec, tools: ToolRuntimeConfig, policy?: CallPolicy): number {
  return run.steps.reduce((sum, step) => {
    const batch = sampleIdealMs(spec, step.calls, step.outcomes, tools, policy, os.availableParallelism());
    return sum + step.modelMs + batch;
  }, 0);
}

/**
 * Benchmarks whole agent runs of one scenario per strategy, in interleaved rounds against the mocked API:
 * end-to-end time, where it went (model vs tools), speedup against sequential.
 */
export async function runAgentBench(
  specs: readonly ExecutorSpec[],
  agent: AgentBenchConfig,
  tools: ToolRuntimeConfig,
  rounds: number,
  policy?: CallPolicy,
  signal?: AbortSignal,
  onSample?: (executor: string, round: number) => void,
): Promise<CellResult[]> {
  const scenario = loadScenario(agent.scenario);
  const sessions = new Map<string, AgentSession>();
  const mock = createModelMock({
    scenario,
    ...(agent.modelLatencyMs === undefined ? {} : { latencyOverrideMs: agent.modelLatencyMs }),
    ...(agent.streamChunkDelayMs === undefined ? {} : { streamChunkDelayMs: agent.streamChunkDelayMs }),
  });
  mock.listen();
  try {
    const startErrors = new Map<string, string>();
    for (const spec of specs) {
      try {
        const session = await AgentSession.start({
          target: { kind: 'mock', scenario, shared: mock },
          executor: spec,
          tools,
          api: agent.api,
          dispatch: agent.dispatch,
          ...(policy ? { policy } : {}),
        });
        sessions.set(formatSpec(spec), session);
        // first SDK call and mock warm-up, outside the samples; a run whose calls all failed still warmed up
        await session.run().catch((error: unknown) => {
          if (!(error instanceof AgentError)) throw error;
        });
      } catch (error) {
        startErrors.set(formatSpec(spec), `could not start: ${(error as Error).message}`);
      }
    }
    const variants: Variant<RunExtra>[] = specs
      .filter((spec) => !startErrors.has(formatSpec(spec)))
      .map((spec) => {
        const session = sessions.get(formatSpec(spec)) as AgentSession;
        return {
          name: formatSpec(spec),
          async sample() {
            const run = await session.run(signal ? { signal } : {});
            return { durationMs: run.totalMs, extra: { run, idealMs: runIdealMs(run, spec, tools, policy) } };
          },
        };
      });
    const records = await runInterleaved(variants, {
      rounds,
      ...(signal ? { signal } : {}),
      ...(onSample ? { onSample } : {}),
    });
    const referenceMs = referenceRounds(records);
    return specs.map((spec): CellResult => {
      const executor = formatSpec(spec);
      const record = records.find((r) => r.name === executor);
      const runs = record?.rounds.map((s) => s.extra.run) ?? [];
      const key = {
        id: `agent/${agent.scenario}/${agent.api}/${executor}`,
        kind: tools.kind,
        calls: runs[0]?.steps.reduce((n, s) => n + s.calls.length, 0) ?? 0,
        executor,
        ...spec,
      };
      if (!record || record.status === 'error') {
        const error = startErrors.get(executor) ?? (record?.status === 'error' ? record.error : 'not measured');
        return { ...key, status: 'error', error };
      }
      const statuses = runs.flatMap((r) => r.steps.flatMap((step) => step.outcomes.map((o) => o.status)));
      return {
        ...measuredCell(key, record, referenceMs, statuses),
        agent: {
          scenario: agent.scenario,
          steps: mean(runs.map((r) => r.steps.length)),
          modelMs: mean(runs.map((r) => r.modelMs)),
          toolsMs: mean(runs.map((r) => r.toolsMs)),
        },
      };
    });
  } finally {
    await Promise.all([...sessions.values()].map((s) => s.close()));
    mock.close();
  }
}
