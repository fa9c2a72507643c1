import type { DigestPeriod } from '@motcua/contract';
import {
  DAY,
  HOUR,
  localDateString,
  localDayStart,
  MINUTE,
  periodContaining,
  previousPeriod,
  type ResolvedWindow,
} from '@motcua/metrics';

/** Digests go out at 07:30 local time (Asia/Ho_Chi_Minh, UTC+7 all year). */
const SEND_AT = 7 * HOUR + 30 * MINUTE;

/** Local weekday of `ms`, Monday 0 … Sunday 6 (1970-01-01 was a Thursday). */
const weekday = (ms: number) => (Math.floor(localDayStart(ms) / DAY + 7 / 24) + 3) % 7;

/** The latest send time at or before `ms`: Monday 07:30 (weekly) or the 1st at 07:30 (monthly). */
export function lastSlotAtOrBefore(period: DigestPeriod, ms: number): number {
  if (period === 'weekly') {
    const monday = localDayStart(ms) - weekday(ms) * DAY;
    const slot = monday + SEND_AT;
    return slot <= ms ? slot : slot - 7 * DAY;
  }
  const slot = periodContaining('month', ms).from + SEND_AT;
  return slot <= ms ? slot : periodContaining('month', slot - DAY).from + SEND_AT;
}

/** Send times in (after, upTo], oldest first. */
export function slotsBetween(period: DigestPeriod, after: number, upTo: number): number[] {
  const out: number[] = [];
  for (let s = lastSlotAtOrBefore(period, upTo); s > after; s = lastSlotAtOrBefore(period, s - 1))
    out.unshift(s);
  return out;
}

/** What the digest sent at `slot` reports on. */
export interface DigestPeriodOf {
  /** `week:2026-11-23` (the week's Monday) or `month:2026-11`: one digest per key and subscription. */
  key: string;
  /** The closed week (Monday to Monday, local) or month before the send time. */
  window: ResolvedWindow;
  /** The unit page's `window` for the PDF: the month's label; for a week, `7d`. */
  pageWindow: string;
  /** The period in attachment names: `tuan-2026-11-23`, `2026-11`. */
  fileLabel: string;
}

export function digestPeriodOf(period: DigestPeriod, slot: number): DigestPeriodOf {
  if (period === 'weekly') {
    const to = localDayStart(slot);
    const from = to - 7 * DAY;
    return {
      key: `week:${localDateString(from)}`,
      window: { name: 'custom', from, to },
      pageWindow: '7d',
      fileLabel: `tuan-${localDateString(from)}`,
    };
  }
  const month = previousPeriod(periodContaining('month', slot));
  return {
    key: `month:${month.label}`,
    window: { name: 'period', period: month.label, from: month.from, to: month.to },
    pageWindow: month.label,
    fileLabel: month.label,
  };
}
