import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  type CallTurn,
  fanoutScenario,
  findJsonError,
  isAnswerTurn,
  listScenarios,
  loadScenario,
  parseScenario,
  ScenarioError,
} from '../../src/model/index.ts';

const FILE = 'fixtures/scenarios/x.json';

function scenarioText(turns: unknown): string {
  return JSON.stringify({ name: 'x', description: 'd', question: 'q?', modelLatencyMs: 0, turns });
}

function errorOf(run: () => unknown): ScenarioError {
  try {
    run();
  } catch (error) {
    if (error instanceof ScenarioError) return error;
    throw error;
  }
  throw new Error('expected a ScenarioError');
}

describe('shipped scenarios', () => {
  it('lists and loads every file', () => {
    const names = listScenarios();
    expect(names).toEqual(
      expect.arrayContaining(['weather-fx', 'weather-profile-email', 'weather-stock-news', 'weather-two-cities']),
    );
    for (const name of names) {
      const scenario = loadScenario(name);
      expect(scenario.name).toBe(name);
      expect(isAnswerTurn(scenario.turns.at(-1) ?? { calls: [] })).toBe(true);
    }
  });

  it('has the calls the benchmark expects', () => {
    const firstCalls = (name: string) => (loadScenario(name).turns[0] as CallTurn).calls.map((c) => c.name);
    expect(firstCalls('weather-two-cities')).toEqual(['get_weather', 'get_weather']);
    expect(firstCalls('weather-stock-news')).toEqual(['get_weather', 'get_stock_price', 'get_news_headlines']);
    expect(firstCalls('weather-fx')).toEqual(['get_weather', 'get_weather', 'get_exchange_rate']);
    expect(firstCalls('weather-profile-email')).toEqual(['get_weather', 'get_weather', 'get_user_profile']);
    expect(loadScenario('weather-profile-email').turns).toHaveLength(3);
  });

  it('loads a file by path', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fanout-scenario-'));
    const path = join(dir, 'mine.json');
    writeFileSync(
      path,
      scenarioText([{ calls: [{ name: 'get_weather', arguments: { city: 'Paris' } }] }, { answer: 'ok' }]),
    );
    expect(loadScenario(path).turns).toHaveLength(2);
  });

  it('generates fanout-N', () => {
    const scenario = loadScenario('fanout-20');
    expect(scenario.name).toBe('fanout-20');
    const turn = scenario.turns[0] as CallTurn;
    expect(turn.calls).toHaveLength(20);
    expect(turn.calls.every((call) => call.name === 'get_weather')).toBe(true);
    expect(fanoutScenario(3, 7).modelLatencyMs).toBe(7);
    expect(() => fanoutScenario(0)).toThrow(RangeError);
  });

  it('names the known scenarios for an unknown name', () => {
    expect(() => loadScenario('nope')).toThrow(
      /unknown scenario "nope" \(known: .*weather-fx.*fanout-N, bfcl-parallel, bfcl-parallel-multiple\)/,
    );
  });
});

describe('scenario validation', () => {
  it('names file and field for an unknown tool', () => {
    const text = scenarioText([
      { calls: [{ name: 'get_weather', arguments: { city: 'Paris' } }] },
      { calls: [{ name: 'get_wether', arguments: { city: 'Paris' } }] },
      { answer: 'ok' },
    ]);
    const error = errorOf(() => parseScenario(text, FILE));
    expect(error.message).toMatch(
      /^fixtures\/scenarios\/x\.json: turns\[1\]\.calls\[0\]\.name: unknown tool "get_wether"/,
    );
    expect(error.file).toBe(FILE);
    expect(error.field).toBe('turns[1].calls[0].name');
  });

  it('gives the position of bad JSON', () => {
    const text = '{\n  "name": "x",\n  "turns": [}\n}';
    const error = errorOf(() => parseScenario(text, FILE));
    expect(error.message).toMatch(/^fixtures\/scenarios\/x\.json: invalid JSON at line 3 column 13 \(position 29\)/);
    expect(findJsonError(text)).toEqual({ position: 29, line: 3, column: 13 });
  });

  it('reads bad JSON from a file with its path', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fanout-scenario-'));
    const path = join(dir, 'broken.json');
    writeFileSync(path, '{"name": "x",}');
    expect(() => loadScenario(path)).toThrow(`${path}: invalid JSON at line 1 column 14 (position 13)`);
  });

  it('requires turns', () => {
    const text = JSON.stringify({ name: 'x', question: 'q?' });
    expect(() => parseScenario(text, FILE)).toThrow(/^fixtures\/scenarios\/x\.json: turns: required/);
    expect(() => parseScenario(scenarioText([]), FILE)).toThrow(/: turns: required/);
  });

  it.each([
    [[{ calls: [{ name: 'get_weather', arguments: { city: 'Paris' } }] }], 'turns[0]: the last turn must be {"answer"'],
    [[{ answer: 'a' }, { answer: 'b' }], 'turns[0].answer: only the last turn may answer'],
    [[{ calls: [] }, { answer: 'a' }], 'turns[0].calls: required'],
    [
      [{ calls: [{ name: 'get_weather', arguments: {} }] }, { answer: 'a' }],
      'turns[0].calls[0].arguments: missing required argument "city"',
    ],
    [
      [{ calls: [{ name: 'get_weather', arguments: { town: 'x', city: 'y' } }] }, { answer: 'a' }],
      'turns[0].calls[0].arguments.town: not a parameter',
    ],
    [
      [{ calls: [{ name: 'get_weather', arguments: { city: 3 } }] }, { answer: 'a' }],
      'turns[0].calls[0].arguments.city: must be a string',
    ],
    [
      [{ calls: [{ name: 'get_weather', arguments: { city: 'x' } }], latency: 3 }, { answer: 'a' }],
      'turns[0].latency: unknown field',
    ],
    [
      [{ calls: [{ name: 'get_weather', arguments: { city: 'x' } }], latencyMs: -1 }, { answer: 'a' }],
      'turns[0].latencyMs: must be a number',
    ],
    [
      [
        {
          calls: [
            { id: 'p', name: 'get_user_profile' },
            { name: 'send_email', arguments: { to: '{{p.email}}', message: 'm' } },
          ],
        },
        { answer: 'a' },
      ],
      'turns[0].calls[1].arguments.to: {{p.email}} refers to call "p", which no earlier turn defines',
    ],
    [
      [
        { calls: [{ id: 'a', name: 'get_user_profile' }] },
        { calls: [{ id: 'a', name: 'get_user_profile' }] },
        { answer: 'x' },
      ],
      'turns[1].calls[0].id: "a" is used twice',
    ],
  ])('rejects %j', (turns, message) => {
    expect(() => parseScenario(scenarioText(turns), FILE)).toThrow(`${FILE}: ${message}`);
  });

  it('rejects a missing question and unknown top-level fields', () => {
    expect(() => parseScenario(JSON.stringify({ name: 'x', turns: [{ answer: 'a' }] }), FILE)).toThrow(
      `${FILE}: question: required`,
    );
    const extra = JSON.stringify({ name: 'x', question: 'q', turns: [{ answer: 'a' }], model: 'm' });
    expect(() => parseScenario(extra, FILE)).toThrow(`${FILE}: model: unknown field`);
  });
});

describe('findJsonError', () => {
  it.each([
    ['{"a":1}', undefined],
    ['[1, 2', 5],
    ['{"a" 1}', 5],
    ['"\\x"', 2],
    ['01', 1],
    ['{"a":1} x', 8],
    ['', 0],
  ])('%j → %s', (text, position) => {
    expect(findJsonError(text)?.position).toBe(position);
    if (position !== undefined) expect(() => JSON.parse(text)).toThrow();
  });
});
