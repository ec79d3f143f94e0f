import type OpenAI from 'openai';
import type { ToolCall } from '../../executors/types.ts';
import { StreamAccumulator } from '../../model/stream.ts';
import { type ModelTurn, type Provider, type ProviderContext, streamClock, toolContent } from '../provider.ts';
import { AgentError } from '../types.ts';

type ChatMessage = OpenAI.Chat.Completions.ChatCompletionMessageParam;

/**
 * The function calls of a chat message, read defensively: a non-conforming server (live mode) may send
 * `tool_calls` that is not a list, calls without an id or function, or arguments as an object. A call without an
 * id cannot be answered and is skipped with a warning; any other defect becomes that call's error outcome.
 */
export function chatToolCalls(raw: unknown): { calls: ToolCall[]; warnings: string[] } {
  if (raw === undefined || raw === null) return { calls: [], warnings: [] };
  if (!Array.isArray(raw)) return { calls: [], warnings: ['tool_calls is not a list; treated as no calls'] };
  if (raw.length === 0) return { calls: [], warnings: ['the model sent an empty tool_calls list'] };
  const calls: ToolCall[] = [];
  const warnings: string[] = [];
  for (const [index, item] of raw.entries()) {
    const call = (item ?? {}) as { id?: unknown; type?: unknown; function?: { name?: unknown; arguments?: unknown } };
    if (typeof call.id !== 'string') {
      warnings.push(`tool_calls[${index}] has no id and cannot be answered; skipped`);
      continue;
    }
    if (call.type !== undefined && call.type !== 'function') {
      warnings.push(`tool_calls[${index}] is of type ${String(call.type)}, not function; skipped`);
      continue;
    }
    const name = typeof call.function?.name === 'string' ? call.function.name : '';
    const args = call.function?.arguments;
    calls.push({ id: call.id, name, arguments: typeof args === 'string' ? args : JSON.stringify(args ?? {}) });
  }
  return { calls, warnings };
}

/** The assistant turn as it goes back into the history: its text and the calls that will be answered. */
function assistantMessage(text: string | null, calls: readonly ToolCall[]): ChatMessage {
  return {
    role: 'assistant',
    content: text,
    ...(calls.length > 0
      ? {
          tool_calls: calls.map((c) => ({
            id: c.id,
            type: 'function' as const,
            function: { name: c.name, arguments: c.arguments },
          })),
        }
      : {}),
  };
}

/**
 * Chat Completions (`chat`), and streamed (`chat-stream`): the history is a list of messages; the answers are one
 * `tool` message per call id after the assistant message that made the calls.
 */
export function chatProvider(context: ProviderContext, stream: boolean): Provider {
  const messages: ChatMessage[] = [{ role: 'user', content: context.question }];
  const request = () => ({
    model: context.model,
    messages,
    // the API refuses an empty list: a planner's request offers its tools in the prompt, not as functions
    ...(context.tools.length > 0
      ? { tools: context.tools as unknown as OpenAI.Chat.Completions.ChatCompletionTool[] }
      : {}),
    ...(context.parallelToolCalls === undefined ? {} : { parallel_tool_calls: context.parallelToolCalls }),
  });
  return {
    streams: stream,
    async ask({ signal, onCallReady, onText }): Promise<ModelTurn> {
      const sent = performance.now();
      if (stream) {
        const events = await context.client.chat.completions.create(
          { ...request(), stream: true },
          signal ? { signal } : {},
        );
        const accumulator = new StreamAccumulator();
        const clock = streamClock(sent);
        let readyCount = 0;
        for await (const chunk of events) {
          clock.event();
          accumulator.add(chunk);
          const piece = chunk.choices[0]?.delta.content;
          if (piece) onText?.(piece);
          const ready = accumulator.readyCalls();
          if (ready.length > readyCount) {
            readyCount = ready.length;
            clock.ready();
            for (const call of ready) onCallReady?.(call);
          }
        }
        const timing = clock.end(); // the model's time ends with its last chunk, before the turn is read
        return { text: accumulator.text, calls: accumulator.toolCalls(), warnings: [], ...timing };
      }
      const completion = await context.client.chat.completions.create(request(), signal ? { signal } : {});
      const modelMs = performance.now() - sent;
      const message = completion.choices[0]?.message;
      if (!message) throw new AgentError('the model answered with no choices');
      const parsed = chatToolCalls(message.tool_calls as unknown);
      if (message.content) onText?.(message.content);
      return { text: message.content ?? '', calls: parsed.calls, warnings: parsed.warnings, modelMs };
    },
    answer(turn, calls, outcomes) {
      messages.push(assistantMessage(turn.text || null, calls));
      for (const o of outcomes) messages.push({ role: 'tool', tool_call_id: o.id, content: toolContent(o) });
    },
    reply(turn, message) {
      messages.push({ role: 'assistant', content: turn.text });
      messages.push({ role: 'user', content: message });
    },
  };
}
