/**
 * A reference computation of the snapshot numbers, written from the metrics contract
 * (`docs/metrics.md`) over the raw events, with nothing from the implementation's
 * outcome or rate code. Slow and plain on purpose: it is what the model check compares to.
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
 */
import type { UnitMetrics } from '@motcua/metrics';

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const LOCAL_OFFSET = 7 * HOUR;
const SOURCE = /^\/units\/(\d{5})\/desks\/([A-Za-z0-9_-]{1,32})$/;
const PREFIX = 'vn.motcua.';

/** The parts of a CloudEvent the contract reads. */
export interface CloudEventLike {
  id: string;
  source: string;
  type: string;
  time: string;
  data: Record<string, unknown>;
}

interface Ev {
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

function judgeDossier(unit: string, dossierCode: string, events: Ev[], asOf: number): RefDossier {
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

/** The contract's numbers over a set of raw events (duplicates allowed: they count once). */
export class ReferenceModel {
  readonly dossiers: RefDossier[] = [];
  readonly ratings: { unit: string; desk: string; time: number; level: string }[] = [];
  readonly receipts: { unit: string; desk: string; time: number; channel: string }[] = [];
  readonly #desks = new Map<string, Set<string>>();
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
    for (const raw of unique.values()) {
      const e = parseEvent(raw);
      const desks = this.#desks.get(e.unit) ?? new Set<string>();
      desks.add(e.desk);
      this.#desks.set(e.unit, desks);
      if (e.kind === 'rating.submitted') {
        this.ratings.push({ unit: e.unit, desk: e.desk, time: e.time, level: e.data.level as string });
        continue;
      }
      if (e.kind === 'dossier.received') {
        this.receipts.push({ unit: e.unit, desk: e.desk, time: e.time, channel: e.data.channel as string });
      }
      const key = JSON.stringify([e.unit, e.data.dossierCode]);
      const list = byDossier.get(key) ?? [];
      list.push(e);
      byDossier.set(key, list);
    }
    for (const [key, list] of byDossier) {
      const [unit, code] = JSON.parse(key) as [string, string];
      this.dossiers.push(judgeDossier(unit, code, list, asOf));
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
}
