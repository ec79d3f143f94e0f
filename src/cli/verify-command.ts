import { errorMessage } from '../core/errors.ts';
import { createExecutor, type ExecutorDefinition, formatSpec, parseSpec } from '../executors/registry.ts';
import { RULES, verifyExecutor } from '../verify/conformance.ts';
import { EXIT, UsageError } from './errors.ts';
import { parseNumber, parseWhole } from './parse.ts';
import { type QueueFlags, resolveQueueFlags } from './queue-options.ts';
import type { CliState } from './state.ts';

export interface VerifyFlags extends QueueFlags {
  executor?: string;
  latency: string;
  calls: string;
}

/** Limit a strategy is held to: k for those that take one, 1 for a serial one, none otherwise. */
function declaredLimit(definition: ExecutorDefinition, limit: number | undefined): number | undefined {
  if (definition.ideal === 'serial') return 1; // whatever k says, a serial schedule runs one call at a time
  return definition.takesLimit ? limit : undefined;
}

/** Runs the conformance rules against one executor, built-in or from the config; exit 1 when one fails. */
export async function verifyCommand(flags: VerifyFlags, state: CliState): Promise<number> {
  if (!flags.executor) throw new UsageError('Name the executor to check: `--executor NAME` or `--executor NAME(k)`');
  let spec: ReturnType<typeof parseSpec>;
  try {
    spec = parseSpec(flags.executor, state.registries.executors);
  } catch (error) {
    throw new UsageError(`${errorMessage(error)} (in \`--executor\`)`);
  }
  const definition = state.registries.executors.definition(spec.strategy);
  if (definition.takesLimit && spec.limit === undefined) spec = { ...spec, limit: 2 };
  const latencyMs = parseNumber('--latency', flags.latency, 1, 10_000);
  const calls = parseWhole('--calls', flags.calls, 1, 1000);
  const queue = (await resolveQueueFlags(flags, [formatSpec(spec)], [], state.registries.executors))?.settings;
  const source = state.registries.executors.source(spec.strategy) ?? 'built-in';
  const name = formatSpec(spec);
  const limit = declaredLimit(state.registries.executors.definition(spec.strategy), spec.limit);
  process.stdout.write(
    `Verifying ${name} (${source}) against ${RULES.length} rules, ${calls} calls of ${latencyMs} ms` +
      `${limit === undefined ? '' : `, limit ${limit}`}\n`,
  );
  const results = await verifyExecutor(
    (runtime, policy) =>
      createExecutor(spec, { runtime, policy, registry: state.registries.executors, ...(queue ? { queue } : {}) }),
    {
      latencyMs,
      calls,
      ...(limit === undefined ? {} : { limit }),
    },
  );
  const width = Math.max(...results.map((r) => r.rule.length));
  for (const r of results) {
    const verdict = r.skipped ? 'skip' : r.passed ? 'pass' : 'FAIL';
    process.stdout.write(`  ${verdict}  ${r.rule.padEnd(width)}  ${r.evidence}\n`);
  }
  const failed = results.filter((r) => !r.passed);
  const checked = results.filter((r) => !r.skipped).length;
  const skipped = results.filter((r) => r.skipped).map((r) => r.rule);
  const skippedNote = skipped.length > 0 ? `; ${skipped.join(', ')} skipped` : '';
  process.stdout.write(
    failed.length === 0
      ? `${name} keeps every rule that applies (${checked} of ${results.length}${skippedNote})\n`
      : `${name} breaks ${failed.length} of ${checked} rules: ${failed.map((r) => r.rule).join(', ')}\n`,
  );
  return failed.length === 0 ? EXIT.ok : EXIT.failure;
}
