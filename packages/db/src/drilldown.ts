import type {
  DossierList,
  DossierListKind,
  DossierRow,
  ProcedureFigures,
  ProcedureList,
} from '@motcua/contract';
import { DAY, formatLocal, type ResolvedWindow, satisfactionMetrics, windowToJson } from '@motcua/metrics';
import { type SQL, sql } from 'drizzle-orm';
import type { Database } from './client.ts';
import { PROCEDURE_COUNTERS, type ProcedureCounts } from './procedures.ts';
import { bucketRanges, DEADLINE_SQL, rangeFilter, resolveScope, unitFilter } from './read.ts';
import type { UnitTree } from './tree.ts';
import type { HistoryEntry } from './write.ts';

const MINUTE = 60_000;

const SUMS = sql.raw(
  PROCEDURE_COUNTERS.map(
    (f) => `sum(${f.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)})::float8 as "${f}"`,
  ).join(', '),
);

type OpenCounts = ProcedureFigures['open'];

function figures(code: string, name: string | null, c: ProcedureCounts, open: OpenCounts): ProcedureFigures {
  const known = c.early + c.onTime + c.late;
  const s = satisfactionMetrics(c);
  return {
    code,
    name,
    received: c.received,
    early: c.early,
    onTime: c.onTime,
    late: c.late,
    unknown: c.unknown,
    onTimeRate: known === 0 ? null : (c.early + c.onTime) / known,
    satisfaction: {
      verySatisfied: s.verySatisfied,
      satisfied: s.satisfied,
      unsatisfied: s.unsatisfied,
      total: s.total,
      rate: s.rate,
    },
    open: { ...open },
    fee: { reported: c.feeReported, bearing: c.feeBearing, paidOnline: c.feePaidOnline },
  };
}

const zeroCounts = (): ProcedureCounts =>
  Object.fromEntries(PROCEDURE_COUNTERS.map((f) => [f, 0])) as ProcedureCounts;
const zeroOpen = (): OpenCounts => ({ total: 0, overdue: 0, dueSoon: 0, waitingSupplement: 0 });

/**
 * Received, outcomes, satisfaction and fee facts per procedure over a window, from the procedure
 * rollup (the same buckets the tiles read, so the rows add up to the tiles), with the open
 * dossiers per procedure at `asOf` from dossier state. Returns null for an unknown unit.
 */
export async function readProcedures(
  db: Database,
  tree: UnitTree,
  code: string,
  window: ResolvedWindow,
  asOf: number,
): Promise<ProcedureList | null> {
  const scope = resolveScope(tree, code);
  if (!scope) return null;
  const { unit, communes, deskCode } = scope;
  const desk = deskCode ? sql`and desk_code = ${deskCode}` : sql``;
  const byCode = new Map<string, { counts: ProcedureCounts; open: OpenCounts }>();
  const entry = (c: string) => {
    let e = byCode.get(c);
    if (!e) {
      e = { counts: zeroCounts(), open: zeroOpen() };
      byCode.set(c, e);
    }
    return e;
  };
  if (communes.length > 0) {
    const [counts, open] = await Promise.all([
      db.query<ProcedureCounts & { procedure_code: string }>(
        sql`select procedure_code, ${SUMS} from procedure_rollups
          where ${unitFilter(communes)} and (${rangeFilter(bucketRanges(window.from, window.to, !deskCode))}) ${desk}
          group by procedure_code`,
      ),
      db.query<OpenCounts & { procedure_code: string }>(
        sql`select procedure_code, count(*)::float8 as "total",
            count(*) filter (where overdue)::float8 as "overdue",
            count(*) filter (where not overdue and deadline <= ${asOf + DAY})::float8 as "dueSoon",
            count(*) filter (where pending_since is not null)::float8 as "waitingSupplement"
          from (
            select coalesce(procedure_code, '') as procedure_code, pending_since,
              supplement_requests >= 2 or rescheduled or ${asOf} > ${DEADLINE_SQL(asOf)} as overdue,
              ${DEADLINE_SQL(asOf)} as deadline
            from dossiers
            where finished_at is null and due_at is not null and ${unitFilter(communes)} ${desk}
          ) s
          group by procedure_code`,
      ),
    ]);
    for (const row of counts) {
      const e = entry(row.procedure_code);
      for (const f of PROCEDURE_COUNTERS) e.counts[f] += Number(row[f]);
    }
    for (const row of open) {
      const e = entry(row.procedure_code);
      for (const f of ['total', 'overdue', 'dueSoon', 'waitingSupplement'] as const)
        e.open[f] += Number(row[f]);
    }
  }
  // Rows that are all zero (a procedure whose counts were taken back) are left out.
  for (const [c, e] of byCode) {
    if (PROCEDURE_COUNTERS.every((f) => e.counts[f] === 0) && e.open.total === 0) byCode.delete(c);
  }
  const codes = [...byCode.keys()].filter((c) => c !== '');
  const names = new Map<string, string>();
  if (codes.length > 0) {
    const rows = await db.query<{ code: string; name: string }>(
      sql`select code, name from procedures where code = any(${sql.param(codes)}::text[])`,
    );
    for (const r of rows) names.set(r.code, r.name);
  }
  const total = { counts: zeroCounts(), open: zeroOpen() };
  for (const e of byCode.values()) {
    for (const f of PROCEDURE_COUNTERS) total.counts[f] += e.counts[f];
    for (const f of ['total', 'overdue', 'dueSoon', 'waitingSupplement'] as const) total.open[f] += e.open[f];
  }
  const items = [...byCode]
    .map(([c, e]) => figures(c, names.get(c) ?? null, e.counts, e.open))
    .sort((a, b) => b.received - a.received || (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
  return {
    unit,
    window: windowToJson(window),
    asOf: formatLocal(asOf),
    items,
    total: figures('', null, total.counts, total.open),
  };
}

/** Which dossiers a list kind selects; windowed kinds by the time the tiles bucket them at. */
function kindFilter(kind: DossierListKind, from: number, end: number, asOf: number): SQL {
  const finishedIn = sql`finished_at >= ${from} and finished_at < ${end}`;
  const open = sql`finished_at is null and due_at is not null`;
  const overdue = sql`(supplement_requests >= 2 or rescheduled or ${asOf} > ${DEADLINE_SQL(asOf)})`;
  switch (kind) {
    case 'received':
      return sql`received_at >= ${from} and received_at < ${end}`;
    case 'finished':
      return sql`${finishedIn} and outcome in ('early', 'onTime', 'late')`;
    case 'early':
    case 'onTime':
    case 'late':
    case 'unknown':
      return sql`${finishedIn} and outcome = ${kind}`;
    case 'open':
      return open;
    case 'overdue':
      return sql`${open} and ${overdue}`;
    case 'dueSoon':
      return sql`${open} and not ${overdue} and ${DEADLINE_SQL(asOf)} <= ${asOf + DAY}`;
    case 'waitingSupplement':
      return sql`${open} and pending_since is not null`;
  }
}

const WINDOWED = new Set<DossierListKind>(['received', 'finished', 'early', 'onTime', 'late', 'unknown']);

/**
 * The dossiers behind a number, paged, each with its timeline, from dossier state (its history
 * column; no raw events are read). A windowed kind covers the minutes the tile's rollup buckets
 * cover (a window ending inside a minute includes that minute), so `total` equals the tile.
 */
export async function readDossierList(
  db: Database,
  tree: UnitTree,
  code: string,
  opts: {
    kind: DossierListKind;
    window: ResolvedWindow;
    asOf: number;
    procedure?: string | null;
    offset?: number;
    limit?: number;
  },
): Promise<DossierList | null> {
  const scope = resolveScope(tree, code);
  if (!scope) return null;
  const { unit, communes, deskCode } = scope;
  const offset = opts.offset ?? 0;
  const limit = opts.limit ?? 50;
  const windowed = WINDOWED.has(opts.kind);
  const from = Math.ceil(opts.window.from / MINUTE) * MINUTE;
  const end = Math.ceil(opts.window.to / MINUTE) * MINUTE;
  const base = {
    unit,
    kind: opts.kind,
    window: windowed ? windowToJson(opts.window) : null,
    asOf: formatLocal(opts.asOf),
    procedure: opts.procedure ?? null,
    offset,
    limit,
  };
  if (communes.length === 0) return { ...base, total: 0, items: [] };
  const rows = await db.query<{
    unit_code: string;
    desk_code: string;
    dossier_code: string;
    procedure_code: string | null;
    procedure_name: string | null;
    received_at: number | null;
    deadline: number | null;
    finished_at: number | null;
    outcome: DossierRow['outcome'];
    history: HistoryEntry[] | string;
    total: number;
  }>(
    sql`select d.unit_code, d.desk_code, d.dossier_code, d.procedure_code, p.name as procedure_name,
        d.received_at::float8 as received_at, d.finished_at::float8 as finished_at, d.outcome, d.history,
        case when d.due_at is null then null
          when d.finished_at is null then ${DEADLINE_SQL(opts.asOf)}
          else d.due_at + d.paused_ms end::float8 as deadline,
        (count(*) over ())::float8 as total
      from dossiers d left join procedures p on p.code = d.procedure_code
      where ${unitFilter(communes)} and ${kindFilter(opts.kind, from, end, opts.asOf)}
        ${deskCode ? sql`and d.desk_code = ${deskCode}` : sql``}
        ${opts.procedure != null ? sql`and coalesce(d.procedure_code, '') = ${opts.procedure}` : sql``}
      order by ${windowed ? sql`coalesce(d.finished_at, d.received_at) desc` : sql`deadline asc`}, d.unit_code, d.dossier_code
      limit ${limit} offset ${offset}`,
  );
  let total = rows[0]?.total ?? 0;
  if (rows.length === 0 && offset > 0) {
    // Past the last page: the count still says how many there are.
    const [c] = await db.query<{ n: number }>(
      sql`select count(*)::float8 as n from dossiers d
        where ${unitFilter(communes)} and ${kindFilter(opts.kind, from, end, opts.asOf)}
          ${deskCode ? sql`and d.desk_code = ${deskCode}` : sql``}
          ${opts.procedure != null ? sql`and coalesce(d.procedure_code, '') = ${opts.procedure}` : sql``}`,
    );
    total = c?.n ?? 0;
  }
  return {
    ...base,
    total,
    items: rows.map((r): DossierRow => {
      const history = (typeof r.history === 'string' ? JSON.parse(r.history) : r.history) as HistoryEntry[];
      return {
        unitCode: r.unit_code,
        unitName: tree.get(r.unit_code)?.name ?? r.unit_code,
        deskCode: r.desk_code,
        dossierCode: r.dossier_code,
        procedureCode: r.procedure_code,
        procedureName: r.procedure_name,
        receivedAt: r.received_at === null ? null : formatLocal(r.received_at),
        deadline: r.deadline === null ? null : formatLocal(r.deadline),
        finishedAt: r.finished_at === null ? null : formatLocal(r.finished_at),
        outcome: r.outcome,
        timeline: [...history]
          .sort((a, b) => a.t - b.t)
          .map((e) => ({ type: e.y, time: formatLocal(e.t), deskCode: e.d })),
      };
    }),
  };
}
