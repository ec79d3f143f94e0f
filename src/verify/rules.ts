/** The conformance rules, each a check of one thing every executor keeps, in the order they run. */
import { type CallPolicy, DEFAULT_POLICY } from '../executors/policy.ts';
import { peakOverlap } from '../stats/summary.ts';
import type { ToolRuntimeConfig } from '../tools/config.ts';
import {
  CLOSE_DEADLINE_MS,
  createExecutor,
  describeOutcome,
  fail,
  idsWithFault,
  interleave,
  makeRuntime,
  ms,
  oneLine,
  type Rule,
  RuleSkipped,
  requireOutcomes,
  runDeadline,
  step,
  tally,
  timedRun,
  toolCalls,
  withExecutor,
} from './harness.ts';

/** The abort check: the signal aborts this long after `run` starts, while calls take `ABORT_CALL_MS`. */
const ABORT_AFTER_MS = 30;
const ABORT_CALL_MS = Math.max(400, 10 * ABORT_AFTER_MS);
/** "Well before the calls would have finished": settled this soon after the abort. */
const ABORT_SETTLE_BOUND_MS = ABORT_CALL_MS / 4;
/** A timer can fire about 1 ms early against performance.now(). */
const TIMER_SLACK_MS = 1;

/** Every rule with its check. */
export const RULE_TABLE: readonly Rule[] = [
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
