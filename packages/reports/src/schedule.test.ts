import { describe, expect, it } from 'vitest';
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
    expect(p.window.from).toBe(local('2026-11-23T00:00:00'));
    expect(p.window.to).toBe(local('2026-11-30T00:00:00'));
  });

  it('monthly: the 1st at 07:30 local, the month before it', () => {
    expect(lastSlotAtOrBefore('monthly', local('2026-12-01T07:30:00'))).toBe(local('2026-12-01T07:30:00'));
    expect(lastSlotAtOrBefore('monthly', local('2026-12-01T07:00:00'))).toBe(local('2026-11-01T07:30:00'));
    expect(lastSlotAtOrBefore('monthly', local('2027-01-15T12:00:00'))).toBe(local('2027-01-01T07:30:00'));
    const p = digestPeriodOf('monthly', local('2027-01-01T07:30:00'));
    expect(p.key).toBe('month:2026-12');
    expect(p.pageWindow).toBe('2026-12');
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
