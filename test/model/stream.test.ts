import { describe, expect, it } from 'vitest';
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
