/**
 * Model check: random event histories go through the real ingest over HTTP (random batches,
 * random order, re-sent duplicates), then every number of the snapshot, every rollup counter as
 * the read path sums it (`readWindowCounts`), the 766 scorecard (`readScorecard`: every
 * sub-criterion's numerator, denominator, rate, points and measured, the groups, the total and
 * the points at risk) and the scorecard league of each unit's children are compared with the
 * reference model in `@motcua/test-helpers/reference-model` (tests/helpers/reference-model.ts),
 * for every level of the tree and for named and custom windows (one of them closed before asOf,
 * so its open items are those open at its end). The histories carry event contract v1.1:
 * dossier facts present or absent, payments, dislikes naming dossiers, petitions with every step
 * around its working-day deadline, repeats and reactions.
 *
 * SEEDS=7,8 replays given seeds; SEEDS=random:10 runs ten fresh ones. A mismatch names the
 * seed, asOf, unit, window and field.
 *
 * The run has a clock of its own (see `clockFor`): every event time and every `asOf` derive from
 * the seed, never from `Date.now()`, so `SEEDS=n` replays a run exactly on any day. The windows
 * are worked out here from the contract (see `windowsAt`), not by the implementation's
 * `resolveWindow`, which is checked against them.
 */
import type { LeagueRow, ProcedureFigures, Score, Scorecard } from '@motcua/contract';
import {
  type Database,
  readDossierList,
  readOpenPetitionCounts,
  readProcedures,
  readScorecard,
  readScorecardLeague,
  readSnapshot,
  readUnitTree,
  readWindowCounts,
  type UnitTree,
} from '@motcua/db';
import {
  addWorkingDays,
  BUCKET_FIELDS,
  type BucketCounts,
  makeWorkCalendar,
  type ResolvedWindow,
  resolveWindow,
  type UnitMetrics,
  VN_CALENDAR,
} from '@motcua/metrics';
import { createTestTree, DB_KINDS, openTestDb, type TestDb, type TestTree } from '@motcua/test-helpers/db';
import { deskKey, postBatch, startTestIngest, type TestIngest } from '@motcua/test-helpers/ingest';
import { chance, int, mulberry32, pick, type Rng, shuffle, weighted } from '@motcua/test-helpers/random';
import {
  type CloudEventLike,
  type RefCounts,
  ReferenceModel,
  type RefListKind,
  type RefProcedure,
  type RefScope,
  type RefScore,
  type RefScorecard,
} from '@motcua/test-helpers/reference-model';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const DESKS = ['Q01', 'Q02', 'Q03'] as const;
const LEVELS = ['very_satisfied', 'satisfied', 'unsatisfied'] as const;
const CRITERIA = ['time', 'attitude', 'guidance', 'visits', 'transparency'] as const;
const DOSSIERS_PER_SEED = 300;
const RATINGS_PER_SEED = 300;
const AHEAD_PER_SEED = 6;
const EDGE_DUE_PER_SEED = 40;
const PETITIONS_PER_SEED = 160;
const STRADDLING_PER_WINDOW = 6;
/** Open petitions due at each of the local midnights around asOf (the edges of overdue, 24 h and 48 h). */
const DUE_EDGE_PETITIONS = 12;
const RECEPTION_FACTS = [
  'feeBearing',
  'inputsDigitised',
  'reusedData',
  'citizenStore',
  'populationData',
] as const;
const RESULT_FACTS = ['electronicResult', 'resultDigitised'] as const;
/**
 * Rarer procedure codes a v1.1 desk may name besides the three common ones, so a scope's distinct
 * fee-bearing procedures (3.5b) range from none to many and are often not all paid online.
 */
const RARE_PROCEDURES = ['1.000894', '2.002165', '1.001193', '2.001263', '1.003583', '2.000889'] as const;
/** Working days per petition step, from docs/events.md. */
const PETITION_DAYS = { rejected: 2, supplement_requested: 5, answered: 15, published: 2 } as const;
const CALENDAR = makeWorkCalendar(VN_CALENDAR);
const TOLERANCE = 1e-9;

function seedsFromEnv(): number[] {
  const raw = process.env.SEEDS?.trim();
  if (!raw) return [1, 2, 3];
  const random = /^random:(\d+)$/.exec(raw);
  if (random) return Array.from({ length: Number(random[1]) }, () => Math.floor(Math.random() * 2 ** 31));
  const seeds = raw.split(',').map((s) => Number(s.trim()));
  if (seeds.some((s) => !Number.isSafeInteger(s)))
    throw new Error(`SEEDS: expected n,m,… or random:N, got ${raw}`);
  return seeds;
}
/** Each seed gets its own city `20`…`99` in the file's database. */
const SEEDS = seedsFromEnv();
if (SEEDS.length > 80) throw new Error('SEEDS: at most 80 seeds per run');

/** `MODEL_CHECK_NOW` (RFC 3339 or epoch ms), when set, is the `now` of every seed and case. */
function nowFromEnv(): number | null {
  const raw = process.env.MODEL_CHECK_NOW?.trim();
  if (!raw) return null;
  const ms = /^-?\d+$/.test(raw) ? Number(raw) : Date.parse(raw);
  if (!Number.isFinite(ms)) throw new Error(`MODEL_CHECK_NOW: expected RFC 3339 or epoch ms, got ${raw}`);
  return ms;
}
const FIXED_NOW = nowFromEnv();

/**
 * The clock of one run: `now`, around which its events are generated, and the `asOf` of its
 * snapshots (a few seconds later, as when the ingest took that long). Both come from the seed: an
 * instant somewhere in 2025, at any millisecond of the day, so seeds cover different times of
 * day and days of the week. It lies in the past on purpose: the ingest refuses only events more
 * than 5 minutes ahead of its own clock, so the events stamped up to 4 minutes after `now` (desk
 * clock drift) are all stored, and they are still ahead of `asOf`, which is what they test.
 */
function clockFor(seed: number): { now: number; asOf: number } {
  const rng = mulberry32(seed ^ 0x5bd1e995);
  const now = FIXED_NOW ?? Date.UTC(2025, 0, 1) + Math.floor(rng() * 365 * DAY);
  return { now, asOf: now + int(rng, 0, 10_000) };
}

interface CloudEvent extends CloudEventLike {
  specversion: '1.0';
  datacontenttype: 'application/json';
}

/** A tree of this test's own with one key per commune. */
interface World {
  tree: TestTree;
  keys: Map<string, string>;
}

async function createWorld(
  db: Database,
  city: string,
  districts = 3,
  communesPerDistrict = 4,
): Promise<World> {
  const tree = await createTestTree(db, { city, districts, communesPerDistrict });
  const keys = new Map<string, string>();
  for (const commune of tree.communes) keys.set(commune, await deskKey(db, commune));
  return { tree, keys };
}

/** RFC 3339 with a random but valid offset, so the ingest parses more than `Z`. */
function rfc3339(ms: number, rng?: Rng): string {
  const offsetMinutes = rng ? pick(rng, [0, 0, 420, -330, 345]) : 0;
  if (offsetMinutes === 0) return new Date(ms).toISOString();
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  const hh = String(Math.floor(abs / 60)).padStart(2, '0');
  const mm = String(abs % 60).padStart(2, '0');
  return `${new Date(ms + offsetMinutes * MINUTE).toISOString().slice(0, 23)}${sign}${hh}:${mm}`;
}

function cloudEvent(
  unit: string,
  desk: string,
  type: string,
  time: number,
  id: string,
  data: Record<string, unknown>,
  rng?: Rng,
): CloudEvent {
  return {
    specversion: '1.0',
    id,
    source: `/units/${unit}/desks/${desk}`,
    type: `vn.motcua.${type}`,
    time: rfc3339(time, rng),
    datacontenttype: 'application/json',
    data,
  };
}

// ---------------------------------------------------------------------------------------------
// Generation

type DossierKind =
  | 'received'
  | 'supplement_requested'
  | 'supplement_received'
  | 'rescheduled'
  | 'resolved'
  | 'returned'
  | 'rejected'
  | 'withdrawn';

/** When a history (or a rating) ends: the last hour, today, a few minutes ahead, or up to 40 days back. */
function endTime(rng: Rng, now: number): number {
  const sinceMidnight = (now + 7 * HOUR) % DAY;
  return weighted(rng, [
    [0.2, () => now - int(rng, 0, HOUR)],
    [0.15, () => now - int(rng, 0, sinceMidnight)],
    [0.05, () => now + int(rng, 1, 4 * MINUTE)],
    [0.6, () => now - int(rng, 0, 40 * DAY)],
  ] as const)();
}

/** The logical order of one dossier's events, before times are assigned. */
function dossierPlan(rng: Rng): DossierKind[] {
  const plan: DossierKind[] = [];
  const hasReceived = chance(rng, 0.9);
  if (hasReceived) plan.push('received');
  if (chance(rng, 0.05)) plan.push('supplement_received'); // nothing pending: ignored
  const requests = weighted(rng, [
    [0.55, 0],
    [0.28, 1],
    [0.12, 2],
    [0.05, 3],
  ] as const);
  for (let i = 0; i < requests; i++) {
    plan.push('supplement_requested');
    if (chance(rng, 0.65)) plan.push('supplement_received');
  }
  if (chance(rng, 0.1)) plan.splice(int(rng, hasReceived ? 1 : 0, plan.length), 0, 'rescheduled');
  if (hasReceived && chance(rng, 0.06)) plan.splice(int(rng, 1, plan.length), 0, 'received'); // a second slip
  const finish = weighted(rng, [
    [0.3, [] as DossierKind[]],
    [0.15, ['resolved']],
    [0.12, ['resolved', 'returned']],
    [0.1, ['returned']],
    [0.13, ['rejected']],
    [0.1, ['withdrawn']],
    [0.05, ['withdrawn', 'rejected']],
    [0.05, ['rejected', 'resolved']],
  ] as const);
  plan.push(...finish);
  if (finish.length > 0 && chance(rng, 0.1)) plan.push('supplement_requested'); // after the finish
  if (finish.length > 0 && chance(rng, 0.05)) plan.push('supplement_received');
  return plan;
}

/** v1.1 facts, each reported or not, true or false. */
function someFacts(rng: Rng, names: readonly string[]): Record<string, boolean> {
  const out: Record<string, boolean> = {};
  for (const name of names) if (chance(rng, 0.7)) out[name] = chance(rng, 0.6);
  return out;
}

/**
 * Random histories for many dossiers, ratings and petitions, every distinct event once, with
 * distinct ms inside each dossier and each petition (so its order is unambiguous). What event
 * contract v1.1 adds (facts, payments, petitions) is drawn from a stream of its own, so a seed's
 * v1 histories are what they were before v1.1.
 */
function generate(
  rng: Rng,
  seed: number,
  communes: readonly string[],
  now: number,
  asOf: number,
): CloudEvent[] {
  const events: CloudEvent[] = [];
  const pairs = new Set<string>();
  const r11 = mulberry32(seed ^ 0x2c1b3c6d);
  let seq = 0;
  const nextId = (source: string, r = rng): string => {
    // Sometimes reuse an id of another source: the idempotency key is the pair.
    if (events.length > 0 && chance(r, 0.03)) {
      const other = pick(r, events);
      if (other.source !== source && !pairs.has(`${source} ${other.id}`)) return other.id;
    }
    return `m${seed}-${++seq}`;
  };
  const push = (e: CloudEvent) => {
    pairs.add(`${e.source} ${e.id}`);
    events.push(e);
  };
  const codesByCommune = new Map<string, string[]>();
  const allCodes: string[] = [];

  for (let i = 0; i < DOSSIERS_PER_SEED; i++) {
    const unit = pick(rng, communes);
    // A few codes recur in another commune: a different dossier there.
    const code =
      allCodes.length > 0 && chance(rng, 0.04)
        ? pick(rng, allCodes)
        : `000.00.04.H26-${seed}-${String(i).padStart(4, '0')}`;
    if (codesByCommune.get(unit)?.includes(code)) continue;
    allCodes.push(code);
    codesByCommune.set(unit, [...(codesByCommune.get(unit) ?? []), code]);

    const plan = dossierPlan(rng);
    const end = endTime(rng, now);
    const span = weighted(rng, [
      [0.3, () => int(rng, MINUTE, 3 * HOUR)],
      [0.35, () => int(rng, 3 * HOUR, 5 * DAY)],
      [0.35, () => int(rng, 5 * DAY, 30 * DAY)],
    ] as const)();
    const times = new Set<number>();
    while (times.size < plan.length) times.add(plan.length === 1 ? end : int(rng, end - span, end));
    const sorted = [...times].sort((a, b) => a - b);
    if (chance(rng, 0.1) && sorted.length > 1) {
      // Out of logical order, e.g. resolved before a request.
      const a = int(rng, 0, sorted.length - 1);
      const b = int(rng, 0, sorted.length - 1);
      [sorted[a], sorted[b]] = [sorted[b], sorted[a]];
    }
    const mainDesk = pick(rng, DESKS);
    const receivedAt = plan.includes('received')
      ? Math.min(...sorted.filter((_, k) => plan[k] === 'received'))
      : now;
    const last = Math.max(...sorted);
    const dueAt = weighted(rng, [
      [0.45, () => receivedAt + int(rng, 4 * HOUR, 10 * DAY)],
      [0.15, () => now + int(rng, -3 * HOUR, 30 * HOUR)],
      [0.05, () => now + DAY + int(rng, -6 * MINUTE, 6 * MINUTE)],
      [0.08, () => receivedAt + int(rng, 0, 2 * HOUR)],
      [0.12, () => receivedAt + int(rng, 10 * DAY, 30 * DAY)],
      // Around the last event (often the finish): later the same local day, exactly at it, just before it.
      [0.09, () => last + int(rng, 0, DAY - 1 - ((last + 7 * HOUR) % DAY))],
      [0.03, () => last],
      [0.03, () => last - int(rng, 1, MINUTE)],
    ] as const)();

    // v1.1: a desk that reports facts (most), or a v1 desk that reports none.
    const reportsFacts = chance(r11, 0.75);
    plan.forEach((kind, k) => {
      const desk = chance(rng, 0.8) ? mainDesk : pick(rng, DESKS);
      const source = `/units/${unit}/desks/${desk}`;
      const data: Record<string, unknown> = { dossierCode: code };
      if (kind === 'received') {
        data.procedureCode = pick(rng, ['1.001612', '2.000794', '1.004227']);
        // Drawn from the v1.1 stream, so the v1 histories stay what they were.
        if (reportsFacts && chance(r11, 0.3)) data.procedureCode = pick(r11, RARE_PROCEDURES);
        if (chance(rng, 0.5)) data.procedureName = 'Cấp bản sao trích lục hộ tịch';
        data.channel = weighted(rng, [
          [0.5, 'direct'],
          [0.4, 'online'],
          [0.1, 'postal'],
        ] as const);
        // A second slip gets its own appointment.
        data.dueAt = rfc3339(sorted[k] === receivedAt ? dueAt : dueAt + int(rng, -DAY, DAY), rng);
      }
      if (kind === 'rescheduled') data.newDueAt = rfc3339(dueAt + int(rng, DAY, 5 * DAY), rng);
      if ((kind === 'supplement_requested' || kind === 'rejected') && chance(rng, 0.5)) {
        data.reason = 'Thiếu bản sao giấy khai sinh';
      }
      // Each slip and each resolution carries its own facts: the earliest received's and the
      // finishing resolved's count.
      if (reportsFacts && kind === 'received') Object.assign(data, someFacts(r11, RECEPTION_FACTS));
      if (reportsFacts && kind === 'resolved') Object.assign(data, someFacts(r11, RESULT_FACTS));
      push(cloudEvent(unit, desk, `dossier.${kind}`, sorted[k], nextId(source), data, rng));
    });
    // Payments, online or at the desk, at any time around the dossier's life (even before its
    // reception or after its finish), one or two of them.
    const payments = weighted(r11, [
      [0.55, 0],
      [0.35, 1],
      [0.1, 2],
    ] as const);
    for (let p = 0; p < payments; p++) {
      const desk = chance(r11, 0.8) ? mainDesk : pick(r11, DESKS);
      const source = `/units/${unit}/desks/${desk}`;
      const at = Math.min(now + 4 * MINUTE, int(r11, end - span - HOUR, end + DAY));
      const data = { dossierCode: code, method: chance(r11, 0.6) ? 'online' : 'desk' };
      if (!sorted.includes(at))
        push(cloudEvent(unit, desk, 'dossier.paid', at, nextId(source, r11), data, r11));
    }
  }

  // Dossiers finished (as known now) after a window that ended before asOf, with a finishing
  // event or a supplement request before its end: open at that end, judged on what came before.
  for (const end of windowsAt(asOf)
    .map((w) => w.window.to)
    .filter((to) => to < asOf)) {
    for (let i = 0; i < STRADDLING_PER_WINDOW; i++) {
      const unit = pick(r11, communes);
      const desk = pick(r11, DESKS);
      const code = `000.00.04.H26-${seed}-S${end % 1000}-${i}`;
      const source = `/units/${unit}/desks/${desk}`;
      const before = pick(r11, ['returned', 'rejected', 'withdrawn', 'supplement_requested'] as const);
      const received = {
        dossierCode: code,
        procedureCode: '1.001612',
        channel: 'direct',
        dueAt: rfc3339(end + int(r11, -2 * DAY, 2 * DAY), r11),
      };
      const steps: [string, number, Record<string, unknown>][] = [
        ['dossier.received', end - int(r11, 2 * DAY, 5 * DAY), received],
        [`dossier.${before}`, end - int(r11, 1, 3 * HOUR), { dossierCode: code }],
        ['dossier.resolved', end + int(r11, 0, 3 * HOUR), { dossierCode: code }],
      ];
      for (const [type, time, data] of steps) {
        push(cloudEvent(unit, desk, type, time, nextId(source, r11), data, r11));
      }
    }
  }

  // Open dossiers whose unanswered request is stamped a few minutes ahead (desk clock drift),
  // due right around now or now + 24 h: the edges of overdue and dueSoon.
  for (let i = 0; i < AHEAD_PER_SEED; i++) {
    const unit = pick(rng, communes);
    const desk = pick(rng, DESKS);
    const code = `000.00.04.H26-${seed}-A${i}`;
    const source = `/units/${unit}/desks/${desk}`;
    const dueAt = now + (chance(rng, 0.5) ? 0 : DAY) + int(rng, -MINUTE, 3 * MINUTE);
    const data = {
      dossierCode: code,
      procedureCode: '1.001612',
      channel: 'online',
      dueAt: rfc3339(dueAt, rng),
    };
    push(
      cloudEvent(unit, desk, 'dossier.received', now - int(rng, HOUR, 3 * DAY), nextId(source), data, rng),
    );
    const requestAt = now + int(rng, 1000, 4 * MINUTE);
    push(
      cloudEvent(
        unit,
        desk,
        'dossier.supplement_requested',
        requestAt,
        nextId(source),
        { dossierCode: code },
        rng,
      ),
    );
  }

  // Dossiers in progress with a deadline in the hours a read above a commune classifies one by
  // one (those of asOf, asOf + 24 h and asOf + 48 h) and in the hours beside them, which it takes
  // whole from the counts by deadline hour: some exactly on asOf's edges or an hour's start,
  // some with an answered pause that moves the deadline off the stated due date.
  const rEdge = mulberry32(seed ^ 0x1f123bb5);
  for (let i = 0; i < EDGE_DUE_PER_SEED; i++) {
    const unit = pick(rEdge, communes);
    const desk = pick(rEdge, DESKS);
    const code = `000.00.04.H26-${seed}-E${i}`;
    const source = `/units/${unit}/desks/${desk}`;
    const anchor = asOf + pick(rEdge, [0, DAY, 2 * DAY]);
    const hourStart = Math.floor(anchor / HOUR) * HOUR;
    const deadline = pick(rEdge, [
      anchor,
      anchor - 1,
      anchor + 1,
      hourStart,
      hourStart - 1,
      hourStart + HOUR,
      hourStart + HOUR - 1,
      hourStart - HOUR,
      anchor + int(rEdge, -3 * HOUR, 3 * HOUR),
    ]);
    const receivedAt = now - int(rEdge, 2 * DAY, 5 * DAY);
    const paused = chance(rEdge, 0.3) ? int(rEdge, HOUR, DAY) : 0;
    const dueAt = deadline - paused;
    push(
      cloudEvent(unit, desk, 'dossier.received', receivedAt, nextId(source, rEdge), {
        dossierCode: code,
        procedureCode: '1.001612',
        channel: 'direct',
        dueAt: rfc3339(dueAt, rEdge),
      }),
    );
    if (paused > 0) {
      const asked = receivedAt + HOUR;
      push(
        cloudEvent(unit, desk, 'dossier.supplement_requested', asked, nextId(source, rEdge), {
          dossierCode: code,
        }),
      );
      push(
        cloudEvent(unit, desk, 'dossier.supplement_received', asked + paused, nextId(source, rEdge), {
          dossierCode: code,
        }),
      );
    }
  }

  for (let i = 0; i < RATINGS_PER_SEED; i++) {
    const unit = pick(rng, communes);
    const desk = pick(rng, DESKS);
    const data: Record<string, unknown> = {
      level: weighted(rng, [
        [0.4, 'very_satisfied'],
        [0.4, 'satisfied'],
        [0.2, 'unsatisfied'],
      ] as const),
    };
    const codes = codesByCommune.get(unit);
    if (codes && chance(rng, 0.5)) data.dossierCode = pick(rng, codes);
    // v1.1 reads an unsatisfied rating naming a dossier as its dislike; some name a code that is
    // no dossier of this commune (another commune's, or none at all).
    else if (chance(r11, 0.06)) data.dossierCode = chance(r11, 0.5) ? pick(r11, allCodes) : `HS-NONE-${i}`;
    if (chance(rng, 0.2)) {
      // The contract allows any subset of the criteria ("criteria from …").
      const criteria = chance(rng, 0.5)
        ? [...CRITERIA]
        : shuffle(rng, [...CRITERIA]).slice(0, int(rng, 1, 4));
      data.criteria = Object.fromEntries(criteria.map((c) => [c, pick(rng, LEVELS)]));
    }
    if (chance(rng, 0.2)) data.comment = 'Cán bộ hướng dẫn tận tình';
    if (chance(rng, 0.2)) data.officialId = `CB-${int(rng, 1, 40)}`;
    const source = `/units/${unit}/desks/${desk}`;
    push(cloudEvent(unit, desk, 'rating.submitted', endTime(rng, now), nextId(source), data, rng));
  }
  generatePetitions(
    r11,
    seed,
    communes,
    now,
    asOf,
    codesByCommune,
    allCodes,
    (unit, desk, type, time, data) => {
      const source = `/units/${unit}/desks/${desk}`;
      push(cloudEvent(unit, desk, type, time, nextId(source, r11), data, r11));
    },
  );
  return events;
}

type PetitionStep = 'received' | keyof typeof PETITION_DAYS | 'reacted';

/** The logical order of one petition's handling steps, before times are assigned. */
function petitionPlan(rng: Rng): PetitionStep[] {
  return weighted(rng, [
    [0.2, []],
    [0.13, ['rejected']],
    [0.1, ['supplement_requested']],
    [0.15, ['answered']],
    [0.2, ['answered', 'published']],
    [0.1, ['supplement_requested', 'answered', 'published']],
    [0.03, ['published']],
    [0.03, ['answered', 'rejected']],
    [0.03, ['rejected', 'supplement_requested', 'answered']],
    [0.03, ['answered', 'answered', 'published', 'published']],
  ] as const) as PetitionStep[];
}

/**
 * Petitions: received in the last 45 days (some a few minutes ahead), their steps before, at or
 * after their working-day deadlines (to the millisecond at the edge), a step stamped after now
 * not yet taken; likes and dislikes; some naming a dossier of the commune (or another's code),
 * some repeating an earlier petition of the commune; a few whose `received` never arrives; some
 * codes recurring in another commune; now and then two steps out of their logical order.
 */
function generatePetitions(
  rng: Rng,
  seed: number,
  communes: readonly string[],
  now: number,
  asOf: number,
  dossierCodes: Map<string, string[]>,
  allDossierCodes: string[],
  emit: (unit: string, desk: string, type: string, time: number, data: Record<string, unknown>) => void,
): void {
  const received: { unit: string; code: string; at: number }[] = [];
  const latest = now + 4 * MINUTE;
  for (let i = 0; i < PETITIONS_PER_SEED; i++) {
    const unit = pick(rng, communes);
    const code =
      received.length > 0 && chance(rng, 0.04)
        ? pick(rng, received).code
        : `PA-${seed}-${String(i).padStart(3, '0')}`;
    if (received.some((p) => p.unit === unit && p.code === code)) continue;
    const at = weighted(rng, [
      [0.45, () => now - int(rng, 0, 30 * DAY)],
      // answer deadlines (15 working days, three weeks or more) around now
      [0.25, () => now - int(rng, 19 * DAY, 26 * DAY)],
      [0.1, () => now - int(rng, 0, 2 * HOUR)],
      [0.05, () => now + int(rng, 1, 4 * MINUTE)],
      [0.15, () => now - int(rng, 30 * DAY, 45 * DAY)],
    ] as const)();
    const mainDesk = pick(rng, DESKS);
    const desk = () => (chance(rng, 0.85) ? mainDesk : pick(rng, DESKS));
    const hasReceived = chance(rng, 0.93);
    const times = new Set<number>([at]);
    /** A time before, at or after a deadline; null when it would lie beyond now (not yet taken). */
    const around = (from: number, days: number): number | null => {
      const deadline = addWorkingDays(CALENDAR, from, days);
      const t = weighted(rng, [
        [0.55, () => from + int(rng, 1, Math.max(1, deadline - from - 1))],
        [0.08, () => deadline - 1],
        [0.08, () => deadline],
        [0.04, () => deadline + 1],
        [0.25, () => deadline + int(rng, 1, 6 * DAY)],
      ] as const)();
      if (t > latest || times.has(t)) return null;
      times.add(t);
      return t;
    };
    const steps: { step: PetitionStep; t: number }[] = [];
    let answeredAt: number | null = null;
    for (const step of petitionPlan(rng)) {
      const from = step === 'published' ? (answeredAt ?? at) : at;
      const t = around(from, PETITION_DAYS[step as keyof typeof PETITION_DAYS]);
      if (t === null) break;
      if (step === 'answered' && answeredAt === null) answeredAt = t;
      steps.push({ step, t });
    }
    if (chance(rng, 0.1) && steps.length > 1) {
      const [a, b] = [int(rng, 0, steps.length - 1), int(rng, 0, steps.length - 1)];
      [steps[a].t, steps[b].t] = [steps[b].t, steps[a].t];
    }
    const reactions = weighted(rng, [
      [0.5, 0],
      [0.2, 1],
      [0.15, 2],
      [0.1, 3],
      [0.05, 4],
    ] as const);
    for (let k = 0; k < reactions; k++) {
      const t = int(rng, at, Math.max(at, latest));
      if (!times.has(t)) {
        times.add(t);
        steps.push({ step: 'reacted', t });
      }
    }
    if (hasReceived) {
      const data: Record<string, unknown> = {
        petitionCode: code,
        category: pick(rng, ['procedure', 'staff', 'other'] as const),
      };
      const codes = dossierCodes.get(unit);
      if (codes && chance(rng, 0.3)) data.dossierCode = pick(rng, codes);
      else if (chance(rng, 0.04)) data.dossierCode = pick(rng, allDossierCodes);
      const earlier = received.filter((p) => p.unit === unit && p.at < at);
      if (earlier.length > 0 && chance(rng, 0.15)) data.repeatOf = pick(rng, earlier).code;
      else if (chance(rng, 0.03)) data.repeatOf = `PA-NONE-${i}`;
      emit(unit, desk(), 'petition.received', at, data);
      received.push({ unit, code, at });
    }
    for (const { step, t } of steps) {
      const data: Record<string, unknown> = { petitionCode: code };
      if ((step === 'rejected' || step === 'supplement_requested') && chance(rng, 0.5))
        data.reason = 'Chưa rõ nội dung';
      if (step === 'reacted') data.reaction = chance(rng, 0.55) ? 'like' : 'dislike';
      emit(unit, desk(), `petition.${step}`, t, data);
    }
  }
  // Open petitions due at the local midnight before asOf (overdue) and at each of the next three
  // (due within 24 h, within 48 h, later): received on a day whose 15th working day ends there.
  const midnight = localMidnight(asOf);
  for (let i = 0; i < DUE_EDGE_PETITIONS; i++) {
    const due = midnight + (i % 4) * DAY;
    const candidates: number[] = [];
    for (let back = 15; back <= 40; back++) {
      const t = due - back * DAY + int(rng, HOUR, 20 * HOUR);
      if (addWorkingDays(CALENDAR, t, PETITION_DAYS.answered) === due) candidates.push(t);
    }
    if (candidates.length === 0) continue; // no working day ends at this midnight
    const unit = pick(rng, communes);
    const data = { petitionCode: `PA-${seed}-E${i}`, category: 'other' };
    emit(unit, pick(rng, DESKS), 'petition.received', pick(rng, candidates), data);
  }
}

// ---------------------------------------------------------------------------------------------
// Sending

const unitOf = (e: CloudEventLike) => e.source.split('/')[2];

interface SendStats {
  requests: number;
  sent: number;
  accepted: number;
  duplicates: number;
  /** Contract-valid events the ingest refused, with its message. */
  rejected: { event: CloudEvent; message: string }[];
}

/**
 * postBatch, sent again once when the connection was reset before an answer. Between two seeds
 * the client's keep-alive connections sit idle while the comparison runs (seconds of work on
 * this process's event loop); the server may close one (its 5 s keep-alive) as the client reuses
 * it. Nothing was stored then; had it been, the resend would count duplicates and the accepted
 * total would not match the reference, so a resend cannot hide a lost or doubled event.
 */
async function postBatchOnce(url: string, key: string, batch: CloudEvent[]) {
  try {
    return await postBatch(url, key, batch);
  } catch (err) {
    const code = ((err as Error).cause as { code?: string } | undefined)?.code;
    if (code !== 'ECONNRESET' && code !== 'EPIPE' && code !== 'UND_ERR_SOCKET') throw err;
    return postBatch(url, key, batch);
  }
}

/** Posts batches with a few in flight at once, so the writer also groups requests. */
async function postAll(
  ingest: TestIngest,
  world: World,
  batches: CloudEvent[][],
  parallel = 3,
): Promise<SendStats> {
  const stats: SendStats = { requests: 0, sent: 0, accepted: 0, duplicates: 0, rejected: [] };
  let next = 0;
  const worker = async () => {
    while (next < batches.length) {
      const batch = batches[next++];
      const res = await postBatchOnce(ingest.url, world.keys.get(unitOf(batch[0])) as string, batch);
      const results = res.body.results as
        | { index: number; status: string; error?: { message: string } }[]
        | undefined;
      if (!results) throw new Error(`ingest refused a batch: ${res.status} ${JSON.stringify(res.body)}`);
      stats.requests++;
      stats.sent += batch.length;
      stats.accepted += res.body.accepted as number;
      stats.duplicates += res.body.duplicates as number;
      for (const r of results) {
        if (r.status === 'rejected')
          stats.rejected.push({ event: batch[r.index], message: r.error?.message ?? '' });
      }
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
  return stats;
}

/** Shuffles, re-sends some events and some whole batches, and cuts per-commune batches of random size. */
function randomBatches(rng: Rng, events: CloudEvent[]): CloudEvent[][] {
  const sends = [...events];
  for (const e of events) if (chance(rng, 0.1)) sends.push(e);
  shuffle(rng, sends);
  const byUnit = new Map<string, CloudEvent[]>();
  for (const e of sends) byUnit.set(unitOf(e), [...(byUnit.get(unitOf(e)) ?? []), e]);
  const batches: CloudEvent[][] = [];
  for (const list of byUnit.values()) {
    for (let i = 0; i < list.length; ) {
      const size = weighted(rng, [
        [0.3, () => int(rng, 1, 5)],
        [0.5, () => int(rng, 5, 60)],
        [0.2, () => int(rng, 60, 250)],
      ] as const)();
      batches.push(list.slice(i, i + size));
      i += size;
    }
  }
  shuffle(rng, batches);
  const resent = batches.filter(() => chance(rng, 0.08));
  for (const b of resent) batches.splice(int(rng, 0, batches.length), 0, shuffle(rng, [...b]));
  return batches;
}

// ---------------------------------------------------------------------------------------------
// Comparing

const floorMinute = (ms: number) => Math.floor(ms / MINUTE) * MINUTE;
/** Local (UTC+7, no daylight saving) midnight at or before `ms`. */
const localMidnight = (ms: number) => Math.floor((ms + 7 * HOUR) / DAY) * DAY - 7 * HOUR;

/** One window as this test works it out, and the request that names it (for `resolveWindow`). */
interface CheckWindow {
  window: ResolvedWindow;
  request: { window?: string; from?: string; to?: string };
}

/** Local midnight starting the first day of the month `k` months after the local month of `ms`. */
function monthStart(ms: number, k = 0): number {
  const local = new Date(ms + 7 * HOUR);
  const d = new Date(0);
  d.setUTCFullYear(local.getUTCFullYear(), local.getUTCMonth() + k, 1);
  return d.getTime() - 7 * HOUR;
}
/** `YYYY-MM` of the local month starting at `start`. */
const monthLabel = (start: number) => new Date(start + 7 * HOUR).toISOString().slice(0, 7);

/**
 * `1h`, `today`, `7d`, `30d`, two custom windows (one on local midnights and ended before asOf,
 * one reaching past asOf), `month` and the month before as a closed period, worked out from the
 * contract: every named window ends at `asOf`; `1h`, `7d` and `30d` start 60 min, 7×24 h and
 * 30×24 h before it, floored to the minute; `today` and `month` start at local midnight of the
 * day and of the month's first day; a custom window is its `from` and `to` floored to the minute;
 * a past month runs from local midnight of its first day to that of the next month's.
 */
function windowsAt(asOf: number): CheckWindow[] {
  const midnight = localMidnight(asOf);
  const named = (name: '1h' | 'today' | '7d' | '30d', from: number): CheckWindow => ({
    window: { name, from, to: asOf },
    request: { window: name },
  });
  const custom = (from: number, to: number): CheckWindow => ({
    window: { name: 'custom', from: floorMinute(from), to: floorMinute(to) },
    request: { from: rfc3339(from), to: rfc3339(to) },
  });
  return [
    named('1h', floorMinute(asOf - HOUR)),
    named('today', midnight),
    named('7d', floorMinute(asOf - 7 * DAY)),
    named('30d', floorMinute(asOf - 30 * DAY)),
    custom(midnight - 9 * DAY, asOf - 36 * HOUR + 1_067_537),
    custom(asOf - 25 * DAY + 4_321_500, asOf + 10 * MINUTE),
    {
      window: { name: 'month', period: monthLabel(monthStart(asOf)), from: monthStart(asOf), to: asOf },
      request: { window: 'month' },
    },
    {
      window: {
        name: 'period',
        period: monthLabel(monthStart(asOf, -1)),
        from: monthStart(asOf, -1),
        to: monthStart(asOf),
      },
      request: { window: monthLabel(monthStart(asOf, -1)) },
    },
  ];
}

/** The month before a `month` or month `period` window, as a closed period; null for any other window. */
function previousMonth(w: ResolvedWindow): ResolvedWindow | null {
  if (w.name !== 'month' && w.name !== 'period') return null;
  const from = monthStart(w.from, -1);
  return { name: 'period', period: monthLabel(from), from, to: w.from };
}

/** Where the implementation's `resolveWindow` resolves a request to another window than ours. */
function windowMismatches(label: string, windows: CheckWindow[], asOf: number): string[] {
  const text = (w: ResolvedWindow) =>
    `${w.name}[${new Date(w.from).toISOString()},${new Date(w.to).toISOString()})`;
  return windows.flatMap(({ window, request }) => {
    const r = resolveWindow(request, asOf);
    if (!r.ok) return [`${label} resolveWindow(${JSON.stringify(request)}) refused it: ${r.message}`];
    const same =
      r.window.name === window.name &&
      r.window.period === window.period &&
      r.window.from === window.from &&
      r.window.to === window.to;
    return same
      ? []
      : [`${label} resolveWindow(${JSON.stringify(request)}) = ${text(r.window)}, expected ${text(window)}`];
  });
}

function flatten(value: unknown, prefix: string, out: Map<string, unknown>): Map<string, unknown> {
  if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) flatten(v, prefix ? `${prefix}.${k}` : k, out);
  } else out.set(prefix, value);
  return out;
}

const RATE_FIELDS = new Set([
  'satisfaction.rate',
  'satisfaction.wilsonLow',
  'onTime.rate',
  'onTime.index766',
]);

function sameNumber(field: string, expected: unknown, actual: unknown): boolean {
  if (expected === null || actual === null || typeof expected !== 'number' || typeof actual !== 'number') {
    return expected === actual;
  }
  if (RATE_FIELDS.has(field)) return Math.abs(expected - actual) <= TOLERANCE;
  if (field === 'onTime.avgHours')
    return Math.abs(expected - actual) <= TOLERANCE * Math.max(1, Math.abs(expected));
  return expected === actual;
}

/**
 * Field-by-field differences between two `metrics` objects, as readable lines. Fields the
 * contract does not have go to `extra` (reported once, not per snapshot).
 */
function diffMetrics(
  where: string,
  expected: UnitMetrics,
  actual: UnitMetrics | undefined,
  extra: Set<string>,
) {
  if (!actual) return [`${where}: missing in the snapshot`];
  const e = flatten(expected, '', new Map());
  const a = flatten(actual, '', new Map());
  const out: string[] = [];
  for (const field of e.keys()) {
    if (!sameNumber(field, e.get(field), a.get(field))) {
      out.push(`${where} field=${field} expected=${e.get(field)} actual=${a.get(field)}`);
    }
  }
  for (const field of a.keys()) if (!e.has(field)) extra.add(`${field}=${a.get(field)}`);
  return out;
}

const LIST_KINDS: RefListKind[] = [
  'received',
  'finished',
  'early',
  'onTime',
  'late',
  'unknown',
  'open',
  'overdue',
  'dueSoon',
  'waitingSupplement',
];

/**
 * Issue 14: the procedure rows match the reference procedure by procedure and add up to the tile
 * (the snapshot read beside them); every dossier list's total equals its tile and the reference;
 * for a commune, the late and overdue lists, paged, hold exactly the reference's dossiers.
 */
async function diffDrilldown(
  db: Database,
  unitTree: UnitTree,
  ref: ReferenceModel,
  target: CheckTarget,
  w: ResolvedWindow,
  where: string,
  tile: UnitMetrics,
): Promise<string[]> {
  const out: string[] = [];
  const list = await readProcedures(db, unitTree, target.code, w, ref.asOf);
  if (!list) return [`${where}: no procedure list`];
  const expected = ref.procedures(target.scope, w);
  const codes = new Set([...expected.keys(), ...list.items.map((i) => i.code)]);
  for (const code of codes) {
    const e = expected.get(code);
    const a = list.items.find((i) => i.code === code);
    const actual = a && {
      received: a.received,
      early: a.early,
      onTime: a.onTime,
      late: a.late,
      unknown: a.unknown,
      verySatisfied: a.satisfaction.verySatisfied,
      satisfied: a.satisfaction.satisfied,
      unsatisfied: a.satisfaction.unsatisfied,
      open: a.open.total,
      overdue: a.open.overdue,
      dueSoon: a.open.dueSoon,
      waitingSupplement: a.open.waitingSupplement,
      feeReported: a.fee.reported,
      feeBearing: a.fee.bearing,
      feePaidOnline: a.fee.paidOnline,
    };
    const keys = Object.keys(e ?? actual ?? {}) as (keyof RefProcedure)[];
    for (const k of keys) {
      const x = e?.[k] ?? 0;
      const y = actual?.[k] ?? 0;
      if (x !== y) out.push(`${where} procedure=${code || '(none)'} field=${k} expected=${x} actual=${y}`);
    }
  }
  // Σ rows = the tiles of the snapshot.
  const items = list.items;
  const sum = (f: (i: ProcedureFigures) => number) => items.reduce((n, i) => n + f(i), 0);
  const sums: [string, number, number][] = [
    ['received', sum((i) => i.received), tile.received.total],
    ['early', sum((i) => i.early), tile.onTime.early],
    ['onTime', sum((i) => i.onTime), tile.onTime.onTime],
    ['late', sum((i) => i.late), tile.onTime.late],
    ['unknown', sum((i) => i.unknown), tile.onTime.unknown],
    ['ratings', sum((i) => i.satisfaction.total), tile.satisfaction.total],
    ['satisfied', sum((i) => i.satisfaction.satisfied), tile.satisfaction.satisfied],
    ['open', sum((i) => i.open.total), tile.open.total],
    ['overdue', sum((i) => i.open.overdue), tile.open.overdue],
    ['dueSoon', sum((i) => i.open.dueSoon), tile.open.dueSoon],
    ['waitingSupplement', sum((i) => i.open.waitingSupplement), tile.open.waitingSupplement],
  ];
  for (const [name, rows, t] of sums) {
    if (rows !== t) out.push(`${where} procedures Σ${name}=${rows} tile=${t}`);
  }
  // Every list's total: the tile it explains, and the reference.
  const tileOf: Partial<Record<RefListKind, number>> = {
    finished: tile.onTime.early + tile.onTime.onTime + tile.onTime.late,
    early: tile.onTime.early,
    onTime: tile.onTime.onTime,
    late: tile.onTime.late,
    unknown: tile.onTime.unknown,
    open: tile.open.total,
    overdue: tile.open.overdue,
    dueSoon: tile.open.dueSoon,
    waitingSupplement: tile.open.waitingSupplement,
  };
  for (const kind of LIST_KINDS) {
    const got = await readDossierList(db, unitTree, target.code, {
      kind,
      window: w,
      asOf: ref.asOf,
      limit: 1,
    });
    const want = ref.dossierList(target.scope, w, kind);
    if (got?.total !== want.length)
      out.push(`${where} list=${kind} total expected=${want.length} actual=${got?.total}`);
    const t = tileOf[kind];
    if (t !== undefined && got?.total !== t) out.push(`${where} list=${kind} total=${got?.total} tile=${t}`);
  }
  if (target.code.length === 5) {
    for (const kind of ['late', 'overdue'] as const) {
      const seen: string[] = [];
      for (let offset = 0; ; offset += 7) {
        const page = await readDossierList(db, unitTree, target.code, {
          kind,
          window: w,
          asOf: ref.asOf,
          offset,
          limit: 7,
        });
        if (!page || page.items.length === 0) break;
        seen.push(...page.items.map((i) => `${i.unitCode} ${i.dossierCode}`));
        if (page.items.some((i) => i.timeline.length === 0))
          out.push(`${where} list=${kind}: a row without its timeline`);
      }
      const want = ref.dossierList(target.scope, w, kind);
      if (seen.sort().join() !== want.join())
        out.push(`${where} list=${kind} pages=[${seen}] expected=[${want}]`);
    }
  }
  return out;
}

interface CheckTarget {
  code: string;
  scope: RefScope;
  children: { code: string; scope: RefScope }[];
}

/** Every unit of the world's tree, and `extraDesks` desks (`00004/Q01`) on their own. */
function targetsOf(world: World, ref: ReferenceModel, extraDesks: string[]): CheckTarget[] {
  const { tree } = world;
  const communesOf = (district: string) => tree.communes.filter((c) => tree.districtOf[c] === district);
  const communeTarget = (c: string): CheckTarget => ({
    code: c,
    scope: { communes: [c] },
    children: ref.desksOf(c).map((d) => ({ code: `${c}/${d}`, scope: { communes: [c], desk: d } })),
  });
  return [
    {
      code: tree.city,
      scope: { communes: tree.communes },
      children: tree.districts.map((d) => ({ code: d, scope: { communes: communesOf(d) } })),
    },
    ...tree.districts.map((d) => ({
      code: d,
      scope: { communes: communesOf(d) },
      children: communesOf(d).map((c) => ({ code: c, scope: { communes: [c] } })),
    })),
    ...tree.communes.map(communeTarget),
    ...extraDesks.map((code) => {
      const [c, d] = code.split('/');
      return { code, scope: { communes: [c], desk: d }, children: [] };
    }),
  ];
}

/** Reads every target's snapshot in every window and lists each number that differs from the reference. */
async function compareAll(
  db: Database,
  unitTree: UnitTree,
  ref: ReferenceModel,
  targets: CheckTarget[],
  checkWindows: CheckWindow[],
  label: string,
): Promise<{ mismatches: string[]; snapshots: number; numbers: number }> {
  const mismatches: string[] = windowMismatches(label, checkWindows, ref.asOf);
  const windows = checkWindows.map((w) => w.window);
  const extra = new Set<string>();
  let snapshots = 0;
  let numbers = 0;
  const asOfText = new Date(ref.asOf).toISOString();
  for (const w of windows) {
    const wText = `${w.name}[${new Date(w.from).toISOString()},${new Date(w.to).toISOString()})`;
    for (const target of targets) {
      const snap = await readSnapshot(db, unitTree, target.code, w, ref.asOf);
      snapshots++;
      const where = `${label} asOf=${asOfText} window=${wText} unit=${target.code}`;
      if (!snap) {
        mismatches.push(`${where}: no snapshot`);
        continue;
      }
      mismatches.push(...diffMetrics(where, ref.metrics(target.scope, w), snap.metrics, extra));
      numbers += 21 * (1 + target.children.length);
      const expectedCodes = target.children.map((c) => c.code).sort();
      const actualCodes = snap.children.map((c) => c.unit.code).sort();
      if (expectedCodes.join() !== actualCodes.join()) {
        mismatches.push(`${where} children expected=[${expectedCodes}] actual=[${actualCodes}]`);
      }
      for (const child of target.children) {
        const actual = snap.children.find((c) => c.unit.code === child.code)?.metrics;
        mismatches.push(
          ...diffMetrics(`${where} child=${child.code}`, ref.metrics(child.scope, w), actual, extra),
        );
      }

      // Every rollup counter as the read path sums it, for the target and each child.
      const rows = await readWindowCounts(db, [...target.scope.communes], w.from, w.to, 'desk');
      for (const { code, scope } of [{ code: '', scope: target.scope }, ...target.children]) {
        const at = code ? `${where} child=${code}` : where;
        mismatches.push(...diffCounts(at, ref.counts(scope, w), sumRows(rows, scope)));
        numbers += BUCKET_FIELDS.length;
      }

      // Open petitions at the window's end (now, or then for a window that ended before asOf).
      const past = w.to < ref.asOf;
      const petitionRows = await readOpenPetitionCounts(
        db,
        [...target.scope.communes],
        Math.min(w.to, ref.asOf),
        {
          per: 'desk',
          past,
        },
      );
      for (const { code, scope } of [{ code: '', scope: target.scope }, ...target.children]) {
        const at = code ? `${where} child=${code}` : where;
        const actual = { total: 0, overdue: 0, dueIn24h: 0, dueIn48h: 0 };
        for (const row of petitionRows) {
          if (
            !scope.communes.includes(row.unit_code) ||
            (scope.desk !== undefined && row.desk_code !== scope.desk)
          )
            continue;
          for (const k of Object.keys(actual) as (keyof typeof actual)[]) actual[k] += Number(row[k]);
        }
        const expected = ref.openPetitions(scope, w);
        for (const k of Object.keys(actual) as (keyof typeof actual)[]) {
          if (expected[k] !== actual[k])
            mismatches.push(`${at} field=openPetitions.${k} expected=${expected[k]} actual=${actual[k]}`);
        }
      }

      // Issue 14: the drill-down by procedure and the dossier lists behind the tiles.
      mismatches.push(...(await diffDrilldown(db, unitTree, ref, target, w, where, snap.metrics)));

      // The 766 scorecard, and the league of the children.
      const card = await readScorecard(db, unitTree, target.code, w, ref.asOf);
      if (!card) mismatches.push(`${where}: no scorecard`);
      else mismatches.push(...diffScorecard(`${where} scorecard`, ref.scorecard(target.scope, w), card));
      numbers += SCORECARD_NUMBERS;
      if (target.children.length === 0) continue;
      const league = await readScorecardLeague(db, unitTree, target.code, w, ref.asOf);
      if (!league) {
        mismatches.push(`${where}: no league`);
        continue;
      }
      const nameOf = (code: string) => unitTree.get(code)?.name ?? code.split('/')[1];
      const expected = rankChildren(
        target.children.map((c) => ({ code: c.code, name: nameOf(c.code), card: ref.scorecard(c.scope, w) })),
      );
      // A calendar window's league also ranks the children in the period before.
      const before = previousMonth(w);
      const previousRanks = before
        ? new Map(
            rankChildren(
              target.children.map((c) => ({
                code: c.code,
                name: nameOf(c.code),
                card: ref.scorecard(c.scope, before),
              })),
            ).map((c) => [c.code, c.rank]),
          )
        : null;
      const previousText = (x: { from: number; to: number; period?: string } | null) =>
        x && `${x.period}[${x.from},${x.to})`;
      const actualPrevious = league.previous && {
        period: league.previous.period,
        from: Date.parse(league.previous.from),
        to: Date.parse(league.previous.to),
      };
      if (previousText(before) !== previousText(actualPrevious)) {
        mismatches.push(
          `${where} league previous expected=${previousText(before)} actual=${previousText(actualPrevious)}`,
        );
      }
      const leagueCodes = league.children.map((c) => c.unit.code);
      if (expected.map((c) => c.code).join() !== leagueCodes.join()) {
        mismatches.push(
          `${where} league order expected=[${expected.map((c) => c.code)}] actual=[${leagueCodes}]`,
        );
      }
      for (const e of expected) {
        const row = league.children.find((c) => c.unit.code === e.code);
        const previousRank = previousRanks?.get(e.code) ?? null;
        const previous = { previousRank, rankChange: previousRank === null ? null : previousRank - e.rank };
        mismatches.push(...diffLeagueRow(`${where} league child=${e.code}`, e, previous, row));
        numbers += LEAGUE_ROW_NUMBERS;
      }
    }
  }
  if (extra.size > 0)
    mismatches.unshift(`${label}: snapshot metrics carry fields outside the contract: ${[...extra]}`);
  return { mismatches, snapshots, numbers };
}

/** The counters of the rows (one per commune and desk) that lie in a scope, summed. */
function sumRows(rows: (BucketCounts & { unit_code: string; desk_code: string })[], scope: RefScope) {
  const sum: Record<string, number> = Object.fromEntries(BUCKET_FIELDS.map((f) => [f, 0]));
  for (const row of rows) {
    if (!scope.communes.includes(row.unit_code)) continue;
    if (scope.desk !== undefined && row.desk_code !== scope.desk) continue;
    for (const f of BUCKET_FIELDS) sum[f] += Number(row[f]);
  }
  return sum;
}

/** Every counter the rollups keep against the reference's; a counter the reference lacks is a mismatch too. */
function diffCounts(where: string, expected: RefCounts, actual: Record<string, number>): string[] {
  const out: string[] = [];
  const known = expected as Record<string, number>;
  for (const f of BUCKET_FIELDS) {
    if (!(f in known)) out.push(`${where} field=counts.${f}: the reference does not compute it`);
    else if (known[f] !== actual[f])
      out.push(`${where} field=counts.${f} expected=${known[f]} actual=${actual[f]}`);
  }
  return out;
}

/** A float of the scorecard: points are unrounded sums, so allow for the order of summing. */
function sameValue(expected: unknown, actual: unknown): boolean {
  if (typeof expected === 'number' && typeof actual === 'number') {
    return Math.abs(expected - actual) <= TOLERANCE * Math.max(1, Math.abs(expected));
  }
  return expected === actual;
}

/** The comparable parts of a scorecard (names and reason texts are the formula table's, tested there). */
function scorecardFields(score: RefScore | Score, atRisk: RefScorecard['atRisk'] | Scorecard['atRisk']) {
  const out = new Map<string, unknown>();
  out.set('points', score.points);
  out.set('max', score.max);
  out.set('fullMax', score.fullMax);
  out.set('groups', score.groups.map((g) => g.code).join());
  for (const g of score.groups) {
    for (const k of ['max', 'points', 'measuredMax'] as const) out.set(`group.${g.code}.${k}`, g[k]);
    out.set(`group.${g.code}.criteria`, g.criteria.map((c) => c.code).join());
    for (const c of g.criteria) {
      const at = `criterion.${c.code}`;
      for (const k of ['max', 'fullAt', 'numerator', 'denominator', 'rate', 'points', 'measured'] as const) {
        out.set(`${at}.${k}`, c[k]);
      }
      const reason = c.reason;
      out.set(`${at}.reason`, reason !== null && typeof reason === 'object' ? reason.code : reason);
    }
  }
  if (atRisk === null) out.set('atRisk', null);
  else
    for (const kind of ['lost', 'within24h', 'within48h'] as const)
      for (const k of ['dossiers', 'petitions', 'group2', 'group5', 'total'] as const)
        out.set(`atRisk.${kind}.${k}`, atRisk[kind][k]);
  return out;
}
/** About how many numbers one scorecard comparison checks. */
const SCORECARD_NUMBERS = 130;
const LEAGUE_ROW_NUMBERS = 52;

function diffFields(where: string, e: Map<string, unknown>, a: Map<string, unknown>): string[] {
  const out: string[] = [];
  for (const key of new Set([...e.keys(), ...a.keys()])) {
    if (!sameValue(e.get(key), a.get(key)))
      out.push(`${where} field=${key} expected=${e.get(key)} actual=${a.get(key)}`);
  }
  return out;
}

function diffScorecard(where: string, expected: RefScorecard, actual: Scorecard): string[] {
  return diffFields(
    where,
    scorecardFields(expected.score, expected.atRisk),
    scorecardFields(actual.score, actual.atRisk),
  );
}

interface ExpectedRow {
  code: string;
  name: string;
  card: RefScorecard;
  rank: number;
}

const vietnamese = new Intl.Collator('vi');

/** The league's order from the contract: most points first, equal points by Vietnamese name, then code. */
function rankChildren(children: Omit<ExpectedRow, 'rank'>[]): ExpectedRow[] {
  const sorted = [...children].sort((a, b) => {
    const diff = b.card.score.points - a.card.score.points;
    if (Math.abs(diff) > TOLERANCE) return diff;
    return vietnamese.compare(a.name, b.name) || (a.code < b.code ? -1 : a.code > b.code ? 1 : 0);
  });
  return sorted.map((c, i) => ({ ...c, rank: i + 1 }));
}

function diffLeagueRow(
  where: string,
  e: ExpectedRow,
  previous: { previousRank: number | null; rankChange: number | null },
  row: LeagueRow | undefined,
): string[] {
  if (!row) return [`${where}: missing in the league`];
  const fields = (
    rank: number,
    score: {
      points: number;
      max: number;
      groups: {
        code: string;
        points: number;
        measuredMax: number;
        criteria: { code: string; denominator: number | null }[];
      }[];
    },
    atRisk: RefScorecard['atRisk'] | LeagueRow['atRisk'],
    previous: { previousRank: number | null; rankChange: number | null },
  ) => {
    const out = new Map<string, unknown>([
      ['rank', rank],
      ['points', score.points],
      ['max', score.max],
      ['groups', score.groups.map((g) => g.code).join()],
      ['previousRank', previous.previousRank],
      ['rankChange', previous.rankChange],
    ]);
    for (const g of score.groups) {
      out.set(`group.${g.code}.points`, g.points);
      out.set(`group.${g.code}.measuredMax`, g.measuredMax);
      // The sample sizes a league row shows: every sub-criterion's denominator.
      for (const c of g.criteria) out.set(`group.${g.code}.${c.code}.denominator`, c.denominator);
    }
    for (const [k, v] of scorecardFields({ points: 0, max: 0, fullMax: 0, groups: [] }, atRisk)) {
      if (k.startsWith('atRisk')) out.set(k, v);
    }
    return out;
  };
  const expected = fields(e.rank, e.card.score, e.card.atRisk, previous);
  return diffFields(where, expected, fields(row.rank, row, row.atRisk, row));
}

/**
 * Diagnostics for a failure: mismatches counted by field, and the dossiers whose stored state
 * (desk, dueAt, finishedAt, outcome, paused time) differs from the reference's conclusion.
 */
async function report(db: Database, mismatches: string[], ref: ReferenceModel): Promise<string> {
  const byField = new Map<string, number>();
  for (const m of mismatches) {
    const field = /field=([\w.]+)/.exec(m)?.[1] ?? 'other';
    byField.set(field, (byField.get(field) ?? 0) + 1);
  }
  const rows = await db.query<{
    unit_code: string;
    dossier_code: string;
    desk_code: string;
    due_at: number | null;
    finished_at: number | null;
    outcome: string | null;
    paused_ms: number;
  }>(sql`select unit_code, dossier_code, desk_code, due_at::float8 as due_at, finished_at::float8 as finished_at,
      outcome, paused_ms::float8 as paused_ms from dossiers`);
  const stored = new Map(rows.map((r) => [`${r.unit_code} ${r.dossier_code}`, r]));
  const differing: string[] = [];
  for (const d of ref.dossiers) {
    const r = stored.get(`${d.unit} ${d.dossierCode}`);
    const same =
      r !== undefined &&
      r.desk_code === d.desk &&
      r.due_at === d.dueAt &&
      r.finished_at === d.finishedAt &&
      r.outcome === d.outcome &&
      (d.finishedAt === null || r.paused_ms === d.pausedMs);
    const { events: _, ...conclusion } = d;
    if (!same)
      differing.push(`  reference ${JSON.stringify(conclusion)}\n  stored    ${JSON.stringify(r ?? null)}`);
  }
  const petitionRows = await db.query<{
    unit_code: string;
    petition_code: string;
    desk_code: string;
    received_at: number | null;
    due_at: number | null;
    handled_at: number | null;
    handled_on_time: boolean | null;
    closed_at: number | null;
  }>(sql`select unit_code, petition_code, desk_code, received_at::float8 as received_at, due_at::float8 as due_at,
      handled_at::float8 as handled_at, handled_on_time, closed_at::float8 as closed_at from petitions`);
  const storedPetitions = new Map(petitionRows.map((r) => [`${r.unit_code} ${r.petition_code}`, r]));
  for (const p of ref.petitions) {
    const r = storedPetitions.get(`${p.unit} ${p.petitionCode}`);
    const same =
      r !== undefined &&
      r.desk_code === p.desk &&
      r.received_at === p.receivedAt &&
      r.due_at === p.dueAt &&
      r.handled_at === p.handledAt &&
      r.handled_on_time === p.handledOnTime &&
      r.closed_at === p.closedAt;
    if (!same) differing.push(`  reference ${JSON.stringify(p)}\n  stored    ${JSON.stringify(r ?? null)}`);
  }
  return [
    `${mismatches.length} mismatches (by field: ${[...byField].map(([f, n]) => `${f} ×${n}`).join(', ')})`,
    ...mismatches.slice(0, 30),
    ...(mismatches.length > 30 ? [`… and ${mismatches.length - 30} more`] : []),
    differing.length > 0
      ? `dossiers and petitions whose stored state differs from the reference (${differing.length}, first 10):\n${differing.slice(0, 10).join('\n')}`
      : 'every stored dossier and petition state agrees with the reference: the difference is in the read path',
  ].join('\n');
}

async function expectNoMismatches(db: Database, mismatches: string[], ref: ReferenceModel) {
  if (mismatches.length > 0) expect.fail(await report(db, mismatches, ref));
}

// ---------------------------------------------------------------------------------------------

describe.each(DB_KINDS)('model check on %s', (kind) => {
  let t: TestDb;
  let ingest: TestIngest;

  beforeAll(async () => {
    t = await openTestDb(kind);
    ingest = await startTestIngest(t.db);
  });
  afterAll(async () => {
    await ingest?.close();
    await t?.drop();
  });

  it.each(SEEDS.map((seed, i) => [seed, i] as const))(
    'seed %i: every snapshot number matches the reference',
    async (seed, i) => {
      const started = performance.now();
      const world = await createWorld(t.db, String(20 + i));
      const rng = mulberry32(seed);
      const { now, asOf } = clockFor(seed);
      const events = generate(rng, seed, world.tree.communes, now, asOf);
      const stats = await postAll(ingest, world, randomBatches(rng, events));
      const ingested = performance.now();

      // A contract-valid event the ingest refuses is a mismatch; the numbers are still compared
      // over what was stored, so one refusal does not hide other differences.
      const refused = new Set(stats.rejected.map((r) => `${r.event.source} ${r.event.id}`));
      const ref = new ReferenceModel(
        events.filter((e) => !refused.has(`${e.source} ${e.id}`)),
        asOf,
      );
      const byMessage = new Map<string, SendStats['rejected']>();
      for (const r of stats.rejected) byMessage.set(r.message, [...(byMessage.get(r.message) ?? []), r]);
      const ingestMismatches = [...byMessage].map(
        ([message, list]) =>
          `seed=${seed} ingest refused ${list.length} contract-valid events: ${message}; ` +
          `e.g. data=${JSON.stringify(list[0].event.data)}`,
      );
      expect(stats.accepted, `seed=${seed}: accepted events`).toBe(ref.eventCount);
      expect(stats.accepted + stats.duplicates + stats.rejected.length).toBe(stats.sent);

      const desks = [
        `${world.tree.communes[0]}/Q01`,
        `${pick(rng, world.tree.communes)}/${pick(rng, DESKS)}`,
      ];
      const targets = targetsOf(world, ref, desks);
      const compared = await compareAll(
        t.db,
        await readUnitTree(t.db),
        ref,
        targets,
        windowsAt(asOf),
        `seed=${seed}`,
      );
      // 3.5b is exercised off its edges: some scope and window has fee-bearing procedures only
      // part of which were paid online, and some has more than the three common codes.
      const fees = targets.flatMap((tg) => windowsAt(asOf).map((w) => ref.feeProcedures(tg.scope, w.window)));
      expect(
        fees.some((f) => f.paidOnline > 0 && f.paidOnline < f.feeBearing),
        `seed=${seed}: 3.5b strictly between 0 and 1 somewhere`,
      ).toBe(true);
      expect(
        fees.some((f) => f.feeBearing > 3),
        `seed=${seed}: 3.5b over more than 3 procedures`,
      ).toBe(true);
      const { snapshots, numbers } = compared;
      const mismatches = [...ingestMismatches, ...compared.mismatches];
      const done = performance.now();
      const city = { communes: world.tree.communes };
      const [hour, , , month] = windowsAt(asOf).map((w) => ref.metrics(city, w.window));
      const monthWindow = windowsAt(asOf)[3].window;
      const monthCounts = ref.counts(city, monthWindow);
      const monthScore = ref.scorecard(city, monthWindow).score;
      console.info(
        `[model-check ${kind}] seed=${seed} asOf=${new Date(asOf).toISOString()}: ${ref.dossiers.length} dossiers, ${ref.ratings.length} ratings, ` +
          `${ref.eventCount} events (${stats.sent} sent in ${stats.requests} requests, ${stats.duplicates} duplicates); ` +
          `${snapshots} snapshots, ${numbers} numbers; ingest ${Math.round(ingested - started)} ms, ` +
          `compare ${Math.round(done - ingested)} ms; city 30d onTime ${JSON.stringify(month.onTime)}, ` +
          `open ${JSON.stringify(month.open)}; 1h: ${hour.received.total} received, ` +
          `${hour.satisfaction.total} ratings, ${hour.onTime.early + hour.onTime.onTime + hour.onTime.late} finished; ` +
          `${ref.petitions.length} petitions; city 30d: fee ${monthCounts.feePaidOnline}/${monthCounts.feeBearing}/${monthCounts.feeReported}, ` +
          `petitions handled ${monthCounts.petitionsHandledOnTime}/${monthCounts.petitionsHandled}, closed ${monthCounts.petitionsUnsatisfied}/${monthCounts.petitionsClosed}, ` +
          `open ${JSON.stringify(ref.openPetitions(city, monthWindow))}, complained ${monthCounts.onTimeComplained}; ` +
          `3.5b procedures ${JSON.stringify(ref.feeProcedures(city, monthWindow))}; ` +
          `766 ${monthScore.points.toFixed(2)}/${monthScore.max}`,
      );
      await expectNoMismatches(t.db, mismatches, ref);
    },
    120_000,
  );

  describe('targeted cases', () => {
    /**
     * Sends events in one batch each call, then compares all windows against the reference. Its
     * clock: `now` fixed (MODEL_CHECK_NOW or 2025-06-18 10:17:23.456 local), `asOf` a second later.
     */
    async function scenario(city: string) {
      const now = FIXED_NOW ?? Date.parse('2025-06-18T10:17:23.456+07:00');
      const asOf = now + 1_000;
      const world = await createWorld(t.db, city, 1, 1);
      const commune = world.tree.communes[0];
      const sent: CloudEvent[] = [];
      let seq = 0;
      const make = (desk: string, type: string, time: number, data: Record<string, unknown>) =>
        cloudEvent(commune, desk, type, time, `${city}-${++seq}`, data);
      return {
        commune,
        now,
        asOf,
        make,
        async send(batch: CloudEvent[]) {
          sent.push(...batch);
          const res = await postBatchOnce(ingest.url, world.keys.get(commune) as string, batch);
          expect(res.status).toBe(200);
          return res.body;
        },
        /** The snapshot of the commune over 30 days, after checking every number against the reference. */
        async check() {
          const ref = new ReferenceModel(sent, asOf);
          const windows = windowsAt(asOf);
          const { mismatches } = await compareAll(
            t.db,
            await readUnitTree(t.db),
            ref,
            targetsOf(world, ref, []),
            windows,
            `case ${city}`,
          );
          await expectNoMismatches(t.db, mismatches, ref);
          const snap = await readSnapshot(t.db, await readUnitTree(t.db), commune, windows[3].window, asOf);
          if (!snap) throw new Error('no snapshot');
          return snap;
        },
      };
    }

    it('a rescheduled arriving after the resolved moves the dossier from early to late', async () => {
      const s = await scenario('11');
      const { now } = s;
      const code = 'HS-LATE-1';
      await s.send([
        s.make('Q01', 'dossier.received', now - 5 * DAY, {
          dossierCode: code,
          procedureCode: '1.001612',
          channel: 'online',
          dueAt: rfc3339(now + 3 * DAY),
        }),
        s.make('Q01', 'dossier.resolved', now - 2 * HOUR, { dossierCode: code }),
      ]);
      const before = await s.check();
      expect(before.metrics.onTime).toMatchObject({ early: 1, onTime: 0, late: 0, rate: 1 });

      const body = await s.send([
        s.make('Q01', 'dossier.rescheduled', now - DAY, {
          dossierCode: code,
          newDueAt: rfc3339(now + 6 * DAY),
        }),
      ]);
      expect(body).toMatchObject({ accepted: 1 });
      const after = await s.check();
      expect(after.metrics.onTime).toMatchObject({ early: 0, onTime: 0, late: 1, rate: 0 });
      expect(after.children.find((c) => c.unit.code === `${s.commune}/Q01`)?.metrics.onTime.late).toBe(1);
    });

    it('the same batch sent twice counts once', async () => {
      const s = await scenario('12');
      const { now, asOf } = s;
      const batch = [
        s.make('Q01', 'dossier.received', now - 3 * DAY, {
          dossierCode: 'HS-A',
          procedureCode: '1.001612',
          channel: 'direct',
          dueAt: rfc3339(now + DAY),
        }),
        s.make('Q01', 'dossier.supplement_requested', now - 2 * DAY, { dossierCode: 'HS-A' }),
        s.make('Q01', 'dossier.supplement_received', now - DAY, { dossierCode: 'HS-A' }),
        s.make('Q02', 'dossier.resolved', now - 30 * MINUTE, { dossierCode: 'HS-A' }),
        s.make('Q02', 'dossier.returned', now - 20 * MINUTE, { dossierCode: 'HS-A' }),
        s.make('Q03', 'dossier.received', now - 10 * MINUTE, {
          dossierCode: 'HS-B',
          procedureCode: '1.001612',
          channel: 'postal',
          dueAt: rfc3339(now + 12 * HOUR),
        }),
        s.make('Q01', 'rating.submitted', now - 15 * MINUTE, { level: 'satisfied', dossierCode: 'HS-A' }),
        s.make('Q02', 'rating.submitted', now - 5 * MINUTE, { level: 'unsatisfied' }),
      ];
      expect(await s.send(batch)).toMatchObject({ accepted: batch.length, duplicates: 0 });
      const tree = await readUnitTree(t.db);
      const once = await Promise.all(
        windowsAt(asOf).map((w) => readSnapshot(t.db, tree, s.commune, w.window, asOf)),
      );
      expect(await s.send(batch)).toMatchObject({ accepted: 0, duplicates: batch.length });
      const twice = await Promise.all(
        windowsAt(asOf).map((w) => readSnapshot(t.db, tree, s.commune, w.window, asOf)),
      );
      expect(twice).toEqual(once);
      const snap = await s.check();
      expect(snap.metrics.satisfaction).toMatchObject({ satisfied: 1, unsatisfied: 1, total: 2 });
      expect(snap.metrics.received).toEqual({ total: 2, direct: 1, online: 0, postal: 1 });
      expect(snap.metrics.open).toEqual({ total: 1, overdue: 0, dueSoon: 1, waitingSupplement: 0 });
      expect(snap.metrics.onTime).toMatchObject({ early: 1, late: 0, unknown: 0 });
    });

    it('an unanswered request stamped a few minutes ahead of asOf pauses nothing yet', async () => {
      // Desk clocks may run up to 5 minutes ahead. At asOf such a request has paused nothing:
      // the dossier is judged on dueAt alone (as classifyOpen does with max(0, asOf − pendingSince)).
      const s = await scenario('14');
      const { now } = s;
      const open = (code: string, dueAt: number, requestAt: number) => [
        s.make('Q01', 'dossier.received', now - 2 * HOUR, {
          dossierCode: code,
          procedureCode: '1.001612',
          channel: 'direct',
          dueAt: rfc3339(dueAt),
        }),
        s.make('Q01', 'dossier.supplement_requested', requestAt, { dossierCode: code }),
      ];
      await s.send([
        // due in 2 minutes: neither overdue nor paused yet, so dueSoon
        ...open('HS-AHEAD-1', now + 2 * MINUTE, now + 4 * MINUTE),
        // due in 24 h + 2 min: more than 24 h away, so not dueSoon
        ...open('HS-AHEAD-2', now + DAY + 2 * MINUTE, now + 4 * MINUTE).map((e) => ({
          ...e,
          source: e.source.replace('/Q01', '/Q02'),
        })),
      ]);
      const snap = await s.check();
      expect(snap.metrics.open).toEqual({ total: 2, overdue: 0, dueSoon: 1, waitingSupplement: 2 });
    });

    it('a received arriving after the resolved turns unknown into a known outcome', async () => {
      const s = await scenario('13');
      const { now } = s;
      const code = 'HS-UNK-1';
      await s.send([s.make('Q02', 'dossier.resolved', now - 3 * HOUR, { dossierCode: code })]);
      const before = await s.check();
      expect(before.metrics.onTime).toMatchObject({
        early: 0,
        onTime: 0,
        late: 0,
        unknown: 1,
        rate: null,
        avgHours: null,
      });
      expect(before.children.find((c) => c.unit.code === `${s.commune}/Q02`)?.metrics.onTime.unknown).toBe(1);

      await s.send([
        s.make('Q01', 'dossier.received', now - 48 * HOUR, {
          dossierCode: code,
          procedureCode: '1.001612',
          channel: 'direct',
          dueAt: rfc3339(now + DAY),
        }),
      ]);
      const after = await s.check();
      expect(after.metrics.onTime).toMatchObject({ early: 1, unknown: 0, rate: 1, avgHours: 45 });
      const desk = (d: string) =>
        after.children.find((c) => c.unit.code === `${s.commune}/${d}`)?.metrics.onTime;
      expect(desk('Q01')).toMatchObject({ early: 1, unknown: 0 });
      expect(desk('Q02')).toMatchObject({ early: 0, unknown: 0 });
    });

    it('a late publication makes an answer in time late, a repeat after the close makes it unsatisfied', async () => {
      // now is Wednesday 18 June 2025; no holiday from late May to then. Working days after
      // Monday 26 May: the 15th is Monday 16 June, so the answer is due by 17 June 00:00; after an
      // answer on Friday 6 June, publication is due by Wednesday 11 June 00:00.
      const s = await scenario('15');
      const at = (local: string) => Date.parse(`${local}+07:00`);
      const petition = (type: string, time: string, data: Record<string, unknown>) =>
        s.make('Q01', `petition.${type}`, at(time), data);
      const tree = await readUnitTree(t.db);
      await s.send([
        petition('received', '2025-05-26T09:00:00', { petitionCode: 'PA-1', category: 'staff' }),
        petition('answered', '2025-06-06T10:00:00', { petitionCode: 'PA-1' }),
        petition('published', '2025-06-11T08:00:00', { petitionCode: 'PA-1' }),
        petition('reacted', '2025-06-11T12:00:00', { petitionCode: 'PA-1', reaction: 'like' }),
        petition('reacted', '2025-06-11T13:00:00', { petitionCode: 'PA-1', reaction: 'like' }),
        petition('reacted', '2025-06-11T14:00:00', { petitionCode: 'PA-1', reaction: 'dislike' }),
        // Open, due by 18 June 00:00: overdue at asOf.
        petition('received', '2025-05-27T09:00:00', { petitionCode: 'PA-2', category: 'other' }),
      ]);
      const before = await readScorecard(t.db, tree, s.commune, windowsAt(s.asOf)[3].window, s.asOf);
      const criterion = (card: typeof before, code: string) =>
        card?.score.groups.flatMap((g) => g.criteria).find((c) => c.code === code);
      // 5.2: (0 on time + 1 open − 1 overdue) / (1 handled + 1 open); 5.3: (1 closed − 1 late) / 1.
      expect(criterion(before, '5.2')).toMatchObject({ numerator: 0, denominator: 2, points: 0 });
      expect(criterion(before, '5.3')).toMatchObject({ numerator: 0, denominator: 1, points: 0 });

      // The same petition filed again: open, due on 3 July.
      await s.send([
        petition('received', '2025-06-12T09:00:00', {
          petitionCode: 'PA-3',
          category: 'staff',
          repeatOf: 'PA-1',
        }),
      ]);
      await s.check();
      const [row] = await readWindowCounts(t.db, [s.commune], s.asOf - 30 * DAY, s.asOf, 'commune');
      expect(row).toMatchObject({
        petitionsReceived: 3,
        petitionsHandled: 1,
        petitionsHandledOnTime: 0,
        petitionsClosed: 1,
        petitionsUnsatisfied: 1,
      });
      const after = await readScorecard(t.db, tree, s.commune, windowsAt(s.asOf)[3].window, s.asOf);
      // 5.2: (0 + 2 open − 1 overdue) / (1 + 2) = 1/3, 6 × 1/3 = 2 points.
      expect(criterion(after, '5.2')).toMatchObject({ numerator: 1, denominator: 3 });
      expect(criterion(after, '5.2')?.points).toBeCloseTo(2, 12);
      expect(after?.atRisk?.lost).toMatchObject({ petitions: 1 });
    });
  });
});
