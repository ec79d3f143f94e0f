import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readRecordedRuns } from '../src/model/replay.ts';
import type { CellOk, ResultsDocument } from '../src/results/document.ts';
import { cli } from './helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'fanout-replay-'));
const AI_SDK = 'test/fixtures/traces/ai-sdk-weather.otlp.json'; // written by scripts/ai-sdk-trace.ts (AI SDK 6)

/** An OTLP JSON request of spans given as [id, parent, name, startMs, endMs, attributes]. */
function trace(spans: [string, string | undefined, string, number, number, Record<string, string>][]): string {
  const base = 1_700_000_000_000;
  const ns = (ms: number) => `${BigInt(Math.round((base + ms) * 1000)) * 1000n}`;
  return JSON.stringify({
    resourceSpans: [
      {
        scopeSpans: [
          {
            spans: spans.map(([spanId, parent, name, start, end, attributes]) => ({
              traceId: 'a'.repeat(32),
              spanId,
              ...(parent ? { parentSpanId: parent } : {}),
              name,
              startTimeUnixNano: ns(start),
              endTimeUnixNano: ns(end),
              attributes: Object.entries(attributes).map(([key, value]) => ({ key, value: { stringValue: value } })),
            })),
          },
        ],
      },
    ],
  });
}

const op = (name: string, extra: Record<string, string> = {}) => ({ 'gen_ai.operation.name': name, ...extra });
const toolAttrs = (tool: string, id: string, args?: string) =>
  op('execute_tool', {
    'gen_ai.tool.name': tool,
    'gen_ai.tool.call.id': id,
    ...(args ? { 'gen_ai.tool.call.arguments': args } : {}),
  });

/** A support agent in GenAI conventions, with step spans between the agent and its model calls and tools. */
const NESTED = trace([
  ['a0', undefined, 'invoke_agent support', 0, 260, op('invoke_agent', { 'gen_ai.agent.name': 'support' })],
  ['s1', 'a0', 'step 1', 0, 130, {}],
  ['c1', 's1', 'chat gpt-x', 0, 30, op('chat')],
  ['t1', 's1', 'execute_tool get_weather', 31, 131, toolAttrs('get_weather', 'call_a', '{"city":"Tokyo"}')],
  ['t2', 's1', 'execute_tool lookup_order', 31, 81, toolAttrs('lookup_order', 'call_b')],
  ['h1', 't2', 'GET /orders', 32, 80, {}],
  ['s2', 'a0', 'step 2', 131, 260, {}],
  ['c2', 's2', 'chat gpt-x', 131, 151, op('chat')],
  ['t3', 's2', 'execute_tool lookup_order', 152, 232, toolAttrs('lookup_order', 'call_c')],
  ['c3', 's2', 'chat gpt-x', 233, 258, op('chat')],
]);

describe('replay: recorded agent runs from traces', () => {
  it('reads nested GenAI spans into turns: model time, calls with their durations, the answer', () => {
    const file = join(dir, 'nested.json');
    writeFileSync(file, NESTED);
    const [run, ...rest] = readRecordedRuns(file);
    expect(rest).toEqual([]);
    expect(run?.name).toBe('support');
    expect(run?.wallMs).toBeCloseTo(260, 6);
    expect(run?.answerMs).toBeCloseTo(25, 6);
    expect(run?.turns.map((t) => t.modelMs)).toEqual([30, 20].map((ms) => expect.closeTo(ms, 6)));
    expect(run?.turns.map((t) => t.calls.map((c) => [c.name, c.id, Math.round(c.durationMs)]))).toEqual([
      [
        ['get_weather', 'call_a', 100],
        ['lookup_order', 'call_b', 50],
      ],
      [['lookup_order', 'call_c', 80]],
    ]);
    expect(run?.turns[0]?.calls[0]?.arguments).toBe('{"city":"Tokyo"}');
  });

  it('plays any tool by its name with its recorded arguments; keeps runs of one agent apart; a sub-agent inside a tool is that tool', async () => {
    const second = (id: string) => `b${id}`;
    const both = JSON.parse(NESTED);
    const spans = both.resourceSpans[0].scopeSpans[0].spans as Record<string, unknown>[];
    // the same agent again, in another trace: a tool outside the API's name rules, with arguments, and a sub-agent
    const again = JSON.parse(
      trace([
        ['a0', undefined, 'invoke_agent support', 0, 120, op('invoke_agent', { 'gen_ai.agent.name': 'support' })],
        ['c1', 'a0', 'chat m', 0, 10, op('chat')],
        ['t1', 'a0', 'execute_tool files.read', 11, 100, toolAttrs('files.read', 'call_f', '{"path":"/etc/x","n":3}')],
        ['s0', 't1', 'invoke_agent helper', 12, 99, op('invoke_agent', { 'gen_ai.agent.name': 'helper' })],
        ['s1', 's0', 'chat m', 12, 50, op('chat')],
        ['s2', 's0', 'execute_tool lookup_order', 51, 98, toolAttrs('lookup_order', 'call_s')],
        ['c2', 'a0', 'chat m', 101, 119, op('chat')],
      ]),
    ).resourceSpans[0].scopeSpans[0].spans.map((s: Record<string, unknown>) => ({
      ...s,
      traceId: 'b'.repeat(32),
      spanId: second(String(s.spanId)),
      ...(s.parentSpanId ? { parentSpanId: second(String(s.parentSpanId)) } : {}),
    }));
    spans.push(...again);
    const file = join(dir, 'two-runs.json');
    writeFileSync(file, JSON.stringify(both));
    const runs = readRecordedRuns(file);
    expect(runs.map((r) => r.name)).toEqual(['support', 'support #2']);
    // the sub-agent's spans are inside files.read's 89 ms, not calls of the run
    expect(runs[1]?.turns.map((t) => t.calls.map((c) => [c.name, c.arguments]))).toEqual([
      [['files_read', '{"path":"/etc/x","n":3}']],
    ]);
    const played = await cli(['replay', file, '--executors', 'sequential', '--iterations', '2', '--json']);
    expect(played.code, played.stderr).toBe(0);
    const cells = (JSON.parse(played.stdout) as ResultsDocument).cells;
    expect(new Set(cells.map((c) => c.id)).size).toBe(2);
  }, 60_000);

  it("reads the AI SDK's own telemetry (ai.generateText, doGenerate, ai.toolCall)", () => {
    const [run] = readRecordedRuns(AI_SDK);
    expect(run?.name).toBe('weather-agent');
    expect(run?.turns.length).toBeGreaterThanOrEqual(2);
    const calls = run?.turns.flatMap((t) => t.calls) ?? [];
    expect(calls.map((c) => c.name)).toContain('get_weather');
    // the script's tools slept 60 ms (weather) and 20 ms (others); the spans hold at least that
    for (const call of calls) expect(call.durationMs).toBeGreaterThanOrEqual(call.name === 'get_weather' ? 59 : 19);
  });

  it('plays a trace again with each strategy: recorded time beside each, and a results document', async () => {
    const table = await cli(['replay', AI_SDK, '--iterations', '2', '-q']);
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout).toMatch(/weather-agent/);
    expect(table.stdout).toMatch(/recorded/);
    const nested = join(dir, 'nested-cli.json');
    writeFileSync(nested, NESTED);
    const json = await cli(['replay', nested, '--executors', 'sequential,promise-all', '--iterations', '2', '--json']);
    expect(json.code, json.stderr).toBe(0);
    const document = JSON.parse(json.stdout) as ResultsDocument;
    const cells = document.cells as CellOk[];
    expect(cells.map((c) => c.executor)).toEqual(['sequential', 'promise-all']);
    // turns 30 + 20 + 25 ms of model time; calls 100 ‖ 50, then 80: sequential ≥ 75 + 150 + 80, promise-all ≥ 75 + 100 + 80
    expect(cells[0]?.idealMs).toBeGreaterThanOrEqual(300);
    expect(cells[1]?.idealMs).toBeGreaterThanOrEqual(250);
    expect(cells[1]?.idealMs).toBeLessThan(cells[0]?.idealMs ?? 0);
    expect(cells[1]?.speedup?.value).toBeGreaterThan(1.1);
  }, 60_000);

  it('round-trips: bench --export-otlp, then replay reproduces each cell', async () => {
    const out = join(dir, 'bench');
    const traceFile = join(dir, 'cells.otlp.json');
    const bench = await cli([
      ...['bench', '--mode', 'agent', '--scenario', 'weather-stock-news', '--executors', 'sequential,promise-all'],
      ...['--latency', '40', '--model-latency', '20', '--iterations', '3', '--json', '--out', out],
      ...['--export-otlp', traceFile],
    ]);
    expect(bench.code, bench.stderr).toBe(0);
    const original = (JSON.parse(bench.stdout) as ResultsDocument).cells as CellOk[];
    const replay = await cli([
      'replay',
      traceFile,
      '--executors',
      'sequential,promise-all',
      '--iterations',
      '3',
      '--json',
    ]);
    expect(replay.code, replay.stderr).toBe(0);
    const replayed = (JSON.parse(replay.stdout) as ResultsDocument).cells as CellOk[];
    for (const cell of original) {
      // the run named by the cell, replayed with the cell's own strategy
      const again = replayed.find(
        (c) => c.executor === cell.executor && c.id.includes(cell.executor) && c.id.includes(`chat-${cell.executor}`),
      );
      expect(again, cell.id).toBeDefined();
      // what the replay plays is exactly what the cell planned: each turn's model latency, each call's latency
      const run = readRecordedRuns(traceFile).find((r) => r.name === cell.id);
      const spans = cell.timeline?.spans ?? [];
      const plannedCalls = spans.flatMap((s) => (s.kind === 'call' ? [s.plannedMs] : []));
      const plannedTurns = spans.flatMap((s) => (s.kind === 'model' ? [s.plannedMs] : []));
      expect(run?.turns.flatMap((t) => t.calls.map((c) => c.durationMs))).toEqual(plannedCalls);
      expect([...(run?.turns.map((t) => t.modelMs) ?? []), run?.answerMs]).toEqual(plannedTurns);
      // so it takes about as long (a coarse bound: how close is a benchmark's claim, docs/figures/replay.md)
      expect(Math.abs((again?.stats.mean ?? 0) - cell.stats.mean)).toBeLessThan(0.15 * cell.stats.mean);
    }
    // a streamed run with early dispatch: calls start while their turn still streams, and still belong to it
    const streamedFile = join(dir, 'streamed.otlp.json');
    const streamed = await cli([
      ...['bench', '--mode', 'agent', '--scenario', 'weather-stock-news', '--executors', 'promise-all'],
      ...['--api', 'chat-stream', '--dispatch', 'both', '--stream-delay', '2', '--latency', '10', '--iterations', '2'],
      ...['--quiet', '--out', join(dir, 'streamed'), '--export-otlp', streamedFile],
    ]);
    expect(streamed.code, streamed.stderr).toBe(0);
    const streamedRuns = readRecordedRuns(streamedFile);
    expect(streamedRuns.map((r) => r.turns.map((t) => t.calls.length))).toEqual([[3], [3], [3], [3]]);
    const otlp = JSON.parse(readFileSync(traceFile, 'utf8'));
    const names = otlp.resourceSpans[0].scopeSpans[0].spans.map((s: { name: string }) => s.name.split(' ')[0]);
    expect(new Set(names)).toEqual(new Set(['invoke_agent', 'chat', 'execute_tool']));
  }, 90_000);

  it.each([
    [
      'no model turns',
      trace([['t', undefined, 'execute_tool x', 0, 5, toolAttrs('x', 'c1')]]),
      /no model turns: replay needs chat spans/,
    ],
    [
      'a call before its turn',
      trace([
        ['c', undefined, 'chat m', 10, 20, op('chat')],
        ['t', undefined, 'execute_tool x', 0, 5, toolAttrs('x', 'c1')],
      ]),
      /spans\[1\]: tool span "execute_tool x" starts before any model turn of run .*; its turn is missing/,
    ],
    [
      'a span without timing',
      JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [{ name: 'chat m', attributes: [] }] }] }] }),
      /spans\[0\]\.startTimeUnixNano: missing/,
    ],
    ['not a trace', '{"tool": [1, 2]}', /not an OTLP JSON export request/],
  ])('refuses %s in one line naming the span, exit 2', async (_, text, message) => {
    const file = join(dir, `bad-${Math.random().toString(36).slice(2)}.json`);
    writeFileSync(file, text);
    const result = await cli(['replay', file]);
    expect(result.stderr).toMatch(message);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.code).toBe(2);
  });

  it("draws each model turn from a trace's chat spans with --model-profile, and records the profile", async () => {
    const result = await cli([
      ...['bench', '--mode', 'agent', '--scenario', 'weather-stock-news', '--executors', 'sequential'],
      ...['--latency', '5', '--iterations', '2', '--json', '--model-profile', AI_SDK, '--out', join(dir, 'mp')],
    ]);
    expect(result.code, result.stderr).toBe(0);
    const document = JSON.parse(result.stdout) as ResultsDocument;
    const turns = readRecordedRuns(AI_SDK)[0]?.turns.map((t) => t.modelMs) ?? [];
    expect(document.config.agent?.modelProfile).toMatchObject({ file: AI_SDK, turns: 3 });
    // two model turns, each one of the recorded ones (≥ the shortest recorded turn each)
    const cell = document.cells[0] as CellOk;
    expect(cell.agent?.modelMs).toBeGreaterThanOrEqual(2 * Math.min(...turns) - 2);
    const both = await cli(['bench', '--mode', 'agent', '--model-profile', AI_SDK, '--model-latency', '5']);
    expect(both.stderr).toMatch(/`--model-profile` draws each turn's time from the trace; drop `--model-latency`/);
    expect(both.code).toBe(2);
  }, 60_000);

  it('refuses --export-otlp where no agent runs are measured', async () => {
    const result = await cli(['bench', '--export-otlp', join(dir, 'x.json'), '--calls', '1']);
    expect(result.stderr).toMatch(/`--export-otlp` writes agent runs as traces; add `--mode agent`/);
    expect(result.code).toBe(2);
  });
});
