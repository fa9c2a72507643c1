import type { DigestPeriod } from '@motcua/contract';
import {
  DAY,
  HOUR,
  localDateString,
  MINUTE,
  periodContaining,
  previousPeriod,
  type ResolvedWindow,
} from '@motcua/metrics';

/** Digests go out at 07:30 local time (Asia/Ho_Chi_Minh, UTC+7 all year). */
const SEND_AT = 7 * HOUR + 30 * MINUTE;

/** The latest send time at or before `ms`: Monday 07:30 (weekly) or the 1st at 07:30 (monthly). */
export function lastSlotAtOrBefore(period: DigestPeriod, ms: number): number {
  if (period === 'weekly') {
    const slot = periodContaining('week', ms).from + SEND_AT;
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
  /**
   * `week:2026-11-23` (the ISO week's Monday) or `month:2026-11`: one digest per key and
   * subscription. Weeks keep their Monday in the key (not `2026-W48`) so that the runs already
   * recorded under it are not sent again.
   */
  key: string;
  /** The closed ISO week (Monday 00:00 to Monday 00:00, local) or month before the send time. */
  window: ResolvedWindow;
  /** The period's label (`2026-W48`, `2026-11`): the unit page's `window` for the PDF and the link, and the attachments' names. */
  label: string;
}

export function digestPeriodOf(period: DigestPeriod, slot: number): DigestPeriodOf {
  // Slots are at 07:30 on the period's first day: the one before the slot's is the one reported.
  const p = previousPeriod(periodContaining(period === 'weekly' ? 'week' : 'month', slot));
  return {
    key: period === 'weekly' ? `week:${localDateString(p.from)}` : `month:${p.label}`,
    window: { name: 'period', period: p.label, from: p.from, to: p.to },
    label: p.label,
  };
}
