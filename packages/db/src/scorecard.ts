import type { LeagueRow, Scorecard, ScorecardLeague, UnitRef } from '@motcua/contract';
import {
  addCounts,
  computeScorecard,
  emptyCounts,
  type FeeProcedureCounts,
  formatLocal,
  parsePeriod,
  pointsAtRisk,
  previousPeriod,
  type ResolvedWindow,
  SCORECARD_FIELDS,
  type ScorecardCounts,
  type ScorecardInput,
  windowToJson,
} from '@motcua/metrics';
import { type SQL, sql } from 'drizzle-orm';
import type { Database } from './client.ts';
import {
  type BucketRanges,
  bucketRanges,
  deskRef,
  type ReadScope,
  type RowsPer,
  rangeFilter,
  readOpenCounts,
  readOpenDossiersAt,
  readOpenPetitionCounts,
  readUnitWindowCounts,
  readWindowCounts,
  resolveScope,
  unitFilter,
} from './read.ts';
import { listDesks, type UnitTree } from './tree.ts';

interface OpenItems {
  total: number;
  overdue: number;
  dueIn24h: number;
  dueIn48h: number;
}

/** What a unit's scorecard is computed from. */
interface Parts {
  counts: ScorecardCounts;
  dossiers: OpenItems;
  petitions: OpenItems;
  /** Distinct procedures: not additive, so never added up by `addParts` (read per unit, see `readFeeProcedures`). */
  feeProcedures: FeeProcedureCounts;
}

const emptyItems = (): OpenItems => ({ total: 0, overdue: 0, dueIn24h: 0, dueIn48h: 0 });
const emptyParts = (): Parts => ({
  counts: emptyCounts(SCORECARD_FIELDS),
  dossiers: emptyItems(),
  petitions: emptyItems(),
  feeProcedures: { feeBearing: 0, paidOnline: 0 },
});

/** A set of communes (or one desk of one commune) whose distinct procedures are counted together. */
interface ProcedureGroup {
  key: string;
  communes: string[];
  /** Only this desk of the commune (then `communes` has one). */
  desk?: string;
  /** The unit the communes are all of (not a desk): its own rows in `fee_procedures` answer it. */
  unit?: string;
}

/**
 * 3.5b's two counts for each group over a window: the distinct procedure codes with a
 * fee-bearing dossier received in the window, and those with one paid online, `''` (unknown)
 * left out. A procedure code is national, so a group's set is the union of its communes' (or the
 * desk's own), counted in SQL: the counts do not add up over groups. With `perDesk`, each desk of
 * a group is counted on its own, keyed `{key}/{desk}`. Groups with none are absent from the map.
 *
 * Groups that are whole units read only their own rows in `fee_procedures` (a handful per
 * procedure and bucket, whatever the unit's size: the nation's edge minutes were its 3,321
 * communes' rows); desks read `procedure_rollups` (day rows there are per commune, so desks are
 * told apart from their hours). The fee facts are in the bucket of the dossier's reception, like
 * the 766 rollup's.
 */
async function readFeeProcedures(
  db: Database,
  groups: ProcedureGroup[],
  from: number,
  to: number,
  perDesk = false,
): Promise<Map<string, FeeProcedureCounts>> {
  if (groups.every((g) => g.communes.length === 0)) return new Map();
  const wholeUnits = !perDesk && groups.every((g) => g.unit !== undefined && g.desk === undefined);
  let source: SQL;
  if (wholeUnits) {
    const units = sql.join(
      groups.map((g) => sql`(${g.key}::text, ${g.unit}::text)`),
      sql`, `,
    );
    source = sql`select g.key, f.procedure_code, f.paid_online > 0 as paid
      from fee_procedures f join (values ${units}) as g (key, unit) on f.unit_code = g.unit
      where f.fee_bearing > 0 and (${rangeFilter(bucketRanges(from, to))})`;
  } else {
    const days = !perDesk && groups.every((g) => g.desk === undefined);
    source = rollupFeeRows(groups, bucketRanges(from, to, days), perDesk);
  }
  // Grouped by (key, procedure) first: a hash aggregate, where count(distinct) sorted every row.
  const rows = await db.query<{ key: string; feeBearing: number; paidOnline: number }>(
    sql`select key, count(*)::float8 as "feeBearing", (count(*) filter (where paid))::float8 as "paidOnline"
      from (select key, procedure_code, bool_or(paid) as paid from (${source}) u group by 1, 2) s
      group by key`,
  );
  return new Map(
    rows.map((r) => [r.key, { feeBearing: Number(r.feeBearing), paidOnline: Number(r.paidOnline) }]),
  );
}

/** The fee-bearing (key, procedure, paid online) rows of `procedure_rollups` for the groups in `ranges`. */
function rollupFeeRows(groups: ProcedureGroup[], ranges: BucketRanges, perDesk: boolean): SQL {
  const members = groups.flatMap((g) =>
    g.communes.map((commune) => sql`(${g.key}::text, ${commune}::text, ${g.desk ?? ''}::text)`),
  );
  const communes = [...new Set(groups.flatMap((g) => g.communes))];
  return sql`select g.key${perDesk ? sql` || '/' || p.desk_code` : sql``} as key, p.procedure_code,
      p.fee_paid_online > 0 as paid
    from procedure_rollups p
    join (values ${sql.join(members, sql`, `)}) as g (key, commune, desk)
      on p.unit_code = g.commune and (g.desk = '' or p.desk_code = g.desk)
    where ${unitFilter(communes)} and (${rangeFilter(ranges)}) and p.procedure_code <> '' and p.fee_bearing > 0`;
}

function addItems(into: OpenItems, add: Partial<OpenItems>) {
  for (const key of Object.keys(into) as (keyof OpenItems)[]) into[key] += add[key] ?? 0;
}

type Row = { unit_code: string; desk_code: string };

/**
 * A window ending at `asOf` or later is live: its open items are the ones open now. One that
 * ended before (a closed period) counts the items open at its end, and nothing is at risk in it.
 */
const isLive = (window: ResolvedWindow, asOf: number) => window.to >= asOf;

/**
 * The scorecard inputs of the communes in `communes`, rows as `per` says (per commune when desks
 * need not be told apart; one row when only the total is wanted), from rollups, dossier state and
 * petition state only. With `units` (whole units that together hold exactly `communes`), the
 * bucket counts come a row per unit, keyed by its code, from its own rows.
 */
async function readRowParts(
  db: Database,
  communes: string[],
  window: ResolvedWindow,
  asOf: number,
  per: RowsPer,
  units?: { tree: UnitTree; codes: string[] },
): Promise<{ row: Row; parts: Parts }[]> {
  const live = isLive(window, asOf);
  const at = Math.min(window.to, asOf);
  const [countRows, dossierRows, petitionRows] = await Promise.all([
    units
      ? readUnitWindowCounts(db, units.tree, units.codes, window.from, window.to, SCORECARD_FIELDS)
      : readWindowCounts(db, communes, window.from, window.to, per, SCORECARD_FIELDS),
    live
      ? readOpenCounts(db, communes, asOf, per, units?.codes).then((rows) =>
          rows.map((r) => ({ ...r, dueIn24h: r.dueSoon })),
        )
      : readOpenDossiersAt(db, communes, at, per),
    readOpenPetitionCounts(db, communes, at, { per, past: !live }),
  ]);
  const byRow = new Map<string, { row: Row; parts: Parts }>();
  const get = (row: Row) => {
    const key = `${row.unit_code}/${row.desk_code}`;
    let hit = byRow.get(key);
    if (!hit) {
      hit = { row: { unit_code: row.unit_code, desk_code: row.desk_code }, parts: emptyParts() };
      byRow.set(key, hit);
    }
    return hit.parts;
  };
  for (const r of countRows) addCounts(get(r).counts, r);
  for (const r of dossierRows) addItems(get(r).dossiers, r);
  for (const r of petitionRows) addItems(get(r).petitions, r);
  return [...byRow.values()];
}

function addParts(into: Parts, add: Parts) {
  addCounts(into.counts, add.counts);
  addItems(into.dossiers, add.dossiers);
  addItems(into.petitions, add.petitions);
}

function scoreOf(parts: Parts, live: boolean) {
  const input: ScorecardInput = {
    counts: parts.counts,
    feeProcedures: parts.feeProcedures,
    openDossiers: { total: parts.dossiers.total, overdue: parts.dossiers.overdue },
    openPetitions: { total: parts.petitions.total, overdue: parts.petitions.overdue },
  };
  const due = (o: OpenItems) => ({ dueIn24h: o.dueIn24h, dueIn48h: o.dueIn48h });
  return {
    score: computeScorecard(input),
    atRisk: live
      ? pointsAtRisk(input, { dossiers: due(parts.dossiers), petitions: due(parts.petitions) })
      : null,
  };
}

/**
 * The parts of each of the unit's children: the tree's children above a commune, its desks for a
 * commune (none for a desk), like the snapshot's children.
 */
async function readChildParts(
  db: Database,
  tree: UnitTree,
  scope: ReadScope,
  window: ResolvedWindow,
  asOf: number,
): Promise<{ unit: UnitRef; parts: Parts }[]> {
  const { unit, communes } = scope;
  const isDesk = unit.level === 'desk';
  if (isDesk) return [];
  const isCommune = unit.level === 'commune';
  // 3.5b per child: a commune's desks each on their own, a district's or city's children each
  // over all of their communes.
  const feeGroups: ProcedureGroup[] = isCommune
    ? [{ key: unit.code, communes }]
    : tree
        .children(unit.code)
        .map((c) => ({ key: c.code, communes: tree.communesUnder(c.code), unit: c.code }));
  const childCodes = isCommune ? [] : tree.children(unit.code).map((c) => c.code);
  const [rows, deskList, fees] = await Promise.all([
    isCommune
      ? readRowParts(db, communes, window, asOf, 'desk')
      : readRowParts(db, communes, window, asOf, 'commune', { tree, codes: childCodes }),
    isCommune ? listDesks(db, unit.code) : Promise.resolve([]),
    readFeeProcedures(db, feeGroups, window.from, window.to, isCommune),
  ]);
  const children = new Map<string, { unit: UnitRef; parts: Parts }>();
  const addChild = (ref: UnitRef) => {
    if (!children.has(ref.code)) children.set(ref.code, { unit: ref, parts: emptyParts() });
  };
  let childOf: (row: Row) => string | null;
  if (isCommune) {
    for (const d of deskList) addChild(deskRef(unit.code, d));
    childOf = (row) => {
      addChild(deskRef(row.unit_code, row.desk_code));
      return `${row.unit_code}/${row.desk_code}`;
    };
  } else {
    const childByCommune = new Map<string, string>();
    for (const c of tree.children(unit.code)) {
      addChild({ code: c.code, name: c.name, level: c.level });
      // A child's bucket rows are keyed by its own code, its open items by its communes'.
      childByCommune.set(c.code, c.code);
      for (const k of tree.communesUnder(c.code)) childByCommune.set(k, c.code);
    }
    childOf = (row) => childByCommune.get(row.unit_code) ?? null;
  }
  for (const { row, parts } of rows) {
    const child = childOf(row);
    if (child === null) continue;
    const hit = children.get(child);
    if (hit) addParts(hit.parts, parts);
  }
  // A desk with a fee-bearing dossier has a row in `rollups` too (the same reception), so it is a child already.
  for (const [code, counts] of fees) {
    const hit = children.get(code);
    if (hit) hit.parts.feeProcedures = counts;
  }
  return [...children.values()];
}

/**
 * The 766 scorecard of a unit (or desk) over a window, with the points at risk now (null for a
 * window that ended before `asOf`). From rollups, dossier state and petition state only: no raw
 * event is read. Returns null for an unknown unit.
 */
export async function readScorecard(
  db: Database,
  tree: UnitTree,
  code: string,
  window: ResolvedWindow,
  asOf: number,
): Promise<Scorecard | null> {
  const scope = resolveScope(tree, code);
  if (!scope) return null;
  // The children are not needed: one row for the subtree, or a commune's desks to pick one from.
  const [rows, fees] = await Promise.all([
    scope.deskCode === null
      ? readRowParts(db, scope.communes, window, asOf, 'all', { tree, codes: [scope.unit.code] })
      : readRowParts(db, scope.communes, window, asOf, 'desk'),
    readFeeProcedures(
      db,
      [
        scope.deskCode === null
          ? { key: '', communes: scope.communes, unit: scope.unit.code }
          : { key: '', communes: scope.communes, desk: scope.deskCode },
      ],
      window.from,
      window.to,
    ),
  ]);
  const total = emptyParts();
  for (const { row, parts } of rows) {
    if (scope.deskCode !== null && row.desk_code !== scope.deskCode) continue;
    addParts(total, parts);
  }
  total.feeProcedures = fees.get('') ?? total.feeProcedures;
  const { score, atRisk } = scoreOf(total, isLive(window, asOf));
  return { unit: scope.unit, window: windowToJson(window), asOf: formatLocal(asOf), score, atRisk };
}

const CALENDAR_WINDOWS = new Set(['month', 'quarter', 'year', 'period']);

/** The closed period before a calendar window's period; null for any other window. */
export function previousPeriodWindow(window: ResolvedWindow): ResolvedWindow | null {
  if (!CALENDAR_WINDOWS.has(window.name) || window.period === undefined) return null;
  const period = parsePeriod(window.period);
  if (!period) return null;
  const prev = previousPeriod(period);
  return { name: 'period', period: prev.label, from: prev.from, to: prev.to };
}

const collator = new Intl.Collator('vi');

/** Most points first; equal points by name, then code. Returns each code's rank (1 = best). */
function rank(children: { unit: UnitRef; points: number }[]): Map<string, number> {
  const sorted = [...children].sort(
    (a, b) =>
      b.points - a.points ||
      collator.compare(a.unit.name, b.unit.name) ||
      (a.unit.code < b.unit.code ? -1 : a.unit.code > b.unit.code ? 1 : 0),
  );
  return new Map(sorted.map((c, i) => [c.unit.code, i + 1]));
}

/**
 * The children of a unit ranked by their total 766 points over a window (city → districts or
 * communes, district → communes, province → communes on the July-2025 tree; a commune's desks),
 * with the rank change against the previous closed period when the window is a calendar period.
 * Returns null for an unknown unit.
 */
export async function readScorecardLeague(
  db: Database,
  tree: UnitTree,
  code: string,
  window: ResolvedWindow,
  asOf: number,
): Promise<ScorecardLeague | null> {
  const scope = resolveScope(tree, code);
  if (!scope) return null;
  const prevWindow = previousPeriodWindow(window);
  const [now, prev] = await Promise.all([
    readChildParts(db, tree, scope, window, asOf),
    prevWindow ? readChildParts(db, tree, scope, prevWindow, asOf) : Promise.resolve(null),
  ]);
  const live = isLive(window, asOf);
  const scored = now.map((c) => ({ unit: c.unit, ...scoreOf(c.parts, live) }));
  const ranks = rank(scored.map((c) => ({ unit: c.unit, points: c.score.points })));
  const prevRanks = prev
    ? rank(prev.map((c) => ({ unit: c.unit, points: scoreOf(c.parts, false).score.points })))
    : null;
  const children = scored
    .map((c): LeagueRow => {
      const r = ranks.get(c.unit.code) as number;
      const p = prevRanks?.get(c.unit.code) ?? null;
      return {
        unit: c.unit,
        rank: r,
        points: c.score.points,
        max: c.score.max,
        groups: c.score.groups.map((g) => ({
          code: g.code,
          points: g.points,
          measuredMax: g.measuredMax,
          criteria: g.criteria.map((k) => ({
            code: k.code,
            measured: k.measured,
            denominator: k.denominator,
          })),
        })),
        previousRank: p,
        rankChange: p === null ? null : p - r,
        atRisk: c.atRisk,
      };
    })
    .sort((a, b) => a.rank - b.rank);
  return {
    unit: scope.unit,
    window: windowToJson(window),
    previous: prevWindow ? windowToJson(prevWindow) : null,
    asOf: formatLocal(asOf),
    children,
  };
}
