import { describe, expect, it, vi } from 'vitest';
import { assembleToolCalls, StreamAccumulator, type StreamChunk, type ToolCallDelta } from '../../src/model/index.ts';

const chunk = (tool_calls?: ToolCallDelta[], finish: string | null = null, content?: string): StreamChunk => ({
  choices: [{ delta: { tool_calls, content }, finish_reason: finish }],
});

describe('assembleToolCalls', () => {
  it('joins interleaved fragments by index', () => {
    const calls = assembleToolCalls([
      chunk(undefined, null, 'Checking '),
      chunk([{ index: 0, id: 'call_a', function: { name: 'get_weather', arguments: '' } }]),
      chunk([{ index: 1, id: 'call_b', function: { name: 'get_stock_price', arguments: '' } }]),
      chunk([{ index: 1, function: { arguments: '{"tick' } }]),
      chunk([{ index: 0, function: { arguments: '{"ci' } }]),
      chunk([{ index: 0, function: { arguments: 'ty":"Tokyo"}' } }]),
      chunk([{ index: 1, function: { arguments: 'er":"AAPL"}' } }]),
      chunk(undefined, 'tool_calls'),
      { choices: [] },
    ]);
    expect(calls).toEqual([
      { id: 'call_a', name: 'get_weather', arguments: '{"city":"Tokyo"}' },
      { id: 'call_b', name: 'get_stock_price', arguments: '{"ticker":"AAPL"}' },
    ]);
  });

  it('orders by index even when a later index starts first, and keeps the first id', () => {
    const calls = assembleToolCalls([
      chunk([{ index: 1, id: 'second', function: { name: 'b', arguments: '{}' } }]),
      chunk([{ index: 0, id: 'first', function: { name: 'a', arguments: '{' } }]),
      chunk([{ index: 0, id: 'ignored', function: { arguments: '}' } }]),
    ]);
    expect(calls.map((c) => [c.id, c.name, c.arguments])).toEqual([
      ['first', 'a', '{}'],
      ['second', 'b', '{}'],
    ]);
  });

  it('keeps text and finish reason, and fails on a call without id', () => {
    const accumulator = new StreamAccumulator();
    accumulator.add(chunk(undefined, null, 'Hello '));
    accumulator.add(chunk(undefined, 'stop', 'world'));
    expect(accumulator.text).toBe('Hello world');
    expect(accumulator.finishReason).toBe('stop');
    expect(accumulator.toolCalls()).toEqual([]);
    expect(() => assembleToolCalls([chunk([{ index: 0, function: { name: 'a' } }])])).toThrow(/index 0 has no id/);
  });
});

describe('readyCalls on every chunk', () => {
  it('parses only the calls a chunk changed, and still reports every ready call in index order', () => {
    const accumulator = new StreamAccumulator();
    const parse = vi.spyOn(JSON, 'parse');
    const calls = 64;
    let fragments = 0;
    for (let i = 0; i < calls; i++) {
      accumulator.add(chunk([{ index: i, id: `c${i}`, function: { name: 'get_weather', arguments: '{"city":' } }]));
      accumulator.readyCalls();
      accumulator.add(chunk([{ index: i, function: { arguments: '"Tokyo"}' } }]));
      expect(accumulator.readyCalls().map((c) => c.id)).toEqual(Array.from({ length: i + 1 }, (_, j) => `c${j}`));
      fragments += 2;
    }
    // one parse per changed call per check: 128, where parsing every call on every chunk would take 4160
    expect(parse.mock.calls.length).toBe(fragments);
    parse.mockRestore();
    accumulator.add(chunk([{ index: 3, function: { arguments: ' ' } }])); // still whole JSON after a fragment
    accumulator.add(chunk([{ index: 5, function: { arguments: ',' } }])); // no longer whole: not ready any more
    expect(accumulator.readyCalls()).toHaveLength(calls - 1);
  });
});
