import { windowToJson } from '@motcua/metrics';
import { describe, expect, it } from 'vitest';
import { windowText } from './headline.ts';
import { digestPeriodOf, lastSlotAtOrBefore, slotsBetween } from './schedule.ts';

/** A local (UTC+7) wall-clock time as epoch ms. */
const local = (s: string) => Date.parse(`${s}+07:00`);

describe('digest schedule', () => {
  it('weekly: Monday 07:30 local, the week before it', () => {
    // 2026-11-30 is a Monday.
    expect(lastSlotAtOrBefore('weekly', local('2026-11-30T07:30:00'))).toBe(local('2026-11-30T07:30:00'));
    expect(lastSlotAtOrBefore('weekly', local('2026-11-30T07:29:59'))).toBe(local('2026-11-23T07:30:00'));
    expect(lastSlotAtOrBefore('weekly', local('2026-12-06T23:59:00'))).toBe(local('2026-11-30T07:30:00'));
    // 00:30 local on Monday is still Sunday in UTC.
    expect(lastSlotAtOrBefore('weekly', local('2026-11-30T00:30:00'))).toBe(local('2026-11-23T07:30:00'));
    const p = digestPeriodOf('weekly', local('2026-11-30T07:30:00'));
    expect(p.key).toBe('week:2026-11-23');
    expect(p.label).toBe('2026-W48');
    expect(p.window).toEqual({
      name: 'period',
      period: '2026-W48',
      from: local('2026-11-23T00:00:00'),
      to: local('2026-11-30T00:00:00'),
    });
  });

  it('weekly: ISO weeks across the year boundary (hand-computed)', () => {
    // 2026 starts on a Thursday, so it has an ISO week 53: Monday 28 December 2026 to Sunday
    // 3 January 2027, sent on Monday 4 January 2027. 2027-W01 starts on Monday 4 January.
    const cases: [string, string, string, string][] = [
      ['2026-12-28T07:30:00', '2026-W52', '2026-12-21T00:00:00', '2026-12-28T00:00:00'],
      ['2027-01-04T07:30:00', '2026-W53', '2026-12-28T00:00:00', '2027-01-04T00:00:00'],
      ['2027-01-11T07:30:00', '2027-W01', '2027-01-04T00:00:00', '2027-01-11T00:00:00'],
      // 1 January 2026 is a Thursday: 2026-W01 runs from Monday 29 December 2025.
      ['2026-01-05T07:30:00', '2026-W01', '2025-12-29T00:00:00', '2026-01-05T00:00:00'],
      ['2025-12-29T07:30:00', '2025-W52', '2025-12-22T00:00:00', '2025-12-29T00:00:00'],
    ];
    for (const [slot, label, from, to] of cases) {
      expect(lastSlotAtOrBefore('weekly', local(slot))).toBe(local(slot));
      const p = digestPeriodOf('weekly', local(slot));
      expect([p.label, p.window.from, p.window.to]).toEqual([label, local(from), local(to)]);
      expect(p.key).toBe(`week:${from.slice(0, 10)}`);
    }
    // Friday 1 January 2027 (a holiday) sends nothing: the last slot is Monday 28 December.
    expect(lastSlotAtOrBefore('weekly', local('2027-01-01T09:00:00'))).toBe(local('2026-12-28T07:30:00'));
    expect(slotsBetween('weekly', local('2026-12-28T07:30:00'), local('2027-01-11T07:30:00'))).toEqual([
      local('2027-01-04T07:30:00'),
      local('2027-01-11T07:30:00'),
    ]);
  });

  it('names an ISO week as the mail and the sheets show it', () => {
    const w53 = windowToJson(digestPeriodOf('weekly', local('2027-01-04T07:30:00')).window);
    expect(windowText(w53)).toBe('Tuần 53/2026 (28/12/2026 – 03/01/2027)');
    const w1 = windowToJson(digestPeriodOf('weekly', local('2027-01-11T07:30:00')).window);
    expect(windowText(w1)).toBe('Tuần 1/2027 (04/01/2027 – 10/01/2027)');
  });

  it('names a month as the dashboard does, without a leading zero', () => {
    const jan = windowToJson(digestPeriodOf('monthly', local('2027-02-01T07:30:00')).window);
    expect(windowText(jan)).toBe('Tháng 1/2027');
    const dec = windowToJson(digestPeriodOf('monthly', local('2027-01-01T07:30:00')).window);
    expect(windowText(dec)).toBe('Tháng 12/2026');
  });

  it('monthly: the 1st at 07:30 local, the month before it', () => {
    expect(lastSlotAtOrBefore('monthly', local('2026-12-01T07:30:00'))).toBe(local('2026-12-01T07:30:00'));
    expect(lastSlotAtOrBefore('monthly', local('2026-12-01T07:00:00'))).toBe(local('2026-11-01T07:30:00'));
    expect(lastSlotAtOrBefore('monthly', local('2027-01-15T12:00:00'))).toBe(local('2027-01-01T07:30:00'));
    const p = digestPeriodOf('monthly', local('2027-01-01T07:30:00'));
    expect(p.key).toBe('month:2026-12');
    expect(p.label).toBe('2026-12');
    expect(p.window.from).toBe(local('2026-12-01T00:00:00'));
    expect(p.window.to).toBe(local('2027-01-01T00:00:00'));
  });

  it('lists the missed send times after downtime, oldest first', () => {
    expect(slotsBetween('weekly', local('2026-11-10T00:00:00'), local('2026-12-01T09:00:00'))).toEqual([
      local('2026-11-16T07:30:00'),
      local('2026-11-23T07:30:00'),
      local('2026-11-30T07:30:00'),
    ]);
    expect(slotsBetween('monthly', local('2026-12-01T07:30:00'), local('2026-12-20T00:00:00'))).toEqual([]);
  });
});
