import Anthropic from '@anthropic-ai/sdk';
import { afterEach, describe, expect, it } from 'vitest';
import { runAgent } from '../../src/agent/loop.ts';
import { createExecutor } from '../../src/executors/registry.ts';
import { createModelMock, loadScenario } from '../../src/model/index.ts';
import { parsesAsJson } from '../../src/model/stream.ts';
import { toolRuntimeConfig } from '../../src/tools/config.ts';
import { ToolRegistry } from '../../src/tools/registry.ts';

const builtIns = new ToolRegistry();

import { ToolRuntime } from '../../src/tools/runtime.ts';

const mock = createModelMock({ latencyOverrideMs: 0 });
const client = await mock.createDirectAnthropicClient();
afterEach(() => mock.reset());

const tools = builtIns.chatTools().map((t) => ({
  name: t.function.name,
  description: t.function.description,
  input_schema: t.function.parameters as unknown as Anthropic.Tool.InputSchema,
}));
const ask = (messages: Anthropic.MessageParam[], extra: Partial<Anthropic.MessageCreateParamsNonStreaming> = {}) =>
  client.messages.create({ model: 'weather-stock-news', max_tokens: 1024, messages, tools, ...extra });
const question: Anthropic.MessageParam = { role: 'user', content: 'q' };

async function refusal(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(Anthropic.BadRequestError);
  const body = (error as InstanceType<typeof Anthropic.BadRequestError>).error as {
    type: string;
    error: { type: string; message: string };
  };
  expect(body.type).toBe('error');
  expect(body.error.type).toBe('invalid_request_error');
  return body.error.message;
}

describe('Anthropic Messages mock', () => {
  it('answers parallel tool_use blocks with parsed input and stop_reason tool_use, then the answer', async () => {
    mock.use(loadScenario('weather-stock-news'));
    const first = await ask([question]);
    expect(first.stop_reason).toBe('tool_use');
    const uses = first.content.filter((b): b is Anthropic.ToolUseBlock => b.type === 'tool_use');
    expect(uses.map((b) => b.name)).toEqual(['get_weather', 'get_stock_price', 'get_news_headlines']);
    expect(uses[0]?.input).toEqual({ city: 'Tokyo' });
    const results: Anthropic.ToolResultBlockParam[] = uses.map((b) => ({
      type: 'tool_result',
      tool_use_id: b.id,
      content: '{"ok":true}',
    }));
    const second = await ask([
      question,
      { role: 'assistant', content: first.content },
      { role: 'user', content: results },
    ]);
    expect(second.stop_reason).toBe('end_turn');
    expect(second.content[0]?.type).toBe('text');
  });

  it("refuses a tool_use left without its tool_result, and an unknown tool_use_id, in the API's words", async () => {
    mock.use(loadScenario('weather-stock-news'));
    const first = await ask([question]);
    const uses = first.content.filter((b): b is Anthropic.ToolUseBlock => b.type === 'tool_use');
    const partial: Anthropic.ToolResultBlockParam[] = uses
      .slice(1)
      .map((b) => ({ type: 'tool_result', tool_use_id: b.id, content: '{}' }));
    const missing = await refusal(
      ask([question, { role: 'assistant', content: first.content }, { role: 'user', content: partial }]),
    );
    expect(missing).toBe(
      `messages.2: \`tool_use\` ids were found without \`tool_result\` blocks immediately after: ${uses[0]?.id}. Each \`tool_use\` block must have a corresponding \`tool_result\` block in the next message.`,
    );
    const stray: Anthropic.ToolResultBlockParam[] = [
      ...uses.map((b) => ({ type: 'tool_result' as const, tool_use_id: b.id, content: '{}' })),
      { type: 'tool_result', tool_use_id: 'toolu_nope', content: '{}' },
    ];
    const unknown = await refusal(
      ask([question, { role: 'assistant', content: first.content }, { role: 'user', content: stray }]),
    );
    expect(unknown).toBe(
      'messages.2.content.3: unexpected `tool_use_id` found in `tool_result` blocks: toolu_nope. Each `tool_result` block must have a corresponding `tool_use` block in the previous message.',
    );
    expect(mock.counters.violations).toBe(2);
  });

  it('returns one tool_use per turn with tool_choice.disable_parallel_tool_use', async () => {
    mock.use(loadScenario('weather-stock-news'));
    const first = await ask([question], { tool_choice: { type: 'auto', disable_parallel_tool_use: true } });
    expect(first.content.filter((b) => b.type === 'tool_use')).toHaveLength(1);
  });

  it('streams input_json_delta fragments cut mid-JSON and interleaved across blocks, each block closed', async () => {
    mock.use(loadScenario('weather-stock-news'));
    mock.configure({ interleave: true, argumentFragmentChars: 3 });
    const stream = await client.messages.create({
      model: 'weather-stock-news',
      max_tokens: 1024,
      messages: [question],
      tools,
      stream: true,
    });
    const events: Anthropic.RawMessageStreamEvent[] = [];
    for await (const event of stream) events.push(event);
    const types = events.map((e) => e.type);
    expect(types[0]).toBe('message_start');
    expect(types.slice(-2)).toEqual(['message_delta', 'message_stop']);
    const deltas = events.filter(
      (e): e is Anthropic.RawContentBlockDeltaEvent =>
        e.type === 'content_block_delta' && e.delta.type === 'input_json_delta',
    );
    // interleaved: some fragment of a later block comes before the last fragment of an earlier one
    const indices = deltas.map((d) => d.index);
    expect(indices.some((index, i) => i > 0 && index < (indices[i - 1] ?? 0))).toBe(true);
    const inputs = new Map<number, string>();
    for (const d of deltas) {
      if (d.delta.type === 'input_json_delta') inputs.set(d.index, (inputs.get(d.index) ?? '') + d.delta.partial_json);
    }
    expect(deltas.some((d) => d.delta.type === 'input_json_delta' && !parsesAsJson(d.delta.partial_json))).toBe(true);
    expect([...inputs.values()].map((text) => JSON.parse(text))).toEqual([
      { city: 'Tokyo' },
      { ticker: 'AAPL' },
      { topic: 'AI' },
    ]);
    const stops = events.filter((e) => e.type === 'content_block_stop').length;
    expect(stops).toBe(3);
    expect((events.at(-2) as Anthropic.RawMessageDeltaEvent).delta.stop_reason).toBe('tool_use');
  });
});

describe('the loop over Messages', () => {
  it('sends every result as a tool_result block in one user message, is_error: true for a failed call', async () => {
    const failing = createModelMock({ scenario: loadScenario('weather-stock-news'), latencyOverrideMs: 0 });
    const runtime = new ToolRuntime(
      toolRuntimeConfig({ latencyMs: 1, faults: { failRate: 0.5, hangRate: 0, crashRate: 0 } }),
    );
    const executor = await createExecutor({ strategy: 'promise-all' }, { runtime });
    try {
      const run = await runAgent({
        client: await failing.createDirectAnthropicClient(),
        model: 'weather-stock-news',
        question: 'q',
        executor,
        tools: builtIns.chatTools(),
        api: 'messages',
        stopWhenAllFail: false,
      });
      const statuses = run.steps[0]?.outcomes.map((o) => o.status) ?? [];
      expect(statuses).toContain('error');
      expect(statuses).toContain('ok'); // seeded: both kinds in this turn
      const [exchange] = failing.exchanges.filter((e) => e.answered.length > 0);
      // every id of the turn answered, in one request, in call order
      expect(exchange?.answered.map((a) => a.id)).toEqual(run.steps[0]?.calls.map((c) => c.id));
      const failed = run.steps[0]?.outcomes.find((o) => o.status === 'error');
      const sentFailed = exchange?.answered.find((a) => a.id === failed?.id);
      expect(sentFailed?.content).toMatch(/"error":"injected failure/);
      expect(sentFailed?.isError).toBe(true);
      const succeeded = run.steps[0]?.outcomes.find((o) => o.status === 'ok');
      expect(exchange?.answered.find((a) => a.id === succeeded?.id)?.isError).toBeUndefined();
    } finally {
      await executor.close();
    }
  });
});
