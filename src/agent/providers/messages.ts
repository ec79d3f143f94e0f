import type Anthropic from '@anthropic-ai/sdk';
import type { ToolCall } from '../../executors/types.ts';
import { type ModelTurn, type Provider, type ProviderContext, streamClock, toolContent } from '../provider.ts';

/** Enough room for a turn of many calls; the scripted mock ignores it, a live model stops there. */
const MAX_TOKENS = 4096;

type Block = { type: 'text'; text: string } | { type: 'tool_use'; id: string; name: string; input: unknown };

/** A tool's input as the history must carry it: an object (a stream's input that does not parse becomes `{}`). */
function inputObject(json: string): unknown {
  try {
    const value: unknown = JSON.parse(json === '' ? '{}' : json);
    return typeof value === 'object' && value !== null ? value : {};
  } catch {
    return {};
  }
}

function turnOf(content: readonly Block[]): Pick<ModelTurn, 'text' | 'calls'> {
  return {
    text: content.flatMap((b) => (b.type === 'text' ? [b.text] : [])).join(''),
    calls: content.flatMap((b) =>
      b.type === 'tool_use' ? [{ id: b.id, name: b.name, arguments: JSON.stringify(b.input ?? {}) }] : [],
    ),
  };
}

/**
 * Anthropic Messages (`messages`), and streamed (`messages-stream`): the history alternates user and assistant
 * messages of content blocks; a turn's calls are its `tool_use` blocks, and every result goes back as a
 * `tool_result` block (`is_error: true` for a failed call) in one user message. Streamed, a call is ready at its
 * block's `content_block_stop`. `parallelToolCalls: false` sends `tool_choice.disable_parallel_tool_use`.
 */
export function messagesProvider(context: ProviderContext<Anthropic>, stream: boolean): Provider {
  const messages: Anthropic.MessageParam[] = [{ role: 'user', content: context.question }];
  let content: Block[] = [];
  const request = () => ({
    model: context.model,
    max_tokens: MAX_TOKENS,
    messages,
    // a planner's request offers its tools in the prompt, not as tools
    ...(context.tools.length > 0
      ? {
          tools: context.tools.map((t) => ({
            name: t.function.name,
            description: t.function.description,
            input_schema: t.function.parameters as unknown as Anthropic.Tool.InputSchema,
          })),
        }
      : {}),
    ...(context.parallelToolCalls === false
      ? { tool_choice: { type: 'auto' as const, disable_parallel_tool_use: true } }
      : {}),
  });
  return {
    streams: stream,
    async ask({ signal, onCallReady, onText }): Promise<ModelTurn> {
      const sent = performance.now();
      if (!stream) {
        const message = await context.client.messages.create(request(), signal ? { signal } : {});
        const modelMs = performance.now() - sent;
        content = message.content.flatMap((b): Block[] =>
          b.type === 'text' || b.type === 'tool_use' ? [b as Block] : [],
        );
        const turn = turnOf(content);
        if (turn.text) onText?.(turn.text);
        return { ...turn, warnings: [], modelMs };
      }
      const events = await context.client.messages.create({ ...request(), stream: true }, signal ? { signal } : {});
      const clock = streamClock(sent);
      const building = new Map<number, { block: Block; json: string }>();
      for await (const event of events) {
        clock.event();
        if (event.type === 'content_block_start') {
          const block = event.content_block;
          if (block.type === 'text') building.set(event.index, { block: { type: 'text', text: '' }, json: '' });
          if (block.type === 'tool_use') {
            building.set(event.index, {
              block: { type: 'tool_use', id: block.id, name: block.name, input: {} },
              json: '',
            });
          }
        } else if (event.type === 'content_block_delta') {
          const part = building.get(event.index);
          if (part?.block.type === 'text' && event.delta.type === 'text_delta') {
            part.block.text += event.delta.text;
            onText?.(event.delta.text);
          }
          if (part?.block.type === 'tool_use' && event.delta.type === 'input_json_delta')
            part.json += event.delta.partial_json;
        } else if (event.type === 'content_block_stop') {
          const part = building.get(event.index);
          if (part?.block.type === 'tool_use') {
            part.block.input = inputObject(part.json);
            clock.ready();
            const call: ToolCall = { id: part.block.id, name: part.block.name, arguments: part.json || '{}' };
            onCallReady?.(call);
          }
        }
      }
      const timing = clock.end(); // the model's time ends with its last event, before the turn is read
      const parts = [...building.entries()].sort(([a], [b]) => a - b).map(([, part]) => part);
      content = parts.map((part) => part.block);
      // a streamed call keeps its arguments as sent (the loop's tools see the raw JSON, as after `.done` elsewhere)
      const calls = parts.flatMap(({ block, json }) =>
        block.type === 'tool_use' ? [{ id: block.id, name: block.name, arguments: json || '{}' }] : [],
      );
      return { text: turnOf(content).text, calls, warnings: [], ...timing };
    },
    answer(_turn, calls, outcomes) {
      const answered = new Set(calls.map((c) => c.id));
      const kept = new Set<string>();
      // the assistant's blocks as sent, each tool_use once (a duplicate id is answered once)
      const assistant = content.filter((b) => {
        if (b.type !== 'tool_use') return b.text !== '';
        if (!answered.has(b.id) || kept.has(b.id)) return false;
        kept.add(b.id);
        return true;
      });
      messages.push({ role: 'assistant', content: assistant as Anthropic.ContentBlockParam[] });
      messages.push({
        role: 'user',
        content: outcomes.map((o) => ({
          type: 'tool_result' as const,
          tool_use_id: o.id,
          content: toolContent(o),
          ...(o.status === 'ok' ? {} : { is_error: true }),
        })),
      });
    },
    reply(turn, message) {
      messages.push({ role: 'assistant', content: turn.text });
      messages.push({ role: 'user', content: message });
    },
  };
}
