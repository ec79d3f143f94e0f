import type OpenAI from 'openai';
import type { ChatCompletionMessageParam } from 'openai/resources/chat/completions';
import type { ToolCall } from '../../src/executors/types.ts';
import { parseArguments } from '../../src/tools/arguments.ts';
import { ToolRegistry } from '../../src/tools/registry.ts';

const tools = new ToolRegistry();

/** What the agent loop would send back for a call: the tool's JSON result (run inline; tests only). */
export function resultFor(call: ToolCall): string {
  const { definition } = tools.named(call.name);
  const args = parseArguments(definition, call.arguments);
  return JSON.stringify(definition.execute(args, { mailbox: [] }));
}

export function toolCallsOf(message: OpenAI.Chat.ChatCompletionMessage): ToolCall[] {
  return (message.tool_calls ?? []).map((call) => {
    if (call.type !== 'function') throw new Error(`unexpected ${call.type} tool call`);
    return { id: call.id, name: call.function.name, arguments: call.function.arguments };
  });
}

/** Plays a chat conversation to the end, answering every call; returns every response's message. */
export async function playChat(
  client: OpenAI,
  question: string,
  extra: { parallel_tool_calls?: boolean; model?: string } = {},
): Promise<{ messages: ChatCompletionMessageParam[]; turns: OpenAI.Chat.ChatCompletion[] }> {
  const messages: ChatCompletionMessageParam[] = [{ role: 'user', content: question }];
  const turns: OpenAI.Chat.ChatCompletion[] = [];
  for (let i = 0; i < 20; i++) {
    const completion = await client.chat.completions.create({
      model: extra.model ?? 'gpt-4o-mini',
      messages,
      ...extra,
    });
    turns.push(completion);
    const choice = completion.choices[0];
    if (!choice) throw new Error('no choice');
    messages.push(choice.message);
    if (choice.finish_reason !== 'tool_calls') return { messages, turns };
    for (const call of toolCallsOf(choice.message)) {
      messages.push({ role: 'tool', tool_call_id: call.id, content: resultFor(call) });
    }
  }
  throw new Error('conversation did not end');
}
