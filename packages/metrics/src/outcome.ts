import { DAY, localDateString } from './time.ts';
import type {
  BucketCounts,
  DossierEvent,
  DossierEventType,
  DossierFacts,
  DossierState,
  Outcome,
} from './types.ts';

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
  paid: 8,
  disliked: 9,
  petitioned: 10,
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
  const resolved = finish?.type === 'resolved' ? finish : undefined;
  const facts: DossierFacts = {};
  for (const [k, v] of Object.entries({ ...received?.facts, ...resolved?.facts })) {
    if (v !== undefined) facts[k as keyof DossierFacts] = v;
  }

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
    facts,
    paidOnline: sorted.some((e) => e.type === 'paid' && e.online === true),
    complained: sorted.some((e) => e.type === 'disliked' || e.type === 'petitioned'),
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

/** What a dossier adds to one rollup bucket. */
export interface Contribution {
  bucketTime: number;
  deskCode: string;
  counts: Partial<BucketCounts>;
}

const one = (yes: boolean) => (yes ? 1 : 0);
const reported = (fact: boolean | undefined) => one(fact !== undefined);

/**
 * What a dossier adds to the rollups: its reception facts in the bucket of its `receivedAt`, and,
 * once finished, its outcome, processing time and result facts in the bucket of its `finishedAt`.
 * The write path subtracts a dossier's old contributions and adds its new ones whenever an event
 * changes its state, so every counter stays a count of dossiers, not of events.
 */
export function dossierContributions(state: DossierState): Contribution[] {
  const out: Contribution[] = [];
  const f = state.facts;
  if (state.receivedAt !== null) {
    const counts: Partial<BucketCounts> = {
      feeReported: reported(f.feeBearing),
      feeBearing: one(f.feeBearing === true),
      feePaidOnline: one(f.feeBearing === true && state.paidOnline),
      digitisedReported: reported(f.inputsDigitised),
      inputsDigitised: one(f.inputsDigitised === true),
      reuseReported: reported(f.reusedData),
      reusedData: one(f.reusedData === true),
      storeReported: reported(f.citizenStore),
      citizenStore: one(f.citizenStore === true),
      populationReported: reported(f.populationData),
      populationData: one(f.populationData === true),
    };
    // A v1 desk reports none of these: no bucket to touch.
    if (Object.values(counts).some((n) => n !== 0)) {
      out.push({ bucketTime: state.receivedAt, deskCode: state.deskCode, counts });
    }
  }
  if (state.finishedAt !== null && state.outcome !== null) {
    const inTime = state.outcome === 'early' || state.outcome === 'onTime';
    const counts: Partial<BucketCounts> = {
      [state.outcome]: 1,
      procMs: state.processingMs ?? 0,
      eResultReported: reported(f.electronicResult),
      eResult: one(f.electronicResult === true),
      digitisationReported: one(f.inputsDigitised !== undefined && f.resultDigitised !== undefined),
      fullyDigitised: one(f.inputsDigitised === true && f.resultDigitised === true),
      onTimeComplained: one(inTime && state.complained),
    };
    out.push({ bucketTime: state.finishedAt, deskCode: state.deskCode, counts });
  }
  return out;
}
