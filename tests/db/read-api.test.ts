import type { RatingList } from '@motcua/contract';
import { formatLocal, type Snapshot } from '@motcua/metrics';
import { DB_KINDS } from '@motcua/test-helpers/db';
import { dossierEvent, rating, received } from '@motcua/test-helpers/events';
import { postBatch } from '@motcua/test-helpers/ingest';
import { apiGet, startTestSystem, type TestSystem } from '@motcua/test-helpers/system';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

describe.each(DB_KINDS)('read API on %s', (kind) => {
  let s: TestSystem;
  let city: string;
  let d0: string;
  let d1: string;
  let c00: string;
  let cityToken: string;
  /** When the three ratings were made (one instant, so they share one series point). */
  let ratedAt: number;

  beforeAll(async () => {
    s = await startTestSystem(kind);
    city = s.tree.city;
    [d0, d1] = s.tree.districts;
    c00 = s.tree.communes[0];
    cityToken = await s.viewer('city', city);
    const key = await s.deskKey(c00);
    const now = Date.now();
    ratedAt = now - 60_000;
    const res = await postBatch(s.ingestUrl, key, [
      rating(c00, 'very_satisfied', { desk: 'Q01', time: ratedAt }),
      rating(c00, 'satisfied', { desk: 'Q02', time: ratedAt }),
      rating(c00, 'unsatisfied', { desk: 'Q02', time: ratedAt }),
      received(c00, 'HS-A', now + 3 * 86_400_000, { time: now - 40 * 60_000 }, 'online'),
      dossierEvent(c00, 'resolved', 'HS-A', { time: now - 20 * 60_000 }),
      received(c00, 'HS-B', now - 45 * 60_000, { time: now - 50 * 60_000 }),
    ]);
    expect(res.body.accepted).toBe(6);
  });
  afterAll(() => s.close());

  it('answers the city snapshot with its districts as children', async () => {
    const r = await apiGet(s.dashboardUrl, `/api/v1/units/${city}/metrics?window=1h`, cityToken);
    expect(r.status).toBe(200);
    const snap = r.body as unknown as Snapshot;
    expect(snap.unit).toEqual({ code: city, name: `Thành phố Thử ${city}`, level: 'city' });
    expect(snap.window.name).toBe('1h');
    expect(snap.children.map((c) => c.unit.code)).toEqual(s.tree.districts);
    expect(snap.metrics.satisfaction).toMatchObject({
      verySatisfied: 1,
      satisfied: 1,
      unsatisfied: 1,
      total: 3,
    });
    expect(snap.metrics.satisfaction.rate).toBeCloseTo(2 / 3, 12);
    expect(snap.metrics.onTime).toMatchObject({ early: 1, onTime: 0, late: 0, rate: 1 });
    expect(snap.metrics.received).toEqual({ total: 2, direct: 1, online: 1, postal: 0 });
    expect(snap.metrics.open).toMatchObject({ total: 1, overdue: 1 });
    const district = snap.children.find((c) => c.unit.code === d0);
    expect(district?.metrics.satisfaction.total).toBe(3);
    expect(snap.children.find((c) => c.unit.code === d1)?.metrics.satisfaction.total).toBe(0);
  });

  it('lists desks as a commune’s children and answers for a desk', async () => {
    const r = await apiGet(s.dashboardUrl, `/api/v1/units/${c00}/metrics?window=1h`, cityToken);
    const snap = r.body as unknown as Snapshot;
    expect(snap.children.map((c) => c.unit.code)).toEqual([`${c00}/Q01`, `${c00}/Q02`]);
    const desk = await apiGet(s.dashboardUrl, `/api/v1/units/${c00}/Q02/metrics?window=1h`, cityToken);
    expect(desk.status).toBe(200);
    expect((desk.body as unknown as Snapshot).metrics.satisfaction.total).toBe(2);
  });

  it('serves a series with one point per step', async () => {
    // Worked by hand: B is the 15-minute boundary at or before the ratings. The window runs from
    // B − 37 min (inside the step starting at B − 45 min) to the minute after the ratings (after B,
    // at most B + 15 min), so it has exactly the 4 points B − 45, B − 30, B − 15 and B, and only
    // the last one holds the 3 ratings.
    const B = Math.floor(ratedAt / (15 * 60_000)) * 15 * 60_000;
    const from = new Date(B - 37 * 60_000).toISOString();
    const to = new Date(Math.floor(ratedAt / 60_000) * 60_000 + 60_000).toISOString();
    const r = await apiGet(
      s.dashboardUrl,
      `/api/v1/units/${city}/series?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}&step=15m`,
      cityToken,
    );
    expect(r.status).toBe(200);
    expect(r.body.step).toBe('15m');
    const points = r.body.points as {
      t: string;
      satisfaction: { verySatisfied: number; satisfied: number; unsatisfied: number; total: number };
    }[];
    const empty = { verySatisfied: 0, satisfied: 0, unsatisfied: 0, total: 0 };
    expect(points.map((p) => Date.parse(p.t))).toEqual([
      B - 45 * 60_000,
      B - 30 * 60_000,
      B - 15 * 60_000,
      B,
    ]);
    expect(points.map((p) => p.t.endsWith('+07:00'))).toEqual([true, true, true, true]);
    expect(points.map((p) => p.satisfaction)).toEqual([
      expect.objectContaining(empty),
      expect.objectContaining(empty),
      expect.objectContaining(empty),
      expect.objectContaining({ verySatisfied: 1, satisfied: 1, unsatisfied: 1, total: 3 }),
    ]);
    const bad = await apiGet(s.dashboardUrl, `/api/v1/units/${city}/series?window=today&step=2m`, cityToken);
    expect(bad.status).toBe(400);
  });

  it('applies the 401 / 404 / 403 / 400 rules', async () => {
    expect((await apiGet(s.dashboardUrl, `/api/v1/units/${city}/metrics`)).status).toBe(401);
    expect((await apiGet(s.dashboardUrl, `/api/v1/units/${city}/metrics`, 'mcv_nottoken')).status).toBe(401);
    expect((await apiGet(s.dashboardUrl, '/api/v1/units/99999/metrics', cityToken)).status).toBe(404);
    const districtToken = await s.viewer('district', d0);
    const other = await apiGet(s.dashboardUrl, `/api/v1/units/${d1}/metrics`, districtToken);
    expect(other.status).toBe(403);
    expect(other.body).toMatchObject({ error: { code: 'forbidden' } });
    const parent = await apiGet(s.dashboardUrl, `/api/v1/units/${city}/metrics`, districtToken);
    expect(parent.status).toBe(403);
    const own = await apiGet(s.dashboardUrl, `/api/v1/units/${c00}/metrics`, districtToken);
    expect(own.status).toBe(200);
    const bad = await apiGet(s.dashboardUrl, `/api/v1/units/${city}/metrics?window=2d`, cityToken);
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ error: { code: 'bad_request' } });
    expect(String((bad.body.error as { message: string }).message)).toMatch(/^window:/);
  });

  it('exports CSV with a BOM and Vietnamese names intact, but not to display tokens', async () => {
    const r = await apiGet(s.dashboardUrl, `/api/v1/units/${city}/export.csv?window=1h`, cityToken);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toContain('text/csv');
    const bytes = new Uint8Array(
      await (
        await fetch(`${s.dashboardUrl}/api/v1/units/${city}/export.csv?window=1h`, {
          headers: { authorization: `Bearer ${cityToken}` },
        })
      ).arrayBuffer(),
    );
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = new TextDecoder()
      .decode(bytes)
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n');
    expect(lines[0].startsWith('code,name,level,satisfaction_total')).toBe(true);
    expect(lines[1]).toContain(`${d0},Quận Thử Nghiệm 0,district,3,1,1,1`);
    expect(lines.at(-1)).toContain(`Thành phố Thử ${city}`);
    const display = await s.viewer('display', city);
    expect((await apiGet(s.dashboardUrl, `/api/v1/units/${city}/export.csv`, display)).status).toBe(403);
  });

  it('lists a unit’s ratings in a window, newest first, any level (the Excel report’s list)', async () => {
    // Two more communes of d0, ten days back at a whole minute: the window is [T, T + 4 h).
    const [, ca, cb] = s.tree.communes.filter((c) => s.tree.districtOf[c] === d0);
    const T = Math.floor((Date.now() - 10 * 86_400_000) / 60_000) * 60_000;
    const H = 3_600_000;
    const criteria = { attitude: 'very_satisfied', time: 'unsatisfied' };
    expect(
      (
        await postBatch(s.ingestUrl, await s.deskKey(ca), [
          rating(ca, 'satisfied', { time: T }),
          rating(ca, 'satisfied', { desk: 'Q02', time: T + H }, { criteria, comment: 'Bà Lê chờ lâu' }),
          rating(ca, 'very_satisfied', { time: T + 4 * H }),
        ])
      ).body.accepted,
    ).toBe(3);
    expect(
      (
        await postBatch(s.ingestUrl, await s.deskKey(cb), [
          rating(cb, 'unsatisfied', { desk: 'Q03', time: T + 2 * H }),
        ])
      ).body.accepted,
    ).toBe(1);
    const q = `from=${encodeURIComponent(formatLocal(T))}&to=${encodeURIComponent(formatLocal(T + 4 * H))}`;
    const r = await apiGet(s.dashboardUrl, `/api/v1/units/${d0}/ratings?${q}`, cityToken);
    expect(r.status).toBe(200);
    const list = r.body as unknown as RatingList;
    // From inclusive, to exclusive; the commune's name with each; the comment for a person.
    expect(list.items.map((x) => [x.time, x.unitCode, x.deskCode, x.level])).toEqual([
      [formatLocal(T + 2 * H), cb, 'Q03', 'unsatisfied'],
      [formatLocal(T + H), ca, 'Q02', 'satisfied'],
      [formatLocal(T), ca, 'Q01', 'satisfied'],
    ]);
    expect(list.items[1]).toMatchObject({
      unitName: 'Phường Đông Hà 0.1',
      criteria,
      comment: 'Bà Lê chờ lâu',
    });
    const two = await apiGet(s.dashboardUrl, `/api/v1/units/${d0}/ratings?${q}&limit=2`, cityToken);
    expect((two.body as unknown as RatingList).items).toEqual(list.items.slice(0, 2));
    const desk = await apiGet(s.dashboardUrl, `/api/v1/units/${ca}/Q02/ratings?${q}`, cityToken);
    expect((desk.body as unknown as RatingList).items).toEqual([list.items[1]]);
    // A display screen gets no comment.
    const display = await s.viewer('display', d0);
    const shown = (await apiGet(s.dashboardUrl, `/api/v1/units/${d0}/ratings?${q}`, display))
      .body as unknown as RatingList;
    expect(shown.items.map((x) => x.comment)).toEqual([undefined, undefined, undefined]);
    // Above a commune only with a window; limit 1..500.
    expect((await apiGet(s.dashboardUrl, `/api/v1/units/${d0}/ratings`, cityToken)).status).toBe(400);
    expect(
      (await apiGet(s.dashboardUrl, `/api/v1/units/${d0}/ratings?${q}&limit=501`, cityToken)).status,
    ).toBe(400);
  });

  it('lists many communes’ newest ratings the same whether they lie in the window’s last day, week or earlier', async () => {
    // d1's communes, a 20-day window ending 30 days ago: one rating 2 h before its end, two
    // 3 days before, three 15 days before. The list looks at the last day first, then the last
    // week, then the whole window; each limit below needs a different one of them.
    const [ca, cb] = s.tree.communes.filter((c) => s.tree.districtOf[c] === d1);
    const DAY = 86_400_000;
    const end = Math.floor((Date.now() - 30 * DAY) / 60_000) * 60_000;
    const at = [
      end - 2 * 3_600_000,
      end - 3 * DAY,
      end - 3 * DAY - 60_000,
      end - 15 * DAY,
      end - 15 * DAY - 60_000,
      end - 15 * DAY - 120_000,
    ];
    const sent = [
      await postBatch(s.ingestUrl, await s.deskKey(ca), [
        rating(ca, 'satisfied', { time: at[0] }),
        rating(ca, 'unsatisfied', { time: at[2] }),
        rating(ca, 'very_satisfied', { time: at[4] }),
      ]),
      await postBatch(s.ingestUrl, await s.deskKey(cb), [
        rating(cb, 'satisfied', { time: at[1] }),
        rating(cb, 'very_satisfied', { time: at[3] }),
        rating(cb, 'unsatisfied', { time: at[5] }),
      ]),
    ];
    expect(sent.map((r) => r.body.accepted)).toEqual([3, 3]);
    const q = `from=${encodeURIComponent(formatLocal(end - 20 * DAY))}&to=${encodeURIComponent(formatLocal(end))}`;
    const times = async (limit: number) =>
      (
        (await apiGet(s.dashboardUrl, `/api/v1/units/${d1}/ratings?${q}&limit=${limit}`, cityToken))
          .body as unknown as RatingList
      ).items.map((x) => x.time);
    for (const limit of [1, 2, 3, 4, 6, 7])
      expect(await times(limit)).toEqual(at.slice(0, limit).map(formatLocal));
    // The same list for the city (every district's communes), and from the window's own start.
    const city20 = await apiGet(s.dashboardUrl, `/api/v1/units/${city}/ratings?${q}&limit=500`, cityToken);
    expect((city20.body as unknown as RatingList).items.map((x) => x.time)).toEqual(at.map(formatLocal));
  });
});
