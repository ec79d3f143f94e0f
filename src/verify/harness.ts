/**
 * Running a conformance rule: a fresh executor from the factory under deadlines, closed afterwards; batches of
 * simulated io calls timed from outside; the outcomes checked for shape and described as evidence.
 */
import { errorMessage } from '../core/errors.ts';
import { withDeadline } from '../core/time.ts';
import type { CallPolicy } from '../executors/policy.ts';
import type { Executor, ToolCall, ToolOutcome } from '../executors/types.ts';
import { type ToolRuntimeConfig, toolRuntimeConfig } from '../tools/config.ts';
import { planCall } from '../tools/latency.ts';
import { ToolRuntime } from '../tools/runtime.ts';

/** Makes a fresh executor over this runtime and policy (the harness applies the policy to every call). */
export type ExecutorFactory = (runtime: ToolRuntime, policy: CallPolicy) => Promise<Executor>;

/** Deadline of a factory (pools start and warm threads) and of a `close()`. */
const FACTORY_DEADLINE_MS = 10_000;
export const CLOSE_DEADLINE_MS = 5_000;
/** Least deadline of a `run`; longer when the batch itself is expected to take long. */
const MIN_RUN_DEADLINE_MS = 2_000;

/** The statuses an outcome may have. */
const STATUSES: ReadonlySet<string> = new Set(['ok', 'error', 'timeout', 'cancelled']);

/** A broken rule: thrown with its evidence, caught by `verifyExecutor`. */
class RuleFailure extends Error {}
/** A step that outlived its deadline. */
class DeadlineFailure extends RuleFailure {}
/** A rule that does not apply to this executor: thrown with the reason, reported as skipped. */
export class RuleSkipped extends Error {}

export function fail(evidence: string): never {
  throw new RuleFailure(evidence);
}

export function oneLine(text: string, max = 240): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

export function ms(value: number): string {
  return `${Math.round(value)} ms`;
}

/** Runs `start` (a sync throw counts as a rejection) and fails the rule if it rejects or outlives `deadlineMs`. */
export async function step<T>(what: string, deadlineMs: number, start: () => Promise<T>): Promise<T> {
  try {
    return await withDeadline(
      Promise.resolve().then(start),
      deadlineMs,
      () => new DeadlineFailure(`${what} did not settle within ${deadlineMs} ms`),
      { holdProcess: true },
    );
  } catch (error) {
    if (error instanceof RuleFailure) throw error;
    throw new RuleFailure(`${what} rejected: ${errorMessage(error)}`);
  }
}

/** What every rule runs with: the factory, the options, and whether a `close()` stalled. */
export interface Context {
  factory: ExecutorFactory;
  limit: number | undefined;
  latencyMs: number;
  calls: number;
  /** Set once a close() outlived its deadline: later rules close in the background instead of waiting again. */
  closeStalled: boolean;
}

export function makeRuntime(context: Context, partial: Partial<ToolRuntimeConfig> = {}): ToolRuntime {
  return new ToolRuntime(toolRuntimeConfig({ kind: 'io', latencyMs: context.latencyMs, ...partial }));
}

export async function createExecutor(context: Context, runtime: ToolRuntime, policy: CallPolicy): Promise<Executor> {
  const pending = Promise.resolve().then(() => context.factory(runtime, policy));
  try {
    const executor = await step('factory', FACTORY_DEADLINE_MS, () => pending);
    const e = executor as Partial<Executor> | null;
    if (typeof e?.run !== 'function' || typeof e.close !== 'function') {
      fail(`factory resolved with ${oneLine(String(executor), 60)}, not an executor with run() and close()`);
    }
    return executor;
  } catch (error) {
    pending.then((late) => late.close()).catch(() => {}); // an executor that arrives after the deadline is released
    throw error;
  }
}

/** A fresh executor over `runtime` for `body`, closed afterwards (close problems are `close-twice-is-safe`'s to report). */
export async function withExecutor(
  context: Context,
  runtime: ToolRuntime,
  policy: CallPolicy,
  body: (executor: Executor) => Promise<string>,
): Promise<string> {
  const executor = await createExecutor(context, runtime, policy);
  try {
    return await body(executor);
  } finally {
    const closing = step('close()', CLOSE_DEADLINE_MS, () => executor.close()).catch((error: unknown) => {
      if (error instanceof DeadlineFailure) context.closeStalled = true;
    });
    if (!context.closeStalled) await closing;
  }
}

export function toolCalls(count: number, ids?: readonly string[]): ToolCall[] {
  return Array.from({ length: count }, (_, i) => ({
    id: ids?.[i] ?? `v-${i}`,
    name: 'get_weather',
    arguments: JSON.stringify({ city: 'Tokyo' }),
  }));
}

/** Runs one batch under a deadline; `wallMs` is the batch time seen from outside. */
export async function timedRun(
  executor: Executor,
  calls: readonly ToolCall[],
  deadlineMs: number,
  signal?: AbortSignal,
): Promise<{ result: unknown; wallMs: number }> {
  const started = performance.now();
  return step('run', deadlineMs, async () => {
    const result: unknown = await executor.run(calls, signal);
    return { result, wallMs: performance.now() - started };
  });
}

export function runDeadline(context: Context, expectedMs: number): number {
  return Math.max(MIN_RUN_DEADLINE_MS, 4 * expectedMs, 2 * context.calls * context.latencyMs);
}

/** The outcomes, or a failure naming the first thing that is not an outcome. */
export function requireOutcomes(result: unknown): ToolOutcome[] {
  if (!Array.isArray(result)) fail(`run resolved with ${result === null ? 'null' : typeof result}, not an array`);
  result.forEach((item: unknown, i) => {
    const o = item as Partial<Record<'id' | 'status', unknown>> | null;
    const problem =
      typeof o !== 'object' || o === null
        ? 'is not an object'
        : typeof o.id !== 'string'
          ? 'has no string id'
          : typeof o.status !== 'string' || !STATUSES.has(o.status)
            ? `has status ${JSON.stringify(o.status)} (expected ok, error, timeout or cancelled)`
            : undefined;
    if (problem) fail(`outcome ${i} ${problem}: ${oneLine(JSON.stringify(item) ?? String(item), 100)}`);
  });
  return result as ToolOutcome[];
}

/** "4 cancelled, 2 error" */
export function tally(outcomes: readonly ToolOutcome[]): string {
  if (outcomes.length === 0) return 'no outcomes';
  const counts = new Map<string, number>();
  for (const o of outcomes) counts.set(o.status, (counts.get(o.status) ?? 0) + 1);
  return [...counts].map(([status, n]) => `${n} ${status}`).join(', ');
}

export function describeOutcome(o: ToolOutcome): string {
  return o.status === 'ok' ? `${o.id} is ok` : `${o.id} is ${o.status} (${oneLine(String(o.error), 80)})`;
}

/** Call ids whose seeded plan on `runtime` is (or is not) the `fail` fault (the real fault path), scanning `v-0, v-1, …`. */
export function idsWithFault(
  runtime: ToolRuntime,
  failing: number,
  passing: number,
): { fails: string[]; passes: string[] } {
  const fails: string[] = [];
  const passes: string[] = [];
  for (let i = 0; i < 10_000 && (fails.length < failing || passes.length < passing); i++) {
    const id = `v-${i}`;
    if (planCall(runtime.config, id).fault === 'fail') {
      if (fails.length < failing) fails.push(id);
    } else if (passes.length < passing) passes.push(id);
  }
  return { fails, passes };
}

/** a0, b0, a1, b1, … */
export function interleave(a: readonly string[], b: readonly string[]): string[] {
  const ids: string[] = [];
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    for (const id of [a[i], b[i]]) if (id !== undefined) ids.push(id);
  }
  return ids;
}

/** A rule: its name, what it holds to, and its check. */
export interface Rule {
  rule: string;
  description: string;
  /** Resolves with the evidence of a pass; throws {@link RuleFailure} (or anything) on a failure. */
  check(context: Context): Promise<string>;
}
