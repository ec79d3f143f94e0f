import OpenAI from 'openai';
import type { ResponseFunctionToolCall, ResponseInputItem } from 'openai/resources/responses/responses';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createModelMock, loadScenario } from '../../src/model/index.ts';
import { resultFor } from './helpers.ts';

const mock = createModelMock({ latencyOverrideMs: 0 });
let client: OpenAI;

beforeAll(() => {
  mock.listen();
  client = mock.createClient();
});
afterEach(() => mock.reset());
afterAll(() => mock.close());

const functionCalls = (response: OpenAI.Responses.Response) =>
  response.output.filter((item): item is ResponseFunctionToolCall => item.type === 'function_call');

const outputsFor = (calls: ResponseFunctionToolCall[]): ResponseInputItem[] =>
  calls.map((call) => ({
    type: 'function_call_output',
    call_id: call.call_id,
    output: resultFor({ id: call.call_id, ...call }),
  }));

async function expectRefusal(promise: Promise<unknown>, message: string, param: string): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(OpenAI.BadRequestError);
  expect((error as InstanceType<typeof OpenAI.BadRequestError>).error).toEqual({
    message,
    type: 'invalid_request_error',
    param,
    code: null,
  });
}

describe('responses', () => {
  it('returns function_call items, takes function_call_output items, and ends with a message', async () => {
    mock.use(loadScenario('weather-two-cities'));
    const first = await client.responses.create({ model: 'gpt-4o-mini', input: 'q' });
    expect(first.id).toMatch(/^resp_/);
    expect(first.object).toBe('response');
    const calls = functionCalls(first);
    expect(calls.map((c) => [c.name, JSON.parse(c.arguments)])).toEqual([
      ['get_weather', { city: 'Beijing' }],
      ['get_weather', { city: 'LA' }],
    ]);
    for (const call of calls) {
      expect(call.status).toBe('completed');
      expect(call.id).toBe(`fc_${call.call_id.replace(/^call_/, '')}`);
    }
    expect(first.output_text).toBe("I'll check the weather in both cities.");

    const second = await client.responses.create({
      model: 'gpt-4o-mini',
      previous_response_id: first.id,
      input: outputsFor(calls),
    });
    expect(functionCalls(second)).toEqual([]);
    expect(second.output_text).toMatch(/Beijing is 5 °C/);
    expect(second.previous_response_id).toBe(first.id);
    expect(mock.counters).toMatchObject({ responsesRequests: 2, violations: 0 });
  });

  it('refuses a request missing one function_call_output', async () => {
    mock.use(loadScenario('weather-fx'));
    const first = await client.responses.create({ model: 'gpt-4o-mini', input: 'q' });
    const calls = functionCalls(first);
    const missing = calls[1]?.call_id ?? '';
    const input = outputsFor(calls).filter((item) => 'call_id' in item && item.call_id !== missing);
    await expectRefusal(
      client.responses.create({ model: 'gpt-4o-mini', previous_response_id: first.id, input }),
      `No tool output found for function call ${missing}.`,
      'input',
    );
    expect(mock.counters.violations).toBe(1);
  });

  it('refuses an unknown previous_response_id and an output for no call', async () => {
    mock.use(loadScenario('weather-fx'));
    await expectRefusal(
      client.responses.create({ model: 'gpt-4o-mini', previous_response_id: 'resp_nope', input: 'q' }),
      "Previous response with id 'resp_nope' not found.",
      'previous_response_id',
    );
    await expectRefusal(
      client.responses.create({
        model: 'gpt-4o-mini',
        input: [{ type: 'function_call_output', call_id: 'call_x', output: '{}' }],
      }),
      'No tool call found for function call output with call_id call_x.',
      'input',
    );
  });

  it('continues from the stored response even after the active scenario changed', async () => {
    mock.use(loadScenario('weather-profile-email'));
    const first = await client.responses.create({ model: 'gpt-4o-mini', input: 'q' });
    mock.use(loadScenario('weather-two-cities'));
    const second = await client.responses.create({
      model: 'gpt-4o-mini',
      previous_response_id: first.id,
      input: outputsFor(functionCalls(first)),
    });
    const [send] = functionCalls(second);
    expect(send?.name).toBe('send_email');
    expect(JSON.parse(send?.arguments ?? '{}').to).toBe('jack@example.com');
    const third = await client.responses.create({
      model: 'gpt-4o-mini',
      previous_response_id: second.id,
      input: outputsFor(functionCalls(second)),
    });
    expect(third.output_text).toMatch(/emailed/);
  });

  it('returns one call per response with parallel_tool_calls: false', async () => {
    mock.use(loadScenario('weather-stock-news'));
    const counts: number[] = [];
    let previous: string | undefined;
    let input: string | ResponseInputItem[] = 'q';
    for (let i = 0; i < 6; i++) {
      const response: OpenAI.Responses.Response = await client.responses.create({
        model: 'gpt-4o-mini',
        input,
        parallel_tool_calls: false,
        ...(previous ? { previous_response_id: previous } : {}),
      });
      const calls = functionCalls(response);
      counts.push(calls.length);
      if (calls.length === 0) break;
      previous = response.id;
      input = outputsFor(calls);
    }
    expect(counts).toEqual([1, 1, 1, 0]);
  });

  it('follows a client that sends the whole conversation back without previous_response_id', async () => {
    mock.use(loadScenario('weather-two-cities'));
    const first = await client.responses.create({ model: 'gpt-4o-mini', input: 'q', store: false });
    const calls = functionCalls(first);
    const input: ResponseInputItem[] = [{ role: 'user', content: 'q' }, ...calls, ...outputsFor(calls)];
    const second = await client.responses.create({ model: 'gpt-4o-mini', input });
    expect(second.output_text).toMatch(/Beijing is 5 °C/);
  });
});

describe('streamed responses (stream: true)', () => {
  it('streams each function call as output_item.added, argument deltas and .done, then response.completed', async () => {
    mock.use(loadScenario('weather-two-cities'));
    mock.configure({ argumentFragmentChars: 4 });
    const stream = await client.responses.create({ model: 'weather-two-cities', input: 'q', stream: true });
    const events: OpenAI.Responses.ResponseStreamEvent[] = [];
    for await (const event of stream) events.push(event);
    const types = events.map((e) => e.type);
    expect(types[0]).toBe('response.created');
    expect(types.at(-1)).toBe('response.completed');
    expect(events.map((e) => e.sequence_number)).toEqual(events.map((_, i) => i));
    const completed = events.at(-1) as OpenAI.Responses.ResponseCompletedEvent;
    const calls = functionCalls(completed.response);
    expect(calls.length).toBeGreaterThan(1);
    for (const call of calls) {
      const added = events.find(
        (e) =>
          e.type === 'response.output_item.added' && e.item.type === 'function_call' && e.item.call_id === call.call_id,
      );
      const deltas = events.flatMap((e) =>
        e.type === 'response.function_call_arguments.delta' && e.item_id === call.id ? [e.delta] : [],
      );
      const done = events.find((e) => e.type === 'response.function_call_arguments.done' && e.item_id === call.id);
      expect(added).toBeDefined();
      expect(deltas.length).toBeGreaterThan(1); // cut mid-JSON into 4-character fragments
      expect(deltas.join('')).toBe(call.arguments);
      expect(done).toMatchObject({ arguments: call.arguments });
      expect(events.indexOf(added as never)).toBeLessThan(events.indexOf(done as never));
    }
    // the conversation continues from a streamed response like from any other
    const next = await client.responses.create({
      model: 'weather-two-cities',
      previous_response_id: completed.response.id,
      input: outputsFor(calls),
    });
    expect(next.status).toBe('completed');
    expect(mock.counters.streamRequests).toBe(1);
  });
});
