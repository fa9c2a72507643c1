import { type Scorecard, scorecardLeagueSchema, scorecardSchema } from '@motcua/contract';
import { DB_KINDS } from '@motcua/test-helpers/db';
import { dossierEvent, ev, received } from '@motcua/test-helpers/events';
import { postBatch } from '@motcua/test-helpers/ingest';
import { apiGet, startTestSystem, type TestSystem } from '@motcua/test-helpers/system';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/**
 * The scorecard routes over the whole system (ingest and dashboard on one database), with the
 * read API's checks. Numbers are read over `window=30d` so they do not depend on the day the test
 * runs; calendar windows are checked for their shape. Commune c00, all within the last hour:
 *   D1 received 60 min ago, due in 2 days, fee-bearing; paid online; resolved 30 min ago → early.
 *   D2 received 50 min ago, due in 12 h → open, due within 24 h.
 *   Q1 a petition received 40 min ago → open, due 15 working days later.
 * By hand: 2.1 = (1 early + 1 open − 0 overdue)/(1 finished + 1 open) → 20; 3.3 = 0/2 → 0;
 * 3.5b = 1 procedure paid online of 1 fee-bearing → 2; 3.6 = 1/1 → 6; group 4 not reported;
 * 5.2 = (0 + 1 − 0)/(0 + 1) → 6; 5.3 none closed → 6; 5.4 = 1/1 → 6. Total 46 of
 * 20 + 6 + 2 + 6 + 18 = 52. Within 24 h: D2 late → 2.1 = 1/2 → 10, so 10 points at risk.
 */
describe.each(DB_KINDS)('766 scorecard routes on %s', (kind) => {
  let s: TestSystem;
  let city: string;
  let d0: string;
  let d1: string;
  let c00: string;
  let c10: string;
  const tokens: Record<string, string> = {};

  beforeAll(async () => {
    s = await startTestSystem(kind, { city: '74' });
    city = s.tree.city;
    [d0, d1] = s.tree.districts;
    c00 = s.tree.communes[0];
    c10 = s.tree.communes.find((c) => s.tree.districtOf[c] === d1) as string;
    tokens.city = await s.viewer('city', city);
    tokens.district = await s.viewer('district', d0);
    tokens.display = await s.viewer('display', city);
    const now = Date.now();
    const d1Received = received(c00, 'D1', now + 2 * 24 * HOUR, { time: now - 60 * MINUTE });
    Object.assign(d1Received.data, { feeBearing: true });
    const res = await postBatch(s.ingestUrl, await s.deskKey(c00), [
      d1Received,
      dossierEvent(c00, 'paid', 'D1', { time: now - 55 * MINUTE }, { method: 'online' }),
      dossierEvent(c00, 'resolved', 'D1', { time: now - 30 * MINUTE }),
      received(c00, 'D2', now + 12 * HOUR, { time: now - 50 * MINUTE }),
      ev(c00, 'petition.received', { petitionCode: 'Q1', category: 'other' }, { time: now - 40 * MINUTE }),
    ]);
    expect(res.body).toMatchObject({ accepted: 5, rejected: 0 });
  });
  afterAll(async () => {
    await s?.close();
  });

  it("answers a commune's scorecard in the contract's shape, with the hand-computed points", async () => {
    const res = await apiGet(s.dashboardUrl, `/api/v1/units/${c00}/scorecard?window=30d`, tokens.city);
    expect(res.status).toBe(200);
    const card = scorecardSchema.parse(res.body) as Scorecard;
    expect(card.unit.code).toBe(c00);
    expect(card.window.name).toBe('30d');
    expect(card.score.points).toBe(46);
    expect(card.score.max).toBe(52);
    const byCode = new Map(card.score.groups.flatMap((g) => g.criteria).map((c) => [c.code, c]));
    expect(byCode.get('2.1')).toMatchObject({ numerator: 2, denominator: 2, points: 20 });
    expect(byCode.get('3.6')).toMatchObject({ numerator: 1, denominator: 1, points: 6 });
    expect(byCode.get('3.5b')).toMatchObject({ numerator: 1, denominator: 1, points: 2, fullAt: 0.8 });
    expect(byCode.get('4.1')).toMatchObject({ measured: false, reason: { code: 'not_reported' } });
    expect(byCode.get('1.1')).toMatchObject({ measured: false, reason: { code: 'national_procedure_db' } });
    expect(byCode.get('5.2')).toMatchObject({ numerator: 1, denominator: 1, points: 6 });
    expect(card.atRisk?.within24h).toMatchObject({ dossiers: 1, petitions: 0, group5: 0 });
    expect(card.atRisk?.within24h).toMatchObject({ group2: 10, total: 10 });
    expect(card.atRisk?.lost).toEqual({ dossiers: 0, petitions: 0, group2: 0, group5: 0, total: 0 });
  });

  it('takes calendar windows: month to date, and a closed year with nothing at risk', async () => {
    const month = await apiGet(s.dashboardUrl, `/api/v1/units/${c00}/scorecard?window=month`, tokens.city);
    expect(month.status).toBe(200);
    expect(scorecardSchema.parse(month.body).window).toMatchObject({
      name: 'month',
      period: expect.stringMatching(/^\d{4}-\d{2}$/),
    });
    const lastYear = String(new Date(Date.now() + 7 * HOUR).getUTCFullYear() - 1);
    const closed = await apiGet(
      s.dashboardUrl,
      `/api/v1/units/${c00}/scorecard?window=${lastYear}`,
      tokens.city,
    );
    expect(closed.status).toBe(200);
    const card = scorecardSchema.parse(closed.body);
    expect(card.window).toMatchObject({
      name: 'period',
      period: lastYear,
      from: `${lastYear}-01-01T00:00:00+07:00`,
      to: `${Number(lastYear) + 1}-01-01T00:00:00+07:00`,
    });
    expect(card.atRisk).toBeNull();
  });

  it('ranks the districts of the city by points; a calendar window names the previous period', async () => {
    const res = await apiGet(
      s.dashboardUrl,
      `/api/v1/units/${city}/scorecard/league?window=30d`,
      tokens.city,
    );
    expect(res.status).toBe(200);
    const league = scorecardLeagueSchema.parse(res.body);
    // d0 holds c00 (46 points, sums over its communes); d1 has nothing: 5.2 + 5.3 = 12.
    expect(league.children.map((c) => [c.unit.code, c.rank, c.points, c.rankChange])).toEqual([
      [d0, 1, 46, null],
      [d1, 2, 12, null],
    ]);
    expect(league.previous).toBeNull();
    const quarter = await apiGet(
      s.dashboardUrl,
      `/api/v1/units/${city}/scorecard/league?window=quarter`,
      tokens.city,
    );
    expect(quarter.status).toBe(200);
    const q = scorecardLeagueSchema.parse(quarter.body);
    expect(q.window.period).toMatch(/^\d{4}-Q[1-4]$/);
    expect(q.previous?.name).toBe('period');
    expect(q.previous?.to).toBe(q.window.from);
    for (const row of q.children) expect(row.previousRank).not.toBeNull();
  });

  it('exports the scorecard as CSV with a BOM: every sub-criterion, the groups and the total', async () => {
    // Raw bytes: Response.text() would drop the byte-order mark.
    const res = await fetch(`${s.dashboardUrl}/api/v1/units/${c00}/scorecard.csv?window=30d`, {
      headers: { authorization: `Bearer ${tokens.city}` },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="motcua-${c00}-766-30d.csv"`);
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes).slice(1).split('\r\n');
    expect(lines[0]).toBe(
      'group,code,name,name_en,max,measured,numerator,denominator,rate,full_at,points,reason',
    );
    // 22 sub-criteria, 5 groups, the total, and the empty string after the last CRLF.
    expect(lines).toHaveLength(1 + 22 + 5 + 1 + 1);
    expect(lines).toContain('3,3.6,Hồ sơ thanh toán trực tuyến,Dossiers paid online,6,true,1,1,1,1,6,');
    expect(lines).toContain(
      '3,3.5b,TTHC có giao dịch thanh toán trực tuyến,Procedures with at least one online payment,2,true,1,1,1,0.8,2,',
    );
    expect(lines).toContain(
      '1,1.1,TTHC được công bố đúng hạn,Procedures announced on time,6,false,,,,,,national_procedure_db',
    );
    expect(lines[lines.length - 2]).toBe(',total,Tổng điểm,Total,52,true,,,,,46,');
  });

  it('checks scope on the server: a district viewer reads its own district only; no CSV for displays', async () => {
    const paths = (unit: string) => [
      `/api/v1/units/${unit}/scorecard?window=30d`,
      `/api/v1/units/${unit}/scorecard/league?window=30d`,
      `/api/v1/units/${unit}/scorecard.csv?window=30d`,
    ];
    for (const path of paths(c00))
      expect((await apiGet(s.dashboardUrl, path, tokens.district)).status).toBe(200);
    for (const unit of [d1, c10, city]) {
      for (const path of paths(unit)) {
        const res = await apiGet(s.dashboardUrl, path, tokens.district);
        expect(res.status, path).toBe(403);
        expect(res.body).toMatchObject({
          error: { code: 'forbidden', message: `unit ${unit}: outside your unit` },
        });
      }
    }
    const [card, league, csv] = paths(c00);
    expect((await apiGet(s.dashboardUrl, card, tokens.display)).status).toBe(200);
    expect((await apiGet(s.dashboardUrl, league, tokens.display)).status).toBe(200);
    const denied = await apiGet(s.dashboardUrl, csv, tokens.display);
    expect(denied.status).toBe(403);
    expect(denied.body).toMatchObject({ error: { code: 'forbidden' } });
  });

  it('answers 401 without a viewer, 404 for an unknown unit, 400 for a bad window', async () => {
    expect((await apiGet(s.dashboardUrl, `/api/v1/units/${c00}/scorecard`)).status).toBe(401);
    expect((await apiGet(s.dashboardUrl, '/api/v1/units/99999/scorecard/league', tokens.city)).status).toBe(
      404,
    );
    const bad = await apiGet(s.dashboardUrl, `/api/v1/units/${c00}/scorecard?window=2026-13`, tokens.city);
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({
      error: { code: 'bad_request', message: expect.stringMatching(/^window: /) },
    });
    const future = await apiGet(s.dashboardUrl, `/api/v1/units/${c00}/scorecard?window=9999`, tokens.city);
    expect(future.body).toMatchObject({
      error: { code: 'bad_request', message: 'window: period 9999 has not started' },
    });
    // Period 0000 once reached Postgres (which has no year 0) from the ratings list and answered 500.
    for (const path of [
      `/api/v1/units/${c00}/scorecard?window=0001`,
      `/api/v1/units/${c00}/ratings?window=0000`,
    ]) {
      const early = await apiGet(s.dashboardUrl, path, tokens.city);
      expect(early.status, path).toBe(400);
      expect(early.body, path).toMatchObject({
        error: {
          code: 'bad_request',
          message: expect.stringMatching(/^window: period 000[01] starts before 1970-01-01T00:00:00\+07:00$/),
        },
      });
    }
  });
});
