import type OpenAI from 'openai';
import { errorMessage } from '../core/errors.ts';
import type { ToolCall, ToolOutcome } from '../executors/types.ts';
import type { ChatFunctionTool } from '../tools/catalog.ts';

/** One model turn as a provider read it from its API. */
export interface ModelTurn {
  /** Assistant text of the turn (may be empty). */
  text: string;
  /** The calls as the model returned them, duplicates included (the loop answers each id once). */
  calls: ToolCall[];
  /** Problems with the answer itself (a call without an id, `tool_calls` not a list), answered rather than crashed on. */
  warnings: string[];
  /** Request sent → response complete (for streams: the last event). */
  modelMs: number;
  /** Streams only: first event → the last call's arguments complete. */
  streamMs?: number;
}

export interface AskOptions {
  signal?: AbortSignal | undefined;
  /** Streams: called with each call as soon as its arguments are complete (early dispatch); may repeat an id. */
  onCallReady?: ((call: ToolCall) => void) | undefined;
  /** Called with the turn's text as it arrives: each streamed piece, or the whole text of an answer at once. */
  onText?: ((text: string) => void) | undefined;
}

/**
 * One API as the agent loop speaks it: it keeps the conversation in that API's shape, turns it into a request,
 * reads a response (or a stream) into calls, and puts the answers back. The loop itself (ask, run every call of
 * the turn with the executor, answer every id, repeat), early dispatch and the timings live once, in `runAgent`;
 * adding an API is one provider here and one mock module in `src/model/`.
 */
export interface Provider {
  /** The turn's calls arrive as a stream, so they may be dispatched early. */
  readonly streams: boolean;
  ask(options: AskOptions): Promise<ModelTurn>;
  /** Adds the assistant turn (its text and the calls being answered, one per id) and every outcome. */
  answer(turn: ModelTurn, calls: readonly ToolCall[], outcomes: readonly ToolOutcome[]): void;
  /** Adds a reply without calls (a planner's plan) and the user's next message (what its tasks returned). */
  reply(turn: ModelTurn, message: string): void;
}

/** What every provider starts a conversation from: its API's SDK client, the model, the question, the tools. */
export interface ProviderContext<Client = OpenAI> {
  client: Client;
  model: string;
  question: string;
  tools: ChatFunctionTool[];
  /** Sent as `parallel_tool_calls` when set. */
  parallelToolCalls?: boolean | undefined;
}

/**
 * What goes back to the model for one call: the value, or `{"error": …}` so it can react. A value JSON cannot
 * carry (a BigInt, a cycle, a function) is that call's error, not the end of the run.
 */
export function toolContent(outcome: ToolOutcome): string {
  if (outcome.status === 'ok') {
    try {
      const text = JSON.stringify(outcome.value ?? null);
      if (text !== undefined) return text;
    } catch (error) {
      return JSON.stringify({ error: `the tool's result is not JSON: ${errorMessage(error)}` });
    }
    return JSON.stringify({ error: `the tool's result is not JSON (a ${typeof outcome.value})` });
  }
  return JSON.stringify({ error: outcome.status === 'error' ? outcome.error : `${outcome.status}: ${outcome.error}` });
}

/**
 * Times a stream: call `event()` on every event and `ready()` whenever a call's arguments complete; `end()` gives
 * the turn's model time and stream time.
 */
export function streamClock(sent: number): {
  event(): void;
  ready(): void;
  end(): Pick<ModelTurn, 'modelMs' | 'streamMs'>;
} {
  let firstEvent: number | undefined;
  let lastReady: number | undefined;
  return {
    event() {
      firstEvent ??= performance.now();
    },
    ready() {
      lastReady = performance.now();
    },
    end() {
      const ended = performance.now();
      return { modelMs: ended - sent, streamMs: (lastReady ?? ended) - (firstEvent ?? sent) };
    },
  };
}
