import type { Scorecard, ScorecardCriterion } from '@motcua/contract';
import { readScorecard, readScorecardLeague, readSnapshot, readUnitTree, type UnitTree } from '@motcua/db';
import {
  createTestTree,
  DB_KINDS,
  openTestDb,
  type TestDb,
  type TestTree,
  windowAt,
} from '@motcua/test-helpers/db';
import { dossierEvent, ev, rating, received } from '@motcua/test-helpers/events';
import { deskKey, postBatch, startTestIngest, type TestIngest } from '@motcua/test-helpers/ingest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * The 766 scorecard read path over v1.1 events sent through the real ingest. Every expected
 * number is worked out by hand below, from the formulas in docs/metrics.md ("766 scorecard").
 *
 * The story, in November 2025 (no public holiday in October or November), read at
 * Thursday 20 November 10:00 (+07:00):
 *
 * Commune A (91000, "Xã Bình An", district 910), desk Q01 unless said:
 *   A1 received Mon 3/11 08:00, due 7/11 17:00, fee-bearing, inputs digitised, reused data,
 *      not from the citizen store, population data; paid online; resolved 5/11 10:00 with an
 *      e-result and the result digitised → early (50 h). Petition P1 names it → complained.
 *   A2 received 4/11 08:00, due 6/11 17:00, procedure 2.000794 (the others 1.001612), fee-bearing,
 *      nothing digitised/reused/stored/population; paid at the desk; resolved 10/11 10:00, no
 *      e-result, result digitised → late (146 h).
 *   A3 received online 10/11 08:00, due 12/11 17:00, no facts; resolved 12/11 09:00 → on time
 *      (49 h); an unsatisfied rating names it → complained.
 *   A4 received 17/11 08:00, due 19/11 17:00 → open, overdue at asOf.
 *   A5 received 18/11 08:00, due 20/11 17:00 → open, due within 24 h.
 *   A6 received 19/11 08:00, due 21/11 17:00 → open, due within 48 h (not 24).
 *   A7 (desk Q02) received 19/11 09:00, due 28/11 17:00 → open, not at risk.
 *   P1 received Mon 3/11 09:00 (names A1), answered Fri 7/11 10:00 (due 25/11), published
 *      Mon 10/11 10:00 (due 12/11 00:00), liked → on time, satisfied.
 *   P2 received 3/11 10:00, rejected 10/11 10:00 (due 6/11 00:00) → late, unsatisfied.
 *   P3 received Mon 20/10 09:00 → due 11/11 00:00 (15 working days), open: overdue at asOf,
 *      in time at the end of October.
 *   P4 received Thu 30/10 09:00 → due 21/11 00:00: open, due within 24 h of asOf.
 *   P5 received Fri 31/10 09:00 → due 22/11 00:00: open, due within 48 h.
 * Commune B (91001, "Xã Ánh Dương", district 910): B1 received 5/11 08:00, due 7/11 17:00,
 *   resolved 6/11 10:00 → early.
 * Commune C (91100, district 911):
 *   C1 received Mon 6/10 08:00, due 8/10 17:00, resolved 7/10 10:00 → early (October).
 *   C2 received 28/10 08:00, due 30/10 17:00, resolved Mon 3/11 10:00 → late; open and overdue
 *      at the end of October.
 *   C5 received 20/10 08:00, due 31/10 17:00; supplement asked 21/10 08:00, given 22/10 08:00
 *      (deadline 1/11 17:00); asked again 3/11 08:00 (a second request: late), resolved 4/11 →
 *      late; open and still in time at the end of October (one request then).
 * Commune D (91101): nothing.
 */
const at = (local: string) => Date.parse(`${local}:00+07:00`);
const ASOF = at('2025-11-20T10:00');

const win = (window: string) => windowAt(window, ASOF);

function find(s: Scorecard, code: string): ScorecardCriterion {
  const c = s.score.groups.flatMap((g) => g.criteria).find((x) => x.code === code);
  if (!c) throw new Error(`no ${code}`);
  return c;
}

const groupPoints = (s: Scorecard) => s.score.groups.map((g) => g.points);

describe.each(DB_KINDS)('766 scorecard read path on %s', (kind) => {
  let t: TestDb;
  let test: TestTree;
  let tree: UnitTree;
  let ingest: TestIngest;
  const A = '91000';
  const B = '91001';
  const C = '91100';

  beforeAll(async () => {
    t = await openTestDb(kind);
    test = await createTestTree(t.db, {
      city: '91',
      districts: 2,
      communesPerDistrict: 2,
      names: { [A]: 'Xã Bình An', [B]: 'Xã Ánh Dương' },
    });
    // A province straight over its communes, as in the tree in force from July 2025.
    await createTestTree(t.db, { city: '92', districts: 0, communesUnderCity: 2 });
    tree = await readUnitTree(t.db);
    ingest = await startTestIngest(t.db);

    const time = (local: string, desk = 'Q01') => ({ time: `${local}:00+07:00`, desk });
    const rec = (
      unit: string,
      code: string,
      local: string,
      due: string,
      facts = {},
      desk = 'Q01',
      channel = 'direct',
    ) => {
      const e = received(unit, code, at(due), time(local, desk), channel);
      Object.assign(e.data, facts);
      return e;
    };
    const dos = (unit: string, kind: string, code: string, local: string, extra = {}) =>
      dossierEvent(unit, kind, code, time(local), extra);
    const pet = (unit: string, type: string, data: Record<string, unknown>, local: string) =>
      ev(unit, `petition.${type}`, data, time(local));

    const a = [
      rec(A, 'A1', '2025-11-03T08:00', '2025-11-07T17:00', {
        feeBearing: true,
        inputsDigitised: true,
        reusedData: true,
        citizenStore: false,
        populationData: true,
      }),
      dos(A, 'paid', 'A1', '2025-11-03T09:00', { method: 'online' }),
      dos(A, 'resolved', 'A1', '2025-11-05T10:00', { electronicResult: true, resultDigitised: true }),
      rec(A, 'A2', '2025-11-04T08:00', '2025-11-06T17:00', {
        procedureCode: '2.000794',
        feeBearing: true,
        inputsDigitised: false,
        reusedData: false,
        citizenStore: false,
        populationData: false,
      }),
      dos(A, 'paid', 'A2', '2025-11-04T09:00', { method: 'desk' }),
      dos(A, 'resolved', 'A2', '2025-11-10T10:00', { electronicResult: false, resultDigitised: true }),
      rec(A, 'A3', '2025-11-10T08:00', '2025-11-12T17:00', {}, 'Q01', 'online'),
      dos(A, 'resolved', 'A3', '2025-11-12T09:00'),
      rating(A, 'unsatisfied', time('2025-11-12T10:00'), { dossierCode: 'A3' }),
      rec(A, 'A4', '2025-11-17T08:00', '2025-11-19T17:00'),
      rec(A, 'A5', '2025-11-18T08:00', '2025-11-20T17:00'),
      rec(A, 'A6', '2025-11-19T08:00', '2025-11-21T17:00'),
      rec(A, 'A7', '2025-11-19T09:00', '2025-11-28T17:00', {}, 'Q02'),
      pet(
        A,
        'received',
        { petitionCode: 'P1', category: 'procedure', dossierCode: 'A1' },
        '2025-11-03T09:00',
      ),
      pet(A, 'answered', { petitionCode: 'P1' }, '2025-11-07T10:00'),
      pet(A, 'published', { petitionCode: 'P1' }, '2025-11-10T10:00'),
      pet(A, 'reacted', { petitionCode: 'P1', reaction: 'like' }, '2025-11-10T11:00'),
      pet(A, 'received', { petitionCode: 'P2', category: 'staff' }, '2025-11-03T10:00'),
      pet(A, 'rejected', { petitionCode: 'P2' }, '2025-11-10T10:00'),
      pet(A, 'received', { petitionCode: 'P3', category: 'other' }, '2025-10-20T09:00'),
      pet(A, 'received', { petitionCode: 'P4', category: 'other' }, '2025-10-30T09:00'),
      pet(A, 'received', { petitionCode: 'P5', category: 'other' }, '2025-10-31T09:00'),
    ];
    const b = [
      rec(B, 'B1', '2025-11-05T08:00', '2025-11-07T17:00'),
      dos(B, 'resolved', 'B1', '2025-11-06T10:00'),
    ];
    const c = [
      rec(C, 'C1', '2025-10-06T08:00', '2025-10-08T17:00'),
      dos(C, 'resolved', 'C1', '2025-10-07T10:00'),
      rec(C, 'C2', '2025-10-28T08:00', '2025-10-30T17:00'),
      dos(C, 'resolved', 'C2', '2025-11-03T10:00'),
      rec(C, 'C5', '2025-10-20T08:00', '2025-10-31T17:00'),
      dos(C, 'supplement_requested', 'C5', '2025-10-21T08:00'),
      dos(C, 'supplement_received', 'C5', '2025-10-22T08:00'),
      dos(C, 'supplement_requested', 'C5', '2025-11-03T08:00'),
      dos(C, 'resolved', 'C5', '2025-11-04T10:00'),
    ];
    const p = [
      rec('92900', 'E1', '2025-11-05T08:00', '2025-11-07T17:00'),
      dos('92900', 'resolved', 'E1', '2025-11-06T10:00'),
    ];
    for (const [unit, events] of [
      [A, a],
      [B, b],
      [C, c],
      ['92900', p],
    ] as const) {
      const res = await postBatch(ingest.url, await deskKey(t.db, unit), [...events]);
      expect(res.body).toMatchObject({ accepted: events.length, rejected: 0 });
    }
  });
  afterAll(async () => {
    await ingest.close();
    await t.drop();
  });

  it("commune A's month to date: every measured sub-criterion, group, total and the points at risk", async () => {
    const s = (await readScorecard(t.db, tree, A, win('month'), ASOF)) as Scorecard;
    expect(s.unit).toEqual({ code: A, name: 'Xã Bình An', level: 'commune' });
    expect(s.window).toEqual({
      name: 'month',
      period: '2025-11',
      from: '2025-11-01T00:00:00+07:00',
      to: '2025-11-20T10:00:00+07:00',
    });
    // 2.1: finished early 1 (A1) + on time 1 (A3) + open 4 − overdue 1 (A4) = 5, over 3 finished + 4 open = 7.
    expect(find(s, '2.1')).toMatchObject({ numerator: 5, denominator: 7, measured: true });
    expect(find(s, '2.1').points).toBeCloseTo(100 / 7, 12); // 20 × 5/7
    // 2.2: (50 + 146 + 49) h = 245 h = 10.2083 days over 3 dossiers = 3.4028 days.
    expect(find(s, '2.2').numerator).toBeCloseTo(245 / 24, 12);
    expect(find(s, '2.2').rate).toBeCloseTo(245 / 72, 12);
    // 3.3: 1 online of 7 received → 6 × (1/7) ÷ 0.5 = 12/7.
    expect(find(s, '3.3')).toMatchObject({ numerator: 1, denominator: 7 });
    expect(find(s, '3.3').points).toBeCloseTo(12 / 7, 12);
    // 3.6: A1 paid online of A1, A2 fee-bearing → 1/2 → 3.
    expect(find(s, '3.6')).toMatchObject({ numerator: 1, denominator: 2, points: 3 });
    // 3.5b: fee-bearing procedures 1.001612 (A1) and 2.000794 (A2), paid online 1.001612 (A1) →
    // 1/2 → 2 × 0.5 ÷ 0.8 = 1.25.
    expect(find(s, '3.5b')).toMatchObject({ numerator: 1, denominator: 2, points: 1.25, measured: true });
    // 4.1: e-result 1 of 2 reported → 3; 4.2: both digitised 1 of 2 → 2; 4.3: reuse 1/2 → 2 × 0.5 ÷ 0.8 = 1.25;
    // 4.4: 0 of 2 → 0 (measured); 4.5b: 1/2 → 1.
    expect(find(s, '4.1')).toMatchObject({ numerator: 1, denominator: 2, points: 3 });
    expect(find(s, '4.2')).toMatchObject({ numerator: 1, denominator: 2, points: 2 });
    expect(find(s, '4.3')).toMatchObject({ numerator: 1, denominator: 2, points: 1.25 });
    expect(find(s, '4.4')).toMatchObject({ numerator: 0, denominator: 2, points: 0, measured: true });
    expect(find(s, '4.5b')).toMatchObject({ numerator: 1, denominator: 2, points: 1 });
    // 5.2: handled on time 1 (P1) + open 3 (P3–P5) − overdue 1 (P3) = 3, over handled 2 + open 3 = 5 → 3.6.
    expect(find(s, '5.2')).toMatchObject({ numerator: 3, denominator: 5, rate: 0.6 });
    expect(find(s, '5.2').points).toBeCloseTo(3.6, 12);
    // 5.3: closed 2 (P1, P2) − unsatisfied 1 (P2, late) = 1 of 2 → 3.
    expect(find(s, '5.3')).toMatchObject({ numerator: 1, denominator: 2, points: 3 });
    // 5.4: in time 2 (A1, A3) − complained 2 (A1 by P1, A3 by the dislike) = 0 of 3 → 0.
    expect(find(s, '5.4')).toMatchObject({ numerator: 0, denominator: 3, points: 0 });
    // Groups: 1 → 0; 2 → 100/7; 3 → 12/7 + 1.25 + 3 = 33/7 + 1.25; 4 → 3 + 2 + 1.25 + 0 + 1 = 7.25;
    // 5 → 3.6 + 3 + 0 = 6.6.
    const g = groupPoints(s);
    expect(g[0]).toBe(0);
    expect(g[1]).toBeCloseTo(100 / 7, 12);
    expect(g[2]).toBeCloseTo(33 / 7 + 1.25, 12);
    expect(g[3]).toBeCloseTo(7.25, 12);
    expect(g[4]).toBeCloseTo(6.6, 12);
    // Total 133/7 + 1.25 + 13.85 = 19 + 15.1 = 34.1, out of 20 + 14 + 18 + 18 = 70.
    expect(s.score.points).toBeCloseTo(34.1, 12);
    expect(s.score.max).toBe(70);
    expect(s.score.groups.map((x) => x.measuredMax)).toEqual([0, 20, 14, 18, 18]);

    // Lost: A4 back in time → 2.1 = 6/7 → +20/7; P3 back in time → 5.2 = 4/5 → +1.2.
    const r = s.atRisk;
    expect(r?.lost).toMatchObject({ dossiers: 1, petitions: 1 });
    expect(r?.lost.group2).toBeCloseTo(20 / 7, 12);
    expect(r?.lost.group5).toBeCloseTo(1.2, 12);
    expect(r?.lost.total).toBeCloseTo(20 / 7 + 1.2, 12);
    // 24 h: A5 late → 2.1 = 4/7, loses 20/7; P4 late → 5.2 = 2/5, loses 1.2.
    expect(r?.within24h).toMatchObject({ dossiers: 1, petitions: 1 });
    expect(r?.within24h.group2).toBeCloseTo(20 / 7, 12);
    expect(r?.within24h.group5).toBeCloseTo(1.2, 12);
    // 48 h: A5 and A6 → 2.1 = 3/7, loses 40/7; P4 and P5 → 5.2 = 1/5, loses 2.4.
    expect(r?.within48h).toMatchObject({ dossiers: 2, petitions: 2 });
    expect(r?.within48h.group2).toBeCloseTo(40 / 7, 12);
    expect(r?.within48h.group5).toBeCloseTo(2.4, 12);
    expect(r?.within48h.total).toBeCloseTo(40 / 7 + 2.4, 12);
  });

  it("2.1 is the snapshot's index766 for the same window", async () => {
    const s = (await readScorecard(t.db, tree, A, win('month'), ASOF)) as Scorecard;
    const snap = await readSnapshot(t.db, tree, A, win('month'), ASOF);
    expect(snap?.metrics.onTime.index766).toBe(find(s, '2.1').rate);
  });

  it('a desk: only its own dossiers and petitions', async () => {
    // Q02: A7 only — received direct, open in time. 2.1 = 1/1 → 20; 3.3 = 0/1 → 0; no petition →
    // 5.2 and 5.3 full (6 + 6); no finished dossier → 5.4 = 0. 32 of 20 + 6 + 18 = 44.
    const s = (await readScorecard(t.db, tree, `${A}/Q02`, win('month'), ASOF)) as Scorecard;
    expect(s.unit).toEqual({ code: `${A}/Q02`, name: 'Q02', level: 'desk' });
    expect(find(s, '2.1')).toMatchObject({ numerator: 1, denominator: 1, points: 20 });
    expect(find(s, '5.2')).toMatchObject({ denominator: 0, points: 6, reason: { code: 'no_data' } });
    expect(find(s, '3.6')).toMatchObject({ measured: false });
    expect(find(s, '3.5b')).toMatchObject({ measured: false, reason: { code: 'not_reported' } });
    expect(s.score.points).toBe(32);
    expect(s.score.max).toBe(44);
  });

  it("district 910 sums its communes' counts (rates of the sums, not a mean of scores)", async () => {
    // A + B: 2.1 = (3 + 4 − 1)/(4 + 4) = 0.75 → 15; 3.3 = 1/8 → 1.5; group 4 as A (7.25);
    // 3.5b = 1.25 and 3.6 = 3 (B reports no fee); 5.2 = 3.6; 5.3 = 3; 5.4 = (3 − 2)/4 = 0.25 → 6 × 0.25 ÷ 0.9 = 5/3.
    const s = (await readScorecard(t.db, tree, '910', win('month'), ASOF)) as Scorecard;
    expect(find(s, '2.1')).toMatchObject({ numerator: 6, denominator: 8, points: 15 });
    expect(find(s, '5.4').points).toBeCloseTo(5 / 3, 12);
    expect(find(s, '3.5b')).toMatchObject({ numerator: 1, denominator: 2, points: 1.25 });
    expect(s.score.points).toBeCloseTo(15 + 1.5 + 1.25 + 3 + 7.25 + 3.6 + 3 + 5 / 3, 12); // 36.2667
  });

  it('a closed period counts what was open at its end, judged by the events before it; nothing at risk', async () => {
    // October for district 911 (C): C1 early; open at 1/11 00:00: C2 (overdue since 30/10 17:00)
    // and C5 (one supplement request by then, deadline 1/11 17:00: in time).
    // 2.1 = (1 + 2 − 1)/(1 + 2) = 2/3 → 40/3; 3.3 = 0/3 → 0; 5.2, 5.3 full; 5.4 = 1/1 → 6.
    const s = (await readScorecard(t.db, tree, '911', win('2025-10'), ASOF)) as Scorecard;
    expect(s.window).toEqual({
      name: 'period',
      period: '2025-10',
      from: '2025-10-01T00:00:00+07:00',
      to: '2025-11-01T00:00:00+07:00',
    });
    expect(find(s, '2.1')).toMatchObject({ numerator: 2, denominator: 3 });
    expect(find(s, '2.1').points).toBeCloseTo(40 / 3, 12);
    expect(find(s, '3.3')).toMatchObject({ numerator: 0, denominator: 3, points: 0 });
    expect(s.score.points).toBeCloseTo(40 / 3 + 18, 12);
    expect(s.atRisk).toBeNull();
    // A's petitions at the end of October: P3, P4, P5 open, none overdue yet → 5.2 = 3/3.
    const a = (await readScorecard(t.db, tree, A, win('2025-10'), ASOF)) as Scorecard;
    expect(find(a, '5.2')).toMatchObject({ numerator: 3, denominator: 3, points: 6 });
    expect(find(a, '2.1')).toMatchObject({ denominator: 0, points: 0 });
  });

  it('ranks the city’s districts by points, with the change against the previous month', async () => {
    // November: 910 = 36.2667, 911 = 2.1 0/2 (C2, C5 late) → 0, 3.3 none → 0, 5.2 + 5.3 = 12, 5.4 0 → 12.
    // October: 911 = 40/3 + 18 = 31.33; 910 = only P3–P5 open in time → 5.2 + 5.3 = 12.
    const league = await readScorecardLeague(t.db, tree, test.city, win('month'), ASOF);
    expect(league?.previous).toEqual({
      name: 'period',
      period: '2025-10',
      from: '2025-10-01T00:00:00+07:00',
      to: '2025-11-01T00:00:00+07:00',
    });
    expect(league?.children.map((c) => [c.unit.code, c.rank, c.previousRank, c.rankChange])).toEqual([
      ['910', 1, 2, 1],
      ['911', 2, 1, -1],
    ]);
    expect(league?.children[0].points).toBeCloseTo(36.26666666, 6);
    expect(league?.children[1].points).toBe(12);
    expect(
      league?.children[1].groups.map(({ code, points, measuredMax }) => ({ code, points, measuredMax })),
    ).toEqual([
      { code: '1', points: 0, measuredMax: 0 },
      { code: '2', points: 0, measuredMax: 20 },
      { code: '3', points: 0, measuredMax: 6 },
      { code: '4', points: 0, measuredMax: 0 },
      { code: '5', points: 12, measuredMax: 18 },
    ]);
    // The samples the points rest on: 2.1 and 5.4 over C2 and C5 (finished, none open), 3.3 over
    // no received dossier; 1.1 is outside the desk feed (no denominator).
    const sample = (code: string) =>
      league?.children[1].groups.flatMap((g) => g.criteria).find((c) => c.code === code);
    expect(sample('2.1')).toEqual({ code: '2.1', measured: true, denominator: 2 });
    expect(sample('5.4')).toEqual({ code: '5.4', measured: true, denominator: 2 });
    expect(sample('3.3')).toEqual({ code: '3.3', measured: true, denominator: 0 });
    expect(sample('1.1')).toEqual({ code: '1.1', measured: false, denominator: null });
    // At risk in 910: A's items (B has none).
    expect(league?.children[0].atRisk?.within48h).toMatchObject({ dossiers: 2, petitions: 2 });
  });

  it('ranks communes, equal points by name (Vietnamese order), and closed periods against the one before', async () => {
    // November: B = 2.1 1/1 → 20, 3.3 0/1 → 0, 5.2 + 5.3 = 12, 5.4 1/1 → 6: 38; A = 34.1.
    // October: A = 12 (5.2, 5.3), B = 12 (nothing): equal, "Xã Ánh Dương" (B) before "Xã Bình An" (A).
    const league = await readScorecardLeague(t.db, tree, '910', win('month'), ASOF);
    expect(
      league?.children.map((c) => [c.unit.code, c.rank, c.points, c.previousRank, c.rankChange]),
    ).toEqual([
      [B, 1, 38, 1, 0],
      [A, 2, expect.closeTo(34.1, 10), 2, 0],
    ]);
    const closed = await readScorecardLeague(t.db, tree, '910', win('2025-10'), ASOF);
    expect(closed?.previous?.period).toBe('2025-09');
    expect(closed?.children.map((c) => [c.unit.code, c.rank, c.points, c.previousRank, c.atRisk])).toEqual([
      [B, 1, 12, 1, null],
      [A, 2, 12, 2, null],
    ]);
  });

  it('has no rank change for a window that is not a calendar period', async () => {
    const league = await readScorecardLeague(t.db, tree, '910', win('30d'), ASOF);
    expect(league?.previous).toBeNull();
    expect(league?.children.map((c) => [c.unit.code, c.previousRank, c.rankChange])).toEqual([
      [B, null, null],
      [A, null, null],
    ]);
  });

  it('ranks a province’s communes on the July-2025 tree, and a commune’s desks', async () => {
    // 92900: E1 early → 20 + 0 + 6 + 6 + 6 = 38; 92901: nothing → 12.
    const province = await readScorecardLeague(t.db, tree, '92', win('month'), ASOF);
    expect(province?.children.map((c) => [c.unit.code, c.unit.level, c.rank, c.points])).toEqual([
      ['92900', 'commune', 1, 38],
      ['92901', 'commune', 2, 12],
    ]);
    // A's desks: Q02 = 32 (above); Q01 = 2.1 (2 + 3 − 1)/(3 + 3) = 4/6 → 40/3, 3.3 1/6 → 2,
    // group 4 and 3.6 as A (10.25), 3.5b as A (both procedures at Q01: 1.25), 5.2 3.6 + 5.3 3 +
    // 5.4 0 → 33.43.
    const desks = await readScorecardLeague(t.db, tree, A, win('month'), ASOF);
    expect(desks?.children.map((c) => [c.unit.code, c.rank])).toEqual([
      [`${A}/Q01`, 1],
      [`${A}/Q02`, 2],
    ]);
    expect(desks?.children[0].points).toBeCloseTo(40 / 3 + 2 + 10.25 + 1.25 + 6.6, 12);
    const q01 = desks?.children[0].groups.flatMap((g) => g.criteria).find((c) => c.code === '3.5b');
    expect(q01).toEqual({ code: '3.5b', measured: true, denominator: 2 });
    const q02 = desks?.children[1].groups.flatMap((g) => g.criteria).find((c) => c.code === '3.5b');
    expect(q02).toEqual({ code: '3.5b', measured: false, denominator: 0 });
  });

  it('answers null for an unknown unit', async () => {
    expect(await readScorecard(t.db, tree, '99999', win('month'), ASOF)).toBeNull();
    expect(await readScorecardLeague(t.db, tree, '99999', win('month'), ASOF)).toBeNull();
  });
});
