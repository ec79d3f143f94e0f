import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HttpResponse, http } from 'msw';
import OpenAI from 'openai';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runAgent } from '../src/agent/loop.ts';
import { chatToolCalls } from '../src/agent/providers/chat.ts';
import { AgentSession } from '../src/agent/session.ts';
import { AgentError, type AgentStep, API_MODES, type ApiMode, STREAMED_APIS } from '../src/agent/types.ts';
import { createExecutor, type ExecutorSpec, formatSpec } from '../src/executors/registry.ts';
import type { Executor } from '../src/executors/types.ts';
import { loadScenario } from '../src/model/load.ts';
import { createModelMock } from '../src/model/mock-server.ts';
import { serializeTranscript } from '../src/report/transcript.ts';
import type { CellOk, ResultsDocument } from '../src/results/document.ts';
import { toolRuntimeConfig } from '../src/tools/config.ts';
import { ToolRegistry } from '../src/tools/registry.ts';
import { cli, testRuntime } from './helpers.ts';

const SPECS: ExecutorSpec[] = [
  { strategy: 'sequential' },
  { strategy: 'promise-all' },
  { strategy: 'limited', limit: 2 },
  { strategy: 'chunked', limit: 2 },
  { strategy: 'worker-pool', limit: 2 },
];
const APIS: readonly ApiMode[] = API_MODES;

describe.each(APIS)('agent loop over %s', (api) => {
  it.each(SPECS.map((s) => [formatSpec(s), s] as const))(
    'plays weather-profile-email with %s and leaves exactly one email from the profile',
    async (_name, spec) => {
      const session = await AgentSession.start({
        target: { kind: 'mock', scenario: loadScenario('weather-profile-email'), timing: { modelLatencyMs: 0 } },
        executor: spec,
        tools: toolRuntimeConfig({ latencyMs: 5 }),
        api,
      });
      try {
        const run = await session.run();
        expect(run.status).toBe('answered');
        expect(run.answer).toMatch(/emailed you/);
        expect(run.steps.map((s) => s.calls.length)).toEqual([3, 1, 0]);
        for (const step of run.steps) {
          expect(step.outcomes.map((o) => o.id)).toEqual(step.calls.map((c) => c.id));
          expect(step.outcomes.every((o) => o.status === 'ok')).toBe(true);
        }
        expect(session.runtime.mailbox).toEqual([
          {
            from: 'weather-bot@example.com',
            to: 'jack@example.com',
            message: expect.stringMatching(/^Hi Jack, Beijing: 5 °C/),
          },
        ]);
        expect(session.mock?.counters.violations).toBe(0);
      } finally {
        await session.close();
      }
    },
  );
});

describe('agent loop against the API rules', () => {
  const mock = createModelMock({ scenario: loadScenario('weather-stock-news'), latencyOverrideMs: 0 });
  let client: OpenAI;
  const open: Executor[] = [];
  beforeAll(() => {
    mock.listen();
    client = mock.createClient();
  });
  afterEach(async () => {
    mock.server.resetHandlers();
    mock.use(loadScenario('weather-stock-news'));
    await Promise.all(open.splice(0).map((e) => e.close()));
  });
  afterAll(() => mock.close());

  async function executor(spec: ExecutorSpec = { strategy: 'promise-all' }, faults = {}): Promise<Executor> {
    const e = await createExecutor(spec, {
      runtime: testRuntime({ latencyMs: 5, faults: { failRate: 0, hangRate: 0, crashRate: 0, ...faults } }),
    });
    open.push(e);
    return e;
  }
  const base = {
    model: 'weather-stock-news',
    question: 'Weather in Tokyo, AAPL and AI news?',
    tools: new ToolRegistry().chatTools(),
  };

  it('is rejected with the API 400 when a broken loop drops one result', async () => {
    const inner = await executor();
    const dropsOne: Executor = {
      name: 'broken',
      run: async (calls) => (await inner.run(calls)).slice(0, -1),
      close: async () => {},
    };
    const error = await runAgent({ ...base, client, executor: dropsOne }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect((error as InstanceType<typeof OpenAI.BadRequestError>).status).toBe(400);
    expect((error as Error).message).toMatch(
      /An assistant message with 'tool_calls' must be followed by tool messages responding to each 'tool_call_id'\. The following tool_call_ids did not have response messages: /,
    );
  });

  it('turns one 3-call turn into 3 turns with parallel_tool_calls: false', async () => {
    const run = await runAgent({ ...base, client, executor: await executor(), parallelToolCalls: false });
    expect(run.steps.map((s) => s.calls.length)).toEqual([1, 1, 1, 0]);
    expect(run.status).toBe('answered');
  });

  it('sends a turn whose calls all failed back to the model, as every framework does', async () => {
    const run = await runAgent({ ...base, client, executor: await executor(undefined, { failRate: 1 }) });
    expect(run.status).toBe('answered');
    const [first, second] = run.steps;
    expect(first?.errorSummary).toMatch(/^3 of 3 calls failed: /);
    expect(second?.calls.length ?? 0).toBeGreaterThanOrEqual(0); // the model was asked again
    expect(run.steps.length).toBeGreaterThan(1);
  });

  it('stops with a clear error when every call of a turn failed, where the user chose that', async () => {
    const error = await runAgent({
      ...base,
      client,
      executor: await executor(undefined, { failRate: 1 }),
      stopWhenAllFail: true,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AgentError);
    expect((error as Error).message).toMatch(/all 3 tool calls of step 1 failed: .*injected failure in get_weather/);
  });

  it("goes on after a partial failure and sends each error back as that call's content", async () => {
    const run = await runAgent({
      ...base,
      client,
      executor: await executor(undefined, { failRate: 0.5 }),
      api: 'chat',
    });
    const statuses = run.steps[0]?.outcomes.map((o) => o.status) ?? [];
    expect(statuses.length).toBe(3);
    const failed = statuses.filter((s) => s !== 'ok').length;
    expect(failed).toBeGreaterThan(0);
    expect(failed).toBeLessThan(3);
    expect(run.steps[0]?.errorSummary).toMatch(new RegExp(`^${failed} of 3 calls failed: .*injected failure`));
    expect(run.status).toBe('answered');
  });

  it('stops a runaway loop at --max-steps', async () => {
    const run = await runAgent({ ...base, client, executor: await executor(), maxSteps: 1 });
    expect(run.status).toBe('max-steps');
    expect(run.steps).toHaveLength(1);
  });

  it('answers malformed calls (bad JSON, unknown tool, duplicate id, empty list) instead of crashing', async () => {
    const bodies: unknown[] = [];
    let turn = 0;
    mock.server.use(
      http.post('https://api.openai.com/v1/chat/completions', async ({ request }) => {
        bodies.push(await request.json());
        turn++;
        const call = (id: string, name: string, args: string) => ({
          id,
          type: 'function',
          function: { name, arguments: args },
        });
        const message =
          turn === 1
            ? {
                role: 'assistant',
                content: null,
                tool_calls: [
                  call('a', 'get_weather', '{"city": "Tok'),
                  call('b', 'get_wether', '{}'),
                  call('a', 'get_weather', '{"city":"LA"}'),
                  call('c', 'get_weather', '{"city":"LA"}'),
                ],
              }
            : turn === 2
              ? { role: 'assistant', content: 'empty list', tool_calls: [] }
              : { role: 'assistant', content: 'done' };
        return HttpResponse.json({
          id: `chatcmpl-${turn}`,
          object: 'chat.completion',
          created: 0,
          model: 'x',
          choices: [{ index: 0, message, finish_reason: turn === 1 ? 'tool_calls' : 'stop', logprobs: null }],
        });
      }),
    );
    const run = await runAgent({ ...base, client, executor: await executor() });
    const first = run.steps[0];
    expect(first?.outcomes.map((o) => [o.id, o.status])).toEqual([
      ['a', 'error'],
      ['b', 'error'],
      ['c', 'ok'],
    ]);
    expect(first?.warnings).toEqual([expect.stringMatching(/duplicate call id a/)]);
    const toolMessages = (
      bodies[1] as { messages: { role: string; tool_call_id?: string; content: string }[] }
    ).messages.filter((m) => m.role === 'tool');
    expect(toolMessages.map((m) => m.tool_call_id)).toEqual(['a', 'b', 'c']);
    expect(toolMessages[0]?.content).toMatch(/invalid JSON arguments/);
    expect(toolMessages[1]?.content).toMatch(/unknown tool/);
    expect(run.steps[1]?.warnings).toEqual(['the model sent an empty tool_calls list']);
    expect(run.answer).toBe('empty list');
  });
});

describe.each(STREAMED_APIS)('streamed dispatch over %s', (api) => {
  it('early dispatch starts calls while the stream is still coming', async () => {
    const steps: Partial<Record<'after-stream' | 'early', AgentStep>> = {};
    for (const dispatch of ['after-stream', 'early'] as const) {
      const session = await AgentSession.start({
        target: {
          kind: 'mock',
          scenario: loadScenario('fanout-4'),
          timing: { modelLatencyMs: 0, streamChunkDelayMs: 5 },
        },
        executor: { strategy: 'sequential' },
        tools: toolRuntimeConfig({ latencyMs: 40 }),
        api,
        dispatch,
      });
      try {
        const run = await session.run();
        expect(run.steps[0]?.outcomes.map((o) => o.status)).toEqual(['ok', 'ok', 'ok', 'ok']);
        steps[dispatch] = run.steps[0];
      } finally {
        await session.close();
      }
    }
    // orderings that hold on any machine, however loaded: after the stream, all four 40 ms calls are still to run
    // one after another...
    expect(steps['after-stream']?.toolsMs).toBeGreaterThanOrEqual(4 * 39); // a timer may fire up to 1 ms early on libuv's clock
    // ...while early dispatch hands every call to the executor as its arguments complete, before the stream's last
    // chunk (the finish reason) is read: a count, not a race
    expect(steps['after-stream']?.startedDuringStream).toBe(0);
    expect(steps.early?.startedDuringStream).toBe(4);
  });
});

describe('chatToolCalls (non-conforming servers in live mode)', () => {
  it('reads defective tool_calls without throwing', () => {
    expect(chatToolCalls({ id: 'x' })).toEqual({
      calls: [],
      warnings: ['tool_calls is not a list; treated as no calls'],
    });
    const { calls, warnings } = chatToolCalls([
      { type: 'function', function: { name: 'get_weather', arguments: '{}' } },
      { id: 'a', type: 'function' },
      { id: 'b', type: 'function', function: { name: 'get_weather', arguments: { city: 'LA' } } },
      { id: 'c', type: 'custom', custom: {} },
      null,
    ]);
    expect(calls).toEqual([
      { id: 'a', name: '', arguments: '{}' },
      { id: 'b', name: 'get_weather', arguments: '{"city":"LA"}' },
    ]);
    expect(warnings).toEqual([
      'tool_calls[0] has no id and cannot be answered; skipped',
      'tool_calls[3] is of type custom, not function; skipped',
      'tool_calls[4] has no id and cannot be answered; skipped',
    ]);
  });
});

describe('transcripts in each API shape', () => {
  const transcript = async (api: ApiMode) => {
    const session = await AgentSession.start({
      target: { kind: 'mock', scenario: loadScenario('weather-stock-news'), timing: { modelLatencyMs: 0 } },
      executor: { strategy: 'promise-all' },
      tools: toolRuntimeConfig({ latencyMs: 1, faults: { failRate: 0.5, hangRate: 0, crashRate: 0 } }),
      api,
    });
    try {
      const run = await session.run();
      return { text: serializeTranscript(run, session.executorName, [], api), step: run.steps[0] as AgentStep };
    } finally {
      await session.close();
    }
  };

  it("prints Claude's tool_use blocks, then one user message of tool_result blocks (is_error on failures)", async () => {
    const { text, step } = await transcript('messages');
    expect(text).toContain(`Claude requested ${step.calls.length} parallel call(s)`);
    for (const call of step.calls) expect(text).toContain(`→ tool_use ${call.name} ${call.arguments}  [${call.id}]`);
    const user = JSON.parse(
      text.slice(text.indexOf('User: ') + 6, text.indexOf('\n----------', text.indexOf('User: '))),
    );
    expect(user.map((b: { tool_use_id: string }) => b.tool_use_id)).toEqual(step.outcomes.map((o) => o.id));
    const failed = step.outcomes.findIndex((o) => o.status !== 'ok');
    expect(failed).toBeGreaterThanOrEqual(0); // seeded: this turn has a failure
    expect(user[failed]).toMatchObject({ type: 'tool_result', is_error: true });
  });

  it('prints Responses function_call items and function_call_output input, and chat its results list', async () => {
    const responses = await transcript('responses');
    expect(responses.text).toContain(`→ function_call ${responses.step.calls[0]?.name}(`);
    expect(responses.text).toContain('"type": "function_call_output"');
    const chat = await transcript('chat');
    expect(chat.text).toContain('Function call results: [');
    expect(chat.text).not.toContain('tool_result');
  });
});

describe('when tools start on a streamed turn, seen from the mock', () => {
  it('marks each call ready when its last chunk goes out, and times tool starts against it', async () => {
    const result = await cli([
      ...[
        'bench',
        '--mode',
        'agent',
        '--executors',
        'sequential,promise-all',
        '--api',
        'chat-stream,responses-stream,messages-stream',
        '--dispatch',
        'both',
      ],
      ...['--scenario', 'fanout', '--calls', '4', '--latency', '20', '--stream-delay', '10', '--iterations', '2'],
      ...['--json', '--quiet', '--out', mkdtempSync(join(tmpdir(), 'fanout-dispatch-'))],
    ]);
    expect(result.code, result.stderr).toBe(0);
    const cells = (JSON.parse(result.stdout) as ResultsDocument).cells as CellOk[];
    const at = (id: string) => cells.find((c) => c.id.endsWith(id))?.agent?.streamDispatch;
    const early = at('chat-stream+early/promise-all');
    const after = at('chat-stream/promise-all');
    expect(early?.calls).toBe(2 * 4);
    // early dispatch: each tool starts as its call completes, well before the stream ends (4 calls' chunks follow)
    expect(early?.afterReadyMs).toBeLessThan(5);
    expect(early?.afterStreamEndMs).toBeLessThan(-10);
    // after the stream: every tool waits for its end, so its call was ready long before
    expect(after?.afterStreamEndMs).toBeGreaterThanOrEqual(0);
    expect(after?.afterReadyMs).toBeGreaterThan(10);
    // every streamed API marks its calls ready (responses: `.done`; messages: `content_block_stop`)
    for (const api of ['responses-stream', 'messages-stream']) {
      expect(at(`${api}+early/promise-all`)?.calls, api).toBe(2 * 4);
      expect(at(`${api}+early/promise-all`)?.afterStreamEndMs, api).toBeLessThan(-10);
    }
    // the ideal starts each call at its ready time: no row beats it (efficiency ≤ 1, up to timer noise)
    expect(cells).toHaveLength(12);
    for (const cell of cells) expect(cell.efficiency?.value, cell.id).toBeLessThanOrEqual(1.02);
  }, 60_000);
});
