import { parseRfc3339 } from '@motcua/contract';
import type { ResolvedWindow, SeriesStep, SnapshotWindow } from './types.ts';

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;
/** Asia/Ho_Chi_Minh is UTC+7 all year (no daylight saving), so plain arithmetic is exact. */
export const TZ_OFFSET_MS = 7 * HOUR;

/** Longest custom window accepted by {@link resolveWindow}. */
export const MAX_CUSTOM_WINDOW_MS = 400 * DAY;

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
    return { ok: true, window: { name: 'custom', from: f, to: t } };
  }
  const name = window ?? 'today';
  if (!isNamedWindow(name)) {
    return {
      ok: false,
      field: 'window',
      message: `window must be one of ${NAMED_WINDOWS.join(', ')} or custom`,
    };
  }
  return { ok: true, window: { name, from: namedWindowStart(name, asOf), to: asOf } };
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

/** The JSON form of a resolved window, times in local RFC 3339. */
export function windowToJson(w: ResolvedWindow): SnapshotWindow {
  return { name: w.name, from: formatLocal(w.from), to: formatLocal(w.to) };
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
