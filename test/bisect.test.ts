import { describe, expect, it } from 'vitest';
import { apart, type BisectMetric, bisectReleases, type Reading, readingOf } from '../src/bench/bisect.ts';
import type { CellResult } from '../src/results/document.ts';

const at = (value: number, hw = 0.05): Reading => ({ value, low: value - hw, high: value + hw });
const RELEASES = Array.from({ length: 20 }, (_, i) => `1.${i}.0`);

/** A fake measure: speedup 1x before `change`, 4x from it on; records every run's releases. */
function fake(change: number, metric: BisectMetric = 'speedup') {
  const runs: string[][] = [];
  const measure = async (versions: string[]) => {
    runs.push(versions);
    return new Map(versions.map((v) => [v, RELEASES.indexOf(v) >= change ? at(4) : at(1)] as const));
  };
  return { runs, measure, metric };
}

describe('bisect: the first release at which a metric changed', () => {
  it('finds it by halving: both ends in one run, then one release per run', async () => {
    for (const change of [1, 7, 13, 19]) {
      const { runs, measure } = fake(change);
      const { verdict, readings } = await bisectReleases(RELEASES, measure, 'speedup', 0.05);
      expect(verdict).toEqual({ kind: 'changed', first: RELEASES[change], previous: RELEASES[change - 1] });
      expect(runs[0]).toEqual(['1.0.0', '1.19.0']);
      expect(runs.length).toBeLessThanOrEqual(1 + Math.ceil(Math.log2(RELEASES.length)));
      expect(readings.size).toBe(runs.flat().length);
    }
  });

  it('gives no verdict when an end does not run: nothing to compare with', async () => {
    const measure = async (versions: string[]) =>
      new Map(
        versions.map((v) => [v, v === '1.0.0' ? ({ error: 'could not install: E404' } as Reading) : at(1)] as const),
      );
    const { verdict } = await bisectReleases(RELEASES, measure, 'speedup', 0.05);
    expect(verdict).toEqual({ kind: 'broken', version: '1.0.0', error: 'could not install: E404' });
  });

  it('reports no change when the ends read alike, and stops when interrupted', async () => {
    const same = await bisectReleases(RELEASES, fake(99).measure, 'speedup', 0.05);
    expect(same.verdict).toEqual({ kind: 'unchanged' });
    const stopped = await bisectReleases(RELEASES, async () => undefined, 'speedup', 0.05);
    expect(stopped.verdict).toEqual({ kind: 'interrupted' });
  });

  it('counts a change only when the intervals are apart by more than the tolerance', () => {
    expect(apart(at(1), at(1.04), 'speedup', 0.05)).toBe(false); // overlapping
    expect(apart(at(1, 0.01), at(1.06, 0.01), 'speedup', 0.05)).toBe(false); // apart, but within 5%
    expect(apart(at(1, 0.01), at(1.2, 0.01), 'speedup', 0.05)).toBe(true);
    expect(apart(at(1.1, 0), at(1.35, 0), 'growth', 0.2)).toBe(true); // b: absolute
    expect(apart(at(1.1, 0), at(1.25, 0), 'growth', 0.2)).toBe(false);
    expect(apart({ error: 'x' }, at(1), 'speedup', 0.05)).toBe(true); // a release that broke is a change
    expect(apart({ error: 'x' }, { error: 'y' }, 'speedup', 0.05)).toBe(false);
  });

  it("reads a framework row's speedup, overhead per call or growth, and its error", () => {
    const est = { value: 2, low: 1.9, high: 2.1 };
    const cells = [
      { executor: 'f@1.0.0', calls: 8, status: 'ok', speedup: est, overheadPerCallMs: est },
      { executor: 'f@1.0.0', calls: 100, status: 'ok', growth: { exponent: 1.3, points: 3, superlinear: true } },
      { executor: 'f@2.0.0', calls: 8, status: 'error', error: 'boom' },
    ] as unknown as CellResult[];
    expect(readingOf(cells, 'f@1.0.0', 'speedup', 8)).toEqual(est);
    expect(readingOf(cells, 'f@1.0.0', 'overhead', 8)).toEqual(est);
    expect(readingOf(cells, 'f@1.0.0', 'growth', 8)).toEqual({ value: 1.3, low: 1.3, high: 1.3 });
    expect(readingOf(cells, 'f@2.0.0', 'speedup', 8)).toEqual({ error: 'boom' });
  });
});

describe('a broken run, and what is not one', () => {
  it('calls a run broken when calls fail with no fault injected, but not calls a --timeout cut', async () => {
    const { brokenRun } = await import('../src/bench/cells.ts');
    const { DEFAULT_POLICY } = await import('../src/executors/policy.ts');
    const none = { failRate: 0, hangRate: 0, crashRate: 0 };
    expect(brokenRun(['ok', 'error', 'ok'], 'c-1: error (boom)', none)).toBe(
      '1 of 3 calls failed with no fault injected; the first: c-1: error (boom)',
    );
    expect(brokenRun(['ok', 'ok'], undefined, none)).toBeUndefined();
    expect(brokenRun(['ok', 'error'], 'c-1: error (x)', { ...none, failRate: 0.5 })).toBeUndefined();
    const timeout = { ...DEFAULT_POLICY, timeoutMs: 120 };
    expect(brokenRun(['ok', 'timeout', 'cancelled'], 'c-1: timeout (120 ms)', none, timeout)).toBeUndefined();
    expect(brokenRun(['ok', 'timeout'], 'c-1: timeout (120 ms)', none)).toMatch(/^1 of 2 calls failed/);
  });
});
