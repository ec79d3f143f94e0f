import type { ChatCompletionChunk } from 'openai/resources/chat/completions';
import type { CompletionUsage } from 'openai/resources/completions';
import { sleep } from '../core/time.ts';
import type { Step } from './script.ts';

export interface ChunkMeta {
  id: string;
  created: number;
  model: string;
}

export interface ChunkOptions {
  interleave: boolean;
  argumentFragmentChars: number;
  /** Adds the final usage chunk (`stream_options.include_usage`). */
  usage?: CompletionUsage | undefined;
}

type Delta = ChatCompletionChunk.Choice.Delta;

/**
 * The `chat.completion.chunk`s of one step, as the API streams them: a role delta, the text in pieces, per call
 * a delta with id and name, argument fragments (call after call, or interleaved), then `finish_reason`.
 */
export function chatChunks(step: Step, meta: ChunkMeta, options: ChunkOptions): ChatCompletionChunk[] {
  const chunk = (delta: Delta, finish: ChatCompletionChunk.Choice['finish_reason'] = null): ChatCompletionChunk => ({
    id: meta.id,
    object: 'chat.completion.chunk',
    created: meta.created,
    model: meta.model,
    choices: [{ index: 0, delta, finish_reason: finish, logprobs: null }],
  });
  const chunks: ChatCompletionChunk[] = [];
  const text = step.text ?? '';
  chunks.push(chunk({ role: 'assistant', content: step.text === null ? null : '' }));
  for (const piece of text.match(/\S+\s*|\s+/g) ?? []) chunks.push(chunk({ content: piece }));

  if (step.kind === 'calls') {
    const fragments = step.calls.map((call) => split(call.arguments, options.argumentFragmentChars));
    const header = (index: number): ChatCompletionChunk => {
      const call = step.calls[index];
      const function_ = { name: call?.name ?? '', arguments: '' };
      return chunk({ tool_calls: [{ index, id: call?.id ?? '', type: 'function', function: function_ }] });
    };
    const fragment = (index: number, part: string): ChatCompletionChunk =>
      chunk({ tool_calls: [{ index, function: { arguments: part } }] });
    if (options.interleave) {
      for (let index = 0; index < step.calls.length; index++) chunks.push(header(index));
      const rounds = Math.max(0, ...fragments.map((parts) => parts.length));
      for (let round = 0; round < rounds; round++) {
        fragments.forEach((parts, index) => {
          const part = parts[round];
          if (part !== undefined) chunks.push(fragment(index, part));
        });
      }
    } else {
      fragments.forEach((parts, index) => {
        chunks.push(header(index));
        for (const part of parts) chunks.push(fragment(index, part));
      });
    }
  }
  chunks.push(chunk({}, step.kind === 'calls' ? 'tool_calls' : 'stop'));
  if (options.usage) {
    chunks.push({
      id: meta.id,
      object: 'chat.completion.chunk',
      created: meta.created,
      model: meta.model,
      choices: [],
      usage: options.usage,
    });
  }
  return chunks;
}

/**
 * For each call of a streamed step, the index of the chunk that completes it (its last `tool_calls` delta): when
 * that chunk goes out, the call is ready to run.
 */
export function readyChunks(chunks: readonly ChatCompletionChunk[], callIds: readonly string[]): Map<number, string[]> {
  const last = new Map<number, number>();
  chunks.forEach((chunk, position) => {
    for (const delta of chunk.choices[0]?.delta.tool_calls ?? []) last.set(delta.index, position);
  });
  const ready = new Map<number, string[]>();
  for (const [index, position] of last) {
    const id = callIds[index];
    if (id !== undefined) ready.set(position, [...(ready.get(position) ?? []), id]);
  }
  return ready;
}

/** `text` in pieces of `size` characters (argument fragments of a stream). */
export function split(text: string, size: number): string[] {
  const parts: string[] = [];
  for (let i = 0; i < text.length; i += size) parts.push(text.slice(i, i + size));
  return parts;
}

const encoder = new TextEncoder();

/**
 * Server-sent events of the chunks, with `delayMs` before each chunk after the first. Chat Completions ends with
 * `data: [DONE]`; the Responses API names each event (`event: response.completed`) and ends after the last one
 * (`named`). Pull-based, so a client that stops reading (or aborts) stops the timers too.
 */
export function eventStream(
  chunks: readonly unknown[],
  /** Before each chunk after the first: one delay for all, or the delay before chunk `index`. */
  delayMs: number | ((index: number) => number),
  onDone?: () => void,
  named = false,
  /** Called as each chunk goes out, with its index in `chunks`. */
  onEvent?: (index: number) => void,
): ReadableStream<Uint8Array> {
  const events = named
    ? chunks.map((chunk) => `event: ${(chunk as { type: string }).type}\ndata: ${JSON.stringify(chunk)}\n\n`)
    : [...chunks.map((chunk) => `data: ${JSON.stringify(chunk)}\n\n`), 'data: [DONE]\n\n'];
  let next = 0;
  let cancelled = false;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const wait = next === 0 ? 0 : typeof delayMs === 'number' ? delayMs : delayMs(next);
      if (wait > 0) await sleep(wait);
      if (cancelled) return;
      const event = events[next++];
      if (event === undefined) {
        onDone?.();
        return controller.close();
      }
      controller.enqueue(encoder.encode(event));
      if (next <= chunks.length) onEvent?.(next - 1);
      if (next === events.length) {
        onDone?.();
        controller.close();
      }
    },
    cancel() {
      cancelled = true;
    },
  });
}
