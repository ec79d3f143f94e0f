import { describe, expect, it } from 'vitest';
import type { MatrixEvent } from '../src/bench/matrix.ts';
import type { Group } from '../src/bench/plan.ts';
import { progressRenderer } from '../src/cli/progress.ts';

const GROUP: Group = { kind: 'io', calls: 4, specs: [{ strategy: 'sequential' }, { strategy: 'promise-all' }] };

/** A stream and a clock the test moves by hand. */
function fakes(isTTY: boolean) {
  const written: string[] = [];
  const at: number[] = [];
  let ms = 0;
  return {
    stream: {
      isTTY,
      write: (text: string) => {
        written.push(text);
        at.push(ms);
      },
    },
    at,
    now: () => ms,
    advance: (by: number) => {
      ms += by;
    },
    written,
  };
}

/**
 * A run of `groups` groups of `samples` samples each, every sample of ideal cost `cost` (1 s of batches, or one
 * agent run) that takes 1 s, after a start-up of `startupMs` per group (pool start, warm-up) that costs nothing.
 */
function drive(
  renderer: ReturnType<typeof progressRenderer>,
  advance: (ms: number) => void,
  { groups = 2, samples = 10, startupMs = 30_000, group = GROUP, cost = 1000 } = {},
): void {
  const totalCost = groups * samples * cost;
  let doneCost = 0;
  for (let index = 0; index < groups; index++) {
    renderer.onEvent({ type: 'group-start', group, index, total: groups });
    advance(startupMs);
    for (let round = 0; round < samples; round++) {
      advance(1000);
      doneCost += cost;
      const event: MatrixEvent = { type: 'sample', group, executor: 'promise-all', round, doneCost, totalCost };
      renderer.onEvent(event);
    }
    renderer.onEvent({ type: 'group-end', group, index, total: groups, cells: [] });
  }
  renderer.done();
}

describe('progress', () => {
  it('on a terminal, estimates the time left from the ideal cost still to run, without the start-up', () => {
    const { stream, now, advance, written } = fakes(true);
    const renderer = progressRenderer({ stream, now });
    drive(renderer, advance, { groups: 2, samples: 10, startupMs: 30_000 });
    expect(written[0]).toBe('\r\x1b[2K[1/2] io 4 calls (2 executors) · starting');
    // the first sample of a group follows its start-up: no rate yet
    expect(written[1]).toMatch(/promise-all round 1 · estimating time left$/);
    // after 2 samples (2 s run, 18 s of ideal cost to go at 1 s per second): 18 s, not (32 s elapsed × 18 ÷ 2)
    expect(written[2]).toMatch(/round 2 · 18s left$/);
    expect(written.find((w) => w.includes('[2/2]') && w.includes('round 2'))).toMatch(/ 8s left$/);
    expect(written.at(-1)).toBe('\r\x1b[2K');
  });

  it('off a terminal, writes a plain line at the start and then one every 10 s or more', () => {
    const { stream, now, advance, written, at } = fakes(false);
    const renderer = progressRenderer({ stream, now });
    drive(renderer, advance, { groups: 3, samples: 20, startupMs: 2000 });
    expect(written.join('')).not.toMatch(/\r/);
    expect(written.join('')).not.toContain('\u001b');
    expect(written.every((line) => line.endsWith('\n'))).toBe(true);
    expect(written[0]).toBe('[1/3] io 4 calls (2 executors) · starting · 0s elapsed\n');
    // at 10 s: 8 of 60 samples of 1 s done; 52 s left at the rate of the samples (the 2 s start-up left out)
    expect(written[1]).toBe(
      '[1/3] io 4 calls (2 executors) · 8s/1m00s of ideal time run (13%) · 52s left · 10s elapsed\n',
    );
    // 66 s of run with samples of 1 s: a line every 10 s, never closer
    expect(at).toEqual([0, 10_000, 20_000, 30_000, 40_000, 50_000, 60_000]);
    expect(written[3]).toMatch(
      /^\[2\/3\] io 4 calls \(2 executors\) · 26s\/1m00s of ideal time run \(43%\) · 34s left/,
    );
  });

  it('names an agent group by its scenario and counts runs', () => {
    const { stream, now, advance, written } = fakes(false);
    const group: Group = {
      ...GROUP,
      calls: 3,
      scenario: 'checkout-flow.json',
      mode: { api: 'chat-stream', dispatch: 'early' },
      frameworks: ['ai-sdk'],
    };
    const renderer = progressRenderer({ stream, now, intervalMs: 0 });
    drive(renderer, advance, { groups: 1, samples: 3, startupMs: 0, group, cost: 1 });
    expect(written[0]).toBe(
      '[1/1] checkout-flow.json chat-stream+early (2 executors + 1 framework) · starting · 0s elapsed\n',
    );
    expect(written[2]).toMatch(/ · 2\/3 runs \(66%\) · 1s left · 2s elapsed\n$/);
  });
});
