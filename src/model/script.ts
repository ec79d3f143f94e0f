import type { ToolCall } from '../executors/types.ts';
import { scriptedCallId } from './ids.ts';
import { substituteDeep } from './references.ts';
import { isAnswerTurn, isPlanTurn, type PlanTurn, type Scenario } from './scenario.ts';

/** How far a conversation got: the scripted turn, and how many of its calls earlier responses already returned. */
export interface Progress {
  turnIndex: number;
  callsDone: number;
}

export const START: Progress = { turnIndex: 0, callsDone: 0 };

/** What the model says next. */
export type Step =
  | {
      kind: 'calls';
      turnIndex: number;
      text: string | null;
      calls: ToolCall[];
      latencyMs: number;
      tokensPerSecond?: number;
    }
  | {
      kind: 'answer';
      turnIndex: number;
      text: string;
      latencyMs: number;
      failed: boolean;
      tokensPerSecond?: number;
      /** A planner's turn: its text is a plan whose tasks the client runs (see {@link PlanTurn}). */
      plan?: PlanTurn['tasks'];
    };

/** Progress after a model response that returned `count` calls. */
export function advance(scenario: Scenario, progress: Progress, count: number): Progress {
  const turn = scenario.turns[progress.turnIndex];
  if (turn === undefined || isAnswerTurn(turn)) return progress;
  if (isPlanTurn(turn)) return { turnIndex: progress.turnIndex + 1, callsDone: 0 };
  const done = progress.callsDone + count;
  return done >= turn.calls.length
    ? { turnIndex: progress.turnIndex + 1, callsDone: 0 }
    : { turnIndex: progress.turnIndex, callsDone: done };
}

/** Progress after earlier responses that returned these numbers of calls, in order. */
export function progressAfter(scenario: Scenario, callCounts: readonly number[]): Progress {
  return callCounts.reduce((progress, count) => advance(scenario, progress, count), START);
}

/**
 * Progress from the call ids the conversation already holds: a scripted turn is done when every one of its ids is
 * there. Unlike counting calls per assistant message, this holds when a client merges consecutive assistant turns
 * into one message (Mastra does), and when calls came one per response (`parallel_tool_calls: false`). A planner's
 * turn is done once the conversation holds as many assistant replies without calls (`textReplies`) as there are
 * plan turns up to it.
 */
export function progressFromIds(scenario: Scenario, ids: ReadonlySet<string>, textReplies = 0): Progress {
  let plans = 0;
  for (const [turnIndex, turn] of scenario.turns.entries()) {
    if (isAnswerTurn(turn)) return { turnIndex, callsDone: 0 };
    if (isPlanTurn(turn)) {
      if (++plans > textReplies) return { turnIndex, callsDone: 0 };
      continue;
    }
    const done = turn.calls.filter((call, index) =>
      ids.has(scriptedCallId(scenario, turnIndex, index, call.id)),
    ).length;
    if (done < turn.calls.length) return { turnIndex, callsDone: done };
  }
  return { turnIndex: scenario.turns.length, callsDone: 0 };
}

export interface StepOptions {
  /** False makes each response carry one call, as the API does with `parallel_tool_calls: false`. */
  parallelToolCalls: boolean;
  /** Tool results the client sent back so far, by call id (the content as sent). */
  results: ReadonlyMap<string, string>;
}

/** The scripted response for a conversation at `progress`; references are filled from `results`. */
export function nextStep(scenario: Scenario, progress: Progress, options: StepOptions): Step {
  const turnIndex = Math.min(progress.turnIndex, scenario.turns.length - 1);
  const turn = scenario.turns[turnIndex];
  if (turn === undefined) throw new Error(`scenario "${scenario.name}" has no turns`);
  const latencyMs = turn.latencyMs ?? scenario.modelLatencyMs;
  const rate = scenario.tokensPerSecond === undefined ? {} : { tokensPerSecond: scenario.tokensPerSecond };
  if (isAnswerTurn(turn)) return { kind: 'answer', turnIndex, text: turn.answer, latencyMs, failed: false, ...rate };
  if (isPlanTurn(turn)) {
    return { kind: 'answer', turnIndex, text: turn.plan, latencyMs, failed: false, ...rate, plan: turn.tasks };
  }

  const first = progress.callsDone;
  const last = options.parallelToolCalls ? turn.calls.length : first + 1;
  const calls: ToolCall[] = [];
  for (let index = first; index < last && index < turn.calls.length; index++) {
    const call = turn.calls[index];
    if (call === undefined) continue;
    const args: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(call.arguments)) {
      const filled = substituteDeep(value, options.results);
      if (!filled.ok) {
        // A model that cannot fill an argument says so instead of calling the tool.
        const text = `I could not complete ${call.name}: ${filled.reason}.`;
        return { kind: 'answer', turnIndex, text, latencyMs, failed: true, ...rate };
      }
      args[key] = filled.value;
    }
    const id = scriptedCallId(scenario, turnIndex, index, call.id);
    calls.push({ id, name: call.name, arguments: JSON.stringify(args) });
  }
  const text = first === 0 ? (turn.text ?? null) : null;
  return { kind: 'calls', turnIndex, text, calls, latencyMs, ...rate };
}
