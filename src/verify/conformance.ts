/**
 * The rules every executor keeps (the README's `verify` section lists them), checked against any executor.
 * Each rule runs on a fresh executor over its own simulated io tools, under its own deadlines, and reports one
 * line of evidence; an executor that stalls, throws or rejects fails the rule it broke and the check goes on.
 */
import { errorMessage } from '../core/errors.ts';
import { withDeadline } from '../core/time.ts';
import { type CallPolicy, DEFAULT_POLICY } from '../executors/policy.ts';
import type { Executor, ToolCall, ToolOutcome } from '../executors/types.ts';
import { peakOverlap } from '../stats/summary.ts';
import { type ToolRuntimeConfig, toolRuntimeConfig } from '../tools/config.ts';
import { planCall } from '../tools/latency.ts';
import { ToolRuntime } from '../tools/runtime.ts';

/** Makes a fresh executor over this runtime and policy (the harness applies the policy to every call). */
export type ExecutorFactory = (runtime: ToolRuntime, policy: CallPolicy) => Promise<Executor>;

export interface VerifyOptions {
  /** Declared limit on calls in flight (limited(k): k; sequential: 1); undefined = no limit to check. */
  limit?: number;
  /** Latency of the simulated tools in the checks. @default 20 */
  latencyMs?: number;
  /** Calls per batch. @default 6 */
  calls?: number;
}

export interface RuleResult {
  rule: string;
  /** The executor did not break the rule (true also when the rule did not apply: see `skipped`). */
  passed: boolean;
  /** The rule did not apply (a limit rule without a declared limit): not broken, and not shown either. */
  skipped?: true;
  /** One line with the concrete numbers and ids behind the verdict. */
  evidence: string;
}

/** Deadline of a factory (pools start and warm threads) and of a `close()`. */
const FACTORY_DEADLINE_MS = 10_000;
const CLOSE_DEADLINE_MS = 5_000;
/** Least deadline of a `run`; longer when the batch itself is expected to take long. */
const MIN_RUN_DEADLINE_MS = 2_000;
/** The abort check: the signal aborts this long after `run` starts, while calls take `ABORT_CALL_MS`. */
const ABORT_AFTER_MS = 30;
const ABORT_CALL_MS = Math.max(400, 10 * ABORT_AFTER_MS);
/** "Well before the calls would have finished": settled this soon after the abort. */
const ABORT_SETTLE_BOUND_MS = ABORT_CALL_MS / 4;
/** A timer can fire about 1 ms early against performance.now(). */
const TIMER_SLACK_MS = 1;

const STATUSES: ReadonlySet<string> = new Set(['ok', 'error', 'timeout', 'cancelled']);

/** A broken rule: thrown with its evidence, caught by {@link verifyExecutor}. */
class RuleFailure extends Error {}
/** A step that outlived its deadline. */
class DeadlineFailure extends RuleFailure {}
/** A rule that does not apply to this executor: thrown with the reason, reported as skipped. */
class RuleSkipped extends Error {}

function fail(evidence: string): never {
  throw new RuleFailure(evidence);
}

function oneLine(text: string, max = 240): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

function ms(value: number): string {
  return `${Math.round(value)} ms`;
}

/** Runs `start` (a sync throw counts as a rejection) and fails the rule if it rejects or outlives `deadlineMs`. */
async function step<T>(what: string, deadlineMs: number, start: () => Promise<T>): Promise<T> {
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

interface Context {
  factory: ExecutorFactory;
  limit: number | undefined;
  latencyMs: number;
  calls: number;
  /** Set once a close() outlived its deadline: later rules close in the background instead of waiting again. */
  closeStalled: boolean;
}

function makeRuntime(context: Context, partial: Partial<ToolRuntimeConfig> = {}): ToolRuntime {
  return new ToolRuntime(toolRuntimeConfig({ kind: 'io', latencyMs: context.latencyMs, ...partial }));
}

async function createExecutor(context: Context, runtime: ToolRuntime, policy: CallPolicy): Promise<Executor> {
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
async function withExecutor(
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

function toolCalls(count: number, ids?: readonly string[]): ToolCall[] {
  return Array.from({ length: count }, (_, i) => ({
    id: ids?.[i] ?? `v-${i}`,
    name: 'get_weather',
    arguments: JSON.stringify({ city: 'Tokyo' }),
  }));
}

/** Runs one batch under a deadline; `wallMs` is the batch time seen from outside. */
async function timedRun(
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

function runDeadline(context: Context, expectedMs: number): number {
  return Math.max(MIN_RUN_DEADLINE_MS, 4 * expectedMs, 2 * context.calls * context.latencyMs);
}

/** The outcomes, or a failure naming the first thing that is not an outcome. */
function requireOutcomes(result: unknown): ToolOutcome[] {
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
function tally(outcomes: readonly ToolOutcome[]): string {
  if (outcomes.length === 0) return 'no outcomes';
  const counts = new Map<string, number>();
  for (const o of outcomes) counts.set(o.status, (counts.get(o.status) ?? 0) + 1);
  return [...counts].map(([status, n]) => `${n} ${status}`).join(', ');
}

function describeOutcome(o: ToolOutcome): string {
  return o.status === 'ok' ? `${o.id} is ok` : `${o.id} is ${o.status} (${oneLine(String(o.error), 80)})`;
}

/** Call ids whose seeded plan on `runtime` is (or is not) the `fail` fault (the real fault path), scanning `v-0, v-1, …`. */
function idsWithFault(runtime: ToolRuntime, failing: number, passing: number): { fails: string[]; passes: string[] } {
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
function interleave(a: readonly string[], b: readonly string[]): string[] {
  const ids: string[] = [];
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    for (const id of [a[i], b[i]]) if (id !== undefined) ids.push(id);
  }
  return ids;
}

interface Rule {
  rule: string;
  description: string;
  /** Resolves with the evidence of a pass; throws {@link RuleFailure} (or anything) on a failure. */
  check(context: Context): Promise<string>;
}

const RULE_TABLE: readonly Rule[] = [
  {
    rule: 'one-outcome-per-call',
    description: 'exactly one well-formed outcome per call id, in call order',
    check: (context) =>
      withExecutor(context, makeRuntime(context), DEFAULT_POLICY, async (executor) => {
        const calls = toolCalls(context.calls);
        const { result } = await timedRun(executor, calls, runDeadline(context, context.calls * context.latencyMs));
        const outcomes = requireOutcomes(result);
        const head = `${calls.length} calls → ${outcomes.length} outcomes`;
        const wanted = new Set(calls.map((c) => c.id));
        const seen = new Set<string>();
        const duplicate: string[] = [];
        for (const { id } of outcomes) {
          if (seen.has(id)) duplicate.push(id);
          seen.add(id);
        }
        const missing = calls.filter((c) => !seen.has(c.id)).map((c) => c.id);
        const unknown = [...seen].filter((id) => !wanted.has(id));
        const problems = [
          missing.length > 0 ? `missing ${missing.join(', ')}` : '',
          duplicate.length > 0 ? `duplicate ${duplicate.join(', ')}` : '',
          unknown.length > 0 ? `unknown ${unknown.join(', ')}` : '',
        ].filter(Boolean);
        if (problems.length > 0) fail(`${head}; ${problems.join('; ')}`);
        const misplaced = outcomes.findIndex((o, i) => o.id !== calls[i]?.id);
        if (misplaced >= 0) {
          fail(
            `${head}, out of order: position ${misplaced} holds ${outcomes[misplaced]?.id}, expected ${calls[misplaced]?.id}`,
          );
        }
        const notOk = outcomes.find((o) => o.status !== 'ok');
        if (notOk) fail(`${head}, ids in order, but ${describeOutcome(notOk)}`);
        return `${head}, ids in order, all ok`;
      }),
  },
  {
    rule: 'never-rejects',
    description: 'run resolves when every call fails, and resolves an empty batch to []',
    check: (context) =>
      withExecutor(
        context,
        makeRuntime(context, { faults: { failRate: 1, hangRate: 0, crashRate: 0 } }),
        DEFAULT_POLICY,
        async (executor) => {
          const deadline = runDeadline(context, context.calls * context.latencyMs);
          const { result } = await timedRun(executor, toolCalls(context.calls), deadline);
          const failing = `${context.calls} failing calls → ${Array.isArray(result) ? tally(requireOutcomes(result)) : 'resolved'}`;
          const empty = (await timedRun(executor, [], deadline)).result;
          if (!Array.isArray(empty) || empty.length !== 0) {
            fail(`${failing}; empty batch → ${oneLine(JSON.stringify(empty) ?? String(empty), 80)}, expected []`);
          }
          return `${failing}; empty batch → []`;
        },
      ),
  },
  {
    rule: 'throwing-tool-is-error-outcome',
    description: "a call whose tool throws gets an 'error' outcome with a message; its siblings stay ok",
    check: (context) => {
      const config: Partial<ToolRuntimeConfig> = { faults: { failRate: 0.5, hangRate: 0, crashRate: 0 } };
      const runtime = makeRuntime(context, config);
      const failing = Math.max(1, Math.floor(context.calls / 2));
      const picked = idsWithFault(runtime, failing, Math.max(1, context.calls - failing));
      const fails = new Set(picked.fails);
      const ids = interleave(picked.fails, picked.passes);
      return withExecutor(context, runtime, DEFAULT_POLICY, async (executor) => {
        const calls = toolCalls(ids.length, ids);
        const { result } = await timedRun(executor, calls, runDeadline(context, calls.length * context.latencyMs));
        const byId = new Map(requireOutcomes(result).map((o) => [o.id, o]));
        for (const { id } of calls) {
          const o = byId.get(id);
          if (!o) fail(`no outcome for ${id}`);
          if (fails.has(id) && (o.status !== 'error' || typeof o.error !== 'string' || o.error === '')) {
            fail(`${id} (tool throws) should be error with a message, but ${describeOutcome(o)}`);
          }
          if (!fails.has(id) && o.status !== 'ok') fail(`${id} (tool answers) should be ok, but ${describeOutcome(o)}`);
        }
        return `${fails.size} throwing calls → error (${[...fails].join(', ')}); ${calls.length - fails.size} others ok`;
      });
    },
  },
  {
    rule: 'hanging-tool-times-out',
    description: "a hanging call ends as 'timeout' at the policy's timeout, and the batch ends on schedule",
    check: (context) => {
      const timeoutMs = Math.max(50, 3 * context.latencyMs);
      const policy: CallPolicy = { ...DEFAULT_POLICY, timeoutMs };
      const runtime = makeRuntime(context, { faults: { failRate: 0, hangRate: 1, crashRate: 0 } });
      // with a declared limit the batch's schedule is known (rounds of k); without one only each call's is
      const rounds = context.limit === undefined ? context.calls : Math.ceil(context.calls / context.limit);
      const slackMs = Math.max(100, timeoutMs) + 10 * rounds; // timers run late, a little more each round
      const boundMs = rounds * timeoutMs + slackMs;
      return withExecutor(context, runtime, policy, async (executor) => {
        const { result, wallMs } = await timedRun(executor, toolCalls(context.calls), runDeadline(context, boundMs));
        const outcomes = requireOutcomes(result);
        const tallied = `${context.calls} hanging calls → ${tally(outcomes)} in ${ms(wallMs)}`;
        // each call is judged by itself: it ends as a timeout one timeout after it started, whenever that was
        const callSlackMs = Math.max(100, timeoutMs);
        const late = outcomes.find((o) => o.status !== 'timeout' || o.endedMs - o.startedMs > timeoutMs + callSlackMs);
        if (late) {
          fail(
            `${tallied}; ${late.id} ${late.status === 'timeout' ? `timed out ${ms(late.endedMs - late.startedMs)} after it started` : `ended ${late.status}`}, where each call should end as 'timeout' within ${ms(timeoutMs + callSlackMs)} of its start (${timeoutMs} ms timeout)`,
          );
        }
        if (context.limit === undefined) return `${tallied}; each timed out ${timeoutMs} ms after it started`;
        const schedule = `${rounds === 1 ? '' : `${rounds} rounds × `}${timeoutMs} ms timeout + ${slackMs} ms slack`;
        const evidence = `${tallied} (bound ${ms(boundMs)} = ${schedule} at limit ${context.limit})`;
        if (wallMs > boundMs) fail(`${evidence}; the calls waited longer than limit ${context.limit} explains`);
        return evidence;
      });
    },
  },
  {
    rule: 'abort-ends-every-call',
    description: 'aborting the signal settles run promptly, with no call left ok',
    check: (context) =>
      withExecutor(context, makeRuntime(context, { latencyMs: ABORT_CALL_MS }), DEFAULT_POLICY, async (executor) => {
        const controller = new AbortController();
        let abortedAt = Number.NaN;
        const timer = setTimeout(() => {
          abortedAt = performance.now();
          controller.abort();
        }, ABORT_AFTER_MS);
        try {
          const started = performance.now();
          const deadline = runDeadline(context, 2 * ABORT_CALL_MS);
          const { result, wallMs } = await timedRun(executor, toolCalls(context.calls), deadline, controller.signal);
          const outcomes = requireOutcomes(result);
          const afterAbort = started + wallMs - abortedAt;
          const settled = Number.isNaN(afterAbort)
            ? `settled ${ms(wallMs)} after start, before the abort at ${ABORT_AFTER_MS} ms`
            : `settled ${ms(afterAbort)} after the abort`;
          const evidence = `${settled} (calls take ${ABORT_CALL_MS} ms, bound ${ms(ABORT_SETTLE_BOUND_MS)}); ${tally(outcomes)}`;
          if (outcomes.some((o) => o.status === 'ok') || !(afterAbort <= ABORT_SETTLE_BOUND_MS)) fail(evidence);
          return evidence;
        } finally {
          clearTimeout(timer);
        }
      }),
  },
  {
    rule: 'timings-relative-to-batch',
    description: 'every outcome has 0 ≤ startedMs ≤ endedMs ≤ the batch wall time',
    check: (context) =>
      withExecutor(context, makeRuntime(context), DEFAULT_POLICY, async (executor) => {
        const deadline = runDeadline(context, context.calls * context.latencyMs);
        const { result, wallMs } = await timedRun(executor, toolCalls(context.calls), deadline);
        const outcomes = requireOutcomes(result);
        const upper = wallMs + 2;
        for (const { id, startedMs, endedMs } of outcomes) {
          const bad = !(Number.isFinite(startedMs) && Number.isFinite(endedMs))
            ? 'timings are not finite numbers'
            : startedMs < -TIMER_SLACK_MS
              ? 'starts before the batch'
              : endedMs < startedMs
                ? 'ends before it starts'
                : endedMs > upper
                  ? 'ends after the batch'
                  : undefined;
          if (bad) {
            fail(`${id} ${bad}: startedMs ${startedMs}, endedMs ${endedMs}, batch ${wallMs.toFixed(1)} ms`);
          }
        }
        if (outcomes.length === 0) return `no outcomes to check in a ${wallMs.toFixed(1)} ms batch`;
        const first = Math.min(...outcomes.map((o) => o.startedMs));
        const last = Math.max(...outcomes.map((o) => o.endedMs));
        return `${outcomes.length} outcomes within ${first.toFixed(1)}–${last.toFixed(1)} ms of a ${wallMs.toFixed(1)} ms batch`;
      }),
  },
  {
    rule: 'limit-respected',
    description: 'never more calls in flight than the declared limit (from the outcome timings)',
    check: async (context) => {
      const limit = context.limit;
      if (limit === undefined) {
        throw new RuleSkipped('no limit declared (verify `name(k)` for a strategy that takes one)');
      }
      const count = Math.max(context.calls, 2 * limit + 1);
      return withExecutor(context, makeRuntime(context), DEFAULT_POLICY, async (executor) => {
        const { result } = await timedRun(executor, toolCalls(count), runDeadline(context, count * context.latencyMs));
        const timed = requireOutcomes(result).filter((o) => Number.isFinite(o.startedMs) && Number.isFinite(o.endedMs));
        const peak = peakOverlap(timed, TIMER_SLACK_MS);
        const evidence = `peak ${peak} in flight, limit ${limit} (${count} calls, ${timed.length} timed outcomes)`;
        if (peak > limit) fail(evidence);
        return evidence;
      });
    },
  },
  {
    rule: 'close-twice-is-safe',
    description: 'close() resolves, and resolves again when called a second time',
    check: async (context) => {
      const executor = await createExecutor(context, makeRuntime(context), DEFAULT_POLICY);
      const times: string[] = [];
      for (const which of ['first', 'second']) {
        const started = performance.now();
        await step(`${which} close()`, CLOSE_DEADLINE_MS, () => executor.close());
        times.push(ms(performance.now() - started));
      }
      return `close() resolved twice (${times.join(', ')})`;
    },
  },
];

/** The rules, in the order they run. */
export const RULES: readonly { rule: string; description: string }[] = RULE_TABLE.map(({ rule, description }) => ({
  rule,
  description,
}));

function positiveInteger(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`${name} must be a whole number ≥ 1, got ${value}`);
  return value;
}

/**
 * Checks every rule against fresh executors from `factory`, one rule after another. Resolves with one result per
 * rule in {@link RULES} order; rejects only for invalid options, never for what the executor does.
 */
export async function verifyExecutor(factory: ExecutorFactory, options: VerifyOptions = {}): Promise<RuleResult[]> {
  const latencyMs = options.latencyMs ?? 20;
  if (!(latencyMs > 0 && Number.isFinite(latencyMs))) throw new RangeError(`latencyMs must be > 0, got ${latencyMs}`);
  const context: Context = {
    factory,
    limit: options.limit === undefined ? undefined : positiveInteger('limit', options.limit),
    latencyMs,
    calls: positiveInteger('calls', options.calls ?? 6),
    closeStalled: false,
  };
  const results: RuleResult[] = [];
  for (const { rule, check } of RULE_TABLE) {
    try {
      results.push({ rule, passed: true, evidence: oneLine(await check(context)) });
    } catch (error) {
      if (error instanceof RuleSkipped) results.push({ rule, passed: true, skipped: true, evidence: error.message });
      else results.push({ rule, passed: false, evidence: oneLine(errorMessage(error)) });
    }
  }
  return results;
}
