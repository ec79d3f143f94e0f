import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from './helpers.ts';

interface Message {
  role: string;
  tool_call_id?: string;
  content?: string | null;
  tool_calls?: { id: string }[];
}

/** A plain node:http JSON server on loopback (not msw): `handle` gets the request and its body, and a `send`. */
function jsonServer(
  handle: (req: IncomingMessage, body: string, send: (status: number, payload: unknown) => void) => void,
): Server {
  return createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', () =>
      handle(req, body, (status, payload) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(payload));
      }),
    );
  });
}

/** A separate OpenAI-compatible server on loopback (plain node:http, not msw): two calls, then an answer. */
function compatibleServer(requests: { messages: Message[] }[]): Server {
  return jsonServer((req, body, send) => {
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

interface AnthropicMessage {
  role: string;
  content: string | { type: string; id?: string; tool_use_id?: string; content?: string; is_error?: boolean }[];
}

/** A separate server speaking Anthropic's Messages API on loopback: two `tool_use` blocks, then an answer. */
function messagesServer(requests: { messages: AnthropicMessage[] }[]): Server {
  return jsonServer((req, body, send) => {
    // the SDK appends /v1/messages to the base URL; the key comes as x-api-key or (SDK 1.x) a bearer token
    const key = req.headers['x-api-key'] ?? req.headers.authorization?.replace(/^Bearer /, '');
    if (req.url !== '/v1/messages' || key !== 'local-anthropic-key') {
      return send(404, { type: 'error', error: { type: 'not_found_error', message: `no route ${req.url}` } });
    }
    const request = JSON.parse(body) as { messages: AnthropicMessage[] };
    requests.push(request);
    const last = request.messages.at(-1);
    const results = Array.isArray(last?.content) ? last.content.filter((b) => b.type === 'tool_result') : [];
    const content =
      results.length === 0
        ? [
            { type: 'tool_use', id: 'toolu_w', name: 'get_weather', input: { city: 'Tokyo' } },
            { type: 'tool_use', id: 'toolu_s', name: 'get_stock_price', input: { ticker: 'AAPL' } },
          ]
        : [{ type: 'text', text: `Got ${results.map((b) => b.content).join(' and ')}` }];
    send(200, {
      id: `msg_local_${requests.length}`,
      type: 'message',
      role: 'assistant',
      model: 'local-claude',
      content,
      stop_reason: results.length === 0 ? 'tool_use' : 'end_turn',
      stop_sequence: null,
      usage: { input_tokens: 1, output_tokens: 1 },
    });
  });
}

describe('live mode against a separate Anthropic Messages server', () => {
  const requests: { messages: AnthropicMessage[] }[] = [];
  const server = messagesServer(requests);
  let baseUrl = '';
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('runs the loop over --api messages with the key from ANTHROPIC_API_KEY', async () => {
    const args = ['run', '--api', 'messages', '--base-url', baseUrl, '--model', 'local-claude', '--latency', '5'];
    const result = await cli(args, { ANTHROPIC_API_KEY: 'local-anthropic-key', OPENAI_API_KEY: '' });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('→ tool_use get_weather {"city":"Tokyo"}  [toolu_w]');
    expect(result.stdout).toMatch(/A:\nGot \{"city":"Tokyo".*"ticker":"AAPL"/);
    expect(requests).toHaveLength(2);
    // the results went back as tool_result blocks in one user message, after the assistant's tool_use blocks
    const [assistant, user] = requests[1]?.messages.slice(-2) ?? [];
    expect(assistant?.role).toBe('assistant');
    expect(user?.role).toBe('user');
    expect(Array.isArray(user?.content) && user.content.map((b) => [b.type, b.tool_use_id])).toEqual([
      ['tool_result', 'toolu_w'],
      ['tool_result', 'toolu_s'],
    ]);
    const noKey = await cli(args, { ANTHROPIC_API_KEY: '' });
    expect(noKey.code).toBe(2);
    expect(noKey.stderr).toMatch(/^Error: Live mode reads the key from ANTHROPIC_API_KEY/);
  });
});
