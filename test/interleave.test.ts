import { describe, expect, it } from 'vitest';
import { runInterleaved, type Variant } from '../src/bench/interleave.ts';

function recorder(names: string[], order: string[], durationMs = 2): Variant<number>[] {
  return names.map((name) => ({
    name,
    async sample(round) {
      order.push(`${name}#${round}`);
      await new Promise((resolve) => setTimeout(resolve, 1));
      return { durationMs: durationMs * (names.indexOf(name) + 1), extra: round };
    },
  }));
}

describe('runInterleaved', () => {
  it('runs one sample of every variant per round, one at a time, in rotating order', async () => {
    const order: string[] = [];
    const records = await runInterleaved(recorder(['a', 'b', 'c'], order), { rounds: 3 });
    expect(order).toEqual(['a#0', 'b#0', 'c#0', 'b#1', 'c#1', 'a#1', 'c#2', 'a#2', 'b#2']);
    expect(records.map((r) => r.status)).toEqual(['ok', 'ok', 'ok']);
  });

  it('lets tinybench summarise exactly the durations the variants timed', async () => {
    const records = await runInterleaved(recorder(['a', 'b'], []), { rounds: 4 });
    const b = records[1];
    if (b?.status !== 'ok') throw new Error('b was not measured');
    expect(b.summary.samples).toBe(4);
    expect(b.summary.mean).toBeCloseTo(4, 6);
    expect(b.rounds.map((s) => s.extra)).toEqual([0, 1, 2, 3]);
  });

  it('records a variant that throws as an error and still finishes the others', async () => {
    const order: string[] = [];
    const variants = recorder(['a', 'b'], order);
    variants.splice(1, 0, {
      name: 'broken',
      async sample(round) {
        if (round === 1) throw new Error('boom');
        return { durationMs: 1, extra: round };
      },
    });
    const records = await runInterleaved(variants, { rounds: 3 });
    expect(records.find((r) => r.name === 'broken')).toMatchObject({ status: 'error', error: 'boom' });
    expect(order.filter((o) => o.startsWith('b#'))).toHaveLength(3);
  });
});
