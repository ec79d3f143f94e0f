import { setTimeout as sleep } from 'node:timers/promises';
import type { AgentRun } from '../agent/types.ts';
import { errorMessage } from '../core/errors.ts';
import { type CallRunner, describeFailure } from '../executors/call.ts';
import { scriptedCallId } from '../model/ids.ts';
import { fanoutScenario } from '../model/load.ts';
import { createModelMock } from '../model/mock-server.ts';
import type { Scenario } from '../model/scenario.ts';
import { peakOverlap } from '../stats/summary.ts';
import { ToolError } from '../tools/errors.ts';
import type { ResolvedFramework } from './registry.ts';
import { FrameworkSession } from './session.ts';

/** What one framework does with a turn's calls, observed from the tools and the model API. */
export interface ProbeResult {
  framework: string;
  package: string;
  version: string;
  /** When one call throws: `error as that call's result` (with the text the model got) or `the run rejects`. */
  onError: string;
  /** Whether a failing call aborted the signals of the calls still running. */
  siblingsCancelled: 'yes' | 'no' | 'no signal';
  /** Order of the results sent back: `call order`, `completion order` or `other`. */
  resultOrder: 'call order' | 'completion order' | 'other';
  /** Whether tools receive an AbortSignal from the framework. */
  signal: 'yes' | 'no';
  /** The framework's concurrency option and whether it held (peak in flight with the option at 2). */
  concurrencyLimit: string;
  /** Most calls in flight on a turn of 20 calls with no option set (a built-in cap shows below 20). */
  peakAt20: number;
}

/**
 * Most calls in flight in a probe run whose `calls` calls all ran and succeeded; otherwise why no peak was seen (a
 * run whose calls failed says nothing about a cap: Mastra 1.x once failed every call, and a "cap of 0" followed).
 */
function peakSeen(probe: { run?: AgentRun; error?: unknown }, calls: number): number | string {
  if (!probe.run) {
    return `the run failed (${shorten(probe.error instanceof Error ? probe.error.message : String(probe.error))})`;
  }
  const outcomes = probe.run.steps.flatMap((s) => s.outcomes);
  const failed = outcomes.find((o) => o.status !== 'ok');
  if (failed) {
    const count = outcomes.filter((o) => o.status !== 'ok').length;
    return `${count} of ${outcomes.length} calls failed (${shorten(describeFailure(failed))})`;
  }
  if (outcomes.length !== calls) return `${outcomes.length} of ${calls} calls ran`;
  return Math.max(0, ...probe.run.steps.map((s) => peakOverlap(s.outcomes)));
}

/** Milliseconds each call of the order probe takes: the first ends last. */
const REVERSE_MS = [80, 60, 40, 20];
/** Milliseconds each call of the error probe takes: the failing one (index 1) ends first, the first last. */
const PROBE_MS = [80, 10, 40, 20];
const FAILING = 1;

/** Runs calls by a script: call i waits `ms[i]`, the failing one throws; every signal's abort is noted. */
function scriptedRunner(scenario: Scenario, ms: readonly number[], failing: number | undefined, aborted: Set<string>) {
  const ids = ms.map((_, i) => scriptedCallId(scenario, 0, i));
  const runner: CallRunner = async (call, signal) => {
    const index = ids.indexOf(call.id);
    signal?.addEventListener('abort', () => aborted.add(call.id), { once: true });
    await sleep(ms[index] ?? 10);
    if (index === failing) throw new ToolError('probe: this tool failed');
    return { city: JSON.parse(call.arguments).city, temp_c: 20, conditions: 'sunny' };
  };
  return { ids, runner };
}

async function probeRun(
  framework: ResolvedFramework,
  scenario: Scenario,
  runner: CallRunner,
  concurrency?: number,
): Promise<{ run?: AgentRun; error?: unknown; concurrencyOption?: string }> {
  const mock = createModelMock({ scenario, latencyOverrideMs: 1 });
  mock.listen();
  try {
    const session = await FrameworkSession.start({
      framework,
      scenario,
      mock,
      tools: {
        kind: 'io',
        latencyMs: 0,
        profile: 'fixed',
        seed: 1,
        faults: { failRate: 0, hangRate: 0, crashRate: 0 },
      },
      invoke: runner,
      maxSteps: 4,
      ...(concurrency === undefined ? {} : { concurrency }),
    });
    const option = session.concurrencyOption === undefined ? {} : { concurrencyOption: session.concurrencyOption };
    try {
      // a signal of the run's own, so a framework that hands signals to its tools can do so
      return { run: await session.run(new AbortController().signal), ...option };
    } catch (error) {
      return { error, ...option };
    } finally {
      await session.close();
    }
  } finally {
    mock.close();
  }
}

function shorten(text: string, max = 48): string {
  const flat = text.replace(/\s+/g, ' ');
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/**
 * Probes one framework with scripted tools: a turn of four calls finishing in reverse order (result order,
 * signals), the same turn with the second call throwing first (what the model hears, cancellation), a turn of 20
 * calls (a built-in cap), then six calls with the framework's concurrency option at 2, where it has one.
 */
export async function probeFramework(framework: ResolvedFramework): Promise<ProbeResult> {
  const scenario = fanoutScenario(PROBE_MS.length, 1);
  const same = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x, i) => x === b[i]);

  // 1. every call succeeds, the first finishes last: the order results go back in, and whether tools get a signal
  let signalled = false;
  const ordered = scriptedRunner(scenario, REVERSE_MS, undefined, new Set());
  const plain = await probeRun(framework, scenario, (call, signal, onStart) => {
    if (signal) signalled = true;
    return ordered.runner(call, signal, onStart);
  });
  const step = plain.run?.steps[0];
  const sent = (step?.answered ?? []).map((a) => a.id);
  const byEnd = [...(step?.outcomes ?? [])].sort((a, b) => a.endedMs - b.endedMs).map((o) => o.id);
  const resultOrder: ProbeResult['resultOrder'] = !plain.run
    ? 'other'
    : same(sent, ordered.ids)
      ? 'call order'
      : same(sent, byEnd)
        ? 'completion order'
        : 'other';

  // 2. the second call throws first: what the model hears, and whether the calls still running are cancelled
  const aborted = new Set<string>();
  const failing = scriptedRunner(scenario, PROBE_MS, FAILING, aborted);
  const { run, error } = await probeRun(framework, scenario, failing.runner);
  const failed = run?.steps[0]?.answered?.find((a) => a.id === failing.ids[FAILING]);
  const onError = error
    ? `the run rejects: ${shorten(errorMessage(error))}`
    : failed
      ? `error as that call's result: ${shorten(failed.content)}`
      : 'the failed call was not answered';
  const siblings = [...aborted].filter((id) => id !== failing.ids[FAILING]);

  // 3. a wide turn with no option set: a cap built into the framework shows as a peak below the calls
  const twenty = fanoutScenario(20, 1);
  const wide = await probeRun(
    framework,
    twenty,
    scriptedRunner(twenty, new Array(20).fill(30), undefined, new Set()).runner,
  );
  const wideSeen = peakSeen(wide, 20);
  const peakAt20 = typeof wideSeen === 'number' ? wideSeen : Number.NaN;

  // 4. the framework's own concurrency option at 2, on six calls, where the installed version has one
  let concurrencyLimit =
    typeof wideSeen === 'string'
      ? `not seen: ${wideSeen}`
      : peakAt20 < 20
        ? `none; a built-in cap of ${peakAt20}`
        : 'none';
  const option = wide.concurrencyOption;
  const declared = framework.definition.concurrencyOption;
  if (declared && !option) concurrencyLimit += ` (no ${declared} in ${framework.version})`;
  if (option) {
    const six = fanoutScenario(6, 1);
    const { runner } = scriptedRunner(six, [30, 30, 30, 30, 30, 30], undefined, new Set());
    const peak = peakSeen(await probeRun(framework, six, runner, 2), 6);
    concurrencyLimit =
      typeof peak === 'string'
        ? `${option}: not seen: ${peak}`
        : `${option}: ${peak <= 2 ? 'honoured' : 'ignored'} (peak ${peak} of 6 at 2)`;
  }
  return {
    framework: framework.label,
    package: framework.package,
    version: framework.version,
    onError,
    siblingsCancelled: signalled ? (siblings.length > 0 ? 'yes' : 'no') : 'no signal',
    resultOrder,
    signal: signalled ? 'yes' : 'no',
    concurrencyLimit,
    peakAt20,
  };
}
