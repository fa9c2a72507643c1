/**
 * A reference computation of the snapshot numbers, the rollup counters and the 766 scorecard,
 * written from the contracts (`docs/metrics.md`, `docs/events.md`) over the raw events, with
 * nothing from the implementation's outcome, petition, contribution, rate or scorecard code (only
 * the working-day calendar's `addWorkingDays`, which has tests of its own). Slow and plain on
 * purpose: it is what the model check compares to.
 *
 * The readings it mirrors where the contract leaves room (documented in `packages/metrics`):
 * - several events of one type: the earliest counts (earliest `received` gives dueAt, desk,
 *   received time);
 * - a pause still pending when the dossier finishes counts until `finishedAt`; requests after
 *   `finishedAt` add no pause but still count toward "2 or more"; a `supplement_received`
 *   with nothing pending is ignored; a second request while one is pending does not restart it;
 * - an unanswered request of an open dossier pauses until `asOf` (nothing if it lies after `asOf`);
 * - a finished dossier without `received` (unknown) belongs to the desk of its finishing event;
 * - windows have minute resolution: an event counts when its minute starts in [from, to).
 *
 * Event contract v1.1 (docs/events.md "Event contract v1.1", docs/metrics.md "766 scorecard"):
 * - a dossier's reception facts are its earliest `received`'s, its result facts those of the
 *   `resolved` that finished it; it is paid online if any `paid` says `online`; its procedure is
 *   its earliest `received`'s `procedureCode` (3.5b counts distinct codes over a whole scope); it drew a
 *   complaint if an `unsatisfied` rating of its commune names it, or a petition's `received` does;
 * - a petition counts once its `received` (the earliest) has arrived; it is handled at its first
 *   `rejected`/`supplement_requested`/`answered`, on time if that came before the deadline of its
 *   step (2/5/15 working days after reception) and, once answered and published, the first
 *   publication before 2 working days after the first answer; closed at its first `answered` or
 *   `rejected`; unsatisfied if dislikes > likes, handled late, or named by another petition's
 *   `repeatOf` in its commune; open until handled, overdue at its 15-working-day deadline;
 * - for a window that ends before `asOf`, the open items are those open at its end: a dossier
 *   received before it and finished (as known now) at or after it, judged on its events before it
 *   other than finishing ones; a petition received before it and not handled by then.
 */
import { addWorkingDays, makeWorkCalendar, type UnitMetrics, VN_CALENDAR } from '@motcua/metrics';

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const LOCAL_OFFSET = 7 * HOUR;
const SOURCE = /^\/units\/(\d{5})\/desks\/([A-Za-z0-9_-]{1,32})$/;
const PREFIX = 'vn.motcua.';
/** Working days each petition step may take (docs/events.md). */
const PETITION_DEADLINE_DAYS: Record<string, number> = {
  rejected: 2,
  supplement_requested: 5,
  answered: 15,
  published: 2,
};
const CALENDAR = makeWorkCalendar(VN_CALENDAR);
const RECEPTION_FACTS = [
  'feeBearing',
  'inputsDigitised',
  'reusedData',
  'citizenStore',
  'populationData',
] as const;
const RESULT_FACTS = ['electronicResult', 'resultDigitised'] as const;
type Fact = (typeof RECEPTION_FACTS)[number] | (typeof RESULT_FACTS)[number];

/** The parts of a CloudEvent the contract reads. */
export interface CloudEventLike {
  id: string;
  source: string;
  type: string;
  time: string;
  data: Record<string, unknown>;
}

export interface Ev {
  kind: string;
  time: number;
  unit: string;
  desk: string;
  data: Record<string, unknown>;
}

export type RefOutcome = 'early' | 'onTime' | 'late' | 'unknown';

/** What the reference concludes about one dossier. */
export interface RefDossier {
  unit: string;
  dossierCode: string;
  desk: string;
  receivedAt: number | null;
  dueAt: number | null;
  requests: number;
  rescheduled: boolean;
  /** Paused ms: up to `finishedAt` when finished, up to `asOf` when open. */
  pausedMs: number;
  finishedAt: number | null;
  outcome: RefOutcome | null;
  /** finishedAt − received − paused, for a finished dossier with a known outcome. */
  processingMs: number | null;
  /** Only for open dossiers with a `received`. */
  open: { deadline: number; overdue: boolean; dueSoon: boolean; waitingSupplement: boolean } | null;
  /** v1.1 facts reported: reception facts of the earliest `received`, result facts of the finishing `resolved`. */
  facts: Partial<Record<Fact, boolean>>;
  paidOnline: boolean;
  /** A dislike (unsatisfied rating naming it) or a petition naming it. */
  complained: boolean;
  /** Its own events, for judging it at an earlier instant. */
  events: readonly Ev[];
}

/** Per-procedure figures of the drill-down (issue 14). */
export interface RefProcedure {
  received: number;
  early: number;
  onTime: number;
  late: number;
  unknown: number;
  verySatisfied: number;
  satisfied: number;
  unsatisfied: number;
  open: number;
  overdue: number;
  dueSoon: number;
  waitingSupplement: number;
  feeReported: number;
  feeBearing: number;
  feePaidOnline: number;
}

export type RefListKind =
  | 'received'
  | 'finished'
  | 'early'
  | 'onTime'
  | 'late'
  | 'unknown'
  | 'open'
  | 'overdue'
  | 'dueSoon'
  | 'waitingSupplement';

/** What the reference concludes about one petition (one with its `received` only). */
export interface RefPetition {
  unit: string;
  petitionCode: string;
  desk: string;
  receivedAt: number;
  /** 15 working days after reception. */
  dueAt: number;
  handledAt: number | null;
  handledOnTime: boolean | null;
  closedAt: number | null;
  unsatisfied: boolean;
}

/** Open items at an instant: total, overdue, and in time but due within 24 h / 48 h. */
export interface RefOpenItems {
  total: number;
  overdue: number;
  dueIn24h: number;
  dueIn48h: number;
}

/** Communes that make up a unit, and optionally one desk of a (single) commune. */
export interface RefScope {
  communes: readonly string[];
  desk?: string;
}

export interface RefWindow {
  from: number;
  to: number;
}

const localDate = (ms: number) => new Date(ms + LOCAL_OFFSET).toISOString().slice(0, 10);

/** Lower bound of the 95 % Wilson score interval (z = 1.96); null for n = 0. */
export function refWilsonLow(positive: number, n: number): number | null {
  if (n === 0) return null;
  const z = 1.96;
  const p = positive / n;
  const low =
    (p + (z * z) / (2 * n) - z * Math.sqrt((p * (1 - p) + (z * z) / (4 * n)) / n)) / (1 + (z * z) / n);
  return Math.max(0, low);
}

function parseEvent(e: CloudEventLike): Ev {
  const m = SOURCE.exec(e.source);
  if (!m) throw new Error(`reference: bad source ${e.source}`);
  const time = Date.parse(e.time);
  if (Number.isNaN(time)) throw new Error(`reference: bad time ${e.time}`);
  return { kind: e.type.slice(PREFIX.length), time, unit: m[1], desk: m[2], data: e.data };
}

function factsOf(e: Ev | undefined, names: readonly Fact[]): Partial<Record<Fact, boolean>> {
  const out: Partial<Record<Fact, boolean>> = {};
  for (const name of names) if (typeof e?.data[name] === 'boolean') out[name] = e.data[name] as boolean;
  return out;
}

function judgeDossier(
  unit: string,
  dossierCode: string,
  events: Ev[],
  asOf: number,
  complained = false,
): RefDossier {
  const byTime = [...events].sort((a, b) => a.time - b.time);
  const first = (kind: string) => byTime.find((e) => e.kind === `dossier.${kind}`);
  const received = first('received');
  const finish =
    first('resolved') ??
    first('returned') ??
    byTime.find((e) => e.kind === 'dossier.rejected' || e.kind === 'dossier.withdrawn');
  const finishedAt = finish ? finish.time : null;
  const requests = byTime.filter((e) => e.kind === 'dossier.supplement_requested');
  const rescheduled = byTime.some((e) => e.kind === 'dossier.rescheduled');

  // Supplement periods: a request opens one (unless one is open, or the dossier has finished),
  // the next supplement_received closes it; time after finishedAt does not count.
  const stopAt = finishedAt ?? Number.POSITIVE_INFINITY;
  let pausedMs = 0;
  let openSince: number | null = null;
  for (const e of byTime) {
    if (e.kind === 'dossier.supplement_requested' && openSince === null && e.time < stopAt)
      openSince = e.time;
    if (e.kind === 'dossier.supplement_received' && openSince !== null) {
      pausedMs += Math.min(e.time, stopAt) - openSince;
      openSince = null;
    }
  }
  if (openSince !== null) pausedMs += Math.max(0, (finishedAt ?? asOf) - openSince);

  const dueAt = received ? Date.parse(received.data.dueAt as string) : null;
  const desk = received?.desk ?? finish?.desk ?? byTime[0].desk;
  const base = {
    unit,
    dossierCode,
    desk,
    receivedAt: received?.time ?? null,
    dueAt,
    requests: requests.length,
    rescheduled,
    pausedMs,
    finishedAt,
    facts: {
      ...factsOf(received, RECEPTION_FACTS),
      ...factsOf(finish?.kind === 'dossier.resolved' ? finish : undefined, RESULT_FACTS),
    },
    paidOnline: byTime.some((e) => e.kind === 'dossier.paid' && e.data.method === 'online'),
    complained,
    events,
  };

  if (finishedAt !== null) {
    let outcome: RefOutcome;
    if (dueAt === null) outcome = 'unknown';
    else {
      const deadline = dueAt + pausedMs;
      if (requests.length >= 2 || rescheduled || finishedAt > deadline) outcome = 'late';
      else if (localDate(finishedAt) < localDate(deadline)) outcome = 'early';
      else outcome = 'onTime';
    }
    const processingMs = outcome === 'unknown' || !received ? null : finishedAt - received.time - pausedMs;
    return { ...base, outcome, processingMs, open: null };
  }
  if (dueAt === null) return { ...base, outcome: null, processingMs: null, open: null };

  const deadline = dueAt + pausedMs;
  const overdue = requests.length >= 2 || rescheduled || asOf > deadline;
  const lastRequest = requests.at(-1);
  const waitingSupplement =
    lastRequest !== undefined &&
    !byTime.some((e) => e.kind === 'dossier.supplement_received' && e.time > lastRequest.time);
  return {
    ...base,
    outcome: null,
    processingMs: null,
    open: { deadline, overdue, dueSoon: !overdue && deadline <= asOf + DAY, waitingSupplement },
  };
}

const PETITION = 'petition.';
const HANDLING = ['rejected', 'supplement_requested', 'answered'];

/** A petition from all its events; null until its `received` has arrived. */
function judgePetition(
  unit: string,
  petitionCode: string,
  events: Ev[],
  repeated: boolean,
): RefPetition | null {
  const byTime = [...events].sort((a, b) => a.time - b.time);
  const step = (e: Ev) => e.kind.slice(PETITION.length);
  const first = (...steps: string[]) => byTime.find((e) => steps.includes(step(e)));
  const received = first('received');
  if (!received) return null;
  const handled = first(...HANDLING);
  const closing = first('answered', 'rejected');
  const answered = first('answered');
  const published = first('published');
  let handledOnTime: boolean | null = null;
  if (handled) {
    const deadline = addWorkingDays(CALENDAR, received.time, PETITION_DEADLINE_DAYS[step(handled)]);
    handledOnTime = handled.time < deadline;
    if (answered && published) {
      const publishBy = addWorkingDays(CALENDAR, answered.time, PETITION_DEADLINE_DAYS.published);
      if (published.time >= publishBy) handledOnTime = false;
    }
  }
  const reactions = byTime.filter((e) => step(e) === 'reacted');
  const likes = reactions.filter((e) => e.data.reaction === 'like').length;
  const dislikes = reactions.length - likes;
  return {
    unit,
    petitionCode,
    desk: received.desk,
    receivedAt: received.time,
    dueAt: addWorkingDays(CALENDAR, received.time, PETITION_DEADLINE_DAYS.answered),
    handledAt: handled?.time ?? null,
    handledOnTime,
    closedAt: closing?.time ?? null,
    unsatisfied: closing !== undefined && (dislikes > likes || handledOnTime === false || repeated),
  };
}

const FINISHING = new Set(['dossier.resolved', 'dossier.returned', 'dossier.rejected', 'dossier.withdrawn']);

/** The rollup counters of a scope over a window (docs/metrics.md, and the 766 table of where each is bucketed). */
export type RefCounts = Record<
  | 'verySatisfied'
  | 'satisfied'
  | 'unsatisfied'
  | 'early'
  | 'onTime'
  | 'late'
  | 'unknown'
  | 'procMs'
  | 'receivedDirect'
  | 'receivedOnline'
  | 'receivedPostal'
  | 'feeReported'
  | 'feeBearing'
  | 'feePaidOnline'
  | 'digitisedReported'
  | 'inputsDigitised'
  | 'reuseReported'
  | 'reusedData'
  | 'storeReported'
  | 'citizenStore'
  | 'populationReported'
  | 'populationData'
  | 'eResultReported'
  | 'eResult'
  | 'digitisationReported'
  | 'fullyDigitised'
  | 'onTimeComplained'
  | 'petitionsReceived'
  | 'petitionsHandled'
  | 'petitionsHandledOnTime'
  | 'petitionsClosed'
  | 'petitionsUnsatisfied',
  number
>;

/** One sub-criterion of the 766 scorecard, as the reference works it out (names and texts left out). */
export interface RefCriterion {
  code: string;
  max: number;
  fullAt: number | null;
  numerator: number | null;
  denominator: number | null;
  rate: number | null;
  points: number | null;
  measured: boolean;
  /** `reason.code`. */
  reason: string | null;
}

export interface RefScore {
  points: number;
  max: number;
  fullMax: number;
  groups: { code: string; max: number; points: number; measuredMax: number; criteria: RefCriterion[] }[];
}

export interface RefRisk {
  dossiers: number;
  petitions: number;
  group2: number;
  group5: number;
  total: number;
}

export interface RefScorecard {
  score: RefScore;
  atRisk: { lost: RefRisk; within24h: RefRisk; within48h: RefRisk } | null;
}

/** Sub-criteria no desk event can compute, with `reason.code` (docs/metrics.md "Not measured here"). */
const NOT_COMPUTABLE: Record<string, [number, string]> = {
  '1.1': [6, 'national_procedure_db'],
  '1.2': [4, 'national_procedure_db'],
  '1.3': [2, 'national_procedure_db'],
  '1.4': [6, 'portal_sync'],
  '3.1': [2, 'service_catalogue'],
  '3.2': [4, 'service_catalogue'],
  '3.5': [2, 'fee_catalogue'],
  '4.5a': [2, 'procedure_catalogue'],
  ecopy: [2, 'certified_copies'],
};

/** The five groups of Decision 766 with their points and sub-criteria. */
const GROUPS: { code: string; max: number; criteria: string[] }[] = [
  { code: '1', max: 18, criteria: ['1.1', '1.2', '1.3', '1.4'] },
  { code: '2', max: 20, criteria: ['2.1', '2.2'] },
  { code: '3', max: 22, criteria: ['3.1', '3.2', '3.3', '3.5', '3.5b', '3.6'] },
  { code: '4', max: 22, criteria: ['4.1', '4.2', '4.3', '4.4', '4.5a', '4.5b', 'ecopy'] },
  { code: '5', max: 18, criteria: ['5.2', '5.3', '5.4'] },
];

/**
 * A scored rate: linear when `fullAt` is 1, else full points from `fullAt` on. With a zero
 * denominator, `empty` decides: no points, full points, or not measured; a fact never reported is
 * not measured whatever the rule.
 */
function rated(
  code: string,
  max: number,
  fullAt: number,
  n: number,
  d: number,
  empty: 'zero' | 'full' | 'not measured',
  reported = true,
): RefCriterion {
  const base = { code, max, fullAt, numerator: n, denominator: d };
  if (!reported || (d === 0 && empty === 'not measured')) {
    return { ...base, rate: null, points: null, measured: false, reason: 'not_reported' };
  }
  if (d === 0)
    return { ...base, rate: null, points: empty === 'full' ? max : 0, measured: true, reason: 'no_data' };
  const r = n / d;
  return { ...base, rate: r, points: Math.min(max, (max * r) / fullAt), measured: true, reason: null };
}

/** 3.5b's distinct procedure codes: fee-bearing ones, and those of them with a dossier paid online. */
export interface RefFeeProcedures {
  feeBearing: number;
  paidOnline: number;
}

/** The scorecard of counters and open items, from the table of docs/metrics.md. */
export function refScore(
  c: RefCounts,
  procedures: RefFeeProcedures,
  dossiers: { total: number; overdue: number },
  petitions: { total: number; overdue: number },
): RefScore {
  const finished = c.early + c.onTime + c.late;
  const received = c.receivedDirect + c.receivedOnline + c.receivedPostal;
  const days = c.procMs / DAY;
  const criteria: Record<string, RefCriterion> = {
    '2.1': rated(
      '2.1',
      20,
      1,
      c.early + c.onTime + dossiers.total - dossiers.overdue,
      finished + dossiers.total,
      'zero',
    ),
    '2.2': {
      code: '2.2',
      max: 0,
      fullAt: null,
      numerator: days,
      denominator: finished,
      rate: finished === 0 ? null : days / finished,
      points: null,
      measured: true,
      reason: finished === 0 ? 'no_data' : null,
    },
    '3.3': rated('3.3', 6, 0.5, c.receivedOnline, received, 'zero'),
    // Capped at 80 %; like 3.6, not measured when no dossier received in the window said whether
    // it bears a fee, and 0 when some did but none bore one.
    '3.5b': rated('3.5b', 2, 0.8, procedures.paidOnline, procedures.feeBearing, 'zero', c.feeReported > 0),
    '3.6': rated('3.6', 6, 1, c.feePaidOnline, c.feeBearing, 'zero', c.feeReported > 0),
    '4.1': rated('4.1', 6, 1, c.eResult, c.eResultReported, 'not measured'),
    '4.2': rated('4.2', 4, 1, c.fullyDigitised, c.digitisationReported, 'not measured'),
    '4.3': rated('4.3', 2, 0.8, c.reusedData, c.reuseReported, 'not measured'),
    '4.4': rated('4.4', 4, 1, c.citizenStore, c.storeReported, 'not measured'),
    '4.5b': rated('4.5b', 2, 1, c.populationData, c.populationReported, 'not measured'),
    '5.2': rated(
      '5.2',
      6,
      1,
      c.petitionsHandledOnTime + petitions.total - petitions.overdue,
      c.petitionsHandled + petitions.total,
      'full',
    ),
    '5.3': rated('5.3', 6, 1, c.petitionsClosed - c.petitionsUnsatisfied, c.petitionsClosed, 'full'),
    '5.4': rated('5.4', 6, 0.9, c.early + c.onTime - c.onTimeComplained, finished, 'zero'),
  };
  for (const [code, [max, reason]] of Object.entries(NOT_COMPUTABLE)) {
    criteria[code] = {
      code,
      max,
      fullAt: null,
      numerator: null,
      denominator: null,
      rate: null,
      points: null,
      measured: false,
      reason,
    };
  }
  const groups = GROUPS.map((g) => {
    const list = g.criteria.map((code) => criteria[code]);
    const measured = list.filter((x) => x.measured);
    return {
      code: g.code,
      max: g.max,
      points: measured.reduce((sum, x) => sum + (x.points ?? 0), 0),
      measuredMax: measured.reduce((sum, x) => sum + x.max, 0),
      criteria: list,
    };
  });
  return {
    points: groups.reduce((sum, g) => sum + g.points, 0),
    max: groups.reduce((sum, g) => sum + g.measuredMax, 0),
    fullMax: 100,
    groups,
  };
}

/** The contract's numbers over a set of raw events (duplicates allowed: they count once). */
export class ReferenceModel {
  readonly dossiers: RefDossier[] = [];
  readonly petitions: RefPetition[] = [];
  readonly ratings: {
    unit: string;
    desk: string;
    time: number;
    level: string;
    dossierCode: string | null;
  }[] = [];
  readonly receipts: { unit: string; desk: string; time: number; channel: string; procedure: string }[] = [];
  readonly #desks = new Map<string, Set<string>>();
  /** Scorecards already worked out, by scope and window (a league asks again for its targets). */
  readonly #cards = new Map<string, RefScorecard>();
  /** How many distinct events (by source and id) the model holds. */
  readonly eventCount: number;

  constructor(
    events: readonly CloudEventLike[],
    readonly asOf: number,
  ) {
    const unique = new Map<string, CloudEventLike>();
    for (const e of events) {
      const key = JSON.stringify([e.source, e.id]);
      if (!unique.has(key)) unique.set(key, e);
    }
    this.eventCount = unique.size;
    const byDossier = new Map<string, Ev[]>();
    const byPetition = new Map<string, Ev[]>();
    /** Dossiers (commune, code) named by a dislike or a petition; petitions named by a repeat. */
    const complained = new Set<string>();
    const repeated = new Set<string>();
    const keyOf = (unit: string, code: unknown) => JSON.stringify([unit, code]);
    for (const raw of unique.values()) {
      const e = parseEvent(raw);
      const desks = this.#desks.get(e.unit) ?? new Set<string>();
      desks.add(e.desk);
      this.#desks.set(e.unit, desks);
      if (e.kind === 'rating.submitted') {
        this.ratings.push({
          unit: e.unit,
          desk: e.desk,
          time: e.time,
          level: e.data.level as string,
          dossierCode: typeof e.data.dossierCode === 'string' ? e.data.dossierCode : null,
        });
        if (e.data.level === 'unsatisfied' && typeof e.data.dossierCode === 'string') {
          complained.add(keyOf(e.unit, e.data.dossierCode));
        }
        continue;
      }
      if (e.kind.startsWith(PETITION)) {
        const key = keyOf(e.unit, e.data.petitionCode);
        byPetition.set(key, [...(byPetition.get(key) ?? []), e]);
        if (e.kind === 'petition.received') {
          if (typeof e.data.dossierCode === 'string') complained.add(keyOf(e.unit, e.data.dossierCode));
          if (typeof e.data.repeatOf === 'string') repeated.add(keyOf(e.unit, e.data.repeatOf));
        }
        continue;
      }
      if (e.kind === 'dossier.received') {
        this.receipts.push({
          unit: e.unit,
          desk: e.desk,
          time: e.time,
          channel: e.data.channel as string,
          procedure: e.data.procedureCode as string,
        });
      }
      const key = JSON.stringify([e.unit, e.data.dossierCode]);
      const list = byDossier.get(key) ?? [];
      list.push(e);
      byDossier.set(key, list);
    }
    for (const [key, list] of byDossier) {
      const [unit, code] = JSON.parse(key) as [string, string];
      this.dossiers.push(judgeDossier(unit, code, list, asOf, complained.has(key)));
    }
    for (const [key, list] of byPetition) {
      const [unit, code] = JSON.parse(key) as [string, string];
      const petition = judgePetition(unit, code, list, repeated.has(key));
      if (petition) this.petitions.push(petition);
    }
  }

  /** Desk codes seen in a commune's events, sorted. */
  desksOf(commune: string): string[] {
    return [...(this.#desks.get(commune) ?? [])].sort();
  }

  /** The snapshot `metrics` object of a scope over a window, at `asOf`. */
  metrics(scope: RefScope, window: RefWindow): UnitMetrics {
    const communes = new Set(scope.communes);
    const inScope = (x: { unit: string; desk: string }) =>
      communes.has(x.unit) && (scope.desk === undefined || x.desk === scope.desk);
    // Rollup buckets are minutes: what happened in a minute that starts inside the window counts.
    const inWindow = (t: number) => {
      const minute = Math.floor(t / MINUTE) * MINUTE;
      return minute >= window.from && minute < window.to;
    };

    const ratings = this.ratings.filter((r) => inScope(r) && inWindow(r.time));
    const verySatisfied = ratings.filter((r) => r.level === 'very_satisfied').length;
    const satisfied = ratings.filter((r) => r.level === 'satisfied').length;
    const unsatisfied = ratings.filter((r) => r.level === 'unsatisfied').length;
    const total = ratings.length;

    const receipts = this.receipts.filter((r) => inScope(r) && inWindow(r.time));
    const channel = (c: string) => receipts.filter((r) => r.channel === c).length;

    const mine = this.dossiers.filter(inScope);
    const open = mine.filter((d) => d.open !== null);
    const openTotal = open.length;
    const overdue = open.filter((d) => d.open?.overdue).length;
    const finished = mine.filter((d) => d.finishedAt !== null && inWindow(d.finishedAt));
    const count = (o: RefOutcome) => finished.filter((d) => d.outcome === o).length;
    const early = count('early');
    const onTime = count('onTime');
    const late = count('late');
    const known = finished.filter((d) => d.outcome !== 'unknown');
    const hours = known.map((d) => (d.processingMs as number) / HOUR);

    return {
      satisfaction: {
        verySatisfied,
        satisfied,
        unsatisfied,
        total,
        rate: total === 0 ? null : (verySatisfied + satisfied) / total,
        wilsonLow: refWilsonLow(verySatisfied + satisfied, total),
      },
      onTime: {
        early,
        onTime,
        late,
        unknown: count('unknown'),
        rate: early + onTime + late === 0 ? null : (early + onTime) / (early + onTime + late),
        avgHours: hours.length === 0 ? null : hours.reduce((s, h) => s + h, 0) / hours.length,
        index766:
          early + onTime + late + openTotal === 0
            ? null
            : (early + onTime + openTotal - overdue) / (early + onTime + late + openTotal),
      },
      received: {
        total: receipts.length,
        direct: channel('direct'),
        online: channel('online'),
        postal: channel('postal'),
      },
      open: {
        total: openTotal,
        overdue,
        dueSoon: open.filter((d) => d.open?.dueSoon).length,
        waitingSupplement: open.filter((d) => d.open?.waitingSupplement).length,
      },
    };
  }

  /** Every rollup counter of a scope over a window, as the read path sums the buckets. */
  counts(scope: RefScope, window: RefWindow): RefCounts {
    const inScope = scopeFilter(scope);
    const inWindow = (t: number | null) => t !== null && windowFilter(window)(t);
    const ratings = this.ratings.filter((r) => inScope(r) && inWindow(r.time));
    const receipts = this.receipts.filter((r) => inScope(r) && inWindow(r.time));
    const mine = this.dossiers.filter(inScope);
    const received = mine.filter((d) => inWindow(d.receivedAt));
    const finished = mine.filter((d) => d.outcome !== null && inWindow(d.finishedAt));
    const known = finished.filter((d) => d.outcome !== 'unknown');
    const petitions = this.petitions.filter((p) => inScope(p));
    const handled = petitions.filter((p) => inWindow(p.handledAt));
    const closed = petitions.filter((p) => inWindow(p.closedAt));
    const count = <T>(list: T[], test: (x: T) => boolean) => list.filter(test).length;
    const reported = (fact: Fact) => (d: RefDossier) => d.facts[fact] !== undefined;
    const yes = (fact: Fact) => (d: RefDossier) => d.facts[fact] === true;
    return {
      verySatisfied: count(ratings, (r) => r.level === 'very_satisfied'),
      satisfied: count(ratings, (r) => r.level === 'satisfied'),
      unsatisfied: count(ratings, (r) => r.level === 'unsatisfied'),
      early: count(finished, (d) => d.outcome === 'early'),
      onTime: count(finished, (d) => d.outcome === 'onTime'),
      late: count(finished, (d) => d.outcome === 'late'),
      unknown: count(finished, (d) => d.outcome === 'unknown'),
      procMs: known.reduce((sum, d) => sum + (d.processingMs as number), 0),
      receivedDirect: count(receipts, (r) => r.channel === 'direct'),
      receivedOnline: count(receipts, (r) => r.channel === 'online'),
      receivedPostal: count(receipts, (r) => r.channel === 'postal'),
      feeReported: count(received, reported('feeBearing')),
      feeBearing: count(received, yes('feeBearing')),
      feePaidOnline: count(received, (d) => yes('feeBearing')(d) && d.paidOnline),
      digitisedReported: count(received, reported('inputsDigitised')),
      inputsDigitised: count(received, yes('inputsDigitised')),
      reuseReported: count(received, reported('reusedData')),
      reusedData: count(received, yes('reusedData')),
      storeReported: count(received, reported('citizenStore')),
      citizenStore: count(received, yes('citizenStore')),
      populationReported: count(received, reported('populationData')),
      populationData: count(received, yes('populationData')),
      eResultReported: count(finished, reported('electronicResult')),
      eResult: count(finished, yes('electronicResult')),
      digitisationReported: count(
        finished,
        (d) => reported('inputsDigitised')(d) && reported('resultDigitised')(d),
      ),
      fullyDigitised: count(finished, (d) => yes('inputsDigitised')(d) && yes('resultDigitised')(d)),
      onTimeComplained: count(
        finished,
        (d) => (d.outcome === 'early' || d.outcome === 'onTime') && d.complained,
      ),
      petitionsReceived: count(petitions, (p) => inWindow(p.receivedAt)),
      petitionsHandled: handled.length,
      petitionsHandledOnTime: count(handled, (p) => p.handledOnTime === true),
      petitionsClosed: closed.length,
      petitionsUnsatisfied: count(closed, (p) => p.unsatisfied),
    };
  }

  /**
   * Issue 14, the drill-down: per procedure code (that of a dossier's earliest reception; '' when
   * none is known or a rating names no dossier), what the tiles count over a window and open at asOf.
   */
  procedures(scope: RefScope, window: RefWindow): Map<string, RefProcedure> {
    const inScope = scopeFilter(scope);
    const inWindow = (t: number | null) => t !== null && windowFilter(window)(t);
    const procedureOfDossier = new Map<string, string>();
    for (const d of this.dossiers) {
      const receptions = d.events
        .filter((e) => e.kind === 'dossier.received')
        .sort((a, b) => a.time - b.time);
      procedureOfDossier.set(
        JSON.stringify([d.unit, d.dossierCode]),
        (receptions[0]?.data.procedureCode as string) ?? '',
      );
    }
    const out = new Map<string, RefProcedure>();
    const row = (code: string) => {
      let r = out.get(code);
      if (!r) {
        r = {
          received: 0,
          early: 0,
          onTime: 0,
          late: 0,
          unknown: 0,
          verySatisfied: 0,
          satisfied: 0,
          unsatisfied: 0,
          open: 0,
          overdue: 0,
          dueSoon: 0,
          waitingSupplement: 0,
          feeReported: 0,
          feeBearing: 0,
          feePaidOnline: 0,
        };
        out.set(code, r);
      }
      return r;
    };
    for (const r of this.receipts) if (inScope(r) && inWindow(r.time)) row(r.procedure).received++;
    for (const r of this.ratings) {
      if (!inScope(r) || !inWindow(r.time)) continue;
      const code =
        r.dossierCode === null ? '' : (procedureOfDossier.get(JSON.stringify([r.unit, r.dossierCode])) ?? '');
      const level =
        r.level === 'very_satisfied'
          ? 'verySatisfied'
          : r.level === 'satisfied'
            ? 'satisfied'
            : 'unsatisfied';
      row(code)[level]++;
    }
    for (const d of this.dossiers) {
      if (!inScope(d)) continue;
      const code = procedureOfDossier.get(JSON.stringify([d.unit, d.dossierCode])) ?? '';
      if (d.outcome !== null && inWindow(d.finishedAt)) row(code)[d.outcome]++;
      if (d.open) {
        const r = row(code);
        r.open++;
        if (d.open.overdue) r.overdue++;
        if (d.open.dueSoon) r.dueSoon++;
        if (d.open.waitingSupplement) r.waitingSupplement++;
      }
      if (inWindow(d.receivedAt) && d.facts.feeBearing !== undefined) {
        const r = row(code);
        r.feeReported++;
        if (d.facts.feeBearing) {
          r.feeBearing++;
          if (d.paidOnline) r.feePaidOnline++;
        }
      }
    }
    return out;
  }

  /**
   * 3.5b over a scope and window, from the dossiers themselves: of those received in the window
   * whose reception says they bear a fee, the distinct procedure codes (that of the earliest
   * `received`), and the distinct codes of those paid online. A code is national: a dossier of
   * any commune in scope adds it to one set for the whole scope.
   */
  feeProcedures(scope: RefScope, window: RefWindow): RefFeeProcedures {
    const inScope = scopeFilter(scope);
    const inWindow = windowFilter(window);
    const feeBearing = new Set<string>();
    const paidOnline = new Set<string>();
    for (const d of this.dossiers) {
      if (!inScope(d) || d.receivedAt === null || !inWindow(d.receivedAt) || d.facts.feeBearing !== true)
        continue;
      let first: Ev | null = null;
      for (const e of d.events) {
        if (e.kind === 'dossier.received' && (first === null || e.time < first.time)) first = e;
      }
      const code = typeof first?.data.procedureCode === 'string' ? first.data.procedureCode : '';
      if (code === '') continue;
      feeBearing.add(code);
      if (d.paidOnline) paidOnline.add(code);
    }
    return { feeBearing: feeBearing.size, paidOnline: paidOnline.size };
  }

  /** The dossiers behind a number: their codes (`unit dossierCode`), sorted. */
  dossierList(scope: RefScope, window: RefWindow, kind: RefListKind): string[] {
    const inScope = scopeFilter(scope);
    const inWindow = (t: number | null) => t !== null && windowFilter(window)(t);
    const pick: Record<RefListKind, (d: RefDossier) => boolean> = {
      received: (d) => inWindow(d.receivedAt),
      finished: (d) => inWindow(d.finishedAt) && d.outcome !== null && d.outcome !== 'unknown',
      early: (d) => inWindow(d.finishedAt) && d.outcome === 'early',
      onTime: (d) => inWindow(d.finishedAt) && d.outcome === 'onTime',
      late: (d) => inWindow(d.finishedAt) && d.outcome === 'late',
      unknown: (d) => inWindow(d.finishedAt) && d.outcome === 'unknown',
      open: (d) => d.open !== null,
      overdue: (d) => d.open?.overdue === true,
      dueSoon: (d) => d.open?.dueSoon === true,
      waitingSupplement: (d) => d.open?.waitingSupplement === true,
    };
    return this.dossiers
      .filter((d) => inScope(d) && pick[kind](d))
      .map((d) => `${d.unit} ${d.dossierCode}`)
      .sort();
  }

  /** Whether a window is live (ends at `asOf` or later), and the instant its open items are counted at. */
  #endOf(window: RefWindow): { live: boolean; at: number } {
    const live = window.to >= this.asOf;
    return { live, at: live ? this.asOf : window.to };
  }

  /** Open dossiers of a scope at the end of a window (at `asOf` for a live one). */
  openDossiers(scope: RefScope, window: RefWindow): RefOpenItems {
    const inScope = scopeFilter(scope);
    const { live, at } = this.#endOf(window);
    const out: RefOpenItems = { total: 0, overdue: 0, dueIn24h: 0, dueIn48h: 0 };
    for (const d of this.dossiers) {
      if (!inScope(d)) continue;
      let open = d.open;
      if (!live) {
        // Received before the end and finished (as known now) at or after it: judged on its own
        // events before the end, finishing ones left out.
        const openThen =
          d.receivedAt !== null && d.receivedAt < at && (d.finishedAt === null || d.finishedAt >= at);
        if (!openThen) continue;
        const before = d.events.filter((e) => e.time < at && !FINISHING.has(e.kind));
        open = judgeDossier(d.unit, d.dossierCode, before, at).open;
      }
      if (!open) continue;
      out.total++;
      if (open.overdue) out.overdue++;
      else if (open.deadline <= at + 2 * DAY) {
        out.dueIn48h++;
        if (open.deadline <= at + DAY) out.dueIn24h++;
      }
    }
    return out;
  }

  /** Open petitions of a scope at the end of a window: received, not handled (by then, for an earlier end). */
  openPetitions(scope: RefScope, window: RefWindow): RefOpenItems {
    const inScope = scopeFilter(scope);
    const { live, at } = this.#endOf(window);
    const out: RefOpenItems = { total: 0, overdue: 0, dueIn24h: 0, dueIn48h: 0 };
    for (const p of this.petitions) {
      if (!inScope(p)) continue;
      const open = live
        ? p.handledAt === null
        : p.receivedAt < at && (p.handledAt === null || p.handledAt >= at);
      if (!open) continue;
      out.total++;
      if (at >= p.dueAt) out.overdue++;
      else if (p.dueAt <= at + 2 * DAY) {
        out.dueIn48h++;
        if (p.dueAt <= at + DAY) out.dueIn24h++;
      }
    }
    return out;
  }

  /**
   * The 766 scorecard of a scope over a window: the score from the window's counters and the open
   * items at its end, and, for a live window, the points at risk as marginal effects.
   */
  scorecard(scope: RefScope, window: RefWindow): RefScorecard {
    const key = JSON.stringify([scope.communes, scope.desk ?? null, window.from, window.to]);
    let card = this.#cards.get(key);
    if (!card) {
      card = this.#scorecard(scope, window);
      this.#cards.set(key, card);
    }
    return card;
  }

  #scorecard(scope: RefScope, window: RefWindow): RefScorecard {
    const counts = this.counts(scope, window);
    const procedures = this.feeProcedures(scope, window);
    const dossiers = this.openDossiers(scope, window);
    const petitions = this.openPetitions(scope, window);
    const score = refScore(counts, procedures, dossiers, petitions);
    if (!this.#endOf(window).live) return { score, atRisk: null };
    const group = (s: RefScore, code: string) => s.groups.find((g) => g.code === code)?.points ?? 0;
    /** The score with `d` of the open dossiers and `p` of the open petitions overdue. */
    const withOverdue = (d: number, p: number) =>
      refScore(
        counts,
        procedures,
        { total: dossiers.total, overdue: d },
        { total: petitions.total, overdue: p },
      );
    const risk = (nd: number, np: number, better: RefScore, worse: RefScore): RefRisk => {
      const group2 = group(better, '2') - group(worse, '2');
      const group5 = group(better, '5') - group(worse, '5');
      return { dossiers: nd, petitions: np, group2, group5, total: group2 + group5 };
    };
    return {
      score,
      atRisk: {
        lost: risk(dossiers.overdue, petitions.overdue, withOverdue(0, 0), score),
        within24h: risk(
          dossiers.dueIn24h,
          petitions.dueIn24h,
          score,
          withOverdue(dossiers.overdue + dossiers.dueIn24h, petitions.overdue + petitions.dueIn24h),
        ),
        within48h: risk(
          dossiers.dueIn48h,
          petitions.dueIn48h,
          score,
          withOverdue(dossiers.overdue + dossiers.dueIn48h, petitions.overdue + petitions.dueIn48h),
        ),
      },
    };
  }
}

const scopeFilter =
  (scope: RefScope) =>
  (x: { unit: string; desk: string }): boolean =>
    scope.communes.includes(x.unit) && (scope.desk === undefined || x.desk === scope.desk);

/** Rollup buckets are minutes: what happened in a minute that starts inside the window counts. */
const windowFilter =
  (window: RefWindow) =>
  (t: number): boolean => {
    const minute = Math.floor(t / MINUTE) * MINUTE;
    return minute >= window.from && minute < window.to;
  };
