import { describe, expect, it } from 'vitest';
import type { MatrixFlags } from '../src/cli/matrix-flags.ts';
import { resolveBenchConfig } from '../src/cli/options.ts';
import { createRegistries } from '../src/config/registries.ts';

/** The flags resolved against the built-ins, as the CLI does without a config. */
const resolve = (flags: MatrixFlags) => resolveBenchConfig(flags, { registries: createRegistries() });

describe('resolveBenchConfig', () => {
  it('lays flags over an agent suite without losing its settings', () => {
    const config = resolve({ suite: 'agent', api: 'chat-stream', dispatch: 'early' });
    expect(config.agent).toEqual({
      scenario: 'weather-stock-news',
      api: 'chat-stream',
      dispatch: 'early',
      modelLatencyMs: 300,
    });
    expect(resolve({ suite: 'agent', modelLatency: '5' }).agent?.modelLatencyMs).toBe(5);
  });

  it('lets --mode tools turn an agent suite into batch runs, and --mode agent the reverse', () => {
    expect(resolve({ suite: 'agent', mode: 'tools' }).agent).toBeUndefined();
    expect(resolve({ mode: 'agent' }).agent).toEqual({
      scenario: 'weather-stock-news',
      api: 'chat',
      dispatch: 'after-stream',
    });
  });

  it('plays several API modes: a list or all, times early and after-stream where the API streams', () => {
    const every = resolve({ mode: 'agent', api: 'all', dispatch: 'both' }).agent;
    expect(every?.modes?.map((m) => `${m.api}/${m.dispatch}`)).toEqual([
      'chat/after-stream',
      'chat-stream/after-stream',
      'chat-stream/early',
      'responses/after-stream',
      'responses-stream/after-stream',
      'responses-stream/early',
      'messages/after-stream',
      'messages-stream/after-stream',
      'messages-stream/early',
    ]);
    expect(every).toMatchObject({ api: 'chat', dispatch: 'after-stream' });
    const two = resolve({ mode: 'agent', api: 'messages-stream,responses-stream', dispatch: 'early' }).agent;
    expect(two).toMatchObject({ api: 'messages-stream', dispatch: 'early' });
    expect(two?.modes).toHaveLength(2);
    // one mode is written as before, without a list; a flag narrows a suite of many modes
    expect(resolve({ mode: 'agent', api: 'messages' }).agent?.modes).toBeUndefined();
    expect(resolve({ suite: 'apis' }).agent?.modes).toHaveLength(9);
    expect(resolve({ suite: 'apis', api: 'messages-stream', dispatch: 'early' }).agent?.modes).toBeUndefined();
    expect(() => resolve({ suite: 'apis', api: 'chat,responses-stream', dispatch: 'early' })).toThrow(
      /not to chat; add `--api chat-stream`.*, or `--dispatch both`/,
    );
    // a flag that would change nothing is refused, as everywhere
    expect(() => resolve({ mode: 'agent', api: 'chat,responses', dispatch: 'both' })).toThrow(
      /`--dispatch both` would start nothing early: chat, responses do not stream/,
    );
    expect(() => resolve({ mode: 'agent', api: 'all,chat' })).toThrow(/`all` stands alone/);
  });

  it('names the words --api and --dispatch take when one is wrong', () => {
    expect(() => resolve({ mode: 'agent', api: 'chat,claude' })).toThrow(
      /Expected `--api` to be one of chat, .*, messages-stream, all, got `claude`/,
    );
    expect(() => resolve({ mode: 'agent', dispatch: 'later' })).toThrow(/after-stream, early, both/);
    expect(() => resolve({ mode: 'agent', api: 'messages,responses', frameworks: 'ai-sdk' })).toThrow(
      /add `chat` to `--api`/,
    );
  });

  it('refuses flags an agent run would ignore', () => {
    expect(() => resolve({ mode: 'agent', calls: '4' })).toThrow(/drop `--calls`/);
    expect(() => resolve({ mode: 'agent', kind: 'io,cpu' })).toThrow(/one tool kind/);
    expect(() => resolve({ mode: 'agent', dispatch: 'early' })).toThrow(/add `--api chat-stream`/);
    expect(() => resolve({ mode: 'agent', streamDelay: '5' })).toThrow(/add `--api chat-stream`/);
    expect(() => resolve({ mode: 'agent', api: 'chat-stream', dispatch: 'early', executors: 'chunked(2)' })).toThrow(
      /Early dispatch cannot keep fixed chunks/,
    );
    expect(() => resolve({ api: 'responses' })).toThrow(/add `--mode agent`/);
  });

  it('needs limits for strategies named without one, and a timeout for hangs', () => {
    expect(() => resolve({ suite: 'reference', executors: 'limited' })).toThrow(/need `--limits`/);
    expect(() => resolve({ hangRate: '0.1' })).toThrow(/add e\.g\. `--timeout 1000`/);
    expect(resolve({ hangRate: '0.1', timeout: '100', ignoreAbort: true }).faults).toMatchObject({
      hangRate: 0.1,
      honorAbort: false,
    });
  });
});
