/**
 * Local time in Asia/Ho_Chi_Minh (UTC+7 all year, no daylight saving) and the desks' working
 * calendar. Internally the simulator counts whole seconds since the epoch.
 */
import { addWorkingDays, type WorkCalendar } from '@motcua/metrics';

export const OFFSET_S = 7 * 3600;
export const DAY_S = 86_400;
const OFFSET_MS = OFFSET_S * 1000;
const DAY_MS = DAY_S * 1000;

/** Local calendar day number: 0 is 1970-01-01 in Hà Nội. */
export function localDay(ms: number): number {
  return Math.floor((ms + OFFSET_MS) / DAY_MS);
}

/** Epoch seconds of local midnight starting `day`. */
export function dayStartS(day: number): number {
  return day * DAY_S - OFFSET_S;
}

/** 0 = Sunday … 6 = Saturday, like Date#getDay. */
export function dayOfWeek(day: number): number {
  return (((day + 4) % 7) + 7) % 7;
}

const datePrefixes = new Map<number, string>();

function datePrefix(day: number): string {
  let s = datePrefixes.get(day);
  if (s === undefined) {
    s = new Date(day * DAY_MS).toISOString().slice(0, 10);
    if (datePrefixes.size > 4096) datePrefixes.clear();
    datePrefixes.set(day, s);
  }
  return s;
}

const pad2 = (n: number) => (n < 10 ? `0${n}` : `${n}`);

const clockTails: string[] = [];

/** `THH:MM:SS+07:00` for a second of the day, shared so each timestamp is one small concatenation. */
function clockTail(sod: number): string {
  let tail = clockTails[sod];
  if (tail === undefined) {
    tail = `T${pad2(Math.floor(sod / 3600))}:${pad2(Math.floor((sod % 3600) / 60))}:${pad2(sod % 60)}+07:00`;
    clockTails[sod] = tail;
  }
  return tail;
}

/** RFC 3339 in local time with the +07:00 offset, e.g. `2025-11-29T08:15:03+07:00`; ms only if non-zero. */
export function formatLocal(ms: number): string {
  const local = ms + OFFSET_MS;
  const day = Math.floor(local / DAY_MS);
  const inDay = local - day * DAY_MS;
  const sod = Math.floor(inDay / 1000);
  const frac = Math.floor(inDay - sod * 1000);
  if (frac === 0) return datePrefix(day) + clockTail(sod);
  const tail = clockTail(sod);
  return `${datePrefix(day)}${tail.slice(0, 9)}.${String(frac).padStart(3, '0')}+07:00`;
}

/** `yymmdd` of a local day, as used in dossier codes. */
export function yymmdd(day: number): string {
  const iso = datePrefix(day);
  return iso.slice(2, 4) + iso.slice(5, 7) + iso.slice(8, 10);
}

// Working calendar: Monday–Friday 08:00–17:00, Saturday 08:00–12:00 (no public holidays).
const OPEN_S = 8 * 3600;
/** Working seconds per day, Monday-first. */
const WORK_LEN = [9 * 3600, 9 * 3600, 9 * 3600, 9 * 3600, 9 * 3600, 4 * 3600, 0];
const WORK_PREFIX = [0, 1, 2, 3, 4, 5, 6].map((k) => WORK_LEN.slice(0, k).reduce((a, b) => a + b, 0));
const WEEK_WORK_S = WORK_LEN.reduce((a, b) => a + b, 0);
/** Day 4 (1970-01-05) is a Monday. */
const MONDAY0 = 4;

/** Whether a desk is open at epoch second `t`. */
export function isWorkingTime(t: number): boolean {
  const local = t + OFFSET_S;
  const day = Math.floor(local / DAY_S);
  const sod = local - day * DAY_S;
  const len = WORK_LEN[(((day - MONDAY0) % 7) + 7) % 7];
  return sod >= OPEN_S && sod < OPEN_S + len;
}

/**
 * Working seconds elapsed from an arbitrary origin up to epoch second `t`. Monotone; flat outside
 * working hours, so `fromWorkClock(toWorkClock(t))` is `t` when open and the next opening otherwise.
 */
export function toWorkClock(t: number): number {
  const local = t + OFFSET_S;
  const day = Math.floor(local / DAY_S);
  const sod = local - day * DAY_S;
  const rel = day - MONDAY0;
  const week = Math.floor(rel / 7);
  const k = rel - week * 7;
  const within = Math.min(Math.max(sod - OPEN_S, 0), WORK_LEN[k]);
  return week * WEEK_WORK_S + WORK_PREFIX[k] + within;
}

/** The earliest open epoch second whose work clock reads `c` (floored to whole seconds). */
export function fromWorkClock(c: number): number {
  const w = Math.floor(c);
  const week = Math.floor(w / WEEK_WORK_S);
  const r = w - week * WEEK_WORK_S;
  let k = 0;
  while (r >= WORK_PREFIX[k] + WORK_LEN[k]) k++;
  const day = MONDAY0 + week * 7 + k;
  return dayStartS(day) + OPEN_S + (r - WORK_PREFIX[k]);
}

/** Epoch second `workSeconds` of open time after `t` (or after the next opening if closed). */
export function addWork(t: number, workSeconds: number): number {
  return fromWorkClock(toWorkClock(t) + workSeconds);
}

/** The first local day after `day` that is Monday–Friday. */
export function nextWeekday(day: number): number {
  let d = day + 1;
  while (dayOfWeek(d) === 0 || dayOfWeek(d) === 6) d++;
  return d;
}

const DUE_HOUR_S = 16 * 3600;

/**
 * The appointment on the receipt slip: 16:00 on a Monday–Friday. Half a day means the same day
 * when received on a weekday morning, else the next weekday; n days means the n-th weekday after
 * the day of receipt.
 */
export function appointment(receivedS: number, workingDays: number): number {
  const day = Math.floor((receivedS + OFFSET_S) / DAY_S);
  const sod = receivedS + OFFSET_S - day * DAY_S;
  let due: number;
  if (workingDays < 1) {
    const dow = dayOfWeek(day);
    due = dow >= 1 && dow <= 5 && sod < 12 * 3600 ? day : nextWeekday(day);
  } else {
    due = day;
    for (let i = 0; i < workingDays; i++) due = nextWeekday(due);
  }
  return dayStartS(due) + DUE_HOUR_S;
}

/** 16:00 on the n-th weekday after the day of `t`. */
export function weekdaysAfter(t: number, n: number): number {
  return appointment(t, Math.max(1, n));
}

/**
 * Epoch second at which the `n`-th working day (n ≥ 1) after the local day of `t` starts, on a
 * working-day calendar with public holidays (the one petition deadlines are counted on).
 */
export function workingDayStartS(cal: WorkCalendar, t: number, n: number): number {
  return addWorkingDays(cal, t * 1000, n) / 1000 - DAY_S;
}
