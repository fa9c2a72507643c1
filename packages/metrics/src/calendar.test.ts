import { describe, expect, it } from 'vitest';
import {
  addWorkingDays,
  isWorkingDay,
  isWorkingTime,
  makeWorkCalendar,
  mergeWorkCalendar,
  VN_CALENDAR,
  WorkCalendarError,
  workingMsBetween,
} from './calendar.ts';

/** Local (UTC+7) wall time 'YYYY-MM-DDTHH:MM' as epoch ms. */
const local = (s: string) => Date.parse(`${s}:00+07:00`);
const HOUR = 3_600_000;

const vn = makeWorkCalendar(VN_CALENDAR);
const plain = makeWorkCalendar({ holidays: [], workdays: [] });

describe('addWorkingDays: the end of the n-th working day after the event’s local day', () => {
  it('skips Tết 2025: Fri 24/1 + 2 is due at the end of Tue 4/2', () => {
    // Mon 27 – Fri 31/1 Tết, Sat 1 – Sun 2/2 weekend; Mon 3/2 = 1, Tue 4/2 = 2.
    expect(addWorkingDays(vn, local('2025-01-24T16:00'), 2)).toBe(local('2025-02-05T00:00'));
    // 15 days: Mon 3/2 … Fri 7/2 = 1–5, Mon 10 … Fri 14 = 6–10, Mon 17 … Fri 21/2 = 11–15.
    expect(addWorkingDays(vn, local('2025-01-24T16:00'), 15)).toBe(local('2025-02-22T00:00'));
  });

  it('counts the worked Saturday 26/4/2025: Fri 25/4 + 2 is due at the end of Mon 28/4', () => {
    // Sat 26/4 worked = 1, Sun 27/4 off, Mon 28/4 = 2.
    expect(addWorkingDays(vn, local('2025-04-25T16:00'), 2)).toBe(local('2025-04-29T00:00'));
  });

  it('skips 30/4–2/5/2025: Tue 29/4 + 2 is due at the end of Tue 6/5', () => {
    // Wed 30/4, Thu 1/5, Fri 2/5 (swapped) off, Sat 3 – Sun 4 weekend; Mon 5/5 = 1, Tue 6/5 = 2.
    expect(addWorkingDays(vn, local('2025-04-29T10:00'), 2)).toBe(local('2025-05-07T00:00'));
  });

  it('skips National Day 2025: Thu 28/8 + 5 is due at the end of Mon 8/9', () => {
    // Fri 29/8 = 1, Sat 30 – Sun 31 weekend, Mon 1/9 – Tue 2/9 off, Wed 3 = 2, Thu 4 = 3,
    // Fri 5 = 4, Sat 6 – Sun 7 weekend, Mon 8/9 = 5.
    expect(addWorkingDays(vn, local('2025-08-28T09:00'), 5)).toBe(local('2025-09-09T00:00'));
  });

  it('skips 2024’s 30/4 and counts its swap Saturday 4/5', () => {
    // Sat 27 – Sun 28 weekend, Mon 29/4 (swapped), Tue 30/4, Wed 1/5 off; Thu 2/5 = 1, Fri 3/5 = 2.
    expect(addWorkingDays(vn, local('2024-04-26T15:00'), 2)).toBe(local('2024-05-04T00:00'));
    // … and Sat 4/5 worked = 3.
    expect(addWorkingDays(vn, local('2024-04-26T15:00'), 3)).toBe(local('2024-05-05T00:00'));
  });

  it('skips National Day 2024 (Mon 2/9 and Tue 3/9)', () => {
    // Sat 31/8 – Sun 1/9 weekend, Mon 2/9 – Tue 3/9 off; Wed 4/9 = 1, Thu 5/9 = 2.
    expect(addWorkingDays(vn, local('2024-08-30T10:00'), 2)).toBe(local('2024-09-06T00:00'));
  });

  it('skips Tết 2026 over 15 working days', () => {
    // Thu 12/2 = 1, Fri 13/2 = 2, Sat 14 – Sun 22/2 off, Mon 23 … Fri 27/2 = 3–7,
    // Mon 2/3 … Fri 6/3 = 8–12, Mon 9/3 = 13, Tue 10/3 = 14, Wed 11/3 = 15.
    expect(addWorkingDays(vn, local('2026-02-11T14:00'), 15)).toBe(local('2026-03-12T00:00'));
  });

  it('skips the 2026 Hùng Kings compensatory Monday 27/4', () => {
    // Sat 25 – Sun 26 weekend, Mon 27/4 off; Tue 28/4 = 1, Wed 29/4 = 2.
    expect(addWorkingDays(vn, local('2026-04-24T10:00'), 2)).toBe(local('2026-04-30T00:00'));
  });

  it('skips National Day 2026 and counts Sat 22/8', () => {
    // Sat 22/8 worked = 1, Sun 23/8 off, Mon 24/8 = 2.
    expect(addWorkingDays(vn, local('2026-08-21T10:00'), 2)).toBe(local('2026-08-25T00:00'));
    // Sat 29/8 – Sun 30/8 weekend, Mon 31/8 (swapped), Tue 1/9, Wed 2/9 off; Thu 3/9 = 1, Fri 4/9 = 2.
    expect(addWorkingDays(vn, local('2026-08-28T10:00'), 2)).toBe(local('2026-09-05T00:00'));
  });

  it('skips an ordinary weekend, and a receipt on Saturday counts from Monday', () => {
    // Fri 14/3/2025 16:00: Sat 15 – Sun 16 weekend; Mon 17/3 = 1, Tue 18/3 = 2.
    expect(addWorkingDays(vn, local('2025-03-14T16:00'), 2)).toBe(local('2025-03-19T00:00'));
    // Sat 15/3: Sun 16 weekend; Mon 17/3 = 1, Tue 18/3 = 2.
    expect(addWorkingDays(vn, local('2025-03-15T10:00'), 2)).toBe(local('2025-03-19T00:00'));
  });

  it('crosses year boundaries', () => {
    // Mon 30/12/2024: Tue 31/12 = 1, Wed 1/1/2025 New Year, Thu 2/1 = 2.
    expect(addWorkingDays(vn, local('2024-12-30T09:00'), 2)).toBe(local('2025-01-03T00:00'));
    // Wed 31/12/2025: Thu 1/1 and Fri 2/1/2026 off, Sat 3 – Sun 4 weekend; Mon 5/1 = 1, Tue 6/1 = 2.
    expect(addWorkingDays(vn, local('2025-12-31T09:00'), 2)).toBe(local('2026-01-07T00:00'));
    // Fri 9/1/2026: Sat 10/1 worked = 1.
    expect(addWorkingDays(vn, local('2026-01-09T09:00'), 1)).toBe(local('2026-01-11T00:00'));
  });

  it('uses the local day, not the UTC day', () => {
    // 17:30Z on Thu 13/3/2025 is Fri 14/3 00:30 local: Mon 17/3 = 1 (a UTC count would give Fri 14/3).
    expect(addWorkingDays(vn, Date.parse('2025-03-13T17:30:00Z'), 1)).toBe(local('2025-03-18T00:00'));
    // 16:59Z on Fri 14/3 is 23:59 local, still Friday: Mon 17/3 = 1.
    expect(addWorkingDays(vn, Date.parse('2025-03-14T16:59:00Z'), 1)).toBe(local('2025-03-18T00:00'));
  });

  it('counts a whole year: 251 working days in 2024 end on Tue 31/12/2024', () => {
    // 2024: 366 days from a Monday = 52 weeks + Mon 30/12, Tue 31/12 → 262 weekdays;
    // minus 12 weekday holidays, plus Sat 4/5 → 251. From Sun 31/12/2023 the 251st is Tue 31/12/2024.
    expect(addWorkingDays(vn, local('2023-12-31T12:00'), 251)).toBe(local('2025-01-01T00:00'));
    expect(addWorkingDays(vn, local('2023-12-31T12:00'), 252)).toBe(local('2025-01-03T00:00'));
  });

  it('gives the end of the event’s own day for n = 0, and rejects a bad n', () => {
    expect(addWorkingDays(vn, local('2025-01-25T10:00'), 0)).toBe(local('2025-01-26T00:00'));
    expect(() => addWorkingDays(vn, 0, -1)).toThrow(RangeError);
    expect(() => addWorkingDays(vn, 0, 1.5)).toThrow(RangeError);
    expect(() => addWorkingDays(vn, Number.NaN, 1)).toThrow(RangeError);
  });

  it('skips only weekends beyond the data, also over many weeks', () => {
    // From Sun 4/1/2015 (day 0), week k's Friday is day 7k − 2: the 5,000th working day is the
    // Friday of week 1,000, day 6,998, which ends at the start of day 6,999.
    const sunday = local('2015-01-04T00:00');
    expect(addWorkingDays(plain, sunday + 12 * HOUR, 5000)).toBe(sunday + 6999 * 24 * HOUR);
    // After the data (Sun 3/1/2027): Mon 4 … Fri 8/1 = 1–5, Mon 11 … Fri 15/1 = 6–10.
    expect(addWorkingDays(vn, local('2027-01-03T12:00'), 10)).toBe(local('2027-01-16T00:00'));
  });
});

describe('isWorkingDay', () => {
  it('knows weekends, holidays and swap days', () => {
    expect(isWorkingDay(vn, local('2025-01-24T10:00'))).toBe(true); // Fri
    expect(isWorkingDay(vn, local('2025-01-25T10:00'))).toBe(false); // Sat
    expect(isWorkingDay(vn, local('2025-01-29T10:00'))).toBe(false); // Wed, Tết
    expect(isWorkingDay(vn, local('2025-02-08T10:00'))).toBe(false); // Sat, no swap for Tết 2025
    expect(isWorkingDay(vn, local('2025-04-26T10:00'))).toBe(true); // Sat, worked
    expect(isWorkingDay(vn, local('2025-05-02T10:00'))).toBe(false); // Fri, swapped
    expect(isWorkingDay(vn, local('2026-01-10T10:00'))).toBe(true); // Sat, worked
  });

  it('holds the expected number of working days per year', () => {
    const count = (year: number) => {
      let n = 0;
      for (let t = local(`${year}-01-01T12:00`); t < local(`${year + 1}-01-01T00:00`); t += 24 * HOUR) {
        if (isWorkingDay(vn, t)) n += 1;
      }
      return n;
    };
    // 2024: 262 weekdays − 12 holidays + 1 worked Saturday = 251.
    expect(count(2024)).toBe(251);
    // 2025 (from a Wednesday, 52 weeks + Wed 31/12): 261 weekdays − 12 holidays + 1 (26/4) = 250.
    expect(count(2025)).toBe(250);
    // 2026 (from a Thursday, 52 weeks + Thu 31/12): 261 weekdays − 13 holidays + 2 (10/1, 22/8) = 250.
    expect(count(2026)).toBe(250);
  });
});

describe('isWorkingTime (default hours 08:00–12:00, 13:00–17:00)', () => {
  it('excludes the lunch break and the edges of the day', () => {
    expect(isWorkingTime(vn, local('2025-03-17T07:59'))).toBe(false);
    expect(isWorkingTime(vn, local('2025-03-17T08:00'))).toBe(true);
    expect(isWorkingTime(vn, local('2025-03-17T11:59'))).toBe(true);
    expect(isWorkingTime(vn, local('2025-03-17T12:00'))).toBe(false);
    expect(isWorkingTime(vn, local('2025-03-17T12:30'))).toBe(false);
    expect(isWorkingTime(vn, local('2025-03-17T13:00'))).toBe(true);
    expect(isWorkingTime(vn, local('2025-03-17T13:31'))).toBe(true);
    expect(isWorkingTime(vn, local('2025-03-17T17:00'))).toBe(false);
  });

  it('is false all day on weekends and holidays, true on a worked Saturday', () => {
    expect(isWorkingTime(vn, local('2025-03-15T10:00'))).toBe(false); // Sat
    expect(isWorkingTime(vn, local('2025-04-30T10:00'))).toBe(false); // holiday
    expect(isWorkingTime(vn, local('2025-04-26T10:00'))).toBe(true); // worked Sat
  });

  it('follows configured hours', () => {
    const hcm = makeWorkCalendar({
      ...VN_CALENDAR,
      hours: { morning: ['07:30', '11:30'], afternoon: ['13:30', '17:00'] },
    });
    expect(isWorkingTime(hcm, local('2025-03-17T07:30'))).toBe(true);
    expect(isWorkingTime(hcm, local('2025-03-17T11:59'))).toBe(false);
    expect(isWorkingTime(hcm, local('2025-03-17T12:30'))).toBe(false);
    expect(isWorkingTime(hcm, local('2025-03-17T13:29'))).toBe(false);
    expect(isWorkingTime(hcm, local('2025-03-17T13:31'))).toBe(true);
  });
});

describe('workingMsBetween (default hours, 8 h a day)', () => {
  it('leaves out the lunch break', () => {
    // Mon 17/3/2025 11:00–14:00: 11–12 (1 h) + 13–14 (1 h).
    expect(workingMsBetween(vn, local('2025-03-17T11:00'), local('2025-03-17T14:00'))).toBe(2 * HOUR);
    // Both ends in the lunch break.
    expect(workingMsBetween(vn, local('2025-03-17T12:10'), local('2025-03-17T12:50'))).toBe(0);
  });

  it('leaves out the night', () => {
    // Mon 16:00 → Tue 09:00: 16–17 (1 h) + 08–09 (1 h).
    expect(workingMsBetween(vn, local('2025-03-17T16:00'), local('2025-03-18T09:00'))).toBe(2 * HOUR);
    // From 06:00 to 20:00 the same day: the whole 8 h.
    expect(workingMsBetween(vn, local('2025-03-17T06:00'), local('2025-03-17T20:00'))).toBe(8 * HOUR);
  });

  it('leaves out a weekend', () => {
    // Fri 14/3 16:00 → Mon 17/3 09:00: 1 h + 1 h.
    expect(workingMsBetween(vn, local('2025-03-14T16:00'), local('2025-03-17T09:00'))).toBe(2 * HOUR);
  });

  it('leaves out holidays and counts a worked Saturday', () => {
    // Tue 29/4/2025 16:00 → Mon 5/5 09:00: 1 h, Wed 30/4 – Sun 4/5 off, 1 h.
    expect(workingMsBetween(vn, local('2025-04-29T16:00'), local('2025-05-05T09:00'))).toBe(2 * HOUR);
    // Fri 25/4 16:00 → Mon 28/4 09:00: 1 h + Sat 26/4 worked 8 h + 1 h.
    expect(workingMsBetween(vn, local('2025-04-25T16:00'), local('2025-04-28T09:00'))).toBe(10 * HOUR);
    // Fri 24/1/2025 08:00 → Mon 3/2 08:00: only Friday's 8 h (Tết and two weekends).
    expect(workingMsBetween(vn, local('2025-01-24T08:00'), local('2025-02-03T08:00'))).toBe(8 * HOUR);
  });

  it('is 0 for an empty or reversed span', () => {
    expect(workingMsBetween(vn, local('2025-03-17T10:00'), local('2025-03-17T10:00'))).toBe(0);
    expect(workingMsBetween(vn, local('2025-03-17T11:00'), local('2025-03-17T10:00'))).toBe(0);
  });

  it('sums whole years, with and without data', () => {
    // 2024: 251 working days × 8 h.
    expect(workingMsBetween(vn, local('2024-01-01T00:00'), local('2025-01-01T00:00'))).toBe(251 * 8 * HOUR);
    // 2023 to 2027 (2023 and 2027 have no data: weekends only). 2023: 1/1 is a Sunday, 365 days =
    // 52 weeks + Sun 31/12 → 260; 2024–2026: 251 + 250 + 250; 2027: 1/1 is a Friday, 365 days =
    // 52 weeks + Fri 31/12 → 261. Total 1,272 days × 8 h.
    expect(workingMsBetween(vn, local('2023-01-01T00:00'), local('2028-01-01T00:00'))).toBe(1272 * 8 * HOUR);
    // 10,000 weeks from Mon 5/1/2015 with no data: 50,000 days × 8 h.
    const from = local('2015-01-05T00:00');
    expect(workingMsBetween(plain, from, from + 10_000 * 7 * 24 * HOUR)).toBe(50_000 * 8 * HOUR);
  });
});

describe('makeWorkCalendar and mergeWorkCalendar', () => {
  it('names a bad entry', () => {
    const bad = (data: Parameters<typeof makeWorkCalendar>[0]) => () => makeWorkCalendar(data);
    expect(bad({ holidays: ['2025-02-30'], workdays: [] })).toThrow(
      'holidays[0]: "2025-02-30" is not a date',
    );
    expect(bad({ holidays: ['2025-2-3'], workdays: [] })).toThrow('holidays[0]');
    expect(bad({ holidays: [], workdays: ['2025-04-25'] })).toThrow(
      'workdays[0]: 2025-04-25 is a Friday: a worked day must be a Saturday or a Sunday',
    );
    expect(bad({ holidays: ['2025-04-30', '2025-04-26'], workdays: [] })).toThrow(
      'holidays[1]: 2025-04-26 is a Saturday',
    );
    expect(
      bad({
        holidays: [],
        workdays: [],
        hours: { morning: ['08:00', '12:00'], afternoon: ['11:00', '17:00'] },
      }),
    ).toThrow('hours.afternoon');
    expect(
      bad({
        holidays: [],
        workdays: [],
        hours: { morning: ['8:00', '12:00'], afternoon: ['13:00', '17:00'] },
      }),
    ).toThrow('hours.morning');
    expect(bad({ holidays: ['x'], workdays: [] })).toThrow(WorkCalendarError);
  });

  it('adds holidays and workdays, removes days and replaces the hours', () => {
    const merged = mergeWorkCalendar(VN_CALENDAR, {
      holidays: ['2026-11-24'],
      workdays: ['2026-04-25'],
      remove: ['2026-04-27', '2026-08-22'],
      hours: { morning: ['07:30', '11:30'], afternoon: ['13:00', '17:00'] },
    });
    const cal = makeWorkCalendar(merged);
    expect(isWorkingDay(cal, local('2026-11-24T10:00'))).toBe(false); // Tue, added
    expect(isWorkingDay(cal, local('2026-04-25T10:00'))).toBe(true); // Sat, added
    expect(isWorkingDay(cal, local('2026-04-27T10:00'))).toBe(true); // Mon, removed
    expect(isWorkingDay(cal, local('2026-08-22T10:00'))).toBe(false); // Sat, removed
    expect(isWorkingDay(cal, local('2026-08-31T10:00'))).toBe(false); // untouched
    expect(isWorkingTime(cal, local('2026-03-02T07:45'))).toBe(true);
    expect(merged.holidays).toContain('2025-01-29');
    expect(merged.holidays).not.toContain('2026-04-27');
  });

  it('names the override’s bad entry', () => {
    const merge = (o: Parameters<typeof mergeWorkCalendar>[1]) => () => mergeWorkCalendar(VN_CALENDAR, o);
    expect(merge({ remove: ['2026-04-28'] })).toThrow(
      'remove[0]: 2026-04-28 is neither a holiday nor a worked day in the built-in calendar',
    );
    expect(merge({ holidays: ['2026-11-24'], remove: ['2026-04-27', '2026-11-24'] })).toThrow('remove[1]');
    expect(merge({ holidays: ['2026-11-24', '2026-13-01'] })).toThrow('holidays[1]');
    expect(merge({ workdays: ['2026-11-24'] })).toThrow('workdays[0]: 2026-11-24 is a Tuesday');
  });
});

describe('against a naive day-by-day model', () => {
  // Written apart from the implementation: local dates as strings, one day at a time, no shortcuts.
  const holidays = new Set(VN_CALENDAR.holidays);
  const workdays = new Set(VN_CALENDAR.workdays);
  const localDate = (ms: number) => new Date(ms + 7 * HOUR).toISOString().slice(0, 10);
  const working = (date: string) => {
    if (holidays.has(date)) return false;
    if (workdays.has(date)) return true;
    const weekdayUtc = new Date(`${date}T00:00:00Z`).getUTCDay(); // 0 Sunday … 6 Saturday
    return weekdayUtc !== 0 && weekdayUtc !== 6;
  };
  const midnight = (date: string) => Date.parse(`${date}T00:00:00+07:00`);
  const nextDate = (date: string) => localDate(midnight(date) + 24 * HOUR);
  const naiveAdd = (from: number, n: number) => {
    let date = localDate(from);
    for (let left = n; left > 0; ) {
      date = nextDate(date);
      if (working(date)) left -= 1;
    }
    return midnight(nextDate(date));
  };
  const naiveBetween = (a: number, b: number) => {
    let total = 0;
    for (let date = localDate(a); midnight(date) < b; date = nextDate(date)) {
      if (!working(date)) continue;
      for (const [s, e] of [
        [8, 12],
        [13, 17],
      ]) {
        total += Math.max(0, Math.min(b, midnight(date) + e * HOUR) - Math.max(a, midnight(date) + s * HOUR));
      }
    }
    return total;
  };

  it('agrees on random spans and counts from 2022 to 2028', () => {
    let seed = 12345;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const start = local('2022-06-01T00:00');
    const span = local('2028-06-01T00:00') - start;
    for (let i = 0; i < 100; i++) {
      const a = start + Math.floor(random() * span);
      const b = a + Math.floor(random() * random() * 500 * 24 * HOUR);
      const n = Math.floor(random() * random() * 300);
      expect(workingMsBetween(vn, a, b), `${a} ${b}`).toBe(naiveBetween(a, b));
      expect(addWorkingDays(vn, a, n), `${a} ${n}`).toBe(naiveAdd(a, n));
    }
  });
});
