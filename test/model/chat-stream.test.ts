import OpenAI from 'openai';
import type { ChatCompletionChunk } from 'openai/resources/chat/completions';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { assembleToolCalls, createModelMock, loadScenario, StreamAccumulator } from '../../src/model/index.ts';
import { resultFor } from './helpers.ts';

const mock = createModelMock({ latencyOverrideMs: 0, scenario: loadScenario('weather-fx') });
let client: OpenAI;

beforeAll(() => {
  mock.listen();
  client = mock.createClient();
});
afterEach(() => {
  mock.reset();
  mock.configure({ interleave: false, streamChunkDelayMs: 0 });
});
afterAll(() => mock.close());

async function streamChunks(extra: { include_usage?: boolean } = {}): Promise<ChatCompletionChunk[]> {
  const stream = await client.chat.completions.create({
    model: 'gpt-4o-mini',
    messages: [{ role: 'user', content: 'q' }],
    stream: true,
    ...(extra.include_usage ? { stream_options: { include_usage: true } } : {}),
  });
  const chunks: ChatCompletionChunk[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return chunks;
}

/** The call index of each tool-call chunk, in arrival order. */
const indexOrder = (chunks: ChatCompletionChunk[]) =>
  chunks.flatMap((c) => c.choices[0]?.delta.tool_calls?.map((t) => t.index) ?? []);

describe('chat completions, streamed', () => {
  it('streams a role delta, each call with its id, argument fragments, then finish_reason', async () => {
    const chunks = await streamChunks();
    expect(chunks.every((c) => c.object === 'chat.completion.chunk')).toBe(true);
    expect(chunks[0]?.choices[0]?.delta.role).toBe('assistant');
    expect(chunks.at(-1)?.choices[0]?.finish_reason).toBe('tool_calls');
    const headers = chunks.flatMap((c) => c.choices[0]?.delta.tool_calls?.filter((t) => t.id) ?? []);
    expect(headers.map((h) => [h.index, h.type, h.function?.arguments])).toEqual([
      [0, 'function', ''],
      [1, 'function', ''],
      [2, 'function', ''],
    ]);
    const fragmentsOfFirst = chunks.filter((c) => c.choices[0]?.delta.tool_calls?.some((t) => t.index === 0 && !t.id));
    expect(fragmentsOfFirst.length).toBeGreaterThan(1);
    const order = indexOrder(chunks);
    expect(order).toEqual([...order].sort()); // call after call

    const calls = assembleToolCalls(chunks);
    expect(calls.map((c) => c.name)).toEqual(['get_weather', 'get_weather', 'get_exchange_rate']);
    expect(calls.map((c) => JSON.parse(c.arguments))).toEqual([
      { city: 'Tokyo' },
      { city: 'London' },
      { from_currency: 'USD', to_currency: 'JPY' },
    ]);
    expect(mock.counters).toMatchObject({ streamRequests: 1, chatRequests: 1 });
  });

  it('interleaves fragments of different calls when asked, with the same result', async () => {
    const plain = assembleToolCalls(await streamChunks());
    mock.configure({ interleave: true });
    const chunks = await streamChunks();
    const order = indexOrder(chunks);
    expect(order).not.toEqual([...order].sort());
    expect(assembleToolCalls(chunks)).toEqual(plain);
  });

  it('sends usage last when stream_options.include_usage is set', async () => {
    const chunks = await streamChunks({ include_usage: true });
    expect(chunks.at(-1)?.choices).toEqual([]);
    expect(chunks.at(-1)?.usage?.total_tokens).toBeGreaterThan(0);
    expect(assembleToolCalls(chunks)).toHaveLength(3);
  });

  it('spaces chunks by streamChunkDelayMs', async () => {
    mock.configure({ streamChunkDelayMs: 2 });
    const started = performance.now();
    const chunks = await streamChunks();
    expect(performance.now() - started).toBeGreaterThanOrEqual((chunks.length - 1) * 2 - 1);
  });

  it('streams the final answer as text with stop, and works with the SDK stream helper', async () => {
    const first = await client.chat.completions.stream({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'q' }],
    });
    const completion = await first.finalChatCompletion();
    const message = completion.choices[0]?.message;
    expect(message?.tool_calls).toHaveLength(3);
    const results = (message?.tool_calls ?? []).map((call) => {
      if (call.type !== 'function') throw new Error('unexpected tool call');
      return { role: 'tool' as const, tool_call_id: call.id, content: resultFor({ id: call.id, ...call.function }) };
    });
    const stream = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [
        { role: 'user', content: 'q' },
        { role: 'assistant', content: null, tool_calls: message?.tool_calls ?? [] },
        ...results,
      ],
      stream: true,
    });
    const accumulator = new StreamAccumulator();
    for await (const chunk of stream) accumulator.add(chunk);
    expect(accumulator.finishReason).toBe('stop');
    expect(accumulator.text).toBe(
      'Tokyo is 22 °C and clear, London is 11 °C and rainy, and one US dollar buys 151.2 yen.',
    );
    expect(accumulator.toolCalls()).toEqual([]);
  });

  it('refuses a streamed request that breaks the rules before streaming', async () => {
    const request = client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [
        { role: 'user', content: 'q' },
        {
          role: 'assistant',
          content: null,
          tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{}' } }],
        },
      ],
      stream: true,
    });
    await expect(request).rejects.toBeInstanceOf(OpenAI.BadRequestError);
    await expect(request).rejects.toThrow(/did not have response messages: call_1/);
  });
});
