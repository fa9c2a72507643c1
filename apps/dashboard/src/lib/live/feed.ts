/** Notable changes between two snapshots of the same unit and window, for the live feed. */
import type { Snapshot, UnitMetrics, UnitRef } from '@motcua/metrics';

/** Below this satisfaction rate a unit needs attention. */
export const SATISFACTION_ALERT = 0.8;
/** Below this on-time rate a unit needs attention. */
export const ON_TIME_ALERT = 0.9;
/** How many entries the feed keeps. */
export const FEED_SIZE = 20;

export type FeedKind = 'satDrop' | 'satRecover' | 'onTimeDrop' | 'onTimeRecover' | 'overdueUp';

export interface FeedEntry {
  id: string;
  /** The snapshot's asOf. */
  at: string;
  unit: UnitRef;
  kind: FeedKind;
  from: number | null;
  to: number | null;
  /** For `overdueUp`: how many more, and the new total. */
  delta?: number;
  total?: number;
}

function crossing(
  from: number | null,
  to: number | null,
  threshold: number,
  down: FeedKind,
  up: FeedKind,
): FeedKind | null {
  if (from === null || to === null) return null;
  if (from >= threshold && to < threshold) return down;
  if (from < threshold && to >= threshold) return up;
  return null;
}

function compare(at: string, unit: UnitRef, a: UnitMetrics, b: UnitMetrics): FeedEntry[] {
  const out: FeedEntry[] = [];
  const push = (
    kind: FeedKind | null,
    from: number | null,
    to: number | null,
    extra: Partial<FeedEntry> = {},
  ) => {
    if (kind) out.push({ id: `${at}|${unit.code}|${kind}`, at, unit, kind, from, to, ...extra });
  };
  const sFrom = a.satisfaction.rate;
  const sTo = b.satisfaction.rate;
  push(crossing(sFrom, sTo, SATISFACTION_ALERT, 'satDrop', 'satRecover'), sFrom, sTo);
  const oFrom = a.onTime.rate;
  const oTo = b.onTime.rate;
  push(crossing(oFrom, oTo, ON_TIME_ALERT, 'onTimeDrop', 'onTimeRecover'), oFrom, oTo);
  const delta = b.open.overdue - a.open.overdue;
  if (delta > 0) push('overdueUp', a.open.overdue, b.open.overdue, { delta, total: b.open.overdue });
  return out;
}

/**
 * What changed notably from `prev` to `next`, for the unit itself and each of its children:
 * satisfaction crossing 80 %, the on-time rate crossing 90 % (either way), more overdue dossiers.
 */
export function notableChanges(prev: Snapshot, next: Snapshot): FeedEntry[] {
  if (prev.unit.code !== next.unit.code || prev.window.name !== next.window.name) return [];
  const out = compare(next.asOf, next.unit, prev.metrics, next.metrics);
  const before = new Map(prev.children.map((c) => [c.unit.code, c.metrics]));
  for (const child of next.children) {
    const was = before.get(child.unit.code);
    if (was) out.push(...compare(next.asOf, child.unit, was, child.metrics));
  }
  return out;
}

/** The feed after `entries` arrive: newest first, at most FEED_SIZE. */
export function pushFeed(feed: FeedEntry[], entries: FeedEntry[]): FeedEntry[] {
  if (entries.length === 0) return feed;
  return [...entries, ...feed].slice(0, FEED_SIZE);
}
