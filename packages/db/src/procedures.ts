import type { ValidatedEvent } from '@motcua/contract';
import { type DossierState, localDayStart } from '@motcua/metrics';
import { sql } from 'drizzle-orm';
import type { Database, Executor } from './client.ts';
import { COMMUNE_DAY_DESK, columnsOf, namesOf, rowsOf } from './columns.ts';
import { feeProcedures, procedureRollups } from './schema/explain.ts';
import type { HistoryEntry } from './write.ts';

/** The counters of `procedure_rollups`, by their field names. */
export const PROCEDURE_COUNTERS = [
  'received',
  'early',
  'onTime',
  'late',
  'unknown',
  'verySatisfied',
  'satisfied',
  'unsatisfied',
  'feeReported',
  'feeBearing',
  'feePaidOnline',
] as const satisfies readonly (keyof typeof procedureRollups.$inferSelect)[];
export type ProcedureCounter = (typeof PROCEDURE_COUNTERS)[number];
export type ProcedureCounts = Record<ProcedureCounter, number>;

const KEY = ['grain', 'unitCode', 'bucketStart', 'procedureCode', 'deskCode'] as const;
const MINUTE = 60_000;
const HOUR = 3_600_000;
const COLUMNS = columnsOf(procedureRollups, [...KEY, ...PROCEDURE_COUNTERS]);
const NAMES = namesOf(COLUMNS);
const ADD = columnsOf(procedureRollups, PROCEDURE_COUNTERS)
  .map(([c]) => `${c} = procedure_rollups.${c} + excluded.${c}`)
  .join(', ');

/** The procedure of a dossier: that of its first reception (as the outcome rules pick it), else ''. */
export function procedureOf(history: HistoryEntry[]): string {
  let first: HistoryEntry | null = null;
  for (const e of history) {
    if (e.y !== 'received') continue;
    if (
      first === null ||
      e.t < first.t ||
      (e.t === first.t &&
        (e.d < first.d ||
          (e.d === first.d &&
            ((e.due ?? 0) < (first.due ?? 0) ||
              ((e.due ?? 0) === (first.due ?? 0) && (e.ch ?? '') < (first.ch ?? ''))))))
    ) {
      first = e;
    }
  }
  return first?.p ?? '';
}

/** One dossier's share of the procedure rollup: where (desk, time) and what. */
export interface ProcedureContribution {
  deskCode: string;
  time: number;
  procedureCode: string;
  counts: Partial<ProcedureCounts>;
}

/**
 * What one dossier adds to its procedure's rollup, from its state and history: its outcome on the
 * day it finished, its fee facts on the day it was received (as the 766 rollup counts them), and
 * every rating that names it on the day of the rating. Receptions are counted from the events
 * themselves, as the main rollup counts them.
 */
export function procedureContributions(
  history: HistoryEntry[],
  state: DossierState,
): ProcedureContribution[] {
  const procedureCode = procedureOf(history);
  const out: ProcedureContribution[] = [];
  if (state.finishedAt !== null && state.outcome !== null) {
    out.push({
      deskCode: state.deskCode,
      time: state.finishedAt,
      procedureCode,
      counts: { [state.outcome]: 1 },
    });
  }
  if (state.receivedAt !== null && state.facts.feeBearing !== undefined) {
    const fee = state.facts.feeBearing === true;
    out.push({
      deskCode: state.deskCode,
      time: state.receivedAt,
      procedureCode,
      counts: { feeReported: 1, feeBearing: fee ? 1 : 0, feePaidOnline: fee && state.paidOnline ? 1 : 0 },
    });
  }
  for (const e of history) {
    if (e.y === 'rated' && e.l !== undefined) {
      const field =
        e.l === 'very_satisfied' ? 'verySatisfied' : e.l === 'satisfied' ? 'satisfied' : 'unsatisfied';
      out.push({ deskCode: e.d, time: e.t, procedureCode, counts: { [field]: 1 } });
    }
  }
  return out;
}

/** Procedure rollup deltas of one flush, written in key order. */
export class ProcedureDeltas {
  readonly rows = new Map<string, Record<string, string | number>>();

  add(
    unit: string,
    desk: string,
    time: number,
    procedureCode: string,
    counts: Partial<ProcedureCounts>,
    sign: 1 | -1,
  ) {
    // Day rows per commune, like `rollups` (a desk's days come from its hours).
    const starts: [string, number, string][] = [
      ['m', Math.floor(time / MINUTE) * MINUTE, desk],
      ['h', Math.floor(time / HOUR) * HOUR, desk],
      ['d', localDayStart(time), COMMUNE_DAY_DESK],
    ];
    for (const [grain, bucketStart, rowDesk] of starts) {
      const key = `${grain}|${unit}|${bucketStart}|${procedureCode}|${rowDesk}`;
      let row = this.rows.get(key);
      if (!row) {
        row = { grain, unitCode: unit, bucketStart, procedureCode, deskCode: rowDesk };
        for (const c of PROCEDURE_COUNTERS) row[c] = 0;
        this.rows.set(key, row);
      }
      for (const [field, value] of Object.entries(counts)) {
        row[field] = (row[field] as number) + sign * (value as number);
      }
    }
  }

  async write(db: Database, tx: Executor): Promise<void> {
    const records = [...this.rows.keys()]
      .sort()
      .map((k) => this.rows.get(k) as Record<string, string | number>)
      .filter((r) => PROCEDURE_COUNTERS.some((c) => r[c] !== 0));
    if (records.length === 0) return;
    await db.query(
      sql`insert into procedure_rollups (${sql.raw(NAMES)})
        select ${sql.raw(NAMES)} from ${rowsOf(records, COLUMNS)}
        on conflict (grain, unit_code, bucket_start, procedure_code, desk_code) do update set ${sql.raw(ADD)}`,
      tx,
      { prepare: true },
    );
    await writeFeeProcedures(db, tx, records);
  }
}

const FEE_COLUMNS = columnsOf(feeProcedures, [
  'grain',
  'unitCode',
  'bucketStart',
  'procedureCode',
  'feeBearing',
  'paidOnline',
]);

/**
 * 3.5b's facts of the flush into `fee_procedures`, for each commune and every unit above it: the
 * hour and day rows of `records` (procedure rollup deltas) that moved a fee counter, summed over
 * desks. In key order, like every other upsert of the flush (concurrent writers lock the shared
 * district and city rows in the same order).
 */
async function writeFeeProcedures(db: Database, tx: Executor, records: Record<string, string | number>[]) {
  const sums = new Map<string, Record<string, string | number>>();
  for (const r of records) {
    if (r.grain === 'm' || r.procedureCode === '' || (r.feeBearing === 0 && r.feePaidOnline === 0)) continue;
    const key = `${r.grain}|${r.unitCode}|${r.bucketStart}|${r.procedureCode}`;
    const hit = sums.get(key);
    if (hit) {
      hit.feeBearing = (hit.feeBearing as number) + (r.feeBearing as number);
      hit.paidOnline = (hit.paidOnline as number) + (r.feePaidOnline as number);
    } else
      sums.set(key, {
        grain: r.grain,
        unitCode: r.unitCode,
        bucketStart: r.bucketStart,
        procedureCode: r.procedureCode,
        feeBearing: r.feeBearing,
        paidOnline: r.feePaidOnline,
      });
  }
  if (sums.size === 0) return;
  await db.query(
    sql`insert into fee_procedures (grain, unit_code, bucket_start, procedure_code, fee_bearing, paid_online)
      select x.grain, a.code, x.bucket_start, x.procedure_code, sum(x.fee_bearing), sum(x.paid_online)
      from ${rowsOf([...sums.values()], FEE_COLUMNS)}
      join units c on c.code = x.unit_code
      left join units d on d.code = c.parent_code
      left join units e on e.code = d.parent_code
      left join units f on f.code = e.parent_code
      cross join lateral (values (c.code), (d.code), (e.code), (f.code)) as a (code)
      where a.code is not null
      group by 1, 2, 3, 4
      order by 1, 2, 3, 4
      on conflict (grain, unit_code, bucket_start, procedure_code) do update
        set fee_bearing = fee_procedures.fee_bearing + excluded.fee_bearing,
          paid_online = fee_procedures.paid_online + excluded.paid_online`,
    tx,
    { prepare: true },
  );
}

/** The procedure names a batch carries (`procedureName` of receptions), one per code, the last sent winning. */
export function procedureNamesOf(events: readonly ValidatedEvent[]): { code: string; name: string }[] {
  const names = new Map<string, string>();
  for (const e of events) {
    const name = e.data.procedureName;
    if (typeof name === 'string' && typeof e.data.procedureCode === 'string')
      names.set(e.data.procedureCode, name);
  }
  return [...names].sort(([a], [b]) => (a < b ? -1 : 1)).map(([code, name]) => ({ code, name }));
}
