import { describe, expect, it } from 'vitest';
import { compareSnapshots } from './compare.ts';
import { assembleSnapshot, emptyCounts, emptyOpen } from './snapshot.ts';
import type { BucketCounts, Snapshot } from './types.ts';

const DAY = 86_400_000;
const child = (code: string, counts: Partial<BucketCounts>) => ({
  unit: { code, name: code, level: 'commune' as const },
  counts: { ...emptyCounts(), ...counts },
  open: emptyOpen(),
});
const snap = (children: ReturnType<typeof child>[], from: number): Snapshot =>
  assembleSnapshot({
    unit: { code: '001', name: 'Quận', level: 'district' },
    window: { name: 'custom', from, to: from + DAY },
    asOf: from + DAY,
    children,
  });

describe('compareSnapshots (hand-computed)', () => {
  // Now: A 19 of 20 satisfied (95 %), 9 of 10 on time; B no ratings, 0 finished.
  // Before: A 46 of 50 (92 %), 8 of 10 on time; B 3 of 4 (75 %).
  const now = snap(
    [
      child('A', { satisfied: 19, unsatisfied: 1, onTime: 9, late: 1, receivedDirect: 12 }),
      child('B', { receivedOnline: 3 }),
    ],
    DAY,
  );
  const before = snap(
    [
      child('A', { satisfied: 46, unsatisfied: 4, early: 2, onTime: 6, late: 2, receivedDirect: 10 }),
      child('B', { satisfied: 3, unsatisfied: 1, receivedPostal: 5 }),
    ],
    0,
  );
  const c = compareSnapshots(now, before);

  it('gives the change in percentage points with both samples', () => {
    const a = c.children.find((x) => x.unit.code === 'A');
    expect(a?.metrics.satisfaction.value).toBeCloseTo(0.95, 12);
    expect(a?.metrics.satisfaction.previous).toBeCloseTo(0.92, 12);
    expect(a?.metrics.satisfaction.change).toBeCloseTo(3, 9);
    expect(a?.metrics.satisfaction.sample).toBe(20);
    expect(a?.metrics.satisfaction.previousSample).toBe(50);
    // 9/10 against 8/10: +10 points.
    expect(a?.metrics.onTime.change).toBeCloseTo(10, 9);
    expect(a?.metrics.received).toEqual({
      value: 12,
      previous: 10,
      change: 2,
      sample: 12,
      previousSample: 10,
    });
  });

  it('gives no change (shown —) where a denominator is 0 on either side', () => {
    const b = c.children.find((x) => x.unit.code === 'B');
    expect(b?.metrics.satisfaction).toEqual({
      value: null,
      previous: 0.75,
      change: null,
      sample: 0,
      previousSample: 4,
    });
    expect(b?.metrics.onTime.change).toBeNull();
    expect(b?.metrics.received.change).toBe(-2);
  });

  it('sums the headline over the children: 19/20 against 49/54', () => {
    expect(c.metrics.satisfaction.value).toBeCloseTo(19 / 20, 12);
    expect(c.metrics.satisfaction.previous).toBeCloseTo(49 / 54, 12);
    expect(c.metrics.satisfaction.change).toBeCloseTo((19 / 20 - 49 / 54) * 100, 9);
    expect(c.metrics.received.change).toBe(15 - 15);
  });

  it('gives the rank change; a unit unranked now (no ratings) has none', () => {
    // Before: Wilson(46/50) ≈ 0.81 > Wilson(3/4) ≈ 0.30, so A 1st, B 2nd; now only A is ranked.
    const a = c.children.find((x) => x.unit.code === 'A');
    const b = c.children.find((x) => x.unit.code === 'B');
    expect(a).toMatchObject({ rank: 1, previousRank: 1, rankChange: 0 });
    expect(b).toMatchObject({ rank: null, previousRank: 2, rankChange: null });
  });

  it('compares a unit absent before with zero counts', () => {
    const c2 = compareSnapshots(snap([child('C', { satisfied: 2 })], DAY), snap([], 0));
    expect(c2.children[0].metrics.satisfaction).toMatchObject({ value: 1, previous: null, change: null });
    expect(c2.children[0]).toMatchObject({ rank: 1, previousRank: null, rankChange: null });
  });
});
