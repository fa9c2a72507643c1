import {
  type Channel,
  CRITERIA,
  type Criterion,
  type DeskEvent,
  EVENT_TYPE,
  type EventData,
  type RatingLevel,
} from '@motcua/contract';
import { COMMENTS, PROCEDURES, type Procedure, REJECT_REASONS, SUPPLEMENT_REASONS } from './catalog.ts';
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
  | 'rating';

/** An event before it becomes JSON; only those inside the asked range ever do. */
interface Raw {
  t: number;
  kind: Kind;
  unit: Unit;
  desk: number;
  dossier: Dossier | null;
  /** Supplement round (1, 2), the number of a rating without dossier, else 0. */
  n: number;
  /** `newDueAt` of a rescheduled event, else 0. */
  due: number;
  reason: string | null;
  rating: RatingPlan | null;
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
  ): void {
    // Bounded lifetime makes ranges enumerable; the rare straggler beyond it is dropped.
    if (t >= this.horizon) return;
    this.times?.push(t);
    if (t >= this.fromS && t < this.toS)
      this.out.push({ t, kind, unit, desk, dossier, n, due, reason, rating });
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

/** The whole life of one dossier, decided at once from its own stream. */
function lifecycle(r: Random, unit: Unit, seq: number, channel: Channel, t0: number, sink: Sink): void {
  const { commune } = unit;
  const deskCount = commune.desks.length;
  const proc = r.weighted(PROCEDURES, channel === 'online' ? PROC_WEIGHTS_ONLINE : PROC_WEIGHTS_DIRECT);
  const due = appointment(t0, proc.days);
  const dossier: Dossier = { unit, seq, proc, channel, due, code: null, idBase: null };
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
  if (!stalled) {
    // The clock stops while the citizen completes the dossier, so the appointment moves by that time.
    const lo = toWorkClock(last) + r.uniform(600, 1800);
    const hi = toWorkClock(due + paused);
    const u = r.next();
    let resolved: number | null = null;
    if (u < 0.01) {
      end = fromWorkClock(lo + r.next() * Math.max(hi - lo, 3600));
      sink.add(end, 'withdrawn', unit, desk, dossier);
    } else if (u < 0.03) {
      end = fromWorkClock(lo + r.next() * Math.max(0.6 * (hi - lo), 3600));
      const reason = r.bernoulli(0.6) ? r.pick(REJECT_REASONS) : null;
      sink.add(end, 'rejected', unit, desk, dossier, 0, 0, reason);
      penalty = 0.25;
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
      lifecycle(new Random(subSeed(unitSeed, i)), unit, layer * LAYER_STRIDE + i + 1, channel, t, sink);
    }
    for (let i = 0; i < nStandalone; i++) {
      const t = start + sampleSecondOfDay(rt.work[dow], r.next());
      if (r.next() >= share(layer, t)) continue;
      const dr = new Random(subSeed(unitSeed, LAYER_STRIDE + i));
      const desk = dr.int(0, commune.desks.length - 1);
      const rating = planRating(dr, commune, 0, desk);
      sink.add(t, 'rating', unit, desk, null, layer * LAYER_STRIDE + i + 1, 0, null, rating);
    }
  }
}

const ID_TAILS: Record<Kind, string[]> = {
  received: ['-received'],
  supplement: ['-supplement', '-supplement-1', '-supplement-2'],
  supplied: ['-supplied', '-supplied-1', '-supplied-2'],
  rescheduled: ['-rescheduled'],
  resolved: ['-resolved'],
  returned: ['-returned'],
  rejected: ['-rejected'],
  withdrawn: ['-withdrawn'],
  rating: ['-rating'],
};

function ratingData(plan: RatingPlan, code: string | null): RatingData {
  const data: RatingData = { level: plan.level };
  if (code !== null) data.dossierCode = code;
  if (plan.criteria) data.criteria = plan.criteria;
  if (plan.officialId) data.officialId = plan.officialId;
  if (plan.comment) data.comment = plan.comment;
  return data;
}

function toEvent(raw: Raw): DeskEvent {
  const source = raw.unit.commune.sources[raw.desk];
  const time = formatLocal(raw.t * 1000);
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
  if (d.code === null || d.idBase === null) {
    const seq = String(d.seq).padStart(4, '0');
    d.code = d.unit.codeHead + seq;
    d.idBase = d.unit.idHead + seq;
  }
  const code = d.code;
  const id = d.idBase + ID_TAILS[raw.kind][raw.n];
  switch (raw.kind) {
    case 'received': {
      const data = {
        dossierCode: code,
        procedureCode: d.proc.code,
        procedureName: d.proc.name,
        channel: d.channel,
        dueAt: formatLocal(d.due * 1000),
      };
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
    case 'rating': {
      const data = ratingData(raw.rating as RatingPlan, code);
      const type = EVENT_TYPE.rating;
      return { specversion: '1.0', id, source, type, time, subject: code, datacontenttype: JSON_TYPE, data };
    }
    default: {
      const type = PLAIN_TYPES[raw.kind];
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
  resolved: EVENT_TYPE.resolved,
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
    const commune: Commune = {
      position,
      code,
      desks,
      busyness,
      dossiersPerDay: (busyness * CITY_DOSSIERS_PER_DAY) / CITY_COMMUNES,
      satisfaction,
      lagging,
      sources: desks.map((d) => `/units/${code}/desks/${d}`),
      codePrefix: `${padded.slice(0, 3)}.${padded.slice(3, 5)}.${padded.slice(5, 7)}.H26`,
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
    ({ position: _i, sources: _s, codePrefix: _p, ...c }) => c,
  );
  return { communes: publicCommunes, generate };
}
