import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createModelMock, loadScenario } from '../../src/model/index.ts';

describe('createModelMock', () => {
  const mock = createModelMock({ scenario: loadScenario('weather-two-cities'), latencyOverrideMs: 0 });
  afterEach(() => mock.close());

  it('refuses to make a client before listen, since the SDK captures fetch', () => {
    expect(() => mock.createClient()).toThrow(/call listen\(\) first/);
  });

  it('keeps requests to endpoints of the API it does not mock off the network; other hosts pass through', async () => {
    // a real server stands in for the API's host: a request that got through would reach it
    const reached: string[] = [];
    const server = createServer((request, response) => {
      reached.push(request.url ?? '');
      response.end('{}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const local = createModelMock({ baseURL: `${origin}/v1`, latencyOverrideMs: 0 });
    const consoleError = vi.spyOn(console, 'error').mockImplementation(() => {});
    local.listen();
    try {
      const answered = await fetch(`${origin}/v1/embeddings`, { method: 'POST', body: '{}' }).then(
        (response) => response.ok,
        () => false,
      );
      expect(answered).toBe(false);
      expect(consoleError.mock.calls.flat().join(' ')).toContain('without a matching request handler');
      expect(reached).toEqual([]); // refused by the mock, never sent
      expect((await fetch(`${origin}/tool-service`)).status).toBe(200); // not the model's: a tool's own HTTP
      expect(reached).toEqual(['/tool-service']);
    } finally {
      local.close();
      consoleError.mockRestore();
      server.close();
    }
  });

  it('a direct client reaches the mock without patching the global fetch, and refuses what is not mocked', async () => {
    const local = createModelMock({ scenario: loadScenario('weather-two-cities'), latencyOverrideMs: 0 });
    const globalFetch = globalThis.fetch;
    const client = local.createDirectClient();
    const completion = await client.chat.completions.create({
      model: 'weather-two-cities',
      messages: [{ role: 'user', content: 'q' }],
    });
    expect(completion.choices[0]?.message.tool_calls?.length).toBeGreaterThan(0);
    expect(local.listening).toBe(false);
    expect(globalThis.fetch).toBe(globalFetch);
    const refused = await client.embeddings.create({ model: 'x', input: 'y' }).then(
      () => undefined,
      (error: Error) => error,
    );
    expect((refused?.cause as Error | undefined)?.message).toMatch(/embeddings is not mocked: refused, never sent/);
    expect(local.counters.chatRequests).toBe(1);
  });

  it('answers a body that is not JSON with 400, and a request without scenario', async () => {
    mock.listen();
    const bad = await fetch('https://api.openai.com/v1/chat/completions', { method: 'POST', body: '{' });
    expect(bad.status).toBe(400);
    const empty = createModelMock({ latencyOverrideMs: 0 });
    mock.close();
    empty.listen();
    const client = empty.createClient();
    await expect(
      client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'q' }] }),
    ).rejects.toThrow(/no scenario to play/);
    empty.close();
  });

  it('checks its settings', () => {
    expect(() => mock.configure({ streamChunkDelayMs: -1 })).toThrow(RangeError);
    expect(() => mock.configure({ argumentFragmentChars: 0 })).toThrow(/argumentFragmentChars/);
  });
});
