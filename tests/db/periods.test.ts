import type { Comparison } from '@motcua/contract';
import { readComparison, readMonthlyTrend, readUnitTree, type UnitTree } from '@motcua/db';
import { createTestTree, DB_KINDS, openTestDb, type TestDb, windowAt } from '@motcua/test-helpers/db';
import { dossierEvent, rating, received } from '@motcua/test-helpers/events';
import { deskKey, postBatch, startTestIngest, type TestIngest } from '@motcua/test-helpers/ingest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * Change against the previous closed period and the 12-month trend, over events sent through the
 * real ingest; every expected number is worked out by hand here. Read at Thursday 20 November 2025
 * 10:00 (+07:00), in ISO week 2025-W47 (from Monday 17 November).
 *
 * City 93: district 930 (A = 93000, B = 93001), district 931 (C = 93100, D = 93101).
 * Ratings: A October 3 satisfied (10/10) + 1 unsatisfied (11/10) = 75 % of 4; A November 3
 *   satisfied (5/11), 1 satisfied (12/11, week 46), 1 unsatisfied (18/11, week 47) = 80 % of 5;
 *   B October 2 satisfied (15/10), November none; C 1 satisfied at 23:59 on 30 September and 1
 *   unsatisfied at 00:00 on 1 October (the month edge in local time).
 * Dossiers of A: A1 received 6/10 08:00, due 8/10 17:00, resolved 7/10 → early; A2 received 20/10,
 *   due 22/10 17:00, resolved 24/10 → late; A3 received 3/11, due 5/11 17:00, resolved 4/11 → early.
 */
const at = (local: string) => Date.parse(`${local}:00+07:00`);
const ASOF = at('2025-11-20T10:00');
const A = '93000';
const B = '93001';
const C = '93100';

const win = (window: string) => windowAt(window, ASOF);

const childOf = (c: Comparison, code: string) => {
  const hit = c.children.find((x) => x.unit.code === code);
  if (!hit) throw new Error(`no ${code}`);
  return hit;
};

describe.each(DB_KINDS)('period comparison and monthly trend on %s', (kind) => {
  let t: TestDb;
  let tree: UnitTree;
  let ingest: TestIngest;

  beforeAll(async () => {
    t = await openTestDb(kind);
    await createTestTree(t.db, { city: '93', districts: 2, communesPerDistrict: 2 });
    tree = await readUnitTree(t.db);
    ingest = await startTestIngest(t.db);
    const o = (local: string) => ({ time: `${local}:00+07:00` });
    const a = [
      ...['10', '10', '10'].map((d) => rating(A, 'satisfied', o(`2025-10-${d}T09:00`))),
      rating(A, 'unsatisfied', o('2025-10-11T09:00')),
      ...[1, 2, 3].map((i) => rating(A, 'satisfied', o(`2025-11-05T09:0${i}`))),
      rating(A, 'satisfied', o('2025-11-12T09:00')),
      rating(A, 'unsatisfied', o('2025-11-18T09:00')),
      received(A, 'A1', at('2025-10-08T17:00'), o('2025-10-06T08:00')),
      dossierEvent(A, 'resolved', 'A1', o('2025-10-07T10:00')),
      received(A, 'A2', at('2025-10-22T17:00'), o('2025-10-20T08:00')),
      dossierEvent(A, 'resolved', 'A2', o('2025-10-24T10:00')),
      received(A, 'A3', at('2025-11-05T17:00'), o('2025-11-03T08:00')),
      dossierEvent(A, 'resolved', 'A3', o('2025-11-04T10:00')),
    ];
    const b = [1, 2].map((i) => rating(B, 'satisfied', o(`2025-10-15T09:0${i}`)));
    const c = [
      rating(C, 'satisfied', { time: '2025-09-30T23:59:59+07:00' }),
      rating(C, 'unsatisfied', { time: '2025-10-01T00:00:00+07:00' }),
    ];
    for (const [unit, events] of [
      [A, a],
      [B, b],
      [C, c],
    ] as const) {
      const res = await postBatch(ingest.url, await deskKey(t.db, unit), events);
      expect(res.body.accepted).toBe(events.length);
    }
  });
  afterAll(async () => {
    await ingest?.close();
    await t?.drop();
  });

  it('compares November to date with the whole of October, in points, with both samples', async () => {
    const c = (await readComparison(t.db, tree, '930', win('month'), ASOF)) as Comparison;
    expect(c.window).toMatchObject({ name: 'month', period: '2025-11' });
    expect(c.previous).toEqual({
      name: 'period',
      period: '2025-10',
      from: '2025-10-01T00:00:00+07:00',
      to: '2025-11-01T00:00:00+07:00',
    });
    // District 930: 4/5 now against (3 + 2)/(4 + 2) = 5/6.
    expect(c.metrics.satisfaction).toMatchObject({ sample: 5, previousSample: 6 });
    expect(c.metrics.satisfaction.change).toBeCloseTo((4 / 5 - 5 / 6) * 100, 9);
    const a = childOf(c, A);
    expect(a.metrics.satisfaction.value).toBeCloseTo(0.8, 12);
    expect(a.metrics.satisfaction.previous).toBeCloseTo(0.75, 12);
    expect(a.metrics.satisfaction.change).toBeCloseTo(5, 9);
    expect(a.metrics.onTime).toMatchObject({
      value: 1,
      previous: 0.5,
      change: 50,
      sample: 1,
      previousSample: 2,
    });
    expect(a.metrics.received).toMatchObject({ value: 1, previous: 2, change: -1 });
    // B had no ratings in November: no rate, no change ("—"), no rank.
    const b = childOf(c, B);
    expect(b.metrics.satisfaction).toEqual({
      value: null,
      previous: 1,
      change: null,
      sample: 0,
      previousSample: 2,
    });
    // October by Wilson: B (2/2, 0.342) above A (3/4, 0.301); November only A is ranked.
    expect(a).toMatchObject({ rank: 1, previousRank: 2, rankChange: 1 });
    expect(b).toMatchObject({ rank: null, previousRank: 1, rankChange: null });
  });

  it('compares a whole closed month with the month before, split at local midnight', async () => {
    const c = (await readComparison(t.db, tree, '931', win('2025-10'), ASOF)) as Comparison;
    expect(c.previous.period).toBe('2025-09');
    // C: 23:59:59 on 30 September is September (1 satisfied), 00:00 on 1 October is October (1 unsatisfied).
    expect(childOf(c, C).metrics.satisfaction).toEqual({
      value: 0,
      previous: 1,
      change: -100,
      sample: 1,
      previousSample: 1,
    });
  });

  it('compares this ISO week to date with the whole week before', async () => {
    const c = (await readComparison(t.db, tree, A, win('week'), ASOF)) as Comparison;
    expect(c.window).toMatchObject({ name: 'week', period: '2025-W47', from: '2025-11-17T00:00:00+07:00' });
    expect(c.previous).toMatchObject({
      period: '2025-W46',
      from: '2025-11-10T00:00:00+07:00',
      to: '2025-11-17T00:00:00+07:00',
    });
    expect(c.metrics.satisfaction).toEqual({
      value: 0,
      previous: 1,
      change: -100,
      sample: 1,
      previousSample: 1,
    });
  });

  it('gives 12 months to date, the last one open, each from day rollups', async () => {
    const trend = await readMonthlyTrend(t.db, tree, '93', ASOF);
    expect(trend?.months.map((m) => m.period)).toEqual([
      '2024-12',
      ...['01', '02', '03', '04', '05', '06', '07', '08', '09', '10', '11'].map((m) => `2025-${m}`),
    ]);
    const byPeriod = new Map(trend?.months.map((m) => [m.period, m]));
    expect(byPeriod.get('2024-12')?.satisfaction).toMatchObject({ total: 0, rate: null });
    expect(byPeriod.get('2025-09')?.satisfaction).toMatchObject({ total: 1, rate: 1 });
    // October: A 3 of 4, B 2 of 2, C 0 of 1.
    expect(byPeriod.get('2025-10')?.satisfaction.total).toBe(7);
    expect(byPeriod.get('2025-10')?.satisfaction.rate).toBeCloseTo(5 / 7, 12);
    expect(byPeriod.get('2025-10')?.onTime).toMatchObject({ early: 1, late: 1, rate: 0.5 });
    expect(byPeriod.get('2025-10')?.received).toBe(2);
    expect(byPeriod.get('2025-11')).toMatchObject({
      closed: false,
      from: '2025-11-01T00:00:00+07:00',
      to: '2025-11-20T10:00:00+07:00',
      received: 1,
      satisfaction: { total: 5 },
    });
    expect(byPeriod.get('2025-10')?.closed).toBe(true);
    // A desk's months are its own.
    const desk = await readMonthlyTrend(t.db, tree, `${A}/Q02`, ASOF);
    expect(desk?.months.every((m) => m.satisfaction.total === 0)).toBe(true);
  });
});
