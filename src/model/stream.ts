import type { ToolCall } from '../executors/types.ts';

/** One `tool_calls` entry of a streamed delta; the SDK's `ChatCompletionChunk` fits this shape. */
export interface ToolCallDelta {
  index: number;
  id?: string;
  function?: { name?: string; arguments?: string };
}

/** The parts of a `chat.completion.chunk` the accumulator reads. */
export interface StreamChunk {
  choices: ReadonlyArray<{
    delta: { content?: string | null; tool_calls?: ReadonlyArray<ToolCallDelta> };
    finish_reason: string | null;
  }>;
}

/**
 * Builds the answer of a streamed chat completion chunk by chunk: tool calls are keyed by `index`, take id and
 * name from the first delta that has them, and concatenate argument fragments (which may arrive interleaved).
 */
export class StreamAccumulator {
  private readonly partial = new Map<number, { id?: string; name?: string; arguments: string; ready: boolean }>();
  /** Calls that changed since the last {@link readyCalls}: only these are parsed again. */
  private readonly changed = new Set<number>();
  private content = '';
  private finish: string | null = null;

  add(chunk: StreamChunk): void {
    const choice = chunk.choices[0];
    if (choice === undefined) return; // the usage chunk has no choices
    if (choice.delta.content) this.content += choice.delta.content;
    for (const delta of choice.delta.tool_calls ?? []) {
      let call = this.partial.get(delta.index);
      if (call === undefined) {
        call = { arguments: '', ready: false };
        this.partial.set(delta.index, call);
      }
      if (call.id === undefined && delta.id) call.id = delta.id;
      if (call.name === undefined && delta.function?.name) call.name = delta.function.name;
      call.arguments += delta.function?.arguments ?? '';
      this.changed.add(delta.index);
    }
    if (choice.finish_reason !== null) this.finish = choice.finish_reason;
  }

  /** Assistant text so far. */
  get text(): string {
    return this.content;
  }

  /** `finish_reason` of the last chunk that had one, e.g. `tool_calls` or `stop`. */
  get finishReason(): string | null {
    return this.finish;
  }

  /**
   * Calls that are complete before the stream ends, in index order: id and name known and arguments already a
   * whole JSON value (for early dispatch). A call whose arguments parse too soon cannot happen: an object parses
   * only once closed. Only calls that changed since the last call of this are parsed again (this runs on every
   * chunk, inside the model's measured time).
   */
  readyCalls(): ToolCall[] {
    for (const index of this.changed) {
      const call = this.partial.get(index);
      if (call) call.ready = call.id !== undefined && call.name !== undefined && parsesAsJson(call.arguments);
    }
    this.changed.clear();
    const ready: [number, ToolCall][] = [];
    for (const [index, call] of this.partial) {
      if (call.ready)
        ready.push([index, { id: call.id as string, name: call.name as string, arguments: call.arguments }]);
    }
    return ready.sort(([a], [b]) => a - b).map(([, call]) => call);
  }

  /** The complete calls in index order; throws if a call never received its id or name. */
  toolCalls(): ToolCall[] {
    return [...this.partial.entries()]
      .sort(([a], [b]) => a - b)
      .map(([index, call]) => {
        if (call.id === undefined || call.name === undefined) {
          throw new Error(`streamed tool call at index ${index} has no ${call.id === undefined ? 'id' : 'name'}`);
        }
        return { id: call.id, name: call.name, arguments: call.arguments };
      });
  }
}

/** Whether `text` is one whole JSON value. */
export function parsesAsJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** The tool calls of a whole stream of chunks; see {@link StreamAccumulator}. */
export function assembleToolCalls(chunks: Iterable<StreamChunk>): ToolCall[] {
  const accumulator = new StreamAccumulator();
  for (const chunk of chunks) accumulator.add(chunk);
  return accumulator.toolCalls();
}
