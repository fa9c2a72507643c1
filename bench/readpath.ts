/**
 * 5. Read path: the root's (city's) `30d` snapshot and `1d` series from rollup buckets (what the API
 *    and the live hub run) against the straightforward SQL over raw events, at several stored
 *    sizes. The store is filled chronologically with the simulator's model of Hà Nội (526
 *    communes, real volume) through `writeBatch`, the ingest's own write path, so rollups and
 *    dossier state are exactly what production would hold. BENCH_READ_TREE=vn-2025-07 fills the
 *    national tree (3,321 communes, the same model per commune) and reads the nation instead.
 */
import { trustedEvent, type ValidatedEvent } from '@motcua/contract';
import {
  type Database,
  readOpenCounts,
  readScorecard,
  readSeries,
  readSnapshot,
  readUnitTree,
  rebuildOpenDossierIndexes,
  type UnitTree,
  writeBatch,
} from '@motcua/db';
import {
  localDayStart,
  type ResolvedWindow,
  resolveWindow,
  type Series,
  type Snapshot,
} from '@motcua/metrics';
import { createCityModel } from '@motcua/simulator';
import { sql } from 'drizzle-orm';
import { type BenchConfig, DEFAULT_READ_TREE } from './lib/config.ts';
import { createBenchDb, type StorageReading, storage } from './lib/pg.ts';
import { type Summary, summarize } from './lib/stats.ts';

const DAY = 86_400_000;
/** 16:17:23 after local midnight: an `asOf` inside an hour. */
const INSIDE_HOUR = ((16 * 60 + 17) * 60 + 23) * 1000;
/** Events per writeBatch call while loading. */
const LOAD_BATCH = 10_000;
/** Concurrent writers while loading; each owns a disjoint set of communes (no shared rows). */
const LOAD_WRITERS = 2;
/** Hà Nội at real volume, from the model (measured: ~22,700 events a day over its 526 communes); sizes the history. */
const EVENTS_PER_COMMUNE_DAY_ESTIMATE = 22_700 / 526;
/**
 * Where the server runs with autovacuum off (this project's bench machine does), nothing vacuums
 * what the fill rewrites: every event rewrites its dossier and counter rows, and the dead rows
 * kept the store at ~1,560 B/event instead of ~1,400, more than a 50 M fill fits beside the rest
 * on that disk. The fill then vacuums those tables itself every this many events, as autovacuum
 * would (0015 and 0016 set it to run after a few thousand dead rows), outside the timed load.
 */
const FILL_VACUUM_EVERY = 2_000_000;

export interface ReadPoint {
  events: number;
  days: number;
  asOf: string;
  storage: StorageReading;
  /** ms per call */
  snapshot: { bucket: Summary; raw: Summary; speedup: number };
  /**
   * The snapshot straight after the fill, before the open-dossier indexes are rebuilt, and
   * those indexes' pages before and after (absent in records made before issue 18's bench).
   */
  asFilled?: {
    snapshot: Summary;
    openIndexes: { pagesAsFilled: number; pagesRebuilt: number };
    /** The open-dossier counter tables' pages (absent in records made before migration 0016). */
    openCounters?: { pagesAsFilled: number; pagesRebuilt: number };
  };
  series: { bucket: Summary; raw: Summary; speedup: number };
  /**
   * What a unit page reads for its headline: the snapshot and the 766 scorecard together, against
   * the same raw-SQL snapshot (there is no plain-SQL scorecard to compare with; the raw snapshot
   * scans the same events a raw scorecard would). Absent in records made before the scorecard.
   */
  withScorecard?: { bucket: Summary; raw: Summary; speedup: number };
  /**
   * The same pair read at an `asOf` inside an hour of the last day (16:17:23 local): a window
   * with minute, hour and day edges, where `asOf` at local midnight is whole days only. Absent in
   * records made before.
   */
  insideHour?: { asOf: string; withScorecard: Summary };
  /**
   * The root's open-dossier counts alone, per commune: by deadline hour (what the snapshot reads
   * above a commune since migration 0016) against one by one from `dossiers` (what it read
   * before, and still reads for one commune's desks), and whether the two agree per commune.
   * Absent in records made before.
   */
  openCounts?: { byDeadlineHour: Summary; perDossier: Summary; same: boolean };
  /** Raw SQL and buckets agree on ratings and received (exactly) and outcomes (within the raw SQL's simplification). */
  agreement: { ratings: boolean; received: boolean; outcomes: { bucket: number; raw: number } };
}

export interface ReadResult {
  /** The reference tree filled, and the root every figure reads (absent in records made before BENCH_READ_TREE). */
  tree?: string;
  root?: { code: string; name: string; level: string };
  load: {
    events: number;
    seconds: number;
    eventsPerSec: number;
    batch: number;
    writers: number;
    /** The fill's own vacuums where the server's autovacuum is off (absent in older records). */
    vacuums?: { runs: number; seconds: number };
  };
  points: ReadPoint[];
}

const RATING = 'vn.motcua.rating.submitted';
const RECEIVED = 'vn.motcua.dossier.received';
const FINISHING = [
  'vn.motcua.dossier.resolved',
  'vn.motcua.dossier.returned',
  'vn.motcua.dossier.rejected',
  'vn.motcua.dossier.withdrawn',
];
const tz = (ms: number) => sql`to_timestamp(${ms / 1000})`;

interface RawCounts {
  ratings: Record<string, number>;
  received: Record<string, number>;
  outcomes: Record<string, number>;
}

/**
 * The root's snapshot counts per child (district or province), the plain way: aggregate `events` over the window.
 * Outcomes: a dossier's first finishing event in the window, joined to its `received` event;
 * late past `dueAt`, early before its local date (supplement pauses and apology slips ignored).
 */
async function rawSnapshot(db: Database, w: ResolvedWindow): Promise<RawCounts> {
  const [ratings, received, outcomes] = await Promise.all([
    db.query<{ child: string; k: string; n: number }>(
      sql`select u.parent_code as child, e.data->>'level' as k, count(*)::float8 as n
        from events e join units u on u.code = e.unit_code
        where e.type = ${RATING} and e.time >= ${tz(w.from)} and e.time < ${tz(w.to)}
        group by 1, 2`,
    ),
    db.query<{ child: string; k: string; n: number }>(
      sql`select u.parent_code as child, e.data->>'channel' as k, count(*)::float8 as n
        from events e join units u on u.code = e.unit_code
        where e.type = ${RECEIVED} and e.time >= ${tz(w.from)} and e.time < ${tz(w.to)}
        group by 1, 2`,
    ),
    db.query<{ child: string; k: string; n: number; hours: number | null }>(
      sql`with finished as (
          select unit_code, dossier_code, min(time) as finished_at
          from events
          where type = any(${`{${FINISHING.join(',')}}`}::text[]) and time >= ${tz(w.from)} and time < ${tz(w.to)}
          group by 1, 2
        )
        select u.parent_code as child,
          case when r.time is null then 'unknown'
            when f.finished_at > (r.data->>'dueAt')::timestamptz then 'late'
            when (f.finished_at at time zone 'Asia/Ho_Chi_Minh')::date
              < ((r.data->>'dueAt')::timestamptz at time zone 'Asia/Ho_Chi_Minh')::date then 'early'
            else 'onTime' end as k,
          count(*)::float8 as n,
          avg(extract(epoch from f.finished_at - r.time) / 3600)::float8 as hours
        from finished f
        join units u on u.code = f.unit_code
        left join events r on r.unit_code = f.unit_code and r.dossier_code = f.dossier_code and r.type = ${RECEIVED}
        group by 1, 2`,
    ),
  ]);
  const sum = (rows: { k: string; n: number }[]) => {
    const out: Record<string, number> = {};
    for (const r of rows) out[r.k] = (out[r.k] ?? 0) + r.n;
    return out;
  };
  return { ratings: sum(ratings), received: sum(received), outcomes: sum(outcomes) };
}

/** The city's daily series, the plain way: events grouped by local day. */
async function rawSeries(db: Database, w: ResolvedWindow) {
  const first = localDayStart(w.from);
  const day = sql`date_trunc('day', time at time zone 'Asia/Ho_Chi_Minh')`;
  return Promise.all([
    db.query<Record<string, number | string>>(
      sql`select ${day} as day,
          count(*) filter (where type = ${RATING} and data->>'level' = 'very_satisfied')::float8 as very_satisfied,
          count(*) filter (where type = ${RATING} and data->>'level' = 'satisfied')::float8 as satisfied,
          count(*) filter (where type = ${RATING} and data->>'level' = 'unsatisfied')::float8 as unsatisfied,
          count(*) filter (where type = ${RECEIVED})::float8 as received
        from events where time >= ${tz(first)} and time < ${tz(w.to)}
        group by 1 order by 1`,
    ),
    db.query<Record<string, number | string>>(
      sql`with finished as (
          select unit_code, dossier_code, min(time) as finished_at
          from events
          where type = any(${`{${FINISHING.join(',')}}`}::text[]) and time >= ${tz(first)} and time < ${tz(w.to)}
          group by 1, 2
        )
        select date_trunc('day', f.finished_at at time zone 'Asia/Ho_Chi_Minh') as day,
          count(*) filter (where r.time is null)::float8 as unknown,
          count(*) filter (where f.finished_at > (r.data->>'dueAt')::timestamptz)::float8 as late,
          count(*) filter (where f.finished_at <= (r.data->>'dueAt')::timestamptz)::float8 as in_time
        from finished f
        left join events r on r.unit_code = f.unit_code and r.dossier_code = f.dossier_code and r.type = ${RECEIVED}
        group by 1 order by 1`,
    ),
  ]);
}

type OpenCountRow = Awaited<ReturnType<typeof readOpenCounts>>[number];
/** The same figures per commune, whichever way the rows came (per commune, or per desk). */
function sameOpenCounts(a: OpenCountRow[], b: OpenCountRow[]): boolean {
  const FIELDS = ['total', 'overdue', 'dueSoon', 'dueIn48h', 'waitingSupplement'] as const;
  const byCommune = (rows: OpenCountRow[]) => {
    const out = new Map<string, number[]>();
    for (const r of rows) {
      const hit = out.get(r.unit_code) ?? FIELDS.map(() => 0);
      FIELDS.forEach((f, i) => {
        hit[i] += Number(r[f]);
      });
      out.set(r.unit_code, hit);
    }
    return out;
  };
  const x = byCommune(a);
  const y = byCommune(b);
  return x.size === y.size && [...x].every(([k, v]) => y.get(k)?.join() === v.join());
}

async function time<T>(
  runs: number,
  warmups: number,
  fn: () => Promise<T>,
): Promise<{ summary: Summary; last: T }> {
  let last = await fn();
  for (let i = 1; i < warmups; i++) last = await fn();
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    last = await fn();
    ms.push(performance.now() - t0);
  }
  return { summary: summarize(ms), last };
}

async function measure(
  cfg: BenchConfig,
  db: Database,
  url: string,
  tree: UnitTree,
  asOf: number,
  days: number,
  log: (s: string) => void,
): Promise<ReadPoint> {
  await db.query(sql`vacuum analyze events`);
  await db.query(sql`vacuum analyze dossiers`);
  await db.query(sql`vacuum analyze rollups`);
  const stored = await storage(url);
  const resolved = resolveWindow({ window: '30d' }, asOf);
  if (!resolved.ok) throw new Error(resolved.message);
  const w = resolved.window;
  const root = tree.roots()[0].code;

  // The fill writes months of dossier updates a minute, faster than autovacuum (at most one
  // run a minute) can follow, so the small partial indexes of open dossiers come out of it
  // mostly dead pages, which a vacuum empties but does not give back: the snapshot then reads
  // all of them. At a desk's pace vacuum keeps up (migration 0015 runs it every 2,000 dead
  // dossier rows); the rebuild an import ends with gives the state it keeps. Both are measured.
  const asFilled = await time(cfg.readRuns.bucket, 2, () => readSnapshot(db, tree, root, w, asOf));
  const rebuilt = await rebuildOpenDossierIndexes(db);
  const openIndexes = { pagesAsFilled: rebuilt.before, pagesRebuilt: rebuilt.after };
  const openCounters = { pagesAsFilled: rebuilt.counters.before, pagesRebuilt: rebuilt.counters.after };
  log(
    `  as filled: snapshot ${asFilled.summary.p50.toFixed(1)} ms, open-dossier indexes ${rebuilt.before.toLocaleString('en-US')} pages, counters ${rebuilt.counters.before.toLocaleString('en-US')}; rebuilt: ${rebuilt.after.toLocaleString('en-US')} and ${rebuilt.counters.after.toLocaleString('en-US')} pages`,
  );

  const snap = await time(cfg.readRuns.bucket, 2, () => readSnapshot(db, tree, root, w, asOf));
  const series = await time(cfg.readRuns.bucket, 2, () => readSeries(db, tree, root, w, '1d'));
  const withScorecard = await time(cfg.readRuns.bucket, 2, () =>
    Promise.all([readSnapshot(db, tree, root, w, asOf), readScorecard(db, tree, root, w, asOf)]),
  );
  // The last day's 16:17:23 local: what a leader sees in the afternoon, edges of every grain.
  // Only its time is reported: the open dossiers read are the store's (the day's end), not those
  // open at 16:17.
  const afternoon = asOf - DAY + INSIDE_HOUR;
  const afternoonWindow = resolveWindow({ window: '30d' }, afternoon);
  if (!afternoonWindow.ok) throw new Error(afternoonWindow.message);
  const insideHour = await time(cfg.readRuns.bucket, 2, () =>
    Promise.all([
      readSnapshot(db, tree, root, afternoonWindow.window, afternoon),
      readScorecard(db, tree, root, afternoonWindow.window, afternoon),
    ]),
  );
  const communes = tree.communesUnder(root);
  const byHour = await time(cfg.readRuns.bucket, 2, () => readOpenCounts(db, communes, asOf, 'commune'));
  const perDossier = await time(cfg.readRuns.bucket, 2, () => readOpenCounts(db, communes, asOf, 'desk'));
  const openCounts = {
    byDeadlineHour: byHour.summary,
    perDossier: perDossier.summary,
    same: sameOpenCounts(byHour.last, perDossier.last),
  };
  log(
    `  open counts per commune: by deadline hour ${byHour.summary.p50.toFixed(1)} ms, per dossier ${perDossier.summary.p50.toFixed(1)} ms` +
      (openCounts.same ? '' : ' — they DISAGREE'),
  );
  const rawSnap = await time(cfg.readRuns.raw, 1, () => rawSnapshot(db, w));
  const rawSer = await time(cfg.readRuns.raw, 1, () => rawSeries(db, w));

  const s = snap.last as Snapshot;
  const r = rawSnap.last;
  const m = s.metrics;
  const ratings =
    (r.ratings.very_satisfied ?? 0) === m.satisfaction.verySatisfied &&
    (r.ratings.satisfied ?? 0) === m.satisfaction.satisfied &&
    (r.ratings.unsatisfied ?? 0) === m.satisfaction.unsatisfied;
  const received =
    (r.received.direct ?? 0) === m.received.direct &&
    (r.received.online ?? 0) === m.received.online &&
    (r.received.postal ?? 0) === m.received.postal;
  const finished = (o: { early?: number; onTime?: number; late?: number; unknown?: number }) =>
    (o.early ?? 0) + (o.onTime ?? 0) + (o.late ?? 0) + (o.unknown ?? 0);
  const seriesTotal = (series.last as Series).points.reduce((a, p) => a + p.received, 0);
  const rawSeriesTotal = rawSer.last[0].reduce((a, p) => a + Number(p.received), 0);
  if (seriesTotal !== rawSeriesTotal)
    log(`  ! series: buckets count ${seriesTotal} received, raw SQL ${rawSeriesTotal}`);
  const point: ReadPoint = {
    events: stored.events,
    days,
    asOf: new Date(asOf).toISOString(),
    storage: stored,
    snapshot: {
      bucket: snap.summary,
      raw: rawSnap.summary,
      speedup: rawSnap.summary.p50 / snap.summary.p50,
    },
    asFilled: { snapshot: asFilled.summary, openIndexes, openCounters },
    openCounts,
    series: {
      bucket: series.summary,
      raw: rawSer.summary,
      speedup: rawSer.summary.p50 / series.summary.p50,
    },
    withScorecard: {
      bucket: withScorecard.summary,
      raw: rawSnap.summary,
      speedup: rawSnap.summary.p50 / withScorecard.summary.p50,
    },
    insideHour: { asOf: new Date(afternoon).toISOString(), withScorecard: insideHour.summary },
    agreement: {
      ratings,
      received,
      outcomes: { bucket: finished(m.onTime), raw: finished(r.outcomes) },
    },
  };
  log(
    `  ${stored.events.toLocaleString('en-US')} events: snapshot ${snap.summary.p50.toFixed(1)} ms ` +
      `(+ scorecard ${withScorecard.summary.p50.toFixed(1)} ms; at 16:17:23 ${insideHour.summary.p50.toFixed(1)} ms) vs raw ` +
      `${rawSnap.summary.p50.toFixed(0)} ms (${point.snapshot.speedup.toFixed(0)}×), series ` +
      `${series.summary.p50.toFixed(1)} ms vs ${rawSer.summary.p50.toFixed(0)} ms; ` +
      `${stored.bytesPerEvent.toFixed(0)} B/event stored` +
      (ratings && received ? '' : ' — raw SQL and buckets DISAGREE on ratings/received'),
  );
  return point;
}

/** `motcua_bench_read` for the city; another tree's store beside it (`motcua_bench_read_vn_2025_07`). */
function readDbName(tree: string): string {
  return tree === DEFAULT_READ_TREE ? 'motcua_bench_read' : `motcua_bench_read_${tree.replaceAll('-', '_')}`;
}

export async function benchRead(cfg: BenchConfig, log: (s: string) => void): Promise<ReadResult> {
  const bench = await createBenchDb(cfg.base, readDbName(cfg.readTree), cfg.readTree);
  try {
    const { db } = bench;
    const tree = await readUnitTree(db);
    const root = tree.roots()[0];
    const communes = tree.communesUnder(root.code);
    const model = createCityModel({ communes: communes.map((code) => ({ code })), seed: cfg.seed });
    const writerOf = new Map(communes.map((c, i) => [c, i % LOAD_WRITERS]));
    const targets = [...cfg.readSizes].sort((a, b) => a - b);
    // Enough days to reach the largest size before today (weekends are lighter than the mean).
    const days = Math.ceil(
      (targets[targets.length - 1] / (EVENTS_PER_COMMUNE_DAY_ESTIMATE * communes.length)) * 1.15,
    );
    const today = localDayStart(Date.now());
    const start = today - days * DAY;
    const knownDesks = new Set<string>();
    const points: ReadPoint[] = [];
    const [{ autovacuum }] = await db.query<{ autovacuum: string }>(
      sql`select current_setting('autovacuum') as autovacuum`,
    );
    const vacuums = autovacuum === 'off' ? { runs: 0, seconds: 0 } : undefined;
    let vacuumedAt = 0;
    let stored = 0;
    let loadMs = 0;
    let next = 0;
    let lastLog = performance.now();
    for (let d = 0; next < targets.length; d++) {
      const from = start + d * DAY;
      const t0 = performance.now();
      const lanes: ValidatedEvent[][] = Array.from({ length: LOAD_WRITERS }, () => []);
      for (const e of model.generate(from, from + DAY)) {
        const incoming = trustedEvent(e);
        lanes[writerOf.get(incoming.unitCode) ?? 0].push(incoming);
      }
      await Promise.all(
        lanes.map(async (lane) => {
          for (let i = 0; i < lane.length; i += LOAD_BATCH) {
            await writeBatch(db, lane.slice(i, i + LOAD_BATCH), { knownDesks });
          }
        }),
      );
      stored += lanes.reduce((a, l) => a + l.length, 0);
      loadMs += performance.now() - t0;
      if (vacuums && stored - vacuumedAt >= FILL_VACUUM_EVERY) {
        const v0 = performance.now();
        await db.query(
          sql`vacuum dossiers, unit_rollups, fee_procedures, open_dossier_deadlines, open_dossier_counts`,
        );
        const s = (performance.now() - v0) / 1000;
        vacuums.runs++;
        vacuums.seconds += s;
        vacuumedAt = stored;
        log(`  vacuum (autovacuum is off) at ${stored.toLocaleString('en-US')} events: ${s.toFixed(0)} s`);
      }
      if (performance.now() - lastLog > 30_000) {
        lastLog = performance.now();
        log(
          `  loading: ${stored.toLocaleString('en-US')} events, ${Math.round(stored / (loadMs / 1000))} events/s`,
        );
      }
      const last = from + DAY >= today;
      if (stored >= targets[next] || last) {
        points.push(await measure(cfg, db, bench.url, tree, from + DAY, d + 1, log));
        while (next < targets.length && (stored >= targets[next] || last)) next++;
      }
    }
    return {
      tree: cfg.readTree,
      root: { code: root.code, name: root.name, level: root.level },
      load: {
        events: stored,
        seconds: loadMs / 1000,
        eventsPerSec: stored / (loadMs / 1000),
        batch: LOAD_BATCH,
        writers: LOAD_WRITERS,
        vacuums,
      },
      points,
    };
  } finally {
    if (cfg.keepReadDb) await bench.db.close();
    else await bench.drop();
  }
}
