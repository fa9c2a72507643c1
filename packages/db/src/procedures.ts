import type { ValidatedEvent } from '@motcua/contract';
import { type DossierState, localDayStart } from '@motcua/metrics';
import { type SQL, sql } from 'drizzle-orm';
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

  /**
   * The statements that add this flush's deltas: `procedure_rollups`, then 3.5b's facts in
   * `fee_procedures` for each commune and every unit above it (`ancestry`: a commune's chain up
   * to the root, itself first). Rows in key order, like every other upsert of the flush
   * (concurrent writers lock the shared district and city rows in the same order).
   */
  statements(ancestry: ReadonlyMap<string, readonly string[]>): SQL[] {
    const records = [...this.rows.keys()]
      .sort()
      .map((k) => this.rows.get(k) as Record<string, string | number>)
      .filter((r) => PROCEDURE_COUNTERS.some((c) => r[c] !== 0));
    if (records.length === 0) return [];
    const out = [
      sql`insert into procedure_rollups (${sql.raw(NAMES)})
        select ${sql.raw(NAMES)} from ${rowsOf(records, COLUMNS)}
        on conflict (grain, unit_code, bucket_start, procedure_code, desk_code) do update set ${sql.raw(ADD)}`,
    ];
    const fees = feeRows(records, ancestry);
    if (fees.length > 0)
      out.push(
        sql`insert into fee_procedures (${sql.raw(FEE_NAMES)})
          select ${sql.raw(FEE_NAMES)} from ${rowsOf(fees, FEE_COLUMNS)}
          on conflict (grain, unit_code, bucket_start, procedure_code) do update
            set fee_bearing = fee_procedures.fee_bearing + excluded.fee_bearing,
              paid_online = fee_procedures.paid_online + excluded.paid_online`,
      );
    return out;
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
const FEE_NAMES = namesOf(FEE_COLUMNS);

/** A delta of a named procedure that moved a fee counter (3.5b counts nothing else). */
function isFeeDelta(r: Record<string, string | number>): boolean {
  return r.procedureCode !== '' && (r.feeBearing !== 0 || r.feePaidOnline !== 0);
}

/**
 * 3.5b's rows of a flush: the fee deltas of `records` summed over desks, for each commune and
 * every unit above it, in key order.
 */
function feeRows(
  records: Record<string, string | number>[],
  ancestry: ReadonlyMap<string, readonly string[]>,
): Record<string, string | number>[] {
  const sums = new Map<string, Record<string, string | number>>();
  for (const r of records) {
    if (!isFeeDelta(r)) continue;
    // A code `units` does not hold has no chain, and no 3.5b rows (as a join on `units` would drop it).
    const chain = ancestry.get(r.unitCode as string) ?? [];
    for (const unitCode of chain) {
      const key = `${r.grain}|${unitCode}|${r.bucketStart}|${r.procedureCode}`;
      const hit = sums.get(key);
      if (hit) {
        hit.feeBearing = (hit.feeBearing as number) + (r.feeBearing as number);
        hit.paidOnline = (hit.paidOnline as number) + (r.feePaidOnline as number);
      } else
        sums.set(key, {
          grain: r.grain,
          unitCode,
          bucketStart: r.bucketStart,
          procedureCode: r.procedureCode,
          feeBearing: r.feeBearing,
          paidOnline: r.feePaidOnline,
        });
    }
  }
  return [...sums.keys()].sort().map((k) => sums.get(k) as Record<string, string | number>);
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
