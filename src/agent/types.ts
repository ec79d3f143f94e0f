import type { ToolCall, ToolOutcome } from '../executors/types.ts';

export type ApiMode = 'chat' | 'chat-stream' | 'responses' | 'responses-stream' | 'messages' | 'messages-stream';
export const API_MODES: readonly ApiMode[] = [
  'chat',
  'chat-stream',
  'responses',
  'responses-stream',
  'messages',
  'messages-stream',
];
/** The API modes whose turns arrive as a stream (where calls may be dispatched early). */
export const STREAMED_APIS: readonly ApiMode[] = ['chat-stream', 'responses-stream', 'messages-stream'];
/** Anthropic's Messages API: an Anthropic SDK client, the key from `ANTHROPIC_API_KEY` in live mode. */
export const isAnthropicApi = (api: ApiMode): boolean => api === 'messages' || api === 'messages-stream';

/** When a streamed turn's calls start: after the whole stream, or each as soon as its arguments are complete. */
export type DispatchMode = 'after-stream' | 'early';
export const DISPATCH_MODES: readonly DispatchMode[] = ['after-stream', 'early'];

/** One way our loop talks to the model: an API and, where it streams, when calls start. */
export interface AgentMode {
  api: ApiMode;
  dispatch: DispatchMode;
}

/**
 * Every pairing of the APIs and dispatch modes given, in API order: early dispatch only where the API streams (a
 * turn that arrives whole has nothing to start early), so `all` × `both` is nine modes.
 */
export function agentModes(apis: readonly ApiMode[], dispatches: readonly DispatchMode[]): AgentMode[] {
  return apis.flatMap((api) =>
    dispatches.flatMap((dispatch): AgentMode[] =>
      dispatch === 'early' && !STREAMED_APIS.includes(api) ? [] : [{ api, dispatch }],
    ),
  );
}

/**
 * The group a framework joins in a run over several modes: the one of our loop on the API the framework speaks
 * (Chat Completions, streamed or not), after the stream where the run has that, else with early dispatch; so a
 * framework's speedup is against our `sequential` on the same API and model timing. Undefined: the run has none.
 */
export function hostMode(api: ApiMode, modes: readonly AgentMode[]): AgentMode | undefined {
  const same = modes.filter((mode) => mode.api === api);
  return same.find((mode) => mode.dispatch === 'after-stream') ?? same[0];
}

/** `messages-stream+early`, or the API alone after the stream: how cell ids and tables name a mode. */
export const formatMode = (mode: AgentMode): string => (mode.dispatch === 'early' ? `${mode.api}+early` : mode.api);

export const DEFAULT_MAX_STEPS = 10;

/** One model turn and the tool batch that followed it. */
export interface AgentStep {
  index: number;
  /** Assistant text of the turn (may be empty). */
  text: string;
  calls: ToolCall[];
  /** One per unique call id, in call order. */
  outcomes: ToolOutcome[];
  /** Request sent → response complete (for streams: the last chunk). */
  modelMs: number;
  /** Response complete → every outcome in (with early dispatch, only what was left after the stream). */
  toolsMs: number;
  /** Streams only: first byte → the last call's arguments complete. */
  streamMs?: number;
  /** Streams only: calls handed to the executor before the stream ended (early dispatch; 0 after the stream). */
  startedDuringStream?: number;
  /** Request sent → every outcome in. */
  turnMs: number;
  /** When the turn's request went out, ms from the run's start (for timelines). */
  startedMs?: number;
  /** What the outcomes' `startedMs`/`endedMs` count from, ms from the run's start. */
  batchStartedMs?: number;
  /** When some calls failed: one summary of their errors (each call's own error also went back as its answer). */
  errorSummary?: string;
  /** Problems with the model's answer itself (duplicate ids, empty call list), answered rather than crashed on. */
  warnings: string[];
  /** What the next request carried for this step's calls, in the order sent (as the model API saw it). */
  answered?: { id: string; content: string }[];
}

export interface AgentRun {
  question: string;
  steps: AgentStep[];
  /** The final text; empty when the loop stopped early. */
  answer: string;
  status: 'answered' | 'max-steps';
  totalMs: number;
  modelMs: number;
  toolsMs: number;
}

/** The agent loop stopped for a reason the caller must handle (all calls failed, a runaway loop). */
export class AgentError extends Error {
  override name = 'AgentError';
}
