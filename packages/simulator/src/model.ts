import {
  type Channel,
  CRITERIA,
  type Criterion,
  type DeskEvent,
  EVENT_TYPE,
  type EventData,
  type PetitionCategory,
  type RatingLevel,
} from '@motcua/contract';
import { makeWorkCalendar, VN_CALENDAR, type WorkCalendar } from '@motcua/metrics';
import {
  COMMENTS,
  PETITION_REJECT_REASONS,
  PETITION_SUPPLEMENT_REASONS,
  PROCEDURES,
  type Procedure,
  REJECT_REASONS,
  SUPPLEMENT_REASONS,
} from './catalog.ts';
import { hashSeed, Random } from './random.ts';
import {
  addWork,
  appointment,
  DAY_S,
  dayOfWeek,
  dayStartS,
  formatLocal,
  fromWorkClock,
  localDay,
  toWorkClock,
  weekdaysAfter,
  workingDayStartS,
  yymmdd,
} from './time.ts';

type RatingData = EventData<typeof EVENT_TYPE.rating>;

// Published figures the model is calibrated to (Hà Nội, 2025). A second figure we were given,
// "≈65 per commune per day", contradicts these (8,000 / 526 ≈ 15); the city total wins.
/** About 8,000 dossiers per working day across the city… */
export const CITY_DOSSIERS_PER_DAY = 8000;
/** …spread over its 526 commune-level units. */
export const CITY_COMMUNES = 526;
const SHARE_DIRECT = 0.394;
const SHARE_POSTAL = 0.006;
const SHARE_ONLINE = 1 - SHARE_DIRECT - SHARE_POSTAL;
/**
 * Share of online dossiers a desk accepts outside working hours. Real desks accept online
 * submissions in the morning; spreading a slice over evenings, nights and weekends keeps a live
 * demo moving around the clock without changing the daytime picture much.
 */
const ONLINE_OFF_HOURS = 0.15;
/** Working-hours volume by day of week (Sunday first): Monday busier, Saturday a half day. */
const DAY_FACTOR = [0, 1.3, 1, 1, 1, 1, 0.5];
/** Spread of commune busyness: the busiest few of 526 communes are 4–6× the median. */
const BUSYNESS_SIGMA = 0.6;
const STANDALONE_RATINGS_PER_DOSSIER = 0.018;
const RATING_SHARE = 0.35;
/** No event lies further than this after the start of the local day its dossier was received. */
export const MAX_LIFETIME_DAYS = 45;
/** Dossier numbers of speed layer k start at k × this (layer 0 is the plain 0001, 0002, …). */
const LAYER_STRIDE = 10_000;
const WORK_DAY_S = 9 * 3600;
const OPEN_S = 8 * 3600;

// Event contract v1.1: facts about dossiers, payments and petitions (PAKN). They come from streams
// of their own, so the v1 events of a seed are exactly what they were before v1.1.
/** The v1.1 facts a desk reports about a dossier: reception facts, then result facts. */
export const DOSSIER_FACTS = [
  'feeBearing',
  'inputsDigitised',
  'reusedData',
  'citizenStore',
  'populationData',
  'electronicResult',
  'resultDigitised',
] as const;
export type DossierFact = (typeof DOSSIER_FACTS)[number];
const RECEPTION_FACTS = 5;
/** Chance that a commune's desk software does not report a fact (its 766 figure is then "not measured"). */
const UNREPORTED: Record<DossierFact, number> = {
  feeBearing: 0.02,
  inputsDigitised: 0.02,
  reusedData: 0.03,
  citizenStore: 0.06,
  populationData: 0.04,
  electronicResult: 0.02,
  resultDigitised: 0.03,
};
/** Fee-bearing dossiers that are never paid (fee waived, or the citizen never came back). */
const UNPAID = 0.03;
/** Petitions about a dossier, per dossier, plus this × the rating penalty of a late or rejected one. */
const LINKED_PETITIONS = 0.006;
const LINKED_PETITIONS_PER_PENALTY = 0.1;
/** Petitions not about a particular dossier, per dossier received (≈ 2 a week for an average commune). */
const STANDALONE_PETITIONS_PER_DOSSIER = 0.025;
/** Petitions a sender files again, more when the first was late, rejected or disliked. */
const REPEAT = 0.03;
const REPEAT_WHEN_UNHAPPY = 0.12;

/** [from hour, to hour, weight] in local time. */
type Segment = readonly [number, number, number];
const WEEKDAY_HOURS: Segment[] = [
  [8, 9, 0.8],
  [9, 11.5, 1.2],
  [11.5, 13.5, 0.4],
  [13.5, 16, 1],
  [16, 17, 0.6],
];
const SATURDAY_HOURS: Segment[] = [
  [8, 9, 0.8],
  [9, 11.5, 1.2],
  [11.5, 12, 0.5],
];
const night = 0.25;
const WEEKDAY_OFF: Segment[] = [
  [0, 6, night],
  [6, 8, 1],
  [17, 22, 1],
  [22, 24, night],
];
const SATURDAY_OFF: Segment[] = [
  [0, 6, night],
  [6, 8, 1],
  [12, 22, 1],
  [22, 24, night],
];
const SUNDAY_OFF: Segment[] = [
  [0, 6, night],
  [6, 22, 1],
  [22, 24, night],
];

interface Profile {
  start: number[];
  len: number[];
  /** Cumulative share of the day's volume at the end of each segment. */
  cum: number[];
  /** Σ weight × hours. */
  weight: number;
}

function profile(segments: Segment[]): Profile {
  const start = segments.map(([a]) => a * 3600);
  const len = segments.map(([a, b]) => (b - a) * 3600);
  const mass = segments.map(([a, b, w]) => (b - a) * w);
  const weight = mass.reduce((s, m) => s + m, 0);
  let acc = 0;
  const cum = mass.map((m) => {
    acc += m;
    return weight > 0 ? acc / weight : 1;
  });
  return { start, len, cum, weight };
}

function sampleSecondOfDay(p: Profile, u: number): number {
  let i = 0;
  while (i < p.cum.length - 1 && u >= p.cum[i]) i++;
  const lo = i === 0 ? 0 : p.cum[i - 1];
  const within = (u - lo) / (p.cum[i] - lo);
  return p.start[i] + Math.min(Math.floor(within * p.len[i]), p.len[i] - 1);
}

interface Rates {
  work: Profile[];
  off: Profile[];
  /** Expected dossiers received in working hours per unit of daily mean, by day of week. */
  workMean: number[];
  /** Expected online dossiers received outside working hours, likewise. */
  offMean: number[];
}

/** Splits a weekly volume so that the Monday–Friday average of received dossiers is 1. */
function rates(): Rates {
  const work = [0, 1, 2, 3, 4, 5, 6].map((d) =>
    profile(d === 0 ? [] : d === 6 ? SATURDAY_HOURS : WEEKDAY_HOURS),
  );
  const off = [0, 1, 2, 3, 4, 5, 6].map((d) =>
    profile(d === 0 ? SUNDAY_OFF : d === 6 ? SATURDAY_OFF : WEEKDAY_OFF),
  );
  const offShareOfAll = SHARE_ONLINE * ONLINE_OFF_HOURS;
  const factorSum = DAY_FACTOR.reduce((a, b) => a + b, 0);
  const offSum = off.reduce((a, p) => a + p.weight, 0);
  const workShare = DAY_FACTOR.map((f) => ((1 - offShareOfAll) * f) / factorSum);
  const offShare = off.map((p) => (offShareOfAll * p.weight) / offSum);
  let weekdayMean = 0;
  for (let d = 1; d <= 5; d++) weekdayMean += (workShare[d] + offShare[d]) / 5;
  return {
    work,
    off,
    workMean: workShare.map((s) => s / weekdayMean),
    offMean: offShare.map((s) => s / weekdayMean),
  };
}

export interface CommuneInput {
  code: string;
  name?: string;
}

export interface ModelOptions {
  communes: CommuneInput[];
  seed: number;
  /** Fixed number of desks per commune; by default 2–4, drawn per commune. */
  desksPerCommune?: number;
  /** Upper bound on event times kept in the lookup cache (4 bytes each); default 16M. */
  cacheEvents?: number;
}

/** A commune as the model sees it. Everything is derived from (seed, code) alone. */
export interface CommuneModel {
  code: string;
  name?: string;
  /** Desk codes, `Q01`, `Q02`, … */
  desks: string[];
  /** Relative volume; 1 is the city average. Lognormal, so a few communes are 5× the median. */
  busyness: number;
  /** Expected dossiers received per Monday–Friday day at speed 1. */
  dossiersPerDay: number;
  /** Share of satisfied or very satisfied ratings before the penalty for late dossiers. */
  satisfaction: number;
  /** One of the ~3 % of communes whose satisfaction is clearly worse (~60 %). */
  lagging: boolean;
  /** What its v1.1 facts, payments and petitions look like; each commune draws its own. */
  shares: CommuneShares;
  /** Facts its desks never report (their 766 sub-criterion then reads "not measured"). */
  unreported: DossierFact[];
}

/** Target shares of a commune's v1.1 facts (fee-bearing or not is the procedure's). */
export interface CommuneShares {
  /** Of the fee-bearing dossiers that are paid, the share paid online (the others pay at the desk). */
  paidOnline: number;
  inputsDigitised: number;
  reusedData: number;
  citizenStore: number;
  populationData: number;
  electronicResult: number;
  resultDigitised: number;
  /** Petition steps (handling, and publishing an answer) done within their working-day deadlines. */
  petitionsOnTime: number;
}

export interface GenerateOptions {
  /** Multiplies dossier volume (default 1). Speed s yields a superset of the events of any speed below s. */
  speed?: number;
  /**
   * Epoch ms from which `speed` applies; dossiers received before it come at speed 1. Lets a
   * demo backfill history at the real volume and then run faster without orphaned lifecycles.
   */
  speedFrom?: number;
  /** Speed by time (epoch ms), for runs that changed speed; overrides `speed` and `speedFrom`. */
  schedule?: { from: number; speed: number }[];
  /** Only these commune codes (default all). */
  communes?: string[];
}

/** From `from` (epoch seconds) on, dossiers come `speed` times as often; before the first step, at 1. */
interface SpeedStep {
  from: number;
  speed: number;
}

function speedAt(schedule: SpeedStep[], t: number): number {
  let speed = 1;
  for (const step of schedule) if (t >= step.from) speed = step.speed;
  return speed;
}

export interface CityModel {
  readonly communes: readonly CommuneModel[];
  /**
   * All events whose `time` lies in [fromMs, toMs), sorted by time. Deterministic for a seed, and
   * consistent across ranges: [a, b) followed by [b, c) equals [a, c).
   */
  generate(fromMs: number, toMs: number, opts?: GenerateOptions): DeskEvent[];
}

interface Commune extends CommuneModel {
  position: number;
  sources: string[];
  codePrefix: string;
  /** Bit i set when the commune reports DOSSIER_FACTS[i]. */
  reports: number;
  /** Chance of each fact being true, by DOSSIER_FACTS index (feeBearing's is the procedure's). */
  factShares: number[];
}

/** One commune's dossiers of one local day (one speed layer); the heads are shared by its codes. */
interface Unit {
  commune: Commune;
  day: number;
  /** `000.00.04.H26-251129-` */
  codeHead: string;
  /** `00004-251129-` */
  idHead: string;
}

interface Dossier {
  unit: Unit;
  seq: number;
  proc: Procedure;
  channel: Channel;
  due: number;
  code: string | null;
  idBase: string | null;
  /** v1.1 facts reported (bit i for DOSSIER_FACTS[i]), and which of them are true. */
  reported: number;
  facts: number;
}

/** A petition (PAKN); its code is made when one of its events is emitted. */
interface Petition {
  unit: Unit;
  /** `PA0003` (about no dossier), `PD0012` (about dossier 0012), `….2` when filed again. */
  tag: string;
  category: PetitionCategory;
  dossier: Dossier | null;
  repeatOf: Petition | null;
  code: string | null;
}

interface RatingPlan {
  level: RatingLevel;
  criteria?: Partial<Record<Criterion, RatingLevel>>;
  officialId?: string;
  comment?: string;
}

type Kind =
  | 'received'
  | 'supplement'
  | 'supplied'
  | 'rescheduled'
  | 'resolved'
  | 'returned'
  | 'rejected'
  | 'withdrawn'
  | 'paid'
  | 'rating'
  | PetitionKind;
type PetitionKind = 'petition' | 'pRejected' | 'pSupplement' | 'pAnswered' | 'pPublished' | 'pReacted';

/** An event before it becomes JSON; only those inside the asked range ever do. */
interface Raw {
  t: number;
  kind: Kind;
  unit: Unit;
  desk: number;
  dossier: Dossier | null;
  /** Supplement round (1, 2), the number of a rating without dossier, 1 for an online payment, a reaction's number, else 0. */
  n: number;
  /** `newDueAt` of a rescheduled event, 1 for a like (a reaction), else 0. */
  due: number;
  reason: string | null;
  rating: RatingPlan | null;
  petition: Petition | null;
}

/** Collects what falls in [fromS, toS) and, when asked, every time for the unit's index. */
class Sink {
  times: number[] | null = null;
  horizon = 0;

  constructor(
    readonly out: Raw[],
    readonly fromS: number,
    readonly toS: number,
  ) {}

  add(
    t: number,
    kind: Kind,
    unit: Unit,
    desk: number,
    dossier: Dossier | null,
    n = 0,
    due = 0,
    reason: string | null = null,
    rating: RatingPlan | null = null,
    petition: Petition | null = null,
  ): void {
    // Bounded lifetime makes ranges enumerable; the rare straggler beyond it is dropped.
    if (t >= this.horizon) return;
    this.times?.push(t);
    if (t >= this.fromS && t < this.toS)
      this.out.push({ t, kind, unit, desk, dossier, n, due, reason, rating, petition });
  }
}

const PROC_WEIGHTS_DIRECT = PROCEDURES.map((p) => p.direct);
const PROC_WEIGHTS_ONLINE = PROCEDURES.map((p) => p.online);
const LEVELS: RatingLevel[] = ['very_satisfied', 'satisfied', 'unsatisfied'];

const clamp = (x: number, lo: number, hi: number) => Math.min(Math.max(x, lo), hi);

/** Per-dossier stream, so thinning one dossier out never shifts another's lifecycle. */
function subSeed(unitSeed: number, i: number): number {
  let h = (unitSeed ^ Math.imul(i + 1, 0x9e3779b9)) >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  h = Math.imul(h, 0x846ca68b);
  h ^= h >>> 16;
  return h >>> 0;
}

function planRating(r: Random, commune: Commune, penalty: number, desk: number): RatingPlan {
  const p = commune.satisfaction - penalty;
  const level: RatingLevel =
    r.next() < p ? (r.bernoulli(0.55) ? 'very_satisfied' : 'satisfied') : 'unsatisfied';
  const plan: RatingPlan = { level };
  if (r.bernoulli(0.3)) {
    const criteria: Partial<Record<Criterion, RatingLevel>> = {};
    const count = r.int(2, CRITERIA.length);
    const start = r.int(0, CRITERIA.length - 1);
    const idx = LEVELS.indexOf(level);
    for (let k = 0; k < count; k++) {
      const drift = r.bernoulli(0.3) ? (r.bernoulli(0.5) ? -1 : 1) : 0;
      criteria[CRITERIA[(start + k) % CRITERIA.length]] = LEVELS[clamp(idx + drift, 0, 2)];
    }
    plan.criteria = criteria;
  }
  if (r.bernoulli(0.4)) plan.officialId = `CB${commune.code}${String(desk + 1).padStart(2, '0')}`;
  if (r.bernoulli(0.08)) plan.comment = r.pick(COMMENTS[level]);
  return plan;
}

/**
 * The whole life of one dossier, decided at once from its own stream `r`; its v1.1 facts,
 * payment and petition come from a second stream `f`, so they leave the v1 events as they were.
 */
function lifecycle(
  r: Random,
  f: Random,
  unit: Unit,
  seq: number,
  channel: Channel,
  t0: number,
  sink: Sink,
): void {
  const { commune } = unit;
  const deskCount = commune.desks.length;
  const proc = r.weighted(PROCEDURES, channel === 'online' ? PROC_WEIGHTS_ONLINE : PROC_WEIGHTS_DIRECT);
  const due = appointment(t0, proc.days);
  const dossier: Dossier = { unit, seq, proc, channel, due, code: null, idBase: null, reported: 0, facts: 0 };
  const desk = r.int(0, deskCount - 1);
  sink.add(t0, 'received', unit, desk, dossier);

  const w0 = toWorkClock(t0);
  const span = Math.max(toWorkClock(due) - w0, 1800);
  let last = t0;
  let paused = 0;
  let stalled = false;
  if (r.bernoulli(0.1)) {
    const rounds = r.bernoulli(0.15) ? 2 : 1;
    for (let n = 1; n <= rounds; n++) {
      const at =
        n === 1
          ? Math.max(toWorkClock(last) + 300, w0 + span * r.uniform(0.05, 0.4))
          : toWorkClock(last) + r.uniform(1800, WORK_DAY_S);
      const asked = fromWorkClock(at);
      const reason = r.bernoulli(0.7) ? r.pick(SUPPLEMENT_REASONS) : null;
      sink.add(asked, 'supplement', unit, desk, dossier, n, 0, reason);
      if (!r.bernoulli(0.85)) {
        stalled = true; // never completed: stays open, waiting for the citizen
        break;
      }
      const wait = clamp(r.lognormal(Math.log(1.5 * DAY_S), 0.5), 2 * 3600, 6 * DAY_S);
      const back = fromWorkClock(toWorkClock(asked + wait));
      sink.add(back, 'supplied', unit, desk, dossier, n);
      paused += back - asked;
      last = back;
    }
  }

  let end: number | null = null;
  let returned: number | null = null;
  let penalty = 0;
  /** Withdrawn or rejected: nothing to pay. */
  let dropped = false;
  if (!stalled) {
    // The clock stops while the citizen completes the dossier, so the appointment moves by that time.
    const lo = toWorkClock(last) + r.uniform(600, 1800);
    const hi = toWorkClock(due + paused);
    const u = r.next();
    let resolved: number | null = null;
    if (u < 0.01) {
      end = fromWorkClock(lo + r.next() * Math.max(hi - lo, 3600));
      sink.add(end, 'withdrawn', unit, desk, dossier);
      dropped = true;
    } else if (u < 0.03) {
      end = fromWorkClock(lo + r.next() * Math.max(0.6 * (hi - lo), 3600));
      const reason = r.bernoulli(0.6) ? r.pick(REJECT_REASONS) : null;
      sink.add(end, 'rejected', unit, desk, dossier, 0, 0, reason);
      penalty = 0.25;
      dropped = true;
    } else if (u < 0.05) {
      // Apology slip shortly before the appointment, then finished after it.
      const slip = fromWorkClock(Math.max(lo, hi - r.uniform(1800, WORK_DAY_S)));
      const newDue = weekdaysAfter(due, r.int(2, 5));
      sink.add(slip, 'rescheduled', unit, desk, dossier, 0, newDue);
      const room = Math.max(3600, (toWorkClock(newDue + paused) - hi) * 1.2);
      resolved = fromWorkClock(Math.max(hi, toWorkClock(slip)) + r.uniform(1800, room));
      penalty = 0.25;
    } else if (u < 0.095) {
      // With the 2 % rescheduled and the ~1.5 % asked twice to supplement (late by rule), ~8 % end late.
      resolved = fromWorkClock(Math.max(hi, lo) + r.uniform(0.1, 4) * WORK_DAY_S);
      penalty = 0.25;
    } else if (hi - lo < 60) {
      resolved = fromWorkClock(lo);
    } else {
      // Work-clock readings below `hi` map to times before the appointment, so these are on time.
      const f = r.bernoulli(0.65) ? r.uniform(0.05, 0.75) : r.uniform(0.75, 0.999);
      resolved = fromWorkClock(lo + (hi - lo) * f);
    }
    if (resolved !== null) {
      sink.add(resolved, 'resolved', unit, desk, dossier);
      const delay =
        channel === 'direct'
          ? clamp(r.lognormal(Math.log(3 * 3600), 1), 300, 3 * WORK_DAY_S)
          : channel === 'online'
            ? clamp(r.lognormal(Math.log(1800), 1), 120, WORK_DAY_S)
            : clamp(r.lognormal(Math.log(1.5 * WORK_DAY_S), 0.4), 3600, 4 * WORK_DAY_S);
      returned = addWork(resolved, delay);
      end = returned;
    }
  }

  let returnDesk = desk;
  if (returned !== null) {
    returnDesk = r.int(0, deskCount - 1);
    sink.add(returned, 'returned', unit, returnDesk, dossier);
  }
  if (r.bernoulli(RATING_SHARE)) {
    // Mostly when the result is handed back; a few citizens rate the reception itself.
    const atReceipt = channel === 'direct' && r.bernoulli(0.15);
    const anchor = atReceipt ? t0 : (returned ?? (end !== null && r.bernoulli(0.5) ? end : null));
    if (anchor !== null) {
      const ratingDesk = atReceipt ? desk : returnDesk;
      const rating = planRating(r, commune, atReceipt ? 0 : penalty, ratingDesk);
      sink.add(anchor + r.int(30, 300), 'rating', unit, ratingDesk, dossier, 0, 0, null, rating);
    }
  }

  // v1.1: what the desk reports about the dossier, its payment, and a petition about it.
  dossier.reported = commune.reports;
  let facts = proc.fee ? 1 : 0;
  for (let k = 1; k < DOSSIER_FACTS.length; k++) if (f.next() < commune.factShares[k]) facts |= 1 << k;
  dossier.facts = facts & commune.reports;
  if ((dossier.facts & 1) !== 0 && !dropped && !f.bernoulli(UNPAID)) {
    // Online: minutes to a day or two after reception, at any hour. At the desk: at reception for
    // a dossier handed in there, else when the result is collected.
    if (f.bernoulli(commune.shares.paidOnline)) {
      const at = t0 + Math.round(clamp(f.lognormal(Math.log(1800), 1.2), 60, 2 * DAY_S));
      sink.add(at, 'paid', unit, desk, dossier, 1);
    } else if (channel === 'direct') {
      sink.add(addWork(t0, f.int(60, 900)), 'paid', unit, desk, dossier);
    } else if (returned !== null) {
      sink.add(addWork(returned, f.int(10, 300)), 'paid', unit, returnDesk, dossier);
    }
  }
  if (f.bernoulli(LINKED_PETITIONS + LINKED_PETITIONS_PER_PENALTY * penalty)) {
    // A late or rejected dossier draws its petition once it is late (or rejected); another, one
    // about its reception, within days of it.
    const unhappy = penalty > 0 || stalled;
    const category: PetitionCategory = unhappy
      ? f.bernoulli(0.8)
        ? 'procedure'
        : 'staff'
      : f.weighted(CATEGORIES, [0.35, 0.5, 0.15]);
    const from = unhappy ? Math.max(t0, end !== null && dropped ? end : due) : t0;
    const at = from + f.int(3600, 3 * DAY_S);
    const petition = newPetition(unit, `PD${pad4(seq)}`, category, dossier);
    petitionLife(f, petition, at, f.int(0, deskCount - 1), sink, true);
  }
}

const CATEGORIES: readonly PetitionCategory[] = ['procedure', 'staff', 'other'];
const pad4 = (n: number) => String(n).padStart(4, '0');

function newPetition(unit: Unit, tag: string, category: PetitionCategory, dossier: Dossier | null): Petition {
  return { unit, tag, category, dossier, repeatOf: null, code: null };
}

let vnCalendar: WorkCalendar | null = null;
/** Start of the k-th working day after a local day, by `day × 64 + k`: petitions ask for few distinct ones. */
const workingDayStarts = new Map<number, number>();

/**
 * A second of desk hours (08:00–17:00) on the `k`-th working day after the local day of `t`, on
 * Vietnam's working days (public holidays off), on which petition deadlines are counted.
 */
function workingDayTime(f: Random, t: number, k: number): number {
  const key = localDay(t * 1000) * 64 + k;
  let start = workingDayStarts.get(key);
  if (start === undefined) {
    vnCalendar ??= makeWorkCalendar(VN_CALENDAR);
    start = workingDayStartS(vnCalendar, t, k);
    workingDayStarts.set(key, start);
  }
  return start + OPEN_S + f.int(0, WORK_DAY_S - 1);
}

/**
 * The life of one petition received at `t0`, from the stream `f`: rejected (within 2 working
 * days), or answered (within 15), first asking for more information (within 5) for some; the
 * answer published (within 2 of it) for most; likes and dislikes after that; and, now and then,
 * the same petition filed again. Each step keeps its deadline with the commune's
 * `petitionsOnTime` share, else comes 1–5 working days late. A petition whose steps would run
 * past the horizon of its day is never filed (a lifecycle must end within MAX_LIFETIME_DAYS).
 */
function petitionLife(
  f: Random,
  petition: Petition,
  t0: number,
  desk: number,
  sink: Sink,
  mayRepeat: boolean,
) {
  const onTime = petition.unit.commune.shares.petitionsOnTime;
  /** Working day (counted from t0's day) of a step due within `days`, on time or late. */
  const dayOf = (days: number, after = 0) =>
    f.bernoulli(onTime) ? f.int(Math.min(after + 1, days), days) : Math.max(days, after) + f.int(1, 5);
  const steps: { t: number; kind: PetitionKind; reason: string | null }[] = [];
  const u = f.next();
  let late = false;
  let closedAt: number;
  if (u < 0.06) {
    const k = dayOf(2);
    late = k > 2;
    closedAt = workingDayTime(f, t0, k);
    const reason = f.bernoulli(0.7) ? f.pick(PETITION_REJECT_REASONS) : null;
    steps.push({ t: closedAt, kind: 'pRejected', reason });
  } else {
    let asked = 0;
    if (u < 0.18) {
      asked = dayOf(5);
      late = asked > 5;
      const reason = f.bernoulli(0.7) ? f.pick(PETITION_SUPPLEMENT_REASONS) : null;
      steps.push({ t: workingDayTime(f, t0, asked), kind: 'pSupplement', reason });
    }
    const k = dayOf(15, asked);
    if (asked === 0) late = k > 15;
    closedAt = workingDayTime(f, t0, k);
    steps.push({ t: closedAt, kind: 'pAnswered', reason: null });
    if (f.bernoulli(0.9)) {
      const p = dayOf(2);
      if (p > 2) late = true;
      steps.push({ t: workingDayTime(f, closedAt, p), kind: 'pPublished', reason: null });
    }
  }
  const last = steps[steps.length - 1].t;
  if (last >= sink.horizon) return;
  sink.add(t0, 'petition', petition.unit, desk, null, 0, 0, null, null, petition);
  for (const s of steps) sink.add(s.t, s.kind, petition.unit, desk, null, 0, 0, s.reason, null, petition);
  const unhappy = late || u < 0.06;
  const reactions = f.poisson(unhappy ? 1.5 : 1);
  let dislikes = 0;
  for (let n = 1; n <= reactions; n++) {
    const like = f.bernoulli(unhappy ? 0.35 : 0.8);
    if (!like) dislikes++;
    const at = last + f.int(600, 5 * DAY_S);
    sink.add(at, 'pReacted', petition.unit, desk, null, n, like ? 1 : 0, null, null, petition);
  }
  if (mayRepeat && f.bernoulli(REPEAT + (unhappy || 2 * dislikes > reactions ? REPEAT_WHEN_UNHAPPY : 0))) {
    const again: Petition = { ...petition, tag: `${petition.tag}.2`, repeatOf: petition, code: null };
    petitionLife(
      f,
      again,
      workingDayTime(f, closedAt, f.int(1, 5)),
      f.int(0, petition.unit.commune.desks.length - 1),
      sink,
      false,
    );
  }
}

/** Everything one commune receives on one local day, at one speed, with lifecycles to the end. */
function unitEvents(
  seed: number,
  rt: Rates,
  commune: Commune,
  day: number,
  schedule: SpeedStep[],
  sink: Sink,
): void {
  const dow = dayOfWeek(day);
  const start = dayStartS(day);
  sink.horizon = start + MAX_LIFETIME_DAYS * DAY_S;
  const date = yymmdd(day);
  const unit: Unit = {
    commune,
    day,
    codeHead: `${commune.codePrefix}-${date}-`,
    idHead: `${commune.code}-${date}-`,
  };
  const mean = commune.dossiersPerDay;
  const offShare = SHARE_ONLINE * ONLINE_OFF_HOURS;
  const pDirect = SHARE_DIRECT / (1 - offShare);
  const pPostal = SHARE_POSTAL / (1 - offShare);
  const layers = Math.ceil(Math.max(1, ...schedule.map((p) => p.speed)));
  const share = (layer: number, t: number) => Math.min(1, speedAt(schedule, t) - layer);
  for (let layer = 0; layer < layers; layer++) {
    const unitSeed = hashSeed(seed, commune.code, day, layer);
    const r = new Random(unitSeed);
    const nWork = r.poisson(rt.workMean[dow] * mean);
    const nOff = r.poisson(rt.offMean[dow] * mean);
    const nStandalone = r.poisson(rt.workMean[dow] * mean * STANDALONE_RATINGS_PER_DOSSIER);
    const arrivals: { t: number; channel: Channel }[] = [];
    for (let i = 0; i < nWork; i++) {
      const t = start + sampleSecondOfDay(rt.work[dow], r.next());
      const u = r.next();
      arrivals.push({ t, channel: u < pDirect ? 'direct' : u < pDirect + pPostal ? 'postal' : 'online' });
    }
    for (let i = 0; i < nOff; i++)
      arrivals.push({ t: start + sampleSecondOfDay(rt.off[dow], r.next()), channel: 'online' });
    arrivals.sort((a, b) => a.t - b.t);
    for (let i = 0; i < arrivals.length; i++) {
      const { t, channel } = arrivals[i];
      if (r.next() >= share(layer, t)) continue;
      const seq = layer * LAYER_STRIDE + i + 1;
      lifecycle(
        new Random(subSeed(unitSeed, i)),
        new Random(subSeed(unitSeed ^ V11_SALT, i)),
        unit,
        seq,
        channel,
        t,
        sink,
      );
    }
    for (let i = 0; i < nStandalone; i++) {
      const t = start + sampleSecondOfDay(rt.work[dow], r.next());
      if (r.next() >= share(layer, t)) continue;
      const dr = new Random(subSeed(unitSeed, LAYER_STRIDE + i));
      const desk = dr.int(0, commune.desks.length - 1);
      const rating = planRating(dr, commune, 0, desk);
      sink.add(t, 'rating', unit, desk, null, layer * LAYER_STRIDE + i + 1, 0, null, rating);
    }
    // v1.1: petitions not about a dossier, drawn after every v1 draw of this stream.
    const nPetitions = r.poisson(rt.workMean[dow] * mean * STANDALONE_PETITIONS_PER_DOSSIER);
    for (let i = 0; i < nPetitions; i++) {
      const t = start + sampleSecondOfDay(rt.work[dow], r.next());
      if (r.next() >= share(layer, t)) continue;
      const pr = new Random(subSeed(unitSeed, 2 * LAYER_STRIDE + i));
      const category = pr.weighted(CATEGORIES, [0.45, 0.25, 0.3]);
      const petition = newPetition(unit, `PA${pad4(layer * LAYER_STRIDE + i + 1)}`, category, null);
      petitionLife(pr, petition, t, pr.int(0, commune.desks.length - 1), sink, true);
    }
  }
}

/** Salt of the v1.1 stream of each dossier. */
const V11_SALT = 0x5bd1e995;

const ID_TAILS: Record<Kind, string[]> = {
  received: ['-received'],
  supplement: ['-supplement', '-supplement-1', '-supplement-2'],
  supplied: ['-supplied', '-supplied-1', '-supplied-2'],
  rescheduled: ['-rescheduled'],
  resolved: ['-resolved'],
  returned: ['-returned'],
  rejected: ['-rejected'],
  withdrawn: ['-withdrawn'],
  paid: ['-paid'],
  rating: ['-rating'],
  petition: ['-received'],
  pRejected: ['-rejected'],
  pSupplement: ['-supplement'],
  pAnswered: ['-answered'],
  pPublished: ['-published'],
  pReacted: ['-reacted'],
};

function ratingData(plan: RatingPlan, code: string | null): RatingData {
  const data: RatingData = { level: plan.level };
  if (code !== null) data.dossierCode = code;
  if (plan.criteria) data.criteria = plan.criteria;
  if (plan.officialId) data.officialId = plan.officialId;
  if (plan.comment) data.comment = plan.comment;
  return data;
}

/** Makes a dossier's code and id base the first time one of its events (or a petition about it) is emitted. */
function dossierCode(d: Dossier): string {
  if (d.code === null || d.idBase === null) {
    const seq = String(d.seq).padStart(4, '0');
    d.code = d.unit.codeHead + seq;
    d.idBase = d.unit.idHead + seq;
  }
  return d.code;
}

/** The data of `received` with the v1.1 reception facts the desk reports. */
function receivedData(d: Dossier, code: string): EventData<typeof EVENT_TYPE.received> {
  const data: EventData<typeof EVENT_TYPE.received> = {
    dossierCode: code,
    procedureCode: d.proc.code,
    procedureName: d.proc.name,
    channel: d.channel,
    dueAt: formatLocal(d.due * 1000),
  };
  for (let k = 0; k < RECEPTION_FACTS; k++) {
    if ((d.reported & (1 << k)) !== 0) data[DOSSIER_FACTS[k] as ReceptionFact] = (d.facts & (1 << k)) !== 0;
  }
  return data;
}
type ReceptionFact = (typeof DOSSIER_FACTS)[0 | 1 | 2 | 3 | 4];

function resolvedData(d: Dossier, code: string): EventData<typeof EVENT_TYPE.resolved> {
  const data: EventData<typeof EVENT_TYPE.resolved> = { dossierCode: code };
  if ((d.reported & (1 << 5)) !== 0) data.electronicResult = (d.facts & (1 << 5)) !== 0;
  if ((d.reported & (1 << 6)) !== 0) data.resultDigitised = (d.facts & (1 << 6)) !== 0;
  return data;
}

function petitionEvent(raw: Raw, p: Petition, source: string, time: string): DeskEvent {
  if (p.code === null) p.code = p.unit.codeHead + p.tag;
  const subject = p.code;
  const id = `${p.unit.idHead}${p.tag}${ID_TAILS[raw.kind][0]}`;
  const datacontenttype = JSON_TYPE;
  switch (raw.kind) {
    case 'petition': {
      const data: EventData<typeof EVENT_TYPE.petitionReceived> = {
        petitionCode: subject,
        category: p.category,
      };
      if (p.dossier !== null) data.dossierCode = dossierCode(p.dossier);
      if (p.repeatOf !== null) data.repeatOf = p.repeatOf.unit.codeHead + p.repeatOf.tag;
      const type = EVENT_TYPE.petitionReceived;
      return { specversion: '1.0', id, source, type, time, subject, datacontenttype, data };
    }
    case 'pRejected':
    case 'pSupplement': {
      const data =
        raw.reason === null ? { petitionCode: subject } : { petitionCode: subject, reason: raw.reason };
      const type =
        raw.kind === 'pRejected' ? EVENT_TYPE.petitionRejected : EVENT_TYPE.petitionSupplementRequested;
      return { specversion: '1.0', id, source, type, time, subject, datacontenttype, data };
    }
    case 'pAnswered': {
      const type = EVENT_TYPE.petitionAnswered;
      return {
        specversion: '1.0',
        id,
        source,
        type,
        time,
        subject,
        datacontenttype,
        data: { petitionCode: subject },
      };
    }
    case 'pPublished': {
      const type = EVENT_TYPE.petitionPublished;
      return {
        specversion: '1.0',
        id,
        source,
        type,
        time,
        subject,
        datacontenttype,
        data: { petitionCode: subject },
      };
    }
    default: {
      const data = {
        petitionCode: subject,
        reaction: raw.due === 1 ? ('like' as const) : ('dislike' as const),
      };
      const type = EVENT_TYPE.petitionReacted;
      return { specversion: '1.0', id: `${id}-${raw.n}`, source, type, time, subject, datacontenttype, data };
    }
  }
}

function toEvent(raw: Raw): DeskEvent {
  const source = raw.unit.commune.sources[raw.desk];
  const time = formatLocal(raw.t * 1000);
  if (raw.petition !== null) return petitionEvent(raw, raw.petition, source, time);
  const d = raw.dossier;
  if (d === null) {
    const id = `${raw.unit.idHead}r${String(raw.n).padStart(4, '0')}-rating`;
    const data = ratingData(raw.rating as RatingPlan, null);
    return {
      specversion: '1.0',
      id,
      source,
      type: EVENT_TYPE.rating,
      time,
      datacontenttype: JSON_TYPE,
      data,
    };
  }
  const code = dossierCode(d);
  const id = d.idBase + ID_TAILS[raw.kind][raw.kind === 'paid' ? 0 : raw.n];
  switch (raw.kind) {
    case 'received': {
      const data = receivedData(d, code);
      return {
        specversion: '1.0',
        id,
        source,
        type: EVENT_TYPE.received,
        time,
        subject: code,
        datacontenttype: JSON_TYPE,
        data,
      };
    }
    case 'supplement': {
      const data = raw.reason === null ? { dossierCode: code } : { dossierCode: code, reason: raw.reason };
      const type = EVENT_TYPE.supplementRequested;
      return { specversion: '1.0', id, source, type, time, subject: code, datacontenttype: JSON_TYPE, data };
    }
    case 'rescheduled': {
      const data = { dossierCode: code, newDueAt: formatLocal(raw.due * 1000) };
      const type = EVENT_TYPE.rescheduled;
      return { specversion: '1.0', id, source, type, time, subject: code, datacontenttype: JSON_TYPE, data };
    }
    case 'rejected': {
      const data = raw.reason === null ? { dossierCode: code } : { dossierCode: code, reason: raw.reason };
      const type = EVENT_TYPE.rejected;
      return { specversion: '1.0', id, source, type, time, subject: code, datacontenttype: JSON_TYPE, data };
    }
    case 'resolved': {
      const data = resolvedData(d, code);
      const type = EVENT_TYPE.resolved;
      return { specversion: '1.0', id, source, type, time, subject: code, datacontenttype: JSON_TYPE, data };
    }
    case 'paid': {
      const data = { dossierCode: code, method: raw.n === 1 ? ('online' as const) : ('desk' as const) };
      const type = EVENT_TYPE.paid;
      return { specversion: '1.0', id, source, type, time, subject: code, datacontenttype: JSON_TYPE, data };
    }
    case 'rating': {
      const data = ratingData(raw.rating as RatingPlan, code);
      const type = EVENT_TYPE.rating;
      return { specversion: '1.0', id, source, type, time, subject: code, datacontenttype: JSON_TYPE, data };
    }
    default: {
      const type = PLAIN_TYPES[raw.kind as keyof typeof PLAIN_TYPES];
      return {
        specversion: '1.0',
        id,
        source,
        type,
        time,
        subject: code,
        datacontenttype: JSON_TYPE,
        data: { dossierCode: code },
      };
    }
  }
}

const JSON_TYPE = 'application/json';
const PLAIN_TYPES = {
  supplied: EVENT_TYPE.supplementReceived,
  returned: EVENT_TYPE.returned,
  withdrawn: EVENT_TYPE.withdrawn,
} as const;

function lowerBound(a: Uint32Array, x: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Sorted event times of one (commune, day, speed), complete from `validFrom` on. */
interface TimeIndex {
  validFrom: number;
  times: Uint32Array;
}

const POSITION_RANGE = 2 ** 21;

/** Stable sort by time: packs (time, position) into one float64 when it fits, which sorts natively. */
function sortByTime(raws: Raw[]): Raw[] {
  if (raws.length >= POSITION_RANGE) return raws.sort((a, b) => a.t - b.t);
  const keys = new Float64Array(raws.length);
  for (let i = 0; i < raws.length; i++) keys[i] = raws[i].t * POSITION_RANGE + i;
  keys.sort();
  const out = new Array<Raw>(raws.length);
  for (let i = 0; i < keys.length; i++) out[i] = raws[keys[i] % POSITION_RANGE];
  return out;
}

/**
 * A commune's v1.1 shares, around the national figures: 82,913 of 98,459 fee-bearing dossiers paid
 * online (≈ 84 %: ≈ 89 % of those paid, as ≈ 6 % are withdrawn, rejected or never paid), ≈ 80 %
 * of inputs digitised; the others are illustrative. Lagging communes handle petitions late more often.
 */
function drawShares(r: Random, lagging: boolean): { shares: CommuneShares; reports: number } {
  const shares: CommuneShares = {
    paidOnline: clamp(r.normal(0.89, 0.05), 0.7, 0.99),
    inputsDigitised: clamp(r.normal(0.8, 0.06), 0.55, 0.97),
    reusedData: r.uniform(0.4, 0.6),
    citizenStore: r.uniform(0, 0.1),
    populationData: r.uniform(0.5, 0.7),
    electronicResult: r.uniform(0.6, 0.9),
    resultDigitised: r.uniform(0.75, 0.85),
    petitionsOnTime: lagging ? r.uniform(0.55, 0.75) : clamp(r.normal(0.88, 0.06), 0.65, 0.99),
  };
  let reports = 0;
  DOSSIER_FACTS.forEach((name, k) => {
    if (!r.bernoulli(UNREPORTED[name])) reports |= 1 << k;
  });
  return { shares, reports };
}

/** A synthetic city whose desks behave like Hà Nội's, calibrated to published figures. */
export function createCityModel(opts: ModelOptions): CityModel {
  const { seed } = opts;
  if (!Number.isFinite(seed)) throw new Error('seed: expected a finite number');
  if (
    opts.desksPerCommune !== undefined &&
    !(Number.isInteger(opts.desksPerCommune) && opts.desksPerCommune >= 1)
  ) {
    throw new Error('desksPerCommune: expected a positive integer');
  }
  const rt = rates();
  const meanBusyness = Math.exp((BUSYNESS_SIGMA * BUSYNESS_SIGMA) / 2);
  const seen = new Set<string>();
  const communes: Commune[] = opts.communes.map(({ code, name }, position) => {
    if (!/^\d{5}$/.test(code))
      throw new Error(`communes: code ${JSON.stringify(code)} is not a 5-digit unit code`);
    if (seen.has(code)) throw new Error(`communes: code ${code} appears twice`);
    seen.add(code);
    const r = new Random(hashSeed(seed, code, 'commune'));
    const deskCount = opts.desksPerCommune ?? r.int(2, 4);
    const desks = Array.from({ length: deskCount }, (_, i) => `Q${String(i + 1).padStart(2, '0')}`);
    const busyness = clamp(r.lognormal(0, BUSYNESS_SIGMA) / meanBusyness, 0.15, 8);
    const lagging = r.bernoulli(0.03);
    const satisfaction = lagging ? r.uniform(0.55, 0.65) : clamp(r.normal(0.875, 0.04), 0.72, 0.97);
    const padded = code.padStart(7, '0');
    const { shares, reports } = drawShares(new Random(hashSeed(seed, code, 'v1.1')), lagging);
    const commune: Commune = {
      position,
      code,
      desks,
      busyness,
      dossiersPerDay: (busyness * CITY_DOSSIERS_PER_DAY) / CITY_COMMUNES,
      satisfaction,
      lagging,
      shares,
      unreported: DOSSIER_FACTS.filter((_, k) => (reports & (1 << k)) === 0),
      sources: desks.map((d) => `/units/${code}/desks/${d}`),
      codePrefix: `${padded.slice(0, 3)}.${padded.slice(3, 5)}.${padded.slice(5, 7)}.H26`,
      reports,
      factShares: [
        1,
        ...DOSSIER_FACTS.slice(1).map((name) => shares[name as Exclude<DossierFact, 'feeBearing'>]),
      ],
    };
    if (name !== undefined) commune.name = name;
    return commune;
  });
  const byCode = new Map(communes.map((c) => [c.code, c]));

  const cacheLimit = opts.cacheEvents ?? 16_000_000;
  /** (speed, speedFrom) → commune position → local day → index. */
  const cache = new Map<string, Map<number, TimeIndex>[]>();
  let cached = 0;
  const daysOf = (speed: string, position: number): Map<number, TimeIndex> => {
    let perCommune = cache.get(speed);
    if (!perCommune) {
      perCommune = communes.map(() => new Map());
      cache.set(speed, perCommune);
    }
    return perCommune[position];
  };
  /** Keeps the unit's times from `fromS` on: ranges mostly move forward (backfill, then live). */
  const remember = (days: Map<number, TimeIndex>, day: number, list: number[], fromS: number) => {
    const times = Uint32Array.from(list.filter((t) => t >= fromS)).sort();
    const old = days.get(day);
    if (old) cached -= old.times.length;
    if (cached + times.length > cacheLimit) {
      for (const perCommune of cache.values()) for (const m of perCommune) m.clear();
      cached = 0;
    }
    days.set(day, { validFrom: fromS, times });
    cached += times.length;
  };

  /** Whether the index proves the unit has nothing in [fromS, toS); trims what lies behind. */
  const provablyEmpty = (index: TimeIndex, fromS: number, toS: number): boolean => {
    const lb = lowerBound(index.times, fromS);
    if (lb > 64 && lb * 2 > index.times.length) {
      cached -= lb;
      index.times = index.times.slice(lb);
      index.validFrom = fromS;
      return index.times.length === 0 || index.times[0] >= toS;
    }
    return lb === index.times.length || index.times[lb] >= toS;
  };

  function generate(fromMs: number, toMs: number, g: GenerateOptions = {}): DeskEvent[] {
    const steps = g.schedule ?? [{ from: g.speedFrom ?? Number.NEGATIVE_INFINITY, speed: g.speed ?? 1 }];
    const schedule = steps
      .map((p) => ({ from: Number.isFinite(p.from) ? Math.ceil(p.from / 1000) : p.from, speed: p.speed }))
      .sort((a, b) => a.from - b.from);
    for (const p of schedule) {
      if (!(Number.isFinite(p.speed) && p.speed > 0)) throw new Error('speed: expected a positive number');
    }
    const speedKey = JSON.stringify(schedule);
    if (!(Number.isFinite(fromMs) && Number.isFinite(toMs)))
      throw new Error('generate: expected finite times');
    let selected: Commune[] = communes;
    if (g.communes) {
      const wanted = new Set(g.communes);
      for (const code of wanted) if (!byCode.has(code)) throw new Error(`communes: unknown code ${code}`);
      selected = communes.filter((c) => wanted.has(c.code));
    }
    // Times are whole seconds: t·1000 ∈ [fromMs, toMs) ⇔ t ∈ [⌈fromMs/1000⌉, ⌈toMs/1000⌉).
    const fromS = Math.ceil(fromMs / 1000);
    const toS = Math.ceil(toMs / 1000);
    if (toS <= fromS) return [];
    const firstDay = localDay(fromS * 1000) - MAX_LIFETIME_DAYS;
    const lastDay = localDay((toS - 1) * 1000);
    const sink = new Sink([], fromS, toS);
    for (const commune of selected) {
      const days = daysOf(speedKey, commune.position);
      for (let day = firstDay; day <= lastDay; day++) {
        if (dayStartS(day) + MAX_LIFETIME_DAYS * DAY_S <= fromS) continue;
        const index = days.get(day);
        const indexed = index !== undefined && fromS >= index.validFrom;
        if (indexed && provablyEmpty(index, fromS, toS)) continue;
        sink.times = indexed ? null : [];
        unitEvents(seed, rt, commune, day, schedule, sink);
        if (sink.times) remember(days, day, sink.times, fromS);
      }
    }
    const sorted = sortByTime(sink.out);
    const events = new Array<DeskEvent>(sorted.length);
    for (let i = 0; i < sorted.length; i++) events[i] = toEvent(sorted[i]);
    return events;
  }

  const publicCommunes: CommuneModel[] = communes.map(
    ({ position: _i, sources: _s, codePrefix: _p, reports: _r, factShares: _f, ...c }) => c,
  );
  return { communes: publicCommunes, generate };
}
