// The windows a page can show: plain TypeScript, so server code (mail digests) and i18n can
// use them without the live store's browser code.

/** The rolling windows, ending now. */
export type RollingWindow = '1h' | 'today' | '7d' | '30d';
export const LIVE_WINDOWS: readonly RollingWindow[] = ['1h', 'today', '7d', '30d'];
/** The calendar period containing now, to date: how the national portal reports the 766 index. */
export type CalendarWindow = 'week' | 'month' | 'quarter' | 'year';
export const CALENDAR_WINDOWS: readonly CalendarWindow[] = ['week', 'month', 'quarter', 'year'];
/** A whole period by its label: `2026-W44`, `2026-10`, `2026-Q3`, `2026` (the read API's `window=`). */
export type PeriodLabel =
  | `${number}`
  | `${number}-${number}`
  | `${number}-Q${number}`
  | `${number}-W${number}`;
/** Every window a page can show and subscribe to. */
export type LiveWindow = RollingWindow | CalendarWindow | PeriodLabel;

const PERIOD_RE = /^\d{4}(?:-(?:0[1-9]|1[0-2])|-Q[1-4]|-W(?:0[1-9]|[1-4]\d|5[0-3]))?$/;

/** Whether `x` is a period label (`2026-W44`, `2026-10`, `2026-Q3`, `2026`). */
export function isPeriodLabel(x: unknown): x is PeriodLabel {
  return typeof x === 'string' && PERIOD_RE.test(x);
}

/** `today` unless `x` names a rolling or calendar window or a period. */
export function toLiveWindow(x: unknown): LiveWindow {
  if (LIVE_WINDOWS.includes(x as RollingWindow) || CALENDAR_WINDOWS.includes(x as CalendarWindow)) {
    return x as LiveWindow;
  }
  return isPeriodLabel(x) ? x : 'today';
}
