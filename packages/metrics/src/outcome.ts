import { DAY, localDateString } from './time.ts';
import type { BucketCounts, DossierEvent, DossierEventType, DossierState, Outcome } from './types.ts';

/** Tie-break for events with the same time, so the state does not depend on input order. */
const TYPE_ORDER: Record<DossierEventType, number> = {
  received: 0,
  supplement_requested: 1,
  supplement_received: 2,
  rescheduled: 3,
  resolved: 4,
  returned: 5,
  rejected: 6,
  withdrawn: 7,
};

function compareEvents(a: DossierEvent, b: DossierEvent): number {
  return (
    a.time - b.time ||
    TYPE_ORDER[a.type] - TYPE_ORDER[b.type] ||
    // Only malformed input reaches these (two events of one type at one instant).
    compareStrings(a.deskCode, b.deskCode) ||
    (a.dueAt ?? 0) - (b.dueAt ?? 0) ||
    compareStrings(a.channel ?? '', b.channel ?? '')
  );
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The event that finishes the dossier: `resolved`, else `returned`, else `rejected`/`withdrawn`. */
function finishingEvent(sorted: DossierEvent[]): DossierEvent | undefined {
  return (
    sorted.find((e) => e.type === 'resolved') ??
    sorted.find((e) => e.type === 'returned') ??
    sorted.find((e) => e.type === 'rejected' || e.type === 'withdrawn')
  );
}

/**
 * The outcome of one dossier from all its events, per the contract's "Dossier outcome".
 * Events may come in any order; callers remove duplicates.
 */
export function computeDossierState(events: DossierEvent[]): DossierState {
  const sorted = [...events].sort(compareEvents);
  const received = sorted.find((e) => e.type === 'received');
  const finish = finishingEvent(sorted);
  const finishedAt = finish?.time ?? null;

  let supplementRequests = 0;
  let rescheduled = false;
  let pausedMs = 0;
  let pendingSince: number | null = null;
  for (const e of sorted) {
    if (e.type === 'rescheduled') rescheduled = true;
    if (e.type === 'supplement_requested') {
      supplementRequests++;
      const beforeFinish = finishedAt === null || e.time < finishedAt;
      if (pendingSince === null && beforeFinish) pendingSince = e.time;
    } else if (e.type === 'supplement_received' && pendingSince !== null) {
      const end = finishedAt === null ? e.time : Math.min(e.time, finishedAt);
      pausedMs += end - pendingSince;
      pendingSince = null;
    }
  }
  if (finishedAt !== null && pendingSince !== null) {
    // Never answered: the dossier was paused until it finished.
    pausedMs += finishedAt - pendingSince;
    pendingSince = null;
  }

  const dueAt = received?.dueAt ?? null;
  let outcome: Outcome | null = null;
  if (finishedAt !== null) {
    if (dueAt === null) outcome = 'unknown';
    else {
      const deadline = dueAt + pausedMs;
      if (supplementRequests >= 2 || rescheduled || finishedAt > deadline) outcome = 'late';
      else if (localDateString(finishedAt) < localDateString(deadline)) outcome = 'early';
      else outcome = 'onTime';
    }
  }
  const receivedAt = received?.time ?? null;

  return {
    deskCode: received?.deskCode ?? finish?.deskCode ?? sorted[0]?.deskCode ?? '',
    receivedAt,
    dueAt,
    channel: received?.channel ?? null,
    supplementRequests,
    rescheduled,
    pausedMs,
    pendingSince,
    finishedAt,
    outcome,
    processingMs:
      finishedAt !== null && receivedAt !== null && outcome !== 'unknown'
        ? finishedAt - receivedAt - pausedMs
        : null,
  };
}

export interface OpenClass {
  overdue: boolean;
  dueSoon: boolean;
  waitingSupplement: boolean;
}

/**
 * How an open dossier counts in `open` at `asOf`. null for a finished dossier and for one
 * whose `received` event has not arrived (no `dueAt`, so it cannot be judged).
 */
export function classifyOpen(state: DossierState, asOf: number): OpenClass | null {
  if (state.finishedAt !== null || state.dueAt === null) return null;
  // An unanswered request keeps pausing the clock until asOf.
  const pending = state.pendingSince === null ? 0 : Math.max(0, asOf - state.pendingSince);
  const deadline = state.dueAt + state.pausedMs + pending;
  const overdue = state.supplementRequests >= 2 || state.rescheduled || asOf > deadline;
  return {
    overdue,
    dueSoon: !overdue && deadline <= asOf + DAY,
    waitingSupplement: state.pendingSince !== null,
  };
}

/**
 * What a finished dossier adds to the rollup bucket at its `finishedAt`: 1 in its outcome
 * and its processing time. null while open.
 */
export function dossierContribution(
  state: DossierState,
): { bucketTime: number; deskCode: string; counts: Partial<BucketCounts> } | null {
  if (state.finishedAt === null || state.outcome === null) return null;
  return {
    bucketTime: state.finishedAt,
    deskCode: state.deskCode,
    counts: { [state.outcome]: 1, procMs: state.processingMs ?? 0 },
  };
}
