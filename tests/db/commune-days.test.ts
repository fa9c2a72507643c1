import { readMonthlyTrend, readSeries, readSnapshot, readUnitTree, type UnitTree } from '@motcua/db';
import { createTestTree, DB_KINDS, openTestDb, type TestDb, windowAt } from '@motcua/test-helpers/db';
import { rating } from '@motcua/test-helpers/events';
import { deskKey, postBatch, startTestIngest, type TestIngest } from '@motcua/test-helpers/ingest';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * Day rollups are kept per commune, not per desk (migration 0010); a desk's figures over days
 * come from its hour rows. Commune 94000 has two desks with different days:
 *   Q01: 2025-11-03 2 satisfied, 2025-11-04 1 unsatisfied, 2025-10-20 1 satisfied
 *   Q02: 2025-11-03 1 unsatisfied, 2025-11-05 3 satisfied
 * Hand-counted below, per desk and for the commune.
 */
const at = (local: string) => `${local}:00+07:00`;
const ASOF = Date.parse(at('2025-11-06T10:00'));
const COMMUNE = '94000';

const win = (window: string) => windowAt(window, ASOF);

describe.each(DB_KINDS)('day rollups per commune, desks from hours, on %s', (kind) => {
  let t: TestDb;
  let tree: UnitTree;
  let ingest: TestIngest;

  beforeAll(async () => {
    t = await openTestDb(kind);
    await createTestTree(t.db, { city: '94', districts: 1, communesPerDistrict: 2 });
    tree = await readUnitTree(t.db);
    ingest = await startTestIngest(t.db);
    const q1 = (local: string) => ({ desk: 'Q01', time: at(local) });
    const q2 = (local: string) => ({ desk: 'Q02', time: at(local) });
    const events = [
      rating(COMMUNE, 'satisfied', q1('2025-11-03T08:10')),
      rating(COMMUNE, 'very_satisfied', q1('2025-11-03T15:40')),
      rating(COMMUNE, 'unsatisfied', q1('2025-11-04T09:00')),
      rating(COMMUNE, 'satisfied', q1('2025-10-20T23:30')),
      rating(COMMUNE, 'unsatisfied', q2('2025-11-03T10:00')),
      ...[1, 2, 3].map((i) => rating(COMMUNE, 'satisfied', q2(`2025-11-05T0${i}:00`))),
    ];
    const res = await postBatch(ingest.url, await deskKey(t.db, COMMUNE), events);
    expect(res.body.accepted).toBe(events.length);
  });
  afterAll(async () => {
    await ingest?.close();
    await t?.drop();
  });

  it('stores one day row per commune and day, and hour rows per desk', async () => {
    const days = await t.db.query<{ desk_code: string; n: number }>(
      sql`select desk_code, count(*)::int as n from rollups where grain = 'd' and unit_code = ${COMMUNE} group by 1`,
    );
    expect(days).toEqual([{ desk_code: '', n: 4 }]);
    const hours = await t.db.query<{ desk_code: string; n: number }>(
      sql`select desk_code, count(*)::int as n from rollups where grain = 'h' and unit_code = ${COMMUNE} group by 1 order by 1`,
    );
    expect(hours).toEqual([
      { desk_code: 'Q01', n: 4 },
      { desk_code: 'Q02', n: 4 },
    ]);
  });

  it("gives a desk's 30 days, its days and its months from its own hours", async () => {
    const q1 = await readSnapshot(t.db, tree, `${COMMUNE}/Q01`, win('30d'), ASOF);
    expect(q1?.metrics.satisfaction).toMatchObject({
      verySatisfied: 1,
      satisfied: 2,
      unsatisfied: 1,
      total: 4,
    });
    const commune = await readSnapshot(t.db, tree, COMMUNE, win('30d'), ASOF);
    expect(commune?.metrics.satisfaction.total).toBe(8);
    // The commune's children are its desks, each with its own counts.
    const byDesk = new Map(commune?.children.map((c) => [c.unit.code, c.metrics.satisfaction.total]));
    expect(byDesk.get(`${COMMUNE}/Q01`)).toBe(4);
    expect(byDesk.get(`${COMMUNE}/Q02`)).toBe(4);

    const series = await readSeries(t.db, tree, `${COMMUNE}/Q02`, win('7d'), '1d');
    const perDay = Object.fromEntries(
      (series?.points ?? [])
        .filter((p) => p.satisfaction.total > 0)
        .map((p) => [p.t.slice(0, 10), p.satisfaction]),
    );
    expect(perDay).toEqual({
      '2025-11-03': expect.objectContaining({ satisfied: 0, unsatisfied: 1, total: 1 }),
      '2025-11-05': expect.objectContaining({ satisfied: 3, unsatisfied: 0, total: 3 }),
    });

    const months = await readMonthlyTrend(t.db, tree, `${COMMUNE}/Q01`, ASOF);
    const byMonth = new Map(months?.months.map((m) => [m.period, m.satisfaction.total]));
    // 23:30 on 20 October (16:30 UTC) is October's.
    expect(byMonth.get('2025-10')).toBe(1);
    expect(byMonth.get('2025-11')).toBe(3);
    const communeMonths = await readMonthlyTrend(t.db, tree, COMMUNE, ASOF);
    expect(communeMonths?.months.find((m) => m.period === '2025-11')?.satisfaction.total).toBe(7);
  });
});
