import { describe, expect, it } from 'vitest';
import {
  addWork,
  appointment,
  dayOfWeek,
  formatLocal,
  fromWorkClock,
  isWorkingTime,
  localDay,
  toWorkClock,
  yymmdd,
} from './time.ts';

const s = (iso: string) => Date.parse(iso) / 1000;

describe('local time', () => {
  it('formats RFC 3339 with the +07:00 offset', () => {
    expect(formatLocal(Date.parse('2025-11-29T01:15:03Z'))).toBe('2025-11-29T08:15:03+07:00');
    expect(formatLocal(Date.parse('2025-11-28T17:00:00Z'))).toBe('2025-11-29T00:00:00+07:00');
    expect(formatLocal(Date.parse('2025-11-28T16:59:59.045Z'))).toBe('2025-11-28T23:59:59.045+07:00');
    expect(formatLocal(Date.parse('1969-12-31T23:00:00Z'))).toBe('1970-01-01T06:00:00+07:00');
    const t = Date.parse('2025-03-01T12:34:56+07:00');
    expect(Date.parse(formatLocal(t))).toBe(t);
  });

  it('knows local days and weekdays', () => {
    const mondayMorning = Date.parse('2025-11-17T00:30:00+07:00');
    expect(dayOfWeek(localDay(mondayMorning))).toBe(1);
    expect(dayOfWeek(localDay(mondayMorning - 3_600_000))).toBe(0);
    expect(yymmdd(localDay(mondayMorning))).toBe('251117');
  });
});

describe('working calendar', () => {
  it('is open Monday–Friday 08–17 and Saturday 08–12', () => {
    expect(isWorkingTime(s('2025-11-17T08:00:00+07:00'))).toBe(true);
    expect(isWorkingTime(s('2025-11-17T07:59:59+07:00'))).toBe(false);
    expect(isWorkingTime(s('2025-11-21T16:59:59+07:00'))).toBe(true);
    expect(isWorkingTime(s('2025-11-21T17:00:00+07:00'))).toBe(false);
    expect(isWorkingTime(s('2025-11-22T11:00:00+07:00'))).toBe(true);
    expect(isWorkingTime(s('2025-11-22T12:00:00+07:00'))).toBe(false);
    expect(isWorkingTime(s('2025-11-23T10:00:00+07:00'))).toBe(false);
  });

  it('counts working seconds and maps them back to open times', () => {
    const monday9 = s('2025-11-17T09:00:00+07:00');
    expect(fromWorkClock(toWorkClock(monday9))).toBe(monday9);
    expect(addWork(monday9, 3600)).toBe(s('2025-11-17T10:00:00+07:00'));
    expect(addWork(monday9, 8 * 3600)).toBe(s('2025-11-18T08:00:00+07:00'));
    // Friday 16:30 plus one working hour: Saturday 08:30.
    expect(addWork(s('2025-11-21T16:30:00+07:00'), 3600)).toBe(s('2025-11-22T08:30:00+07:00'));
    // Saturday 11:30 plus one hour: Monday 08:30.
    expect(addWork(s('2025-11-22T11:30:00+07:00'), 3600)).toBe(s('2025-11-24T08:30:00+07:00'));
    // Closed times map to the next opening.
    expect(fromWorkClock(toWorkClock(s('2025-11-23T20:00:00+07:00')))).toBe(s('2025-11-24T08:00:00+07:00'));
    const week = toWorkClock(s('2025-11-24T08:00:00+07:00')) - toWorkClock(s('2025-11-17T08:00:00+07:00'));
    expect(week).toBe(5 * 9 * 3600 + 4 * 3600);
  });

  it('sets appointments at 16:00 on weekdays', () => {
    expect(appointment(s('2025-11-17T09:00:00+07:00'), 0.5)).toBe(s('2025-11-17T16:00:00+07:00'));
    expect(appointment(s('2025-11-17T14:00:00+07:00'), 0.5)).toBe(s('2025-11-18T16:00:00+07:00'));
    expect(appointment(s('2025-11-22T09:00:00+07:00'), 0.5)).toBe(s('2025-11-24T16:00:00+07:00'));
    expect(appointment(s('2025-11-21T10:00:00+07:00'), 1)).toBe(s('2025-11-24T16:00:00+07:00'));
    expect(appointment(s('2025-11-17T10:00:00+07:00'), 15)).toBe(s('2025-12-08T16:00:00+07:00'));
  });
});
