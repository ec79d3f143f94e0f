import OpenAI from 'openai';
import type { ChatCompletionMessageParam } from 'openai/resources/chat/completions';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type CallTurn, createModelMock, fanoutScenario, listScenarios, loadScenario } from '../../src/model/index.ts';
import { playChat, resultFor, toolCallsOf } from './helpers.ts';

const mock = createModelMock({ latencyOverrideMs: 0 });
let client: OpenAI;

beforeAll(() => {
  mock.listen();
  client = mock.createClient();
});
afterEach(() => {
  mock.reset();
  mock.configure({ latencyOverrideMs: 0 });
});
afterAll(() => mock.close());

async function firstTurn(name: string) {
  const scenario = loadScenario(name);
  mock.use(scenario);
  const messages: ChatCompletionMessageParam[] = [{ role: 'user', content: scenario.question }];
  const completion = await client.chat.completions.create({ model: 'gpt-4o-mini', messages });
  const message = completion.choices[0]?.message;
  if (!message) throw new Error('no message');
  messages.push(message);
  return { scenario, completion, messages, calls: toolCallsOf(message) };
}

async function expectBadRequest(promise: Promise<unknown>, message: string): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(OpenAI.BadRequestError);
  const bad = error as InstanceType<typeof OpenAI.BadRequestError>;
  expect(bad.status).toBe(400);
  expect(bad.error).toEqual({ message, type: 'invalid_request_error', param: 'messages', code: null });
}

describe('chat completions', () => {
  it.each(listScenarios())('%s: the first turn returns its tool calls', async (name) => {
    const { scenario, completion, calls } = await firstTurn(name);
    const turn = scenario.turns[0] as CallTurn;
    expect(completion.object).toBe('chat.completion');
    expect(completion.id).toMatch(/^chatcmpl-/);
    expect(completion.usage?.total_tokens).toBeGreaterThan(0);
    expect(completion.choices[0]?.finish_reason).toBe('tool_calls');
    expect(calls.map((c) => c.name)).toEqual(turn.calls.map((c) => c.name));
    expect(new Set(calls.map((c) => c.id)).size).toBe(calls.length);
    for (const call of calls) expect(() => JSON.parse(call.arguments)).not.toThrow();
  });

  it('answers every turn and ends with text and stop', async () => {
    mock.use(loadScenario('weather-stock-news'));
    const { turns } = await playChat(client, 'q');
    expect(turns.map((t) => t.choices[0]?.finish_reason)).toEqual(['tool_calls', 'stop']);
    expect(turns[1]?.choices[0]?.message.content).toMatch(/Tokyo/);
    expect(turns[1]?.choices[0]?.message.tool_calls).toBeUndefined();
    expect(mock.counters).toMatchObject({ requests: 2, chatRequests: 2, violations: 0 });
  });

  it('gives the same deterministic ids to repeated runs, which need no reset', async () => {
    mock.use(loadScenario('weather-fx'));
    const first = await playChat(client, 'q');
    const second = await playChat(client, 'q');
    const ids = (run: typeof first) => run.turns[0]?.choices[0]?.message.tool_calls?.map((c) => c.id);
    expect(ids(first)).toEqual(ids(second));
    expect(ids(first)?.[0]).toMatch(/^call_0_0_[0-9a-f]{8}$/);
    expect(second.turns).toHaveLength(2);
  });

  it('refuses a request that drops one tool result, naming the missing id', async () => {
    const { messages, calls } = await firstTurn('weather-fx');
    for (const call of calls.slice(0, 2))
      messages.push({ role: 'tool', tool_call_id: call.id, content: resultFor(call) });
    const missing = calls[2]?.id ?? '';
    await expectBadRequest(
      client.chat.completions.create({ model: 'gpt-4o-mini', messages }),
      "An assistant message with 'tool_calls' must be followed by tool messages responding to each 'tool_call_id'. " +
        `The following tool_call_ids did not have response messages: ${missing}`,
    );
    expect(mock.counters.violations).toBe(1);
  });

  it('lists every missing id, comma separated', async () => {
    const { messages, calls } = await firstTurn('weather-fx');
    await expectBadRequest(
      client.chat.completions.create({ model: 'gpt-4o-mini', messages }),
      "An assistant message with 'tool_calls' must be followed by tool messages responding to each 'tool_call_id'. " +
        `The following tool_call_ids did not have response messages: ${calls.map((c) => c.id).join(', ')}`,
    );
  });

  it('refuses a tool message for an unknown id', async () => {
    const message =
      "Invalid parameter: messages with role 'tool' must be a response to a preceeding message with 'tool_calls'.";
    const { messages, calls } = await firstTurn('weather-two-cities');
    for (const call of calls) messages.push({ role: 'tool', tool_call_id: call.id, content: resultFor(call) });
    messages.push({ role: 'tool', tool_call_id: 'call_unknown', content: '{}' });
    await expectBadRequest(client.chat.completions.create({ model: 'gpt-4o-mini', messages }), message);
    const orphan: ChatCompletionMessageParam[] = [
      { role: 'user', content: 'q' },
      { role: 'tool', tool_call_id: 'call_x', content: '{}' },
    ];
    await expectBadRequest(client.chat.completions.create({ model: 'gpt-4o-mini', messages: orphan }), message);
    expect(mock.counters.violations).toBe(2);
  });

  it('spreads a turn over one call per request with parallel_tool_calls: false', async () => {
    mock.use(loadScenario('weather-fx'));
    const { turns } = await playChat(client, 'q', { parallel_tool_calls: false });
    const counts = turns.map((t) => t.choices[0]?.message.tool_calls?.length ?? 0);
    expect(counts).toEqual([1, 1, 1, 0]);
    const names = turns.flatMap((t) =>
      toolCallsOf(t.choices[0]?.message ?? { role: 'assistant', content: null, refusal: null }),
    );
    expect(names.map((c) => c.name)).toEqual(['get_weather', 'get_weather', 'get_exchange_rate']);
    expect(turns.at(-1)?.choices[0]?.finish_reason).toBe('stop');
  });

  it('fills send_email.to from the profile result the client sent back', async () => {
    mock.use(loadScenario('weather-profile-email'));
    const { turns, messages } = await playChat(client, 'q');
    expect(turns).toHaveLength(3);
    const profile = messages.find((m) => m.role === 'tool' && m.tool_call_id === 'profile');
    const email = JSON.parse(String(profile?.content)).email;
    const send = toolCallsOf(turns[1]?.choices[0]?.message ?? { role: 'assistant', content: null, refusal: null })[0];
    expect(send?.name).toBe('send_email');
    const args = JSON.parse(send?.arguments ?? '{}');
    expect(args.to).toBe(email);
    expect(args.message).toContain('Beijing: 5 °C, cloudy');
  });

  it('follows what the client actually sent back', async () => {
    const { messages, calls } = await firstTurn('weather-profile-email');
    for (const call of calls) {
      const content = call.name === 'get_user_profile' ? '{"name":"Ann","email":"ann@example.org"}' : resultFor(call);
      messages.push({ role: 'tool', tool_call_id: call.id, content });
    }
    const completion = await client.chat.completions.create({ model: 'gpt-4o-mini', messages });
    const send = toolCallsOf(completion.choices[0]?.message ?? { role: 'assistant', content: null, refusal: null })[0];
    expect(JSON.parse(send?.arguments ?? '{}').to).toBe('ann@example.org');
  });

  it.each([
    ['an error', '{"error":"profile service down"}', 'is an error: profile service down'],
    ['without the field', '{"name":"Ann"}', 'has no field "email"'],
  ])('answers with text when the referenced result is %s', async (_, content, reason) => {
    const { messages, calls } = await firstTurn('weather-profile-email');
    for (const call of calls) {
      messages.push({
        role: 'tool',
        tool_call_id: call.id,
        content: call.name === 'get_user_profile' ? content : resultFor(call),
      });
    }
    const completion = await client.chat.completions.create({ model: 'gpt-4o-mini', messages });
    expect(completion.choices[0]?.finish_reason).toBe('stop');
    expect(completion.choices[0]?.message.content).toBe(
      `I could not complete send_email: the result of call "profile" ${reason}.`,
    );
  });

  it('plays the scenario named by the request model', async () => {
    mock.use(loadScenario('weather-two-cities'));
    mock.use(fanoutScenario(5));
    const named = await client.chat.completions.create({
      model: 'weather-two-cities',
      messages: [{ role: 'user', content: 'q' }],
    });
    expect(named.choices[0]?.message.tool_calls).toHaveLength(2);
    const active = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'q' }],
    });
    expect(active.choices[0]?.message.tool_calls).toHaveLength(5);
  });

  it('waits the model latency of the turn, unless overridden', async () => {
    mock.configure({ latencyOverrideMs: undefined });
    mock.use(fanoutScenario(2, 20));
    const started = performance.now();
    await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'q' }] });
    expect(performance.now() - started).toBeGreaterThanOrEqual(19);
  });
});
