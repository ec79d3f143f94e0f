import { afterEach, describe, expect, it, vi } from 'vitest';
import { createModelMock, loadScenario } from '../../src/model/index.ts';

describe('createModelMock', () => {
  const mock = createModelMock({ scenario: loadScenario('weather-two-cities'), latencyOverrideMs: 0 });
  afterEach(() => mock.close());

  it('refuses to make a client before listen, since the SDK captures fetch', () => {
    expect(() => mock.createClient()).toThrow(/call listen\(\) first/);
  });

  it('keeps every other request off the network', async () => {
    const consoleError = vi.spyOn(console, 'error').mockImplementation(() => {});
    mock.listen();
    await expect(fetch('https://example.com/')).rejects.toThrow();
    await expect(fetch('https://api.openai.com/v1/embeddings', { method: 'POST', body: '{}' })).rejects.toThrow();
    consoleError.mockRestore();
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
