import { describe, expect, it } from 'vitest';
import { apportion, BFCL_DISTRIBUTIONS, bfclScenario } from '../../src/model/bfcl.ts';
import { loadScenario } from '../../src/model/load.ts';
import type { ScenarioTurn } from '../../src/model/scenario.ts';

const callTurns = (turns: readonly ScenarioTurn[]) => turns.flatMap((turn) => ('calls' in turn ? [turn.calls] : []));

function histogram(turns: readonly ScenarioTurn[]): Record<number, number> {
  const counts: Record<number, number> = {};
  for (const calls of callTurns(turns)) counts[calls.length] = (counts[calls.length] ?? 0) + 1;
  return counts;
}

describe('BFCL-shaped scenarios', () => {
  it('plays the 200 entries of BFCL v4 parallel and parallel_multiple with their exact call counts', () => {
    expect(histogram(loadScenario('bfcl-parallel-200').turns)).toEqual({ 2: 109, 3: 52, 4: 36, 6: 1, 8: 2 });
    expect(histogram(loadScenario('bfcl-parallel-multiple-200').turns)).toEqual({ 2: 64, 3: 66, 4: 69, 5: 1 });
  });

  it('apportions fewer turns by largest remainder: 40 turns keep the shape, rare sizes may vanish', () => {
    expect(histogram(loadScenario('bfcl-parallel').turns)).toEqual({ 2: 22, 3: 11, 4: 7 });
    expect(apportion(BFCL_DISTRIBUTIONS['parallel-multiple'], 10)).toEqual([2, 2, 2, 3, 3, 3, 4, 4, 4, 4]);
    expect(apportion({ 2: 1, 3: 1 }, 3)).toHaveLength(3);
  });

  it('calls one tool per turn in parallel, two to four distinct tools in parallel_multiple', () => {
    for (const calls of callTurns(bfclScenario('parallel', 40).turns)) {
      expect(new Set(calls.map((c) => c.name)).size).toBe(1);
    }
    for (const calls of callTurns(bfclScenario('parallel-multiple', 40).turns)) {
      const distinct = new Set(calls.map((c) => c.name)).size;
      expect(distinct).toBeGreaterThanOrEqual(2);
      expect(distinct).toBeLessThanOrEqual(4);
    }
  });

  it('is the same conversation every time (a fixed seed orders the turns)', () => {
    expect(loadScenario('bfcl-parallel')).toEqual(loadScenario('bfcl-parallel'));
    const sizes = callTurns(loadScenario('bfcl-parallel').turns).map((calls) => calls.length);
    expect(sizes.slice(0, 22).every((n) => n === 2)).toBe(false); // shuffled, not sorted by size
  });

  it('refuses a turn count out of range in one line', () => {
    expect(() => loadScenario('bfcl-parallel-0')).toThrow(/bfcl-…-N takes N turns from 1 to 1000, got 0/);
  });
});
