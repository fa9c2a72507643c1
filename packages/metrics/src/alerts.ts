/** The alert rules' formulas: plain data in, a level or a desk state out (docs/alerts.md). */
import type { AlertLevel } from '@motcua/contract';
import { isWorkingTime, type WorkCalendar, workingMsBetween } from './calendar.ts';
import { HOUR, MINUTE } from './time.ts';

/**
 * Who must act on an open item with this deadline at `now`: due within `dueSoonHours` → the
 * commune; overdue → the district; overdue by more than `cityAfterHours` → the city. Null while
 * the deadline is further away. Hours are clock hours, as the deadline itself is an instant.
 */
export function deadlineLevel(
  dueAt: number,
  now: number,
  s: { dueSoonHours: number; cityAfterHours: number },
): AlertLevel | null {
  if (now >= dueAt + s.cityAfterHours * HOUR) return 'city';
  if (now >= dueAt) return 'district';
  if (now >= dueAt - s.dueSoonHours * HOUR) return 'commune';
  return null;
}

export type DeskState = 'live' | 'quiet' | 'silent' | 'lagging';

export interface DeskFacts {
  /** When its last events arrived. */
  lastReceivedAt: number;
  /** The oldest event time of that last arrival. */
  batchOldestAt: number;
  /** Its usual rhythm: events per working hour over the recent days; null when not measured. */
  perWorkingHour: number | null;
}

export interface DeskHealth {
  state: DeskState;
  /** Working time since its last events arrived. */
  silentMs: number;
  /** Working time between the oldest event of its last arrival and that arrival. */
  lagMs: number;
  /** A desk that usually sends (its rhythm reaches `minPerHour`). */
  usuallySends: boolean;
  /** Whether `now` is working time (a silent desk is only flagged then). */
  workingNow: boolean;
}

/**
 * Whether a desk silent for `silentMs` of working time has been silent long enough to be `silent`
 * or `quiet`. Only then does its rhythm matter, so the alert evaluator asks this before reading it.
 */
export function silentLongEnough(silentMs: number, s: { silentMinutes: number }): boolean {
  return silentMs >= s.silentMinutes * MINUTE;
}

/**
 * A desk's state at `now`: `lagging` when its last events came more than `lagHours` working
 * hours late; `silent` when it usually sends and has sent nothing for `silentMinutes` of working
 * time while the working day is on (nights, lunch, weekends and holidays do not count); `quiet`
 * when nothing came for that long but it is not one that usually sends, or it is outside working
 * time; else `live`.
 */
export function deskHealth(
  facts: DeskFacts,
  now: number,
  cal: WorkCalendar,
  s: { silentMinutes: number; minPerHour: number; lagHours: number },
): DeskHealth {
  const silentMs = workingMsBetween(cal, facts.lastReceivedAt, now);
  const lagMs = workingMsBetween(cal, facts.batchOldestAt, facts.lastReceivedAt);
  const usuallySends = facts.perWorkingHour !== null && facts.perWorkingHour >= s.minPerHour;
  const workingNow = isWorkingTime(cal, now);
  const long = silentLongEnough(silentMs, s);
  let state: DeskState = 'live';
  if (lagMs > s.lagHours * HOUR) state = 'lagging';
  else if (long && usuallySends && workingNow) state = 'silent';
  else if (long) state = 'quiet';
  return { state, silentMs, lagMs, usuallySends, workingNow };
}
