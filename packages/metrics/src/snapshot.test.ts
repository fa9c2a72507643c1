import { describe, expect, it } from 'vitest';
import {
  addCounts,
  addOpen,
  assembleSnapshot,
  emptyCounts,
  emptyOpen,
  metricsFromCounts,
  rankChildren,
  SERIES_FIELDS,
  SNAPSHOT_FIELDS,
  seriesPointFromCounts,
} from './snapshot.ts';
import type { BucketCounts, OpenMetrics, Snapshot, UnitRef } from './types.ts';

const counts = (c: Partial<BucketCounts>): BucketCounts => addCounts(emptyCounts(), c);
const open = (o: Partial<OpenMetrics>): OpenMetrics => addOpen(emptyOpen(), o);
/** The bucket fields `f` reads from its counts, sorted. */
function fieldsRead(f: (counts: BucketCounts) => unknown): string[] {
  const read = new Set<string>();
  f(
    new Proxy(emptyCounts(), {
      get(target, key, receiver) {
        if (typeof key === 'string') read.add(key);
        return Reflect.get(target, key, receiver);
      },
    }),
  );
  return [...read].sort();
}
const desk = (code: string): UnitRef => ({ code: `00004/${code}`, name: `Quầy ${code}`, level: 'desk' });

describe('counts', () => {
  it('adds and retracts field by field, mutating the target', () => {
    const into = counts({ early: 2, procMs: 100 });
    const same = addCounts(into, { early: 1, procMs: 50, receivedOnline: 1 });
    expect(same).toBe(into);
    expect(into).toMatchObject({ early: 3, procMs: 150, receivedOnline: 1, late: 0 });
    addCounts(into, { early: 1, procMs: 50 }, -1);
    expect(into).toMatchObject({ early: 2, procMs: 100 });
  });

  it('adds open counts', () => {
    expect(addOpen(open({ total: 2, overdue: 1 }), { total: 1, waitingSupplement: 1 })).toEqual({
      total: 3,
      overdue: 1,
      dueSoon: 0,
      waitingSupplement: 1,
    });
  });

  it('lists exactly the fields the snapshot and a series point read (the read path sums only these)', () => {
    expect(fieldsRead((c) => metricsFromCounts(c, emptyOpen()))).toEqual([...SNAPSHOT_FIELDS].sort());
    expect(fieldsRead((c) => seriesPointFromCounts(0, c))).toEqual([...SERIES_FIELDS].sort());
  });

  it('sums only the fields it was made with', () => {
    const some = addCounts(emptyCounts(['early', 'late']), { early: 2, late: 1, receivedOnline: 5 });
    expect(some).toEqual({ early: 2, late: 1 });
  });

  it('splits received by channel', () => {
    const m = metricsFromCounts(counts({ receivedDirect: 24, receivedOnline: 37 }), emptyOpen());
    expect(m.received).toEqual({ total: 61, direct: 24, online: 37, postal: 0 });
  });
});

describe('assembleSnapshot', () => {
  const window = {
    name: 'today' as const,
    from: Date.parse('2026-11-28T17:00:00Z'),
    to: Date.parse('2026-11-29T07:03:11Z'),
  };
  const unit: UnitRef = { code: '00004', name: 'Phường Ba Đình', level: 'commune' };

  it('sums children and own counts, computing rates from the sums', () => {
    const s = assembleSnapshot({
      unit,
      window,
      asOf: window.to,
      children: [
        {
          unit: desk('Q02'),
          counts: counts({ satisfied: 3, early: 1 }),
          open: open({ total: 2, overdue: 2 }),
        },
        { unit: desk('Q01'), counts: counts({ unsatisfied: 1, late: 1 }), open: open({ total: 1 }) },
      ],
      own: { counts: counts({ verySatisfied: 1, unknown: 1 }), open: open({ total: 1 }) },
    });
    expect(s.unit).toBe(unit);
    expect(s.window).toEqual({
      name: 'today',
      from: '2026-11-29T00:00:00+07:00',
      to: '2026-11-29T14:03:11+07:00',
    });
    expect(s.asOf).toBe('2026-11-29T14:03:11+07:00');
    expect(s.metrics.satisfaction).toMatchObject({
      verySatisfied: 1,
      satisfied: 3,
      unsatisfied: 1,
      total: 5,
      rate: 0.8,
    });
    // (1 + 0 + 4 − 2) / (1 + 0 + 1 + 4)
    expect(s.metrics.onTime).toMatchObject({ early: 1, late: 1, unknown: 1, rate: 0.5, index766: 0.5 });
    expect(s.metrics.open).toEqual({ total: 4, overdue: 2, dueSoon: 0, waitingSupplement: 0 });
    expect(s.children.map((c) => c.unit.code)).toEqual(['00004/Q02', '00004/Q01']);
    expect(s.children[0].metrics.satisfaction.rate).toBe(1);
  });

  it('is all zero and null without children', () => {
    const s = assembleSnapshot({ unit, window, asOf: window.to, children: [] });
    expect(s.children).toEqual([]);
    expect(s.metrics).toEqual({
      satisfaction: { verySatisfied: 0, satisfied: 0, unsatisfied: 0, total: 0, rate: null, wilsonLow: null },
      onTime: { early: 0, onTime: 0, late: 0, unknown: 0, rate: null, avgHours: null, index766: null },
      received: { total: 0, direct: 0, online: 0, postal: 0 },
      open: { total: 0, overdue: 0, dueSoon: 0, waitingSupplement: 0 },
    });
  });
});

describe('rankChildren', () => {
  const child = (
    code: string,
    c: Partial<BucketCounts>,
    o: Partial<OpenMetrics> = {},
  ): Snapshot['children'][number] => ({
    unit: desk(code),
    metrics: metricsFromCounts(counts(c), open(o)),
  });
  const codes = (children: Snapshot['children']) => children.map((c) => c.unit.code.slice(6));

  it('ranks 3 of 3 satisfied below 290 of 300', () => {
    const small = child('A', { satisfied: 3 });
    const large = child('B', { satisfied: 290, unsatisfied: 10 });
    expect(codes(rankChildren([small, large], 'satisfaction'))).toEqual(['B', 'A']);
  });

  it('puts unrated units last and breaks ties by total, then code', () => {
    const ranked = rankChildren(
      [
        child('E', {}),
        child('D', { satisfied: 1 }),
        child('C', { satisfied: 1 }),
        child('A', {}),
        child('B', { satisfied: 2 }),
      ],
      'satisfaction',
    );
    expect(codes(ranked)).toEqual(['B', 'C', 'D', 'A', 'E']);
  });

  it('ranks by index766 with null last', () => {
    const ranked = rankChildren(
      [
        child('A', {}),
        child('B', { late: 1 }),
        child('C', { early: 1 }),
        child('D', {}, { total: 2, overdue: 1 }),
      ],
      'onTime',
    );
    expect(codes(ranked)).toEqual(['C', 'D', 'B', 'A']);
  });

  it('ranks by received and by overdue, most first, without touching the input', () => {
    const input = [
      child('A', { receivedDirect: 1 }, { total: 5, overdue: 3 }),
      child('B', { receivedOnline: 2, receivedPostal: 1 }, { total: 5, overdue: 1 }),
      child('C', { receivedDirect: 3 }, { total: 5, overdue: 3 }),
    ];
    expect(codes(rankChildren(input, 'received'))).toEqual(['B', 'C', 'A']);
    expect(codes(rankChildren(input, 'overdue'))).toEqual(['A', 'C', 'B']);
    expect(codes(input)).toEqual(['A', 'B', 'C']);
  });
});

describe('seriesPointFromCounts', () => {
  it('formats t locally and carries counts with rates', () => {
    const p = seriesPointFromCounts(
      Date.parse('2026-11-29T07:15:00Z'),
      counts({
        verySatisfied: 1,
        unsatisfied: 1,
        onTime: 3,
        late: 1,
        unknown: 2,
        procMs: 9,
        receivedPostal: 2,
      }),
    );
    expect(p).toEqual({
      t: '2026-11-29T14:15:00+07:00',
      satisfaction: { verySatisfied: 1, satisfied: 0, unsatisfied: 1, total: 2, rate: 0.5 },
      onTime: { early: 0, onTime: 3, late: 1, unknown: 2, rate: 0.75 },
      received: 2,
    });
  });
});
