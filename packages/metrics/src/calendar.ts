/**
 * Working days and working hours in local time (Asia/Ho_Chi_Minh, UTC+7 all year), for every
 * deadline counted in working days and every span measured in working time. A calendar is made
 * from data (the built-in Vietnamese data is in calendar-vn.ts) and may be corrected by config.
 */
import { DAY, MINUTE, TZ_OFFSET_MS } from './time.ts';

/** Working periods of a working day as local 'HH:MM' pairs, start inclusive, end exclusive. */
export interface WorkHours {
  morning: readonly [string, string];
  afternoon: readonly [string, string];
}

/**
 * Public-office hours: 8 hours a day, Monday to Friday (the 40-hour week of Decision
 * 188/1999/QĐ-TTg); each province sets the clock times. Hà Nội, the demo city, uses 8:00–12:00
 * and 13:00–17:00; Hồ Chí Minh City and many provinces use 7:30–11:30 and 13:00–17:00.
 */
export const DEFAULT_WORK_HOURS: WorkHours = { morning: ['08:00', '12:00'], afternoon: ['13:00', '17:00'] };

/** The data a calendar is made from. Dates are local days, 'YYYY-MM-DD'. */
export interface WorkCalendarData {
  /** Days off that would otherwise be working days (Monday to Friday). */
  holidays: readonly string[];
  /** Saturdays and Sundays that are worked (swap days, "làm bù"). */
  workdays: readonly string[];
  /** Defaults to {@link DEFAULT_WORK_HOURS}. */
  hours?: WorkHours;
}

/** Corrections laid over a calendar's data (the file named by `MOTCUA_CALENDAR_FILE`). */
export interface WorkCalendarOverride {
  /** Days off to add (Monday to Friday). */
  holidays?: readonly string[];
  /** Worked Saturdays or Sundays to add. */
  workdays?: readonly string[];
  /** Dates to take out of the base data's holidays or workdays (back to an ordinary weekday or weekend). */
  remove?: readonly string[];
  /** Replaces the working hours. */
  hours?: WorkHours;
}

/** A calendar made by {@link makeWorkCalendar}; pass it to the functions below. */
export interface WorkCalendar {
  /** The data it was made from, dates sorted, hours filled in. */
  readonly data: Required<WorkCalendarData>;
  /** Local day numbers (days since 1970-01-01 local) of the holidays and the worked weekend days. */
  readonly holidays: ReadonlySet<number>;
  readonly workdays: ReadonlySet<number>;
  /** Working periods as [start, end) in ms after local midnight, in order. */
  readonly periods: readonly (readonly [number, number])[];
  /** Working ms in one working day. */
  readonly dayMs: number;
  /** First and last dated entry (day numbers); outside them only weekends are days off. */
  readonly first: number;
  readonly last: number;
}

/** A bad entry in calendar data or an override; `entry` names it, e.g. `holidays[2]` or `hours.morning`. */
export class WorkCalendarError extends Error {
  constructor(
    readonly entry: string,
    message: string,
  ) {
    super(`${entry}: ${message}`);
  }
}

const WEEKDAY_NAMES = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];

/** Local day number of the instant `ms`. */
function dayOf(ms: number): number {
  return Math.floor((ms + TZ_OFFSET_MS) / DAY);
}

/** Epoch ms of local midnight starting day number `d`. */
function dayStart(d: number): number {
  return d * DAY - TZ_OFFSET_MS;
}

/** 0 = Monday … 6 = Sunday (1970-01-01 was a Thursday). */
function weekday(d: number): number {
  return (((d + 3) % 7) + 7) % 7;
}

/** Day number of a 'YYYY-MM-DD' date, or null if it is not a real date in that form. */
function parseDay(s: unknown): number | null {
  if (typeof s !== 'string') return null;
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(0);
  date.setUTCFullYear(y, mo - 1, d); // not Date.UTC: it maps years 0–99 to 1900–1999
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d) return null;
  return date.getTime() / DAY;
}

function dayOrThrow(s: unknown, entry: string): number {
  const d = parseDay(s);
  if (d === null)
    throw new WorkCalendarError(entry, `${JSON.stringify(s)} is not a date in the form YYYY-MM-DD`);
  return d;
}

function checkHoliday(s: unknown, entry: string): number {
  const d = dayOrThrow(s, entry);
  if (weekday(d) >= 5) {
    throw new WorkCalendarError(
      entry,
      `${s} is a ${WEEKDAY_NAMES[weekday(d)]}: a holiday must fall Monday to Friday (weekends are off anyway)`,
    );
  }
  return d;
}

function checkWorkday(s: unknown, entry: string): number {
  const d = dayOrThrow(s, entry);
  if (weekday(d) < 5) {
    throw new WorkCalendarError(
      entry,
      `${s} is a ${WEEKDAY_NAMES[weekday(d)]}: a worked day must be a Saturday or a Sunday (weekdays are worked anyway)`,
    );
  }
  return d;
}

/** 'HH:MM' (00:00–24:00) as ms after midnight, or null. */
function parseClock(s: unknown): number | null {
  if (typeof s !== 'string') return null;
  const m = /^(\d{2}):(\d{2})$/.exec(s);
  if (!m) return null;
  const minutes = Number(m[1]) * 60 + Number(m[2]);
  return Number(m[2]) < 60 && minutes <= 24 * 60 ? minutes * MINUTE : null;
}

function checkHours(hours: WorkHours, entry: string): [number, number][] {
  const periods: [number, number][] = [];
  for (const part of ['morning', 'afternoon'] as const) {
    const pair = hours[part];
    const [start, end] = [parseClock(pair?.[0]), parseClock(pair?.[1])];
    if (!Array.isArray(pair) || pair.length !== 2 || start === null || end === null) {
      throw new WorkCalendarError(`${entry}.${part}`, 'expected two times ["HH:MM", "HH:MM"]');
    }
    if (start >= end) throw new WorkCalendarError(`${entry}.${part}`, `${pair[0]} is not before ${pair[1]}`);
    periods.push([start, end]);
  }
  if (periods[0][1] > periods[1][0]) {
    throw new WorkCalendarError(`${entry}.afternoon`, 'the afternoon must start after the morning ends');
  }
  return periods;
}

/**
 * Makes a calendar from data. Throws a {@link WorkCalendarError} naming the entry when a date is
 * not a real 'YYYY-MM-DD' date, a holiday falls on a weekend, a worked day on a weekday, or the
 * hours are not two ordered periods.
 */
export function makeWorkCalendar(data: WorkCalendarData): WorkCalendar {
  const holidays = new Set(data.holidays.map((s, i) => checkHoliday(s, `holidays[${i}]`)));
  const workdays = new Set(data.workdays.map((s, i) => checkWorkday(s, `workdays[${i}]`)));
  const hours = data.hours ?? DEFAULT_WORK_HOURS;
  const periods = checkHours(hours, 'hours');
  const days = [...holidays, ...workdays];
  return {
    data: { holidays: [...data.holidays].sort(), workdays: [...data.workdays].sort(), hours },
    holidays,
    workdays,
    periods,
    dayMs: periods.reduce((sum, [s, e]) => sum + e - s, 0),
    first: days.length ? Math.min(...days) : Number.POSITIVE_INFINITY,
    last: days.length ? Math.max(...days) : Number.NEGATIVE_INFINITY,
  };
}

/**
 * Lays an override over calendar data: the base's holidays and workdays minus `remove`, plus the
 * override's holidays and workdays; the override's hours replace the base's. Throws a
 * {@link WorkCalendarError} naming the override's entry when a date is malformed, a holiday is not
 * a weekday, a workday not a weekend day, a removed date is in neither of the base's lists, or a
 * date is both added and removed.
 */
export function mergeWorkCalendar(base: WorkCalendarData, override: WorkCalendarOverride): WorkCalendarData {
  const added = new Map<string, string>();
  (override.holidays ?? []).forEach((s, i) => {
    checkHoliday(s, `holidays[${i}]`);
    added.set(s, `holidays[${i}]`);
  });
  (override.workdays ?? []).forEach((s, i) => {
    checkWorkday(s, `workdays[${i}]`);
    added.set(s, `workdays[${i}]`);
  });
  const removed = new Set<string>();
  (override.remove ?? []).forEach((s, i) => {
    const entry = `remove[${i}]`;
    dayOrThrow(s, entry);
    if (!base.holidays.includes(s) && !base.workdays.includes(s)) {
      throw new WorkCalendarError(
        entry,
        `${s} is neither a holiday nor a worked day in the built-in calendar`,
      );
    }
    if (added.has(s)) throw new WorkCalendarError(entry, `${s} is also added, in ${added.get(s)}`);
    removed.add(s);
  });
  if (override.hours) checkHours(override.hours, 'hours');
  const merge = (baseDays: readonly string[], extra: readonly string[] = []) =>
    [...new Set([...baseDays.filter((s) => !removed.has(s)), ...extra])].sort();
  return {
    holidays: merge(base.holidays, override.holidays),
    workdays: merge(base.workdays, override.workdays),
    hours: override.hours ?? base.hours,
  };
}

function isWorkingDayNumber(cal: WorkCalendar, d: number): boolean {
  if (cal.holidays.has(d)) return false;
  if (cal.workdays.has(d)) return true;
  return weekday(d) < 5;
}

/** Whether the local day of `ms` is a working day: Monday to Friday except holidays, plus worked weekend days. */
export function isWorkingDay(cal: WorkCalendar, ms: number): boolean {
  return isWorkingDayNumber(cal, dayOf(ms));
}

/** Whether `ms` falls in the working hours of a working day (the lunch break is not working time). */
export function isWorkingTime(cal: WorkCalendar, ms: number): boolean {
  const d = dayOf(ms);
  if (!isWorkingDayNumber(cal, d)) return false;
  const t = ms - dayStart(d);
  return cal.periods.some(([s, e]) => t >= s && t < e);
}

/** Whether days d … d+6 all lie outside the dated entries (then exactly 5 of them are working days). */
function plainWeek(cal: WorkCalendar, d: number): boolean {
  return d > cal.last || d + 6 < cal.first;
}

/**
 * The deadline of a period of `n` working days that starts with an event at `fromMs`: the end of
 * the n-th working day after the event's local day, i.e. local midnight (00:00 +07:00) that closes
 * that day. The event's own day never counts, whatever its time and whether or not it is a working
 * day (the period starts the next day, as Article 147 of the Civil Code reads "the first day of a
 * period is not counted"); days off inside the period are skipped. Something done at or after the
 * returned instant is late. So an event on Friday at 16:00 with 2 working days is due at the end of
 * Tuesday when Monday and Tuesday are working days. `n` = 0 gives the end of the event's own day.
 * Beyond the calendar's data only weekends are skipped.
 */
export function addWorkingDays(cal: WorkCalendar, fromMs: number, n: number): number {
  if (!Number.isFinite(fromMs)) throw new RangeError('fromMs must be a finite time');
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError('n must be a whole number of days, 0 or more');
  let d = dayOf(fromMs);
  let left = n;
  while (left > 0) {
    if (left > 5 && plainWeek(cal, d + 1)) {
      const weeks = Math.floor((left - 1) / 5);
      const free = d + 1 > cal.last ? weeks : Math.min(weeks, Math.floor((cal.first - d - 1) / 7));
      if (free > 0) {
        d += 7 * free;
        left -= 5 * free;
        continue;
      }
    }
    d += 1;
    if (isWorkingDayNumber(cal, d)) left -= 1;
  }
  return dayStart(d + 1);
}

/**
 * Working time in ms between two instants: the part of [a, b) that lies in the working hours of
 * working days (nights, lunch breaks, weekends and holidays do not count). 0 when `b` <= `a`.
 */
export function workingMsBetween(cal: WorkCalendar, a: number, b: number): number {
  if (!(b > a)) return 0;
  const first = dayOf(a);
  const last = dayOf(b);
  let total = 0;
  for (let d = first; d <= last; d++) {
    // Whole weeks strictly inside (a, b) and outside the dated entries: 5 working days each.
    if (d > first && plainWeek(cal, d)) {
      let weeks = Math.floor((last - d) / 7);
      if (d <= cal.last) weeks = Math.min(weeks, Math.floor((cal.first - d) / 7));
      if (weeks > 0) {
        total += weeks * 5 * cal.dayMs;
        d += 7 * weeks - 1;
        continue;
      }
    }
    if (!isWorkingDayNumber(cal, d)) continue;
    const start = dayStart(d);
    for (const [s, e] of cal.periods) {
      total += Math.max(0, Math.min(b, start + e) - Math.max(a, start + s));
    }
  }
  return total;
}

export { VN_CALENDAR, VN_CALENDAR_YEARS } from './calendar-vn.ts';
