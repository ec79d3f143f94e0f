/**
 * The ideal of a sample: what its calls should take (drawn latencies, a hang's timeout), a tool with its own latency
 * counted by what it took alone, on the strategy's ideal schedule.
 */
import type { CallPolicy } from '../executors/policy.ts';
import { formatSpec, idealShape } from '../executors/registry.ts';
import type { ToolCall, ToolOutcome } from '../executors/types.ts';
import { idealMs } from '../stats/ideal.ts';
import type { ToolRuntimeConfig } from '../tools/config.ts';
import { planCall } from '../tools/latency.ts';
import type { ToolRegistry } from '../tools/registry.ts';
import { hasOwnLatency } from './batch.ts';
import type { BatchExtra } from './batch-cells.ts';
import type { VariantRecord } from './interleave.ts';
import { type Group, type MatrixOptions, matrixRegistries, workerCores } from './plan.ts';

/**
 * Ideal of one sample: simulated calls count with their drawn latency, calls of tools with their own latency with
 * what they took in this sample (their latency is not known in advance). CPU-bound if any call is. `releases`: when
 * each call could start at the earliest (a streamed turn's ready times), ms after the batch's origin.
 */
export function sampleIdealMs(
  shape: ReturnType<typeof idealShape>,
  calls: readonly ToolCall[],
  outcomes: readonly ToolOutcome[],
  config: ToolRuntimeConfig,
  policy: CallPolicy | undefined,
  coreCount: number,
  tools: ToolRegistry,
  releases?: readonly number[],
): number {
  let kind = config.kind;
  const byId = new Map(outcomes.map((o) => [o.id, o]));
  const latencies = calls.map((call) => {
    if (!hasOwnLatency(call, tools)) return plannedMs(config, call, policy);
    if (tools.named(call.name).definition.kind === 'cpu') kind = 'cpu';
    const outcome = byId.get(call.id);
    return outcome ? Math.max(0, outcome.endedMs - outcome.startedMs) : Number.NaN;
  });
  return idealMs(latencies, { ...shape, kind, cores: coreCount, ...(releases ? { releases } : {}) });
}

/** The time a call should take: its drawn latency, or for a hang, the timeout that ends it. */
export function plannedMs(config: ToolRuntimeConfig, call: ToolCall, policy?: CallPolicy): number {
  const plan = planCall(config, call.id, call.name);
  return plan.fault === 'hang' ? (policy?.timeoutMs ?? Number.POSITIVE_INFINITY) : plan.latencyMs;
}

/**
 * The ideal of every sample. Simulated calls count with their drawn latency; a call of a tool with its own
 * latency counts with what it took *alone*: in the same round's sequential sample, where nothing ran beside it
 * (its time under another strategy includes waiting for the others, which no schedule can remove).
 */
export function withIdeals(group: Group, records: VariantRecord<BatchExtra>[], options: MatrixOptions): void {
  const sequential = records.find((r) => r.name === 'sequential');
  for (const record of records) {
    const spec = group.specs.find((s) => formatSpec(s) === record.name);
    if (!spec) continue;
    for (const [round, sample] of record.rounds.entries()) {
      const alone = sequential?.rounds[round]?.extra.tookMs;
      const latencies = sample.extra.planned.map((ms, i) => ms ?? alone?.[i] ?? Number.NaN);
      const kind = sample.extra.cpuBound ? 'cpu' : group.kind;
      sample.extra.idealMs = sample.extra.complete
        ? idealMs(latencies, {
            ...idealShape(spec, matrixRegistries(options).executors),
            kind,
            cores: workerCores(options),
          })
        : Number.NaN;
    }
  }
}
