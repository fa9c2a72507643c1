import type { Score, ScorecardCriterion } from '@motcua/contract';
import { describe, expect, it } from 'vitest';
import {
  computeScorecard,
  pointsAtRisk,
  ratePoints,
  SCORECARD_FIELDS,
  type ScorecardInput,
} from './scorecard.ts';
import { emptyCounts } from './snapshot.ts';
import { DAY } from './time.ts';
import type { BucketCounts } from './types.ts';

// Every expected number below is worked out by hand in the comment beside it, from the formulas
// as docs/metrics.md states them, not from the code under test.

function input(
  counts: Partial<BucketCounts> = {},
  openDossiers = { total: 0, overdue: 0 },
  openPetitions = { total: 0, overdue: 0 },
  feeProcedures = { feeBearing: 0, paidOnline: 0 },
): ScorecardInput {
  return { counts: { ...emptyCounts(), ...counts }, feeProcedures, openDossiers, openPetitions };
}

function find(score: Score, code: string): ScorecardCriterion {
  for (const g of score.groups) {
    const c = g.criteria.find((x) => x.code === code);
    if (c) return c;
  }
  throw new Error(`no sub-criterion ${code}`);
}

const crit = (code: string, ...args: Parameters<typeof input>) =>
  find(computeScorecard(input(...args)), code);

describe('structure', () => {
  it('lists exactly the bucket fields the formulas read (the read path sums only these)', () => {
    const read = new Set<string>();
    const counts = new Proxy(emptyCounts(), {
      get(target, key, receiver) {
        if (typeof key === 'string') read.add(key);
        return Reflect.get(target, key, receiver);
      },
    });
    const i: ScorecardInput = {
      counts,
      feeProcedures: { feeBearing: 1, paidOnline: 1 },
      openDossiers: { total: 1, overdue: 0 },
      openPetitions: { total: 1, overdue: 0 },
    };
    pointsAtRisk(i, { dossiers: { dueIn24h: 1, dueIn48h: 1 }, petitions: { dueIn24h: 1, dueIn48h: 1 } });
    expect([...read].sort()).toEqual([...SCORECARD_FIELDS].sort());
  });

  it('has the 5 groups of Decision 766 (18 + 20 + 22 + 22 + 18 = 100), each the sum of its sub-criteria', () => {
    const s = computeScorecard(input());
    expect(s.fullMax).toBe(100);
    expect(s.groups.map((g) => [g.code, g.max])).toEqual([
      ['1', 18],
      ['2', 20],
      ['3', 22],
      ['4', 22],
      ['5', 18],
    ]);
    for (const g of s.groups) expect(g.criteria.reduce((sum, c) => sum + c.max, 0)).toBe(g.max);
    expect(s.groups.map((g) => g.criteria.map((c) => c.code))).toEqual([
      ['1.1', '1.2', '1.3', '1.4'],
      ['2.1', '2.2'],
      ['3.1', '3.2', '3.3', '3.5', '3.5b', '3.6'],
      ['4.1', '4.2', '4.3', '4.4', '4.5a', '4.5b', 'ecopy'],
      ['5.2', '5.3', '5.4'],
    ]);
    expect(s.groups[1].name).toEqual({
      vi: 'Tiến độ, kết quả giải quyết',
      en: 'Progress and results of handling',
    });
  });

  it.each([
    ['1.1', 6, 'national_procedure_db'],
    ['1.2', 4, 'national_procedure_db'],
    ['1.3', 2, 'national_procedure_db'],
    ['1.4', 6, 'portal_sync'],
    ['3.1', 2, 'service_catalogue'],
    ['3.2', 4, 'service_catalogue'],
    ['3.5', 2, 'fee_catalogue'],
    ['4.5a', 2, 'procedure_catalogue'],
    ['ecopy', 2, 'certified_copies'],
  ])('lists %s (%i points) as not measured: %s, whatever the counts', (code, max, reason) => {
    const full = { early: 5, receivedOnline: 5, feeReported: 5, feeBearing: 5, feePaidOnline: 5 };
    const c = crit(code, full);
    expect(c).toMatchObject({
      max,
      measured: false,
      points: null,
      rate: null,
      numerator: null,
      denominator: null,
    });
    expect(c.reason?.code).toBe(reason);
    expect(c.reason?.text.en).toMatch(/\w/);
    expect(c.reason?.text.vi).toMatch(/\w/);
  });
});

describe('nothing reported (a v1 desk, an empty window)', () => {
  it('scores 2.1, 3.3 and 5.4 zero, 5.2 and 5.3 full, and leaves the facts not measured', () => {
    const s = computeScorecard(input());
    // Measured: 2.1 (20, 0 points), 2.2 (0), 3.3 (6, 0 points), 5.2 (6, full), 5.3 (6, full), 5.4 (6, 0).
    // points = 0 + 0 + 6 + 6 + 0 = 12; max = 20 + 0 + 6 + 6 + 6 + 6 = 44.
    expect(s.points).toBe(12);
    expect(s.max).toBe(44);
    expect(s.groups.map((g) => [g.points, g.measuredMax])).toEqual([
      [0, 0],
      [0, 20],
      [0, 6],
      [0, 0],
      [12, 18],
    ]);
    for (const code of ['2.1', '3.3', '5.4'])
      expect(find(s, code)).toMatchObject({
        measured: true,
        points: 0,
        rate: null,
        reason: { code: 'no_data' },
      });
    for (const code of ['5.2', '5.3'])
      expect(find(s, code)).toMatchObject({
        measured: true,
        points: 6,
        rate: null,
        reason: { code: 'no_data' },
      });
    for (const code of ['3.5b', '3.6', '4.1', '4.2', '4.3', '4.4', '4.5b'])
      expect(find(s, code)).toMatchObject({
        measured: false,
        points: null,
        reason: { code: 'not_reported' },
      });
    expect(find(s, '2.2')).toMatchObject({ measured: true, points: null, rate: null, max: 0 });
  });
});

describe('2.1 on time (20 points, linear, no dossier → 0)', () => {
  it('counts open dossiers still in time as on time and open overdue ones as late', () => {
    // n = early 3 + onTime 4 + open 3 − overdue 1 = 9; d = 3 + 4 + late 2 + open 3 = 12;
    // r = 0.75; points = 20 × 0.75 = 15.
    const c = crit('2.1', { early: 3, onTime: 4, late: 2, unknown: 7 }, { total: 3, overdue: 1 });
    expect(c).toMatchObject({
      numerator: 9,
      denominator: 12,
      rate: 0.75,
      points: 15,
      measured: true,
      reason: null,
    });
    expect(c.fullAt).toBe(1);
  });

  it('is 0 of 20 with no dossier, but 20 with only open dossiers in time', () => {
    expect(crit('2.1', { unknown: 4 })).toMatchObject({
      numerator: 0,
      denominator: 0,
      points: 0,
      measured: true,
    });
    // n = 2, d = 2 → 20.
    expect(crit('2.1', {}, { total: 2, overdue: 0 })).toMatchObject({ rate: 1, points: 20 });
    // Only overdue: n = 0, d = 2 → 0.
    expect(crit('2.1', {}, { total: 2, overdue: 2 })).toMatchObject({ rate: 0, points: 0 });
  });
});

describe('2.2 average processing time (not scored)', () => {
  it('is Σ processing days over finished dossiers with a known outcome', () => {
    // 9 finished with an outcome, 22.5 days in all → 2.5 days each; no points (max 0).
    const c = crit('2.2', { early: 3, onTime: 4, late: 2, unknown: 5, procMs: 22.5 * DAY });
    expect(c).toMatchObject({
      numerator: 22.5,
      denominator: 9,
      rate: 2.5,
      points: null,
      max: 0,
      measured: true,
    });
  });
});

describe('3.3 online share (6 points, full at 50 %, no dossier → 0)', () => {
  it.each([
    // r = 1 / 4 = 0.25 → 6 × 0.25 ÷ 0.5 = 3.
    [{ receivedOnline: 1, receivedDirect: 3 }, 0.25, 3],
    // Postal counts in the denominator: 1 / (1 + 1 + 2) = 0.25 → 3.
    [{ receivedOnline: 1, receivedDirect: 1, receivedPostal: 2 }, 0.25, 3],
    // r = 0.5 exactly: full.
    [{ receivedOnline: 2, receivedDirect: 2 }, 0.5, 6],
    // r = 0.75: 6 × 0.75 ÷ 0.5 = 9, capped at 6.
    [{ receivedOnline: 3, receivedDirect: 1 }, 0.75, 6],
  ])('%j → rate %f, %f points', (counts, rate, points) => {
    expect(crit('3.3', counts)).toMatchObject({ rate, points, fullAt: 0.5, measured: true });
  });

  it('is 0 of 6 with no dossier received', () => {
    expect(crit('3.3', { early: 2 })).toMatchObject({ denominator: 0, points: 0, measured: true });
  });
});

describe('3.6 dossiers paid online (6 points, linear)', () => {
  it('is the online-paid share of fee-bearing dossiers', () => {
    // 3 of 4 fee-bearing paid online → 6 × 0.75 = 4.5 (the 5th reported dossier carries no fee).
    const c = crit('3.6', { feeReported: 5, feeBearing: 4, feePaidOnline: 3 });
    expect(c).toMatchObject({ numerator: 3, denominator: 4, rate: 0.75, points: 4.5, measured: true });
  });

  it("reproduces the reference's figure: 82,913 of 98,459 → 6 × 0.842107… = 5.05264…", () => {
    const c = crit('3.6', { feeReported: 98_459, feeBearing: 98_459, feePaidOnline: 82_913 });
    expect(c.points).toBeCloseTo(5.052641, 6);
  });

  it('is 0 of 6 when fees were reported but no dossier carried one; not measured when none reported', () => {
    expect(crit('3.6', { feeReported: 2 })).toMatchObject({ denominator: 0, points: 0, measured: true });
    expect(crit('3.6', { feeBearing: 0 })).toMatchObject({ points: null, measured: false });
  });
});

describe('3.5b procedures with an online payment (2 points, full at 80 %, distinct procedures)', () => {
  const fees = { feeReported: 9, feeBearing: 7, feePaidOnline: 4 };
  const procs = (feeBearing: number, paidOnline: number) => ({ feeBearing, paidOnline });

  it.each([
    // 3 of 5 fee-bearing procedures had a dossier paid online: r = 0.6 → 2 × 0.6 ÷ 0.8 = 1.5.
    [5, 3, 0.6, 1.5],
    // 1 of 4: r = 0.25 → 2 × 0.25 ÷ 0.8 = 0.625.
    [4, 1, 0.25, 0.625],
    // 4 of 5 = 80 % exactly: full, 2.
    [5, 4, 0.8, 2],
    // 9 of 10 = 90 %: 2 × 0.9 ÷ 0.8 = 2.25, capped at 2.
    [10, 9, 0.9, 2],
    // Every one: min(2, 2.5) = 2.
    [3, 3, 1, 2],
    // None paid online: 0 (measured).
    [3, 0, 0, 0],
  ])('%i fee-bearing procedures, %i paid online → rate %f, %f points', (d, n, rate, points) => {
    const c = crit('3.5b', fees, undefined, undefined, procs(d, n));
    expect(c).toMatchObject({
      numerator: n,
      denominator: d,
      rate,
      fullAt: 0.8,
      measured: true,
      reason: null,
    });
    expect(c.points).toBeCloseTo(points, 12);
  });

  it('reads the distinct procedure counts, not the dossier counts (7 fee-bearing, 4 paid online)', () => {
    // Dossiers 4 of 7 would be 2 × (4/7) ÷ 0.8 = 1.43; procedures 1 of 2 → 2 × 0.5 ÷ 0.8 = 1.25.
    expect(crit('3.5b', fees, undefined, undefined, procs(2, 1)).points).toBeCloseTo(1.25, 12);
  });

  it('is 0 of 2 when fees were reported but no procedure carried one (r = 0)', () => {
    expect(crit('3.5b', { feeReported: 3 }, undefined, undefined, procs(0, 0))).toMatchObject({
      numerator: 0,
      denominator: 0,
      rate: null,
      points: 0,
      measured: true,
      reason: { code: 'no_data' },
    });
  });

  it('is not measured when no dossier of the window reported its fee fact (a v1 feed), whatever the counts', () => {
    for (const p of [procs(0, 0), procs(2, 1)]) {
      expect(crit('3.5b', { early: 3, receivedDirect: 3 }, undefined, undefined, p)).toMatchObject({
        measured: false,
        points: null,
        rate: null,
        reason: { code: 'not_reported' },
      });
    }
  });

  it('puts no points at risk: open dossiers cannot change it', () => {
    // 3.5b = 1 of 2 → 1.25 now; 2.1 = (1 + 2 − 1)/(1 + 2) with one overdue of two open dossiers.
    const i = input({ ...fees, early: 1 }, { total: 2, overdue: 1 }, undefined, procs(2, 1));
    const risk = pointsAtRisk(i, {
      dossiers: { dueIn24h: 1, dueIn48h: 1 },
      petitions: { dueIn24h: 0, dueIn48h: 0 },
    });
    // Lost: 2.1 back in time 3/3 → 20 against 2/3 → 13.33: 6.67, all of it group 2.
    expect(risk.lost.group2).toBeCloseTo(20 / 3, 12);
    for (const r of [risk.lost, risk.within24h, risk.within48h]) {
      expect(r.group5).toBe(0);
      expect(r.total).toBeCloseTo(r.group2, 12);
    }
  });
});

describe('group 4: digitisation (linear, 4.3 capped at 80 %; not measured when never reported)', () => {
  it('4.1 electronic result: 2 of 5 → 6 × 0.4 = 2.4', () => {
    const c = crit('4.1', { eResultReported: 5, eResult: 2 });
    expect(c).toMatchObject({ numerator: 2, denominator: 5, rate: 0.4, measured: true });
    expect(c.points).toBeCloseTo(2.4, 12);
  });

  it('4.2 inputs and result digitised: 3 of 4 → 4 × 0.75 = 3', () => {
    expect(crit('4.2', { digitisationReported: 4, fullyDigitised: 3 })).toMatchObject({
      rate: 0.75,
      points: 3,
    });
  });

  it('4.3 reuse, capped: 3 of 5 → 2 × 0.6 ÷ 0.8 = 1.5; 4 of 5 (80 %) → 2; 5 of 5 → min(2, 2.5) = 2', () => {
    const c = crit('4.3', { reuseReported: 5, reusedData: 3 });
    expect(c.fullAt).toBe(0.8);
    expect(c.points).toBeCloseTo(1.5, 12);
    expect(crit('4.3', { reuseReported: 5, reusedData: 4 }).points).toBeCloseTo(2, 12);
    expect(crit('4.3', { reuseReported: 5, reusedData: 5 }).points).toBe(2);
  });

  it("4.4 citizen's data store: 1 of 4 → 4 × 0.25 = 1; reported but never used → 0 (measured)", () => {
    expect(crit('4.4', { storeReported: 4, citizenStore: 1 })).toMatchObject({ points: 1 });
    expect(crit('4.4', { storeReported: 4 })).toMatchObject({ rate: 0, points: 0, measured: true });
  });

  it('4.5b population data: 1 of 2 → 2 × 0.5 = 1', () => {
    expect(crit('4.5b', { populationReported: 2, populationData: 1 })).toMatchObject({ points: 1 });
  });

  it.each([
    ['4.1', { eResult: 0 }],
    ['4.2', { fullyDigitised: 0 }],
    ['4.3', { reusedData: 0 }],
    ['4.4', { citizenStore: 0 }],
    ['4.5b', { populationData: 0 }],
  ])('%s with nothing reported is not measured (never 0)', (code, counts) => {
    expect(crit(code, { ...counts, early: 3 })).toMatchObject({
      measured: false,
      points: null,
      reason: { code: 'not_reported' },
    });
  });
});

describe('group 5: satisfaction', () => {
  it('5.2 petitions on time: handled on time plus open in time over handled plus open', () => {
    // n = 3 on time + 2 open − 1 overdue = 4; d = 4 handled + 2 open = 6 → 6 × 4/6 = 4.
    const c = crit('5.2', { petitionsHandled: 4, petitionsHandledOnTime: 3 }, undefined, {
      total: 2,
      overdue: 1,
    });
    expect(c).toMatchObject({ numerator: 4, denominator: 6, measured: true });
    expect(c.points).toBeCloseTo(4, 12);
  });

  it('5.2 is full (6) with no petition at all, 0 with only overdue open ones', () => {
    expect(crit('5.2')).toMatchObject({
      denominator: 0,
      points: 6,
      measured: true,
      reason: { code: 'no_data' },
    });
    expect(crit('5.2', {}, undefined, { total: 2, overdue: 2 })).toMatchObject({ rate: 0, points: 0 });
  });

  it('5.3 petition satisfaction: 4 of 5 closed satisfied → 6 × 0.8 = 4.8; none closed → 6', () => {
    const c = crit('5.3', { petitionsClosed: 5, petitionsUnsatisfied: 1 });
    expect(c).toMatchObject({ numerator: 4, denominator: 5, rate: 0.8 });
    expect(c.points).toBeCloseTo(4.8, 12);
    expect(crit('5.3', { petitionsReceived: 3 })).toMatchObject({ points: 6, measured: true });
  });

  it('5.4 dossier satisfaction, full at 90 %: (in time − complained) ÷ finished', () => {
    // n = 5 + 4 − 1 = 8, d = 10 → 0.8 → 6 × 0.8 ÷ 0.9 = 5.333…
    const c = crit('5.4', { early: 5, onTime: 4, late: 1, onTimeComplained: 1 });
    expect(c).toMatchObject({ numerator: 8, denominator: 10, rate: 0.8, fullAt: 0.9 });
    expect(c.points).toBeCloseTo(16 / 3, 12);
    // r = 0.9 exactly → 6.
    expect(crit('5.4', { early: 9, late: 1 }).points).toBeCloseTo(6, 12);
    // r = 1 → min(6, 6.67) = 6.
    expect(crit('5.4', { early: 10 }).points).toBe(6);
    // No finished dossier → 0.
    expect(crit('5.4', { receivedDirect: 4 })).toMatchObject({ denominator: 0, points: 0, measured: true });
  });

  it("5.4 matches the reference's check: 144,574 of 184,513 → 6 × 0.783544 ÷ 0.9 = 5.22362…", () => {
    const c = crit('5.4', { onTime: 144_625, late: 184_513 - 144_625, onTimeComplained: 51 });
    expect(c.numerator).toBe(144_574);
    expect(c.points).toBeCloseTo(5.223625, 6);
  });
});

describe('a whole scorecard, hand-computed', () => {
  // A commune's month: 50 finished with an outcome (30 early, 10 on time, 10 late), 10 open of
  // which 2 overdue; 50 received (20 online); facts as below; 5 petitions handled, 1 open.
  const month = input(
    {
      early: 30,
      onTime: 10,
      late: 10,
      unknown: 2,
      procMs: 150 * DAY,
      receivedOnline: 20,
      receivedDirect: 25,
      receivedPostal: 5,
      feeReported: 40,
      feeBearing: 20,
      feePaidOnline: 15,
      eResultReported: 50,
      eResult: 40,
      digitisationReported: 40,
      fullyDigitised: 30,
      storeReported: 50,
      citizenStore: 0,
      populationReported: 50,
      populationData: 25,
      onTimeComplained: 4,
      petitionsReceived: 6,
      petitionsHandled: 5,
      petitionsHandledOnTime: 4,
      petitionsClosed: 4,
      petitionsUnsatisfied: 1,
    },
    { total: 10, overdue: 2 },
    { total: 1, overdue: 0 },
    // 5 distinct fee-bearing procedures among the 20 fee-bearing dossiers, 3 of them paid online.
    { feeBearing: 5, paidOnline: 3 },
  );

  it('adds the measured sub-criteria per group and in total', () => {
    const s = computeScorecard(month);
    // 2.1: (40 + 10 − 2) / (50 + 10) = 0.8 → 16.      2.2: 150 / 50 = 3 days.
    // 3.3: 20/50 = 0.4 → 6 × 0.4 ÷ 0.5 = 4.8.  3.5b: 3/5 procedures = 0.6 → 2 × 0.6 ÷ 0.8 = 1.5.
    // 3.6: 15/20 = 0.75 → 4.5.
    // 4.1: 40/50 = 0.8 → 4.8.  4.2: 30/40 → 3.  4.3 not reported.  4.4: 0/50 → 0.  4.5b: 25/50 → 1.
    // 5.2: (4 + 1 − 0)/(5 + 1) = 5/6 → 5.  5.3: 3/4 → 4.5.  5.4: (40 − 4)/50 = 0.72 → 6 × 0.72 ÷ 0.9 = 4.8.
    expect(find(s, '2.2').rate).toBe(3);
    const groups = s.groups.map((g) => [g.code, g.points, g.measuredMax]);
    expect(groups.map(([code, , max]) => [code, max])).toEqual([
      ['1', 0],
      ['2', 20],
      ['3', 14], // 3.3 + 3.5b + 3.6
      ['4', 16], // 4.1 + 4.2 + 4.4 + 4.5b = 6 + 4 + 4 + 2
      ['5', 18],
    ]);
    const points = s.groups.map((g) => g.points);
    expect(points[0]).toBe(0);
    expect(points[1]).toBe(16);
    expect(points[2]).toBeCloseTo(10.8, 12); // 4.8 + 1.5 + 4.5
    expect(points[3]).toBeCloseTo(8.8, 12); // 4.8 + 3 + 0 + 1
    expect(points[4]).toBeCloseTo(14.3, 12); // 5 + 4.5 + 4.8
    expect(s.points).toBeCloseTo(49.9, 12); // 16 + 10.8 + 8.8 + 14.3
    expect(s.max).toBe(68); // 20 + 14 + 16 + 18
    expect(find(s, '4.3')).toMatchObject({ measured: false, reason: { code: 'not_reported' } });
  });

  it('puts a number on the points at risk: already lost, and lost if what is due in 24 h / 48 h goes late', () => {
    const risk = pointsAtRisk(month, {
      dossiers: { dueIn24h: 3, dueIn48h: 5 },
      petitions: { dueIn24h: 1, dueIn48h: 1 },
    });
    // Lost: with the 2 overdue back in time 2.1 would be 50/60 → 16.667, against 16 now: 20 × 2/60 = 0.667.
    expect(risk.lost).toMatchObject({ dossiers: 2, petitions: 0, group5: 0 });
    expect(risk.lost.group2).toBeCloseTo(2 / 3, 12);
    expect(risk.lost.total).toBeCloseTo(2 / 3, 12);
    // 24 h: 2.1 → (48 − 3)/60 = 0.75 → 15, loses 1; 5.2 → (5 − 1)/6 → 4, loses 1.
    expect(risk.within24h).toMatchObject({ dossiers: 3, petitions: 1 });
    expect(risk.within24h.group2).toBeCloseTo(1, 12);
    expect(risk.within24h.group5).toBeCloseTo(1, 12);
    expect(risk.within24h.total).toBeCloseTo(2, 12);
    // 48 h: 2.1 → 43/60 → 14.333, loses 1.667; 5.2 loses 1.
    expect(risk.within48h.group2).toBeCloseTo(5 / 3, 12);
    expect(risk.within48h.total).toBeCloseTo(8 / 3, 12);
  });

  it('puts nothing at risk when nothing is open', () => {
    const risk = pointsAtRisk(input({ early: 1 }), {
      dossiers: { dueIn24h: 0, dueIn48h: 0 },
      petitions: { dueIn24h: 0, dueIn48h: 0 },
    });
    for (const r of [risk.lost, risk.within24h, risk.within48h])
      expect(r).toEqual({ dossiers: 0, petitions: 0, group2: 0, group5: 0, total: 0 });
  });

  it('a lone open overdue petition costs all of 5.2 against the no-petition rule', () => {
    // Now: 5.2 = 0/1 → 0. Lost: back in time 1/1 → 6.
    const risk = pointsAtRisk(input({}, undefined, { total: 1, overdue: 1 }), {
      dossiers: { dueIn24h: 0, dueIn48h: 0 },
      petitions: { dueIn24h: 0, dueIn48h: 0 },
    });
    expect(risk.lost).toEqual({ dossiers: 0, petitions: 1, group2: 0, group5: 6, total: 6 });
  });
});

describe('ratePoints', () => {
  it('is linear at fullAt 1 and capped below', () => {
    expect(ratePoints(20, 1, 0.75)).toBe(15);
    expect(ratePoints(6, 0.5, 0.25)).toBe(3);
    expect(ratePoints(6, 0.5, 1)).toBe(6);
    expect(ratePoints(2, 0.8, 0)).toBe(0);
  });
});
