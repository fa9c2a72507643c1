import { parseRfc3339 } from '@motcua/contract/time';
import { PERIOD_KINDS, PERIOD_LABEL_RE, type PeriodKind } from '@motcua/contract/values';
import type { ResolvedWindow, SeriesStep, SnapshotWindow } from './types.ts';

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;
/** Asia/Ho_Chi_Minh is UTC+7 all year (no daylight saving), so plain arithmetic is exact. */
export const TZ_OFFSET_MS = 7 * HOUR;

/** Longest custom window accepted by {@link resolveWindow}. */
export const MAX_CUSTOM_WINDOW_MS = 400 * DAY;

/**
 * The earliest start {@link resolveWindow} accepts: local midnight of 1 January 1970. No desk
 * event predates it, and a bound keeps every window, and the one it is compared with, readable:
 * a window's ends reach Postgres as ISO text, in which it reads no year 0000 (period `0001`
 * starts in year 0 UTC; `window=0000` once answered 500).
 */
export const EARLIEST_WINDOW_START = -TZ_OFFSET_MS;
const EARLIEST_WINDOW_TEXT = '1970-01-01T00:00:00+07:00';

/** Largest multiple of `stepMs` that is <= `ms` (floors, also for times before 1970). */
export function floorTo(ms: number, stepMs: number): number {
  return Math.floor(ms / stepMs) * stepMs;
}

/** Start of the minute containing `ms`. */
export function floorMinute(ms: number): number {
  return floorTo(ms, MINUTE);
}

/** Epoch ms of local (UTC+7) midnight of the local date containing `ms`. */
export function localDayStart(ms: number): number {
  return floorTo(ms + TZ_OFFSET_MS, DAY) - TZ_OFFSET_MS;
}

/** Local (UTC+7) calendar date of `ms` as 'YYYY-MM-DD'. */
export function localDateString(ms: number): string {
  return new Date(ms + TZ_OFFSET_MS).toISOString().slice(0, 10);
}

/** RFC 3339 in local time with a `+07:00` offset, whole seconds: '2026-11-29T14:03:11+07:00'. */
export function formatLocal(ms: number): string {
  return `${new Date(floorTo(ms, 1000) + TZ_OFFSET_MS).toISOString().slice(0, 19)}+07:00`;
}

const NAMED_WINDOWS = ['1h', 'today', '7d', '30d'] as const;
type NamedWindow = (typeof NAMED_WINDOWS)[number];

function isNamedWindow(s: string): s is NamedWindow {
  return (NAMED_WINDOWS as readonly string[]).includes(s);
}

export type WindowResult =
  | { ok: true; window: ResolvedWindow }
  | { ok: false; field: string; message: string };

/**
 * Resolves a window request at `asOf`. Named windows end at `asOf` and start on a whole minute
 * (rollups have minute resolution); a custom `from`/`to` pair is floored to whole minutes.
 * `window: 'custom'` may accompany `from`/`to` (the live subscribe request always names a window);
 * any other name together with `from`/`to` is an error. Nothing given means `today`.
 * Calendar windows (local time, as the national portal reports): `week` (ISO, from Monday),
 * `month`, `quarter`, `year` run from the first local midnight of the period containing `asOf` to
 * `asOf` ("to date"); a period's label (`2026-W44`, `2026-10`, `2026-Q3`, `2026`) names the whole period, from local midnight of its first day to
 * local midnight after its last, ended at `asOf` if that comes first (name `period`).
 * No window starts before {@link EARLIEST_WINDOW_START}.
 */
export function resolveWindow(
  input: { window?: string | null; from?: string | null; to?: string | null },
  asOf: number,
): WindowResult {
  const { window, from, to } = input;
  const hasFrom = from != null;
  const hasTo = to != null;
  if (hasFrom || hasTo || window === 'custom') {
    if (window != null && window !== 'custom') {
      return { ok: false, field: 'window', message: 'give either window or from/to, not both' };
    }
    if (!hasFrom) return { ok: false, field: 'from', message: 'from is required with to' };
    if (!hasTo) return { ok: false, field: 'to', message: 'to is required with from' };
    const fromMs = parseRfc3339(from);
    if (fromMs === null)
      return { ok: false, field: 'from', message: 'from must be an RFC 3339 date-time with offset' };
    const toMs = parseRfc3339(to);
    if (toMs === null)
      return { ok: false, field: 'to', message: 'to must be an RFC 3339 date-time with offset' };
    const f = floorMinute(fromMs);
    const t = floorMinute(toMs);
    if (f >= t) return { ok: false, field: 'to', message: 'to must be at least a minute after from' };
    if (t - f > MAX_CUSTOM_WINDOW_MS) {
      return { ok: false, field: 'from', message: 'a custom window may span at most 400 days' };
    }
    if (f < EARLIEST_WINDOW_START) {
      return { ok: false, field: 'from', message: `from must not be before ${EARLIEST_WINDOW_TEXT}` };
    }
    return { ok: true, window: { name: 'custom', from: f, to: t } };
  }
  const name = window ?? 'today';
  if (isNamedWindow(name)) {
    return { ok: true, window: { name, from: namedWindowStart(name, asOf), to: asOf } };
  }
  if (isPeriodKind(name)) {
    const p = periodContaining(name, asOf);
    return { ok: true, window: { name, period: p.label, from: p.from, to: asOf } };
  }
  const p = parsePeriod(name);
  if (p === null) {
    return {
      ok: false,
      field: 'window',
      message: `window must be one of ${NAMED_WINDOWS.join(', ')}, ${PERIOD_KINDS.join(', ')}, a period (2026-W44, 2026-10, 2026-Q3, 2026) or custom`,
    };
  }
  if (p.from >= asOf) return { ok: false, field: 'window', message: `period ${p.label} has not started` };
  if (p.from < EARLIEST_WINDOW_START) {
    return { ok: false, field: 'window', message: `period ${p.label} starts before ${EARLIEST_WINDOW_TEXT}` };
  }
  return { ok: true, window: { name: 'period', period: p.label, from: p.from, to: Math.min(p.to, asOf) } };
}

function namedWindowStart(name: NamedWindow, asOf: number): number {
  switch (name) {
    case '1h':
      return floorMinute(asOf - HOUR);
    case 'today':
      return localDayStart(asOf);
    case '7d':
      return floorMinute(asOf - 7 * DAY);
    case '30d':
      return floorMinute(asOf - 30 * DAY);
  }
}

/** A calendar week, month, quarter or year in local time: [from, to), `to` the local midnight after its last day. */
export interface Period {
  kind: PeriodKind;
  /** `2026-W44`, `2026-10`, `2026-Q3`, `2026`. */
  label: string;
  from: number;
  to: number;
}

function isPeriodKind(s: string): s is PeriodKind {
  return (PERIOD_KINDS as readonly string[]).includes(s);
}

const MONTHS: Record<Exclude<PeriodKind, 'week'>, number> = { month: 1, quarter: 3, year: 12 };

/** Epoch ms of local midnight starting the first day of `month0` (0-based; 12 = January of the next year). */
function localMonthStart(year: number, month0: number): number {
  const d = new Date(0);
  // setUTCFullYear, because Date.UTC maps years 0–99 to 1900–1999.
  d.setUTCFullYear(year, month0, 1);
  return d.getTime() - TZ_OFFSET_MS;
}

function makePeriod(kind: Exclude<PeriodKind, 'week'>, year: number, month0: number): Period {
  const yyyy = String(year).padStart(4, '0');
  const label =
    kind === 'year'
      ? yyyy
      : kind === 'quarter'
        ? `${yyyy}-Q${month0 / 3 + 1}`
        : `${yyyy}-${String(month0 + 1).padStart(2, '0')}`;
  return {
    kind,
    label,
    from: localMonthStart(year, month0),
    to: localMonthStart(year, month0 + MONTHS[kind]),
  };
}

/** 0 = Monday … 6 = Sunday of the local date containing `ms`. */
function localWeekday(ms: number): number {
  // 1970-01-01 was a Thursday (3).
  return (((Math.floor((ms + TZ_OFFSET_MS) / DAY) + 3) % 7) + 7) % 7;
}

/** Local midnight of Monday of ISO week 1 of `isoYear`: the week holding 4 January. */
function isoWeekOneStart(isoYear: number): number {
  const jan4 = localMonthStart(isoYear, 0) + 3 * DAY;
  return jan4 - localWeekday(jan4) * DAY;
}

function makeWeek(isoYear: number, week: number): Period {
  const from = isoWeekOneStart(isoYear) + (week - 1) * 7 * DAY;
  return {
    kind: 'week',
    label: `${String(isoYear).padStart(4, '0')}-W${String(week).padStart(2, '0')}`,
    from,
    to: from + 7 * DAY,
  };
}

/** The period a label names (`2026-W44`, `2026-10`, `2026-Q3`, `2026`), or null (also for a week 53 the year lacks). */
export function parsePeriod(label: string): Period | null {
  const m = PERIOD_LABEL_RE.exec(label);
  if (!m) return null;
  const year = Number(m[1]);
  if (m[2]) return makePeriod('month', year, Number(m[2]) - 1);
  if (m[3]) return makePeriod('quarter', year, (Number(m[3]) - 1) * 3);
  if (m[4]) {
    const week = makeWeek(year, Number(m[4]));
    return week.from < isoWeekOneStart(year + 1) ? week : null;
  }
  return makePeriod('year', year, 0);
}

/** The week, month, quarter or year (local time) that contains `ms`. */
export function periodContaining(kind: PeriodKind, ms: number): Period {
  if (kind === 'week') {
    const monday = localDayStart(ms) - localWeekday(ms) * DAY;
    // The ISO year of a week is the year of its Thursday.
    const isoYear = new Date(monday + 3 * DAY + TZ_OFFSET_MS).getUTCFullYear();
    return makeWeek(isoYear, Math.round((monday - isoWeekOneStart(isoYear)) / (7 * DAY)) + 1);
  }
  const local = new Date(ms + TZ_OFFSET_MS);
  const month0 = local.getUTCMonth();
  const size = MONTHS[kind];
  return makePeriod(kind, local.getUTCFullYear(), month0 - (month0 % size));
}

/** The period of the same kind just before `p`. */
export function previousPeriod(p: Period): Period {
  return periodContaining(p.kind, p.from - 1);
}

/**
 * The window a figure is compared against: always closed (it ends where `w` starts) and of the
 * same length. A calendar window (to date or whole) is compared with the whole period of the same
 * kind before it (October to date, or all of October, against all of September); `today` with
 * yesterday; a rolling or custom window with the one just before it.
 */
export function previousWindow(w: ResolvedWindow): ResolvedWindow {
  if (w.period !== undefined) {
    const p = parsePeriod(w.period);
    if (p) {
      const prev = previousPeriod(p);
      return { name: 'period', period: prev.label, from: prev.from, to: prev.to };
    }
  }
  if (w.name === 'today') return { name: 'custom', from: w.from - DAY, to: w.from };
  // Named rolling windows by their nominal length (their `to` is asOf, not a whole minute).
  const length = ROLLING_LENGTH[w.name] ?? w.to - w.from;
  return { name: 'custom', from: w.from - length, to: w.from };
}

const ROLLING_LENGTH: Partial<Record<string, number>> = { '1h': HOUR, '7d': 7 * DAY, '30d': 30 * DAY };

/** The last `n` months (local time) ending with the one containing `asOf`, oldest first. */
export function lastMonths(n: number, asOf: number): Period[] {
  const out: Period[] = [periodContaining('month', asOf)];
  while (out.length < n) out.unshift(previousPeriod(out[0]));
  return out;
}

/** The JSON form of a resolved window, times in local RFC 3339. */
export function windowToJson(w: ResolvedWindow): SnapshotWindow {
  if (w.period === undefined) return { name: w.name, from: formatLocal(w.from), to: formatLocal(w.to) };
  return { name: w.name, period: w.period, from: formatLocal(w.from), to: formatLocal(w.to) };
}

const STEP_MS: Record<SeriesStep, number> = {
  '1m': MINUTE,
  '5m': 5 * MINUTE,
  '15m': 15 * MINUTE,
  '1h': HOUR,
  '1d': DAY,
};

/** Length of a series step in ms. */
export function stepMs(step: SeriesStep): number {
  return STEP_MS[step];
}

/** Whether `s` is one of the series steps `1m`, `5m`, `15m`, `1h`, `1d`. */
export function isSeriesStep(s: unknown): s is SeriesStep {
  return typeof s === 'string' && Object.hasOwn(STEP_MS, s);
}

/**
 * Start of the series point containing `ms`: local midnight for `1d`; otherwise a UTC-aligned
 * multiple of the step, which is also local-aligned because +7 h is a whole number of hours.
 */
export function alignStep(ms: number, step: SeriesStep): number {
  return step === '1d' ? localDayStart(ms) : floorTo(ms, STEP_MS[step]);
}
