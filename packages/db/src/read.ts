import type {
  HeatCell,
  Heatmap,
  OverdueDossier,
  OverdueList,
  RatingItem,
  RatingLevel,
  RatingList,
} from '@motcua/contract';
import {
  addCounts,
  addOpen,
  alignStep,
  assembleSnapshot,
  BUCKET_FIELDS,
  type BucketField,
  type CountsOf,
  classifyOpen,
  computeDossierState,
  DAY,
  emptyCounts,
  emptyOpen,
  formatLocal,
  HOUR,
  localDayStart,
  type OpenMetrics,
  type ResolvedWindow,
  SERIES_FIELDS,
  type Series,
  type SeriesCounts,
  type SeriesStep,
  SNAPSHOT_FIELDS,
  type Snapshot,
  type SnapshotCounts,
  seriesPointFromCounts,
  stepMs,
  type UnitRef,
  windowToJson,
} from '@motcua/metrics';
import { type SQL, sql } from 'drizzle-orm';
import type { Database } from './client.ts';
import { ROLLUP_TABLES, rollupSums } from './columns.ts';
import { dossiers, inProgress } from './schema/dossiers.ts';
import { listDesks, type UnitTree } from './tree.ts';
import { type HistoryEntry, toDossierEvent } from './write.ts';

type Range = [number, number];
export interface BucketRanges {
  m: Range[];
  h: Range[];
  d: Range[];
}

/**
 * Splits [from, to) into the coarsest buckets that fit: local days in the middle, hours at
 * the day edges, minutes at the hour edges. `to` may fall inside a minute: that minute's
 * bucket is included. Day rows are kept per commune, not per desk: a read that needs rows per
 * desk passes `days: false` and gets hours in the middle instead.
 */
export function bucketRanges(from: number, to: number, days = true): BucketRanges {
  const out: BucketRanges = { m: [], h: [], d: [] };
  const push = (list: Range[], a: number, b: number) => {
    if (b > a) list.push([a, b]);
  };
  const hours = (a: number, b: number) => {
    const hs = Math.ceil(a / HOUR) * HOUR;
    const he = Math.floor(b / HOUR) * HOUR;
    if (he > hs) {
      push(out.m, a, hs);
      push(out.h, hs, he);
      push(out.m, he, b);
    } else push(out.m, a, b);
  };
  const dayStart = localDayStart(from) === from ? from : localDayStart(from) + DAY;
  const dayEnd = localDayStart(to);
  if (days && dayEnd > dayStart) {
    hours(from, dayStart);
    push(out.d, dayStart, dayEnd);
    hours(dayEnd, to);
  } else hours(from, to);
  return out;
}

const SUMS = new Map<string, SQL>();
/** The sums of `fields` (of one rollup table) over the selected rows, made once per field list. */
function sumsOf(fields: readonly BucketField[]): SQL {
  const key = fields.join();
  let sums = SUMS.get(key);
  if (!sums) {
    sums = rollupSums(fields);
    SUMS.set(key, sums);
  }
  return sums;
}
/** The counters a series point reads, summed over the selected `rollups` rows. */
export const SERIES_SUMS_SQL = sumsOf(SERIES_FIELDS);

export function unitFilter(communes: string[]): SQL {
  return sql`unit_code = any(${`{${communes.join(',')}}`}::text[])`;
}

/**
 * The same filter as a semi-join on the codes: for the small tables a read above a commune takes
 * whole (the open-dossier counters). `= any` of a list that long (a nation's 3,321 codes) is
 * planned by estimating each code, ~50 ms for a statement that runs in ~10; the semi-join is
 * planned from the list's length and probed by hash. Not for the rollups: there the planner's
 * per-code index descents are what keeps the read small.
 */
function unitSetFilter(communes: string[]): SQL {
  return sql`unit_code in (select unnest(${`{${communes.join(',')}}`}::text[]))`;
}

export function rangeFilter(r: BucketRanges): SQL {
  const parts: SQL[] = [];
  for (const grain of ['m', 'h', 'd'] as const) {
    for (const [a, b] of r[grain]) {
      parts.push(sql`(grain = ${grain} and bucket_start >= ${a} and bucket_start < ${b})`);
    }
  }
  return parts.length ? sql.join(parts, sql` or `) : sql`false`;
}

type CountRow<F extends BucketField> = CountsOf<F> & { unit_code: string; desk_code: string };

/**
 * How a read's rows come: one per (commune, desk), one per commune (`desk_code` ''), or one for
 * all the communes read (`unit_code` and `desk_code` ''), the cheapest when only a total is wanted.
 */
export type RowsPer = 'desk' | 'commune' | 'all';

const groupColumns = (per: RowsPer) =>
  per === 'desk'
    ? sql`unit_code, desk_code`
    : per === 'commune'
      ? sql`unit_code, '' as desk_code`
      : sql`'' as unit_code, '' as desk_code`;
const groupBy = (per: RowsPer) =>
  per === 'desk' ? sql`group by unit_code, desk_code` : per === 'commune' ? sql`group by unit_code` : sql``;

/**
 * Rollup sums of `fields` (all by default) over a window for the given communes, rows as `per`
 * says (per commune is a third of the groups of per desk for a city). Sums over no rollup row
 * come as null (`per: 'all'`).
 */
export async function readWindowCounts<F extends BucketField = BucketField>(
  db: Database,
  communes: string[],
  from: number,
  to: number,
  per: RowsPer = 'desk',
  fields: readonly F[] = BUCKET_FIELDS as readonly BucketField[] as readonly F[],
): Promise<CountRow<F>[]> {
  if (communes.length === 0) return [];
  const where = sql`${unitFilter(communes)} and (${rangeFilter(bucketRanges(from, to, per !== 'desk'))})`;
  // One query per rollup table that keeps some of the fields, side by side.
  const tables = ROLLUP_TABLES.map((table) => ({
    name: table.name,
    own: fields.filter((f) => table.fields.includes(f)),
  })).filter((t) => t.own.length > 0);
  const parts = await Promise.all(
    tables.map(({ name, own }) =>
      db.query<CountRow<F>>(
        sql`select ${groupColumns(per)}, ${sumsOf(own)} from ${sql.raw(name)} where ${where} ${groupBy(per)}`,
      ),
    ),
  );
  if (parts.length === 1) return parts[0];
  // Rows of the same (commune, desk) merged; a key with no row in a table has its fields 0.
  const merged = new Map<string, CountRow<F>>();
  for (const rows of parts) {
    for (const row of rows) {
      const key = `${row.unit_code}/${row.desk_code}`;
      const hit = merged.get(key);
      if (hit) Object.assign(hit, row);
      else merged.set(key, { ...emptyCounts(fields), ...row });
    }
  }
  return [...merged.values()];
}

/** Whether a unit is above a commune: its buckets are its own rows in `unit_rollups`. */
const isAboveCommune = (tree: UnitTree, code: string) => {
  const level = tree.get(code)?.level;
  return level !== undefined && level !== 'commune';
};

/**
 * Rollup sums of `fields` over a window for whole units (any level but a desk), a row each keyed
 * by the unit's code (`desk_code` ''): a commune from its own rows, a unit above one from its own
 * rows in `unit_rollups` (a handful per day whatever its size: the nation's 30 days were ~150,000
 * commune rows). A unit with no bucket in the window has no row.
 */
export async function readUnitWindowCounts<F extends BucketField = BucketField>(
  db: Database,
  tree: UnitTree,
  codes: string[],
  from: number,
  to: number,
  fields: readonly F[] = BUCKET_FIELDS as readonly BucketField[] as readonly F[],
): Promise<CountRow<F>[]> {
  const above = codes.filter((c) => isAboveCommune(tree, c));
  const communes = codes.filter((c) => tree.get(c)?.level === 'commune');
  const [communeRows, unitRows] = await Promise.all([
    readWindowCounts(db, communes, from, to, 'commune', fields),
    above.length === 0
      ? []
      : db.query<CountRow<F>>(
          sql`select unit_code, '' as desk_code, ${sumsOf(fields)} from unit_rollups
            where ${unitFilter(above)} and (${rangeFilter(bucketRanges(from, to))})
            group by unit_code`,
        ),
  ]);
  return [...communeRows, ...unitRows];
}

/** `dueIn48h`: like `dueSoon` over 48 hours (the 766 points at risk). */
type OpenRow = OpenMetrics & { dueIn48h: number; unit_code: string; desk_code: string };

/**
 * An open dossier's deadline at `asOf`: due date plus answered pauses plus the pause still
 * running (never negative: a request stamped ahead of asOf by a fast desk clock pauses nothing yet).
 */
export const DEADLINE_SQL = (asOf: number) =>
  sql`(due_at + paused_ms + greatest(coalesce(${asOf} - pending_since, 0), 0))`;

/** The open dossiers the clock can make overdue (`timedDeadline`), as `dossiers_open_timed_idx` and `dossiers_open_deadline_idx` select them. */
const TIMED = inProgress(dossiers);

/**
 * The open dossiers the clock can make overdue, a row each (`total` 1) or a row per hour of
 * deadlines, with how they stand at `asOf`. For one commune's desks (`per` 'desk'), each is read
 * from `dossiers` (a commune holds a few dozen). Above, whole hours come from
 * `open_dossier_deadlines`: an hour before the one `asOf` falls in is overdue, one strictly
 * between it and the hour of `asOf + 24 h` due soon (48 h alike); only the dossiers of those three
 * boundary hours are read one by one, through the deadline index (`units` filters the counters,
 * rows of communes or of units above them; `communes` the dossiers). Reading every dossier in
 * progress from `dossiers` fetched each one's row from a heap that grows with history (a row
 * just rewritten is on a page not yet marked all-visible), so the cost grew with history.
 */
function timedOpenRows(units: SQL, asOf: number, per: RowsPer, communes: SQL): SQL {
  const classify = (deadline: SQL) =>
    sql`(${asOf} > ${deadline})::int as overdue,
      (${asOf} <= ${deadline} and ${deadline} <= ${asOf + DAY})::int as due_soon,
      (${asOf} <= ${deadline} and ${deadline} <= ${asOf + 2 * DAY})::int as due_in_48h`;
  if (per === 'desk')
    return sql`select unit_code, desk_code, 1 as total, ${classify(sql`(due_at + paused_ms)`)}
      from dossiers where ${TIMED} and ${units}`;
  const now = Math.floor(asOf / HOUR) * HOUR;
  const soon = now + DAY;
  const later = now + 2 * DAY;
  const boundary = [now, soon, later].map(
    (h) => sql`select unit_code, due_at + paused_ms as deadline from dossiers
      where ${TIMED} and due_at + paused_ms >= ${h} and due_at + paused_ms < ${h + HOUR} and ${communes}`,
  );
  return sql`select unit_code, '' as desk_code, total,
        case when deadline_hour < ${now} then total else 0 end as overdue,
        case when deadline_hour > ${now} and deadline_hour < ${soon} then total else 0 end as due_soon,
        case when deadline_hour > ${now} and deadline_hour < ${later} then total else 0 end as due_in_48h
      from open_dossier_deadlines
      where ${units} and deadline_hour not in (${now}, ${soon}, ${later})
    union all
    select unit_code, '' as desk_code, 1 as total, ${classify(sql`deadline`)}
      from (${sql.join(boundary, sql` union all `)}) b`;
}

/**
 * Open-dossier counts at `asOf` from dossier state (not windowed), rows as `per` says. The
 * dossiers whose standing the clock cannot change (waiting for a supplement, or overdue for good)
 * come from `open_dossier_counts`, kept by the write path, so the cost does not grow with the
 * stalled dossiers history piles up; the rest, whose deadline the clock reaches, as
 * `timedOpenRows` says. Requests stamped after `asOf` (a desk clock ahead) are corrected: at
 * `asOf` their pause has not begun.
 */
export async function readOpenCounts(
  db: Database,
  communes: string[],
  asOf: number,
  per: RowsPer = 'desk',
  /** Whole units (any level) that together hold exactly `communes`: their own counter rows are read. */
  units?: string[],
) {
  if (communes.length === 0) return [];
  // One commune's desks: its dossiers through the index by commune. Above: counters read whole,
  // the units' own rows when they are given (a unit above a commune has rows of its own).
  const dossierUnits = per === 'desk' ? unitFilter(communes) : unitSetFilter(communes);
  const counterUnits = units ? unitFilter(units) : dossierUnits;
  const open = sql`finished_at is null and due_at is not null and ${dossierUnits}`;
  const wasOverdue = sql`supplement_requests >= 2 or rescheduled`;
  return db.query<OpenRow>(
    sql`select ${groupColumns(per)}, sum(total)::float8 as "total",
        sum(overdue)::float8 as "overdue", sum(due_soon)::float8 as "dueSoon",
        sum(waiting)::float8 as "waitingSupplement", sum(due_in_48h)::float8 as "dueIn48h"
      from (
        select unit_code, desk_code, total, overdue, due_soon, waiting_supplement as waiting, due_in_48h
        from open_dossier_counts where ${counterUnits}
        union all
        select unit_code, desk_code, total, overdue, due_soon, 0, due_in_48h
        from (${timedOpenRows(counterUnits, asOf, per, dossierUnits)}) timed
        union all
        select unit_code, desk_code, 0, now_overdue::int - held_overdue::int,
          (not now_overdue and deadline <= ${asOf + DAY})::int - (not held_overdue and slack <= ${DAY})::int, 0,
          (not now_overdue and deadline <= ${asOf + 2 * DAY})::int - (not held_overdue and slack <= ${2 * DAY})::int
        from (
          select unit_code, desk_code, due_at + paused_ms as deadline, due_at + paused_ms - pending_since as slack,
            ${wasOverdue} or ${asOf} > due_at + paused_ms as now_overdue,
            ${wasOverdue} or pending_since > due_at + paused_ms as held_overdue
          from dossiers
          where ${open} and pending_since > ${asOf}
        ) ahead
      ) s
      ${groupBy(per)}
      -- A correction alone (its commune's counters are in the unit above) is kept.
      having sum(total) <> 0 or sum(overdue) <> 0 or sum(due_soon) <> 0 or sum(due_in_48h) <> 0`,
  );
}

/**
 * Dossiers open at a past instant `at` (a closed period's end), rows as `per` says: received before `at` and finished (as stored now) at or after it. Whether each was
 * overdue at `at` is judged by the outcome rules on its own events before `at`, from the history
 * kept in its state row (no raw events are read).
 */
export async function readOpenDossiersAt(
  db: Database,
  communes: string[],
  at: number,
  per: RowsPer = 'desk',
): Promise<{ unit_code: string; desk_code: string; total: number; overdue: number }[]> {
  if (communes.length === 0) return [];
  const rows = await db.query<{ unit_code: string; desk_code: string; history: HistoryEntry[] | string }>(
    sql`select unit_code, desk_code, history from dossiers
      where ${unitFilter(communes)} and due_at is not null and received_at < ${at}
        and (finished_at is null or finished_at >= ${at})`,
  );
  const out = new Map<string, { unit_code: string; desk_code: string; total: number; overdue: number }>();
  for (const row of rows) {
    const history = (
      typeof row.history === 'string' ? JSON.parse(row.history) : row.history
    ) as HistoryEntry[];
    // Finished at or after `at` by what is stored, so still open then, whatever came before.
    const before = history.filter((e) => e.t < at && !FINISHING.has(e.y)).map(toDossierEvent);
    const open = classifyOpen(computeDossierState(before), at);
    if (!open) continue;
    const commune = per === 'all' ? '' : row.unit_code;
    const desk = per === 'desk' ? row.desk_code : '';
    const key = `${commune}/${desk}`;
    const hit = out.get(key) ?? { unit_code: commune, desk_code: desk, total: 0, overdue: 0 };
    hit.total++;
    if (open.overdue) hit.overdue++;
    out.set(key, hit);
  }
  return [...out.values()];
}

const FINISHING = new Set(['resolved', 'returned', 'rejected', 'withdrawn']);

/** Open petitions (received, not yet handled) and their deadlines, counted at one instant. */
export interface OpenPetitionRow {
  unit_code: string;
  desk_code: string;
  total: number;
  /** Their answer is due (15 working days after reception) at or before the instant. */
  overdue: number;
  /** Still in time, due within 24 h / 48 h of the instant (48 includes 24). */
  dueIn24h: number;
  dueIn48h: number;
}

/**
 * Open petitions, rows as `per` says, from petition state (not windowed): at
 * `asOf`, the ones not yet handled (the partial index `petitions_open_idx`); with `at` before
 * `asOf` (a closed period), the ones received before `at` and not handled by then.
 */
export async function readOpenPetitionCounts(
  db: Database,
  communes: string[],
  at: number,
  opts: { per?: RowsPer; past?: boolean } = {},
): Promise<OpenPetitionRow[]> {
  if (communes.length === 0) return [];
  const per = opts.per ?? 'desk';
  const open = opts.past
    ? sql`due_at is not null and received_at < ${at} and (handled_at is null or handled_at >= ${at})`
    : sql`handled_at is null and due_at is not null`;
  return db.query<OpenPetitionRow>(
    sql`select ${groupColumns(per)}, count(*)::float8 as "total",
        count(*) filter (where due_at <= ${at})::float8 as "overdue",
        count(*) filter (where due_at > ${at} and due_at <= ${at + DAY})::float8 as "dueIn24h",
        count(*) filter (where due_at > ${at} and due_at <= ${at + 2 * DAY})::float8 as "dueIn48h"
      from petitions
      where ${open} and ${unitFilter(communes)}
      ${groupBy(per)}`,
  );
}

export const deskRef = (commune: string, desk: string): UnitRef => ({
  code: `${commune}/${desk}`,
  name: desk,
  level: 'desk',
});

/** Resolves a unit code or a desk code (`00004/Q01`) against the tree. */
export function resolveUnit(tree: UnitTree, code: string): UnitRef | null {
  const [unitCode, desk, ...rest] = code.split('/');
  if (rest.length > 0) return null;
  const unit = tree.get(unitCode);
  if (!unit) return null;
  if (desk === undefined) return { code: unit.code, name: unit.name, level: unit.level };
  if (unit.level !== 'commune' || !/^[A-Za-z0-9_-]{1,32}$/.test(desk)) return null;
  return deskRef(unit.code, desk);
}

/** What a read covers: the unit (or desk), the communes under it, and the desk if it is one. */
export interface ReadScope {
  unit: UnitRef;
  communes: string[];
  deskCode: string | null;
}

/** Resolves a code into the scope every read query filters by; null for an unknown unit. */
export function resolveScope(tree: UnitTree, code: string): ReadScope | null {
  const unit = resolveUnit(tree, code);
  if (!unit) return null;
  const [unitCode, deskCode] = code.split('/');
  return { unit, communes: tree.communesUnder(unitCode), deskCode: deskCode ?? null };
}

/**
 * The snapshot of a unit (or desk) over a window, from rollups and dossier state only.
 * Returns null for an unknown unit.
 */
export async function readSnapshot(
  db: Database,
  tree: UnitTree,
  code: string,
  window: ResolvedWindow,
  asOf: number,
): Promise<Snapshot | null> {
  const scope = resolveScope(tree, code);
  if (!scope) return null;
  const { unit, communes } = scope;
  const isDesk = unit.level === 'desk';
  // Above a commune, children are units: their own buckets, and open dossiers per commune.
  const per = isDesk || unit.level === 'commune' ? 'desk' : 'commune';
  const childCodes = per === 'commune' ? tree.children(unit.code).map((c) => c.code) : [];
  const [countRows, openRows, deskList] = await Promise.all([
    per === 'desk'
      ? readWindowCounts(db, communes, window.from, window.to, per, SNAPSHOT_FIELDS)
      : readUnitWindowCounts(db, tree, childCodes, window.from, window.to, SNAPSHOT_FIELDS),
    readOpenCounts(db, communes, asOf, per, per === 'commune' ? childCodes : undefined),
    unit.level === 'commune' ? listDesks(db, unit.code) : Promise.resolve([]),
  ]);

  // Which child each (commune, desk) row belongs to.
  const children = new Map<string, { unit: UnitRef; counts: SnapshotCounts; open: OpenMetrics }>();
  const addChild = (ref: UnitRef) => {
    if (!children.has(ref.code))
      children.set(ref.code, { unit: ref, counts: emptyCounts(SNAPSHOT_FIELDS), open: emptyOpen() });
  };
  let childOf: (row: { unit_code: string; desk_code: string }) => string | null;
  if (isDesk) {
    childOf = (row) => (`${row.unit_code}/${row.desk_code}` === unit.code ? '' : null);
  } else if (unit.level === 'commune') {
    for (const d of deskList) addChild(deskRef(unit.code, d));
    childOf = (row) => `${row.unit_code}/${row.desk_code}`;
  } else {
    for (const c of tree.children(unit.code)) addChild({ code: c.code, name: c.name, level: c.level });
    const childByCommune = new Map<string, string>();
    for (const c of tree.children(unit.code)) {
      // A child's bucket rows are keyed by its own code, its open dossiers by its communes'.
      childByCommune.set(c.code, c.code);
      for (const k of tree.communesUnder(c.code)) childByCommune.set(k, c.code);
    }
    childOf = (row) => childByCommune.get(row.unit_code) ?? null;
  }
  const own = { counts: emptyCounts(SNAPSHOT_FIELDS), open: emptyOpen() };
  for (const row of countRows) {
    const child = childOf(row);
    if (child === null) continue;
    if (child === '') addCounts(own.counts, row);
    else {
      if (!children.has(child)) addChild(deskRef(row.unit_code, row.desk_code));
      addCounts(children.get(child)?.counts ?? own.counts, row);
    }
  }
  for (const row of openRows) {
    const child = childOf(row);
    if (child === null) continue;
    if (child === '') addOpen(own.open, row);
    else {
      if (!children.has(child)) addChild(deskRef(row.unit_code, row.desk_code));
      addOpen(children.get(child)?.open ?? own.open, row);
    }
  }
  const childList = [...children.values()];
  if (unit.level === 'commune') childList.sort((a, b) => a.unit.code.localeCompare(b.unit.code));
  return assembleSnapshot({ unit, window, asOf, children: childList, own });
}

/**
 * Where the bucket rows that sum to a unit (or a desk of `communes`' one commune) are, for a
 * caller that filters them by grain and time: a unit above a commune's own rows in
 * `unit_rollups`, else its communes' rows in `rollups`.
 */
function ownRows(tree: UnitTree, code: string, communes: string[]): { table: SQL; filter: SQL } {
  return isAboveCommune(tree, code)
    ? { table: sql`unit_rollups`, filter: sql`unit_code = ${code}` }
    : { table: sql`rollups`, filter: unitFilter(communes) };
}

/** Points of a series over a window, from the grain that matches the step. */
export async function readSeries(
  db: Database,
  tree: UnitTree,
  code: string,
  window: ResolvedWindow,
  step: SeriesStep,
): Promise<Series | null> {
  const scope = resolveScope(tree, code);
  if (!scope) return null;
  const { unit, communes, deskCode } = scope;
  const size = stepMs(step);
  // A desk has no day rows of its own (they are per commune): its days are summed from hours,
  // which the step grid below aligns to local days all the same.
  const grain = step === '1d' ? (deskCode ? 'h' : 'd') : step === '1h' ? 'h' : 'm';
  // Day buckets start at local midnight; the step grid is aligned the same way.
  const origin = step === '1d' ? localDayStart(0) : 0;
  const first = alignStep(window.from, step);
  const points = new Map<number, SeriesCounts>();
  for (let t = first; t < window.to; t += size) points.set(t, emptyCounts(SERIES_FIELDS));
  if (communes.length > 0) {
    // A unit above a commune reads its own rows (`unit_rollups`), a commune or desk its commune's.
    const own = ownRows(tree, unit.code, communes);
    const rows = await db.query<SeriesCounts & { t: number }>(
      sql`select (bucket_start - ((bucket_start - ${origin}) % ${size}))::float8 as t, ${sumsOf(SERIES_FIELDS)}
        from ${own.table}
        where grain = ${grain} and ${own.filter} and bucket_start >= ${first} and bucket_start < ${window.to}
          ${deskCode ? sql`and desk_code = ${deskCode}` : sql``}
        group by 1`,
    );
    for (const row of rows) addCounts(points.get(row.t) ?? emptyCounts(SERIES_FIELDS), row);
  }
  return {
    unit,
    window: windowToJson(window),
    step,
    points: [...points].map(([t, counts]) => seriesPointFromCounts(t, counts)),
  };
}

/** Satisfaction by local hour of day × weekday, from hour buckets. */
export async function readHeatmap(
  db: Database,
  tree: UnitTree,
  code: string,
  window: ResolvedWindow,
): Promise<Heatmap | null> {
  const scope = resolveScope(tree, code);
  if (!scope) return null;
  const { unit, communes, deskCode } = scope;
  if (communes.length === 0) return { unit, cells: [] };
  const local = sql`(bucket_start + ${7 * HOUR})`;
  const own = ownRows(tree, unit.code, communes);
  const rows = await db.query<HeatCell>(
    sql`select ((floor(${local} / ${DAY}) + 3)::int % 7) as weekday, (floor(${local} / ${HOUR})::bigint % 24)::int as hour,
        sum(very_satisfied + satisfied + unsatisfied)::float8 as total,
        sum(very_satisfied + satisfied)::float8 as positive
      from ${own.table}
      where grain = 'h' and ${own.filter} and bucket_start >= ${Math.floor(window.from / HOUR) * HOUR}
        and bucket_start < ${window.to} ${deskCode ? sql`and desk_code = ${deskCode}` : sql``}
      group by 1, 2 order by 1, 2`,
  );
  return { unit, cells: rows };
}

/** Open dossiers that are overdue at `asOf`, the longest overdue first. */
export async function readOverdue(
  db: Database,
  tree: UnitTree,
  code: string,
  asOf: number,
  limit = 50,
): Promise<OverdueList | null> {
  const scope = resolveScope(tree, code);
  if (!scope) return null;
  const { unit, communes, deskCode } = scope;
  if (communes.length === 0) return { unit, total: 0, items: [] };
  const rows = await db.query<{
    unit_code: string;
    desk_code: string;
    dossier_code: string;
    received_at: number | null;
    deadline: number;
    supplement_requests: number;
    rescheduled: boolean;
    total: number;
  }>(
    sql`select unit_code, desk_code, dossier_code, received_at::float8 as received_at, deadline::float8 as deadline,
        supplement_requests, rescheduled, (count(*) over ())::float8 as total
      from (
        select *, ${DEADLINE_SQL(asOf)} as deadline
        from dossiers
        where finished_at is null and due_at is not null and ${unitFilter(communes)}
          ${deskCode ? sql`and desk_code = ${deskCode}` : sql``}
      ) s
      where supplement_requests >= 2 or rescheduled or ${asOf} > deadline
      order by deadline asc limit ${limit}`,
  );
  return {
    unit,
    total: rows[0]?.total ?? 0,
    items: rows.map(
      (r): OverdueDossier => ({
        unitCode: r.unit_code,
        unitName: tree.get(r.unit_code)?.name ?? r.unit_code,
        deskCode: r.desk_code,
        dossierCode: r.dossier_code,
        receivedAt: r.received_at == null ? null : formatLocal(r.received_at),
        deadline: formatLocal(r.deadline),
        reason: r.rescheduled ? 'rescheduled' : r.supplement_requests >= 2 ? 'supplements' : 'late',
      }),
    ),
  };
}

/** How far back a list of many communes' ratings looks first: a day, a week, the whole window. */
const RATING_LIST_SPANS = [86_400_000, 7 * 86_400_000, Number.POSITIVE_INFINITY];

/**
 * The latest ratings of a unit or desk, newest first (index reads on `events_ratings_idx`).
 * Without `window`: a commune's or desk's last `limit`. With `window`: those in [from, to) of any
 * unit (every commune under it), for reports and `GET …/ratings?window=`.
 */
export async function readLatestRatings(
  db: Database,
  tree: UnitTree,
  code: string,
  opts: { limit?: number; withComments: boolean; window?: { from: number; to: number } },
): Promise<RatingList | null> {
  const scope = resolveScope(tree, code);
  if (!scope) return null;
  const { unit, communes, deskCode } = scope;
  const window = opts.window;
  if (!window && unit.level !== 'commune' && unit.level !== 'desk') return null;
  if (communes.length === 0) return { unit, items: [] };
  const limit = opts.limit ?? 20;
  const list = (from: number | null) =>
    db.query<{
      time: Date | string;
      unit_code: string;
      desk_code: string;
      data: Record<string, unknown> | string;
    }>(
      sql`select time, unit_code, desk_code, data from events
        where ${communes.length === 1 ? sql`unit_code = ${communes[0]}` : unitFilter(communes)}
          and type = 'vn.motcua.rating.submitted'
          ${deskCode ? sql`and desk_code = ${deskCode}` : sql``}
          ${from !== null && window ? sql`and time >= ${new Date(from).toISOString()} and time < ${new Date(window.to).toISOString()}` : sql``}
        order by time desc, source, id limit ${limit}`,
    );
  // One commune's ratings come newest first from its index, so the scan stops at `limit`. Many
  // communes' come from as many index ranges, all sorted to keep the newest (a month of the
  // whole country is ~400,000 ratings): look at the window's newest day first, then its newest
  // week, then all of it. A slice's rows are newer than any outside it, so the first slice
  // holding `limit` rows gives exactly the window's newest.
  const spans = window && communes.length > 1 ? RATING_LIST_SPANS : [Number.POSITIVE_INFINITY];
  let rows: Awaited<ReturnType<typeof list>> = [];
  for (const span of spans) {
    const from = window ? Math.max(window.from, window.to - span) : null;
    rows = await list(from);
    if (rows.length >= limit || from === null || from === window?.from) break;
  }
  return {
    unit,
    items: rows.map((r): RatingItem => {
      const data = (typeof r.data === 'string' ? JSON.parse(r.data) : r.data) as Record<string, unknown>;
      const item: RatingItem = {
        time: formatLocal(new Date(r.time).getTime()),
        unitCode: r.unit_code,
        unitName: tree.get(r.unit_code)?.name ?? r.unit_code,
        deskCode: r.desk_code,
        level: data.level as RatingLevel,
        dossierCode: (data.dossierCode as string | undefined) ?? null,
        criteria: (data.criteria as RatingItem['criteria']) ?? null,
      };
      if (opts.withComments) item.comment = (data.comment as string | undefined) ?? null;
      return item;
    }),
  };
}
