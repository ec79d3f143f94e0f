import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from './helpers.ts';

interface Message {
  role: string;
  tool_call_id?: string;
  content?: string | null;
  tool_calls?: { id: string }[];
}

/** A separate OpenAI-compatible server on loopback (plain node:http, not msw): two calls, then an answer. */
function compatibleServer(requests: { messages: Message[] }[]): Server {
  return createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', () => {
      const send = (status: number, payload: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(payload));
      };
      if (req.url !== '/v1/chat/completions' || req.headers.authorization !== 'Bearer local-key') {
        return send(404, { error: { message: `no route ${req.url}` } });
      }
      const request = JSON.parse(body) as { messages: Message[] };
      requests.push(request);
      const answered = request.messages.filter((m) => m.role === 'tool');
      const message =
        answered.length === 0
          ? {
              role: 'assistant',
              content: null,
              tool_calls: [
                { id: 'call_w', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Tokyo"}' } },
                {
                  id: 'call_s',
                  type: 'function',
                  function: { name: 'get_stock_price', arguments: '{"ticker":"AAPL"}' },
                },
              ],
            }
          : { role: 'assistant', content: `Got ${answered.map((m) => m.content).join(' and ')}` };
      send(200, {
        id: `chatcmpl-local-${requests.length}`,
        object: 'chat.completion',
        created: 0,
        model: 'local-model',
        choices: [{ index: 0, message, finish_reason: answered.length === 0 ? 'tool_calls' : 'stop', logprobs: null }],
      });
    });
  });
}

describe('live mode against a separate OpenAI-compatible server', () => {
  const requests: { messages: Message[] }[] = [];
  const server = compatibleServer(requests);
  let baseUrl = '';
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('runs the same loop through --base-url and --model', async () => {
    const result = await cli(
      [
        'run',
        '--base-url',
        baseUrl,
        '--model',
        'local-model',
        '--question',
        'Tokyo weather and AAPL?',
        '--latency',
        '5',
      ],
      { OPENAI_API_KEY: 'local-key' },
    );
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/Q: Tokyo weather and AAPL\?/);
    expect(result.stdout).toMatch(/→ get_weather\(\{"city":"Tokyo"\}\)/);
    expect(result.stdout).toMatch(/A:\nGot \{"city":"Tokyo".*"ticker":"AAPL"/);
    expect(requests).toHaveLength(2);
    expect(requests[1]?.messages.filter((m) => m.role === 'tool').map((m) => m.tool_call_id)).toEqual([
      'call_w',
      'call_s',
    ]);
  });

  it('asks for the key and the model with one clear line', async () => {
    const noKey = await cli(['run', '--base-url', baseUrl, '--model', 'm', '--question', 'q'], { OPENAI_API_KEY: '' });
    expect(noKey.code).toBe(2);
    expect(noKey.stderr).toMatch(/^Error: Live mode reads the key from OPENAI_API_KEY/);
    const noModel = await cli(['run', '--base-url', baseUrl, '--question', 'q'], { OPENAI_API_KEY: 'k' });
    expect(noModel.code).toBe(2);
    expect(noModel.stderr).toMatch(/needs `--model NAME`/);
  });
});
