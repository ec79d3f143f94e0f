import { afterAll, describe, expect, it } from 'vitest';
import { streamedText, textTokens } from '../../src/model/context.ts';
import { createModelMock, loadScenario, parseScenario } from '../../src/model/index.ts';

/**
 * The model's timing: the first token after the turn's latency, then every token at the output rate. Checked as
 * lower bounds from the mock's own log (a timer never fires early by more than ~1 ms), never as tight upper ones.
 */
describe('model timing: time to first token, then tokens per second', () => {
  const mock = createModelMock({ latencyOverrideMs: 10 });
  afterAll(() => mock.close());
  const scenario = loadScenario('fanout-4');
  // a whole answer's tokens, as paced: its calls' names and arguments together, four characters a token
  const tokensOfCalls = (calls: readonly { name: string; arguments: string }[]) =>
    calls.map((c) => c.name + c.arguments).join('').length / 4;

  it('paces a whole answer by its tokens, and each streamed chunk by its own', async () => {
    mock.use(scenario);
    mock.configure({ tokensPerSecond: 100 });
    const client = mock.createDirectClient();
    const question = [{ role: 'user' as const, content: scenario.question }];
    await client.chat.completions.create({ model: 'gpt-4o-mini', messages: question });
    const [whole] = mock.takeExchanges();
    if (!whole) throw new Error('no exchange');
    const wholeTokens = tokensOfCalls(whole.calls);
    expect(whole.tokensPerSecond).toBe(100);
    expect(whole.respondedAt - whole.receivedAt).toBeGreaterThanOrEqual(10 + (wholeTokens / 100) * 1000 - 2);

    const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: question, stream: true });
    for await (const _ of stream) {
      // read to the end
    }
    const [streamed] = mock.takeExchanges();
    const ready = Object.values(streamed?.readyAt ?? {});
    expect(ready).toHaveLength(4);
    // each call completes at least its tokens after the one before (its fragments follow the previous call's)
    for (let i = 1; i < ready.length; i++) {
      const call = streamed?.calls[i] as { name: string; arguments: string };
      expect((ready[i] as number) - (ready[i - 1] as number)).toBeGreaterThanOrEqual(
        (call.arguments.length / 4 / 100) * 1000 - 2 * 8,
      );
    }
  });

  it('draws each turn from recorded model turns, the same turn the same time under every strategy', async () => {
    const recorded = createModelMock({ scenario, latencySamples: [5, 40], seed: 7 });
    try {
      const client = recorded.createDirectClient();
      const question = [{ role: 'user' as const, content: scenario.question }];
      for (let i = 0; i < 3; i++) await client.chat.completions.create({ model: 'gpt-4o-mini', messages: question });
      const latencies = recorded.takeExchanges().map((e) => e.latencyMs);
      expect(latencies).toHaveLength(3);
      for (const ms of latencies) expect([5, 40]).toContain(ms);
      expect(new Set(latencies).size).toBe(1); // the first turn each time: one draw
    } finally {
      recorded.close();
    }
  });

  it('takes the rate from the scenario unless the run sets one; none means at once', () => {
    const paced = parseScenario(
      JSON.stringify({ ...JSON.parse(JSON.stringify(scenario)), name: 'paced', tokensPerSecond: 40 }),
      'paced.json',
    );
    expect(paced.tokensPerSecond).toBe(40);
    expect(() => parseScenario(JSON.stringify({ ...paced, tokensPerSecond: 0 }), 'zero.json')).toThrow(
      /zero\.json: tokensPerSecond: must be a number from 1 to 100000, got 0/,
    );
    expect(scenario.tokensPerSecond).toBeUndefined();
  });

  it('counts the text each API streams: chat deltas, responses deltas, messages block deltas', () => {
    expect(streamedText({ choices: [{ delta: { content: 'Hello' } }] })).toBe('Hello');
    expect(
      streamedText({
        choices: [{ delta: { tool_calls: [{ function: { name: 'get_weather', arguments: '{"ci' } }] } }],
      }),
    ).toBe('get_weather{"ci');
    expect(streamedText({ type: 'response.function_call_arguments.delta', delta: 'ty":' })).toBe('ty":');
    expect(
      streamedText({ type: 'content_block_delta', delta: { type: 'input_json_delta', partial_json: '"x"' } }),
    ).toBe('"x"');
    expect(streamedText({ type: 'response.completed' })).toBe('');
    // a call's name goes out with its header event, and is paced there
    expect(
      streamedText({ type: 'response.output_item.added', item: { type: 'function_call', name: 'get_weather' } }),
    ).toBe('get_weather');
    expect(
      streamedText({ type: 'content_block_start', content_block: { type: 'tool_use', name: 'get_weather' } }),
    ).toBe('get_weather');
    expect(textTokens('')).toBe(0);
    expect(textTokens('12345')).toBe(2);
  });
});
