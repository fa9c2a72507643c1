import {
  DOSSIER_TYPE_PREFIX,
  EVENT_TYPE,
  PETITION_TYPE_PREFIX,
  type PetitionCategory,
  type RatingLevel,
  type ValidatedEvent,
} from '@motcua/contract';
import {
  BUCKET_FIELDS,
  type BucketCounts,
  type BucketField,
  type Channel,
  type Contribution,
  computeDossierState,
  computePetitionState,
  type DossierEvent,
  type DossierEventType,
  type DossierFacts,
  type DossierState,
  dossierContributions,
  localDayStart,
  makeWorkCalendar,
  type PetitionEvent,
  type PetitionEventType,
  type PetitionState,
  petitionContributions,
  VN_CALENDAR,
  type WorkingDeadline,
  workingDeadline,
} from '@motcua/metrics';
import { type SQL, sql } from 'drizzle-orm';
import { ancestryOf } from './ancestry.ts';
import type { Database, Executor } from './client.ts';
import {
  COMMUNE_DAY_DESK,
  type Column,
  columnsOf,
  DOSSIER_COLUMNS,
  DOSSIER_KEY_COLUMNS,
  namesOf,
  PETITION_COLUMNS,
  PETITION_KEY_COLUMNS,
  ROLLUP_KEY_COLUMNS,
  ROLLUP_TABLES,
  rowsOf,
} from './columns.ts';
import { withEventMonths } from './event-months.ts';
import { OpenCountDeltas } from './open-counts.ts';
import { ProcedureDeltas, procedureContributions, procedureNamesOf, procedureOf } from './procedures.ts';
import { deskHealth } from './schema/alerts.ts';
import type { dossiers } from './schema/dossiers.ts';
import type { petitions } from './schema/petitions.ts';
import { unitRollups } from './schema/unit-rollups.ts';
import { desks } from './schema/units.ts';

const HOUR = 3_600_000;
/** Per rollup table, an upsert that adds a flush's deltas to the stored counters. */
const ROLLUP_UPSERTS = ROLLUP_TABLES.map((table) => {
  const columns = [...ROLLUP_KEY_COLUMNS, ...table.counters];
  const names = namesOf(columns);
  const add = table.counters.map(([c]) => `${c} = ${table.name}.${c} + excluded.${c}`).join(', ');
  return {
    table,
    statement: (records: RollupRecord[]) =>
      sql`insert into ${sql.raw(table.name)} (${sql.raw(names)})
        select ${sql.raw(names)} from ${rowsOf(records, columns)}
        on conflict (${sql.raw(namesOf(ROLLUP_KEY_COLUMNS))}) do update set ${sql.raw(add)}`,
  };
});
/** `unit_rollups`: every counter of both rollup tables, per unit above a commune. */
const UNIT_ROLLUP_KEY = ['grain', 'unitCode', 'bucketStart'] as const;
const UNIT_ROLLUP_COLUMNS = columnsOf(unitRollups, [...UNIT_ROLLUP_KEY, ...BUCKET_FIELDS]);
const UNIT_ROLLUP_NAMES = namesOf(UNIT_ROLLUP_COLUMNS);
const UNIT_ROLLUP_ADD = namesOf(columnsOf(unitRollups, BUCKET_FIELDS))
  .split(', ')
  .map((c) => `${c} = unit_rollups.${c} + excluded.${c}`)
  .join(', ');
const unitRollupUpsert = (records: RollupRecord[]) =>
  sql`insert into unit_rollups (${sql.raw(UNIT_ROLLUP_NAMES)})
    select ${sql.raw(UNIT_ROLLUP_NAMES)} from ${rowsOf(records, UNIT_ROLLUP_COLUMNS)}
    on conflict (${sql.raw(namesOf(columnsOf(unitRollups, UNIT_ROLLUP_KEY)))}) do update set ${sql.raw(UNIT_ROLLUP_ADD)}`;
const DESK_COLUMNS = columnsOf(desks, ['unitCode', 'deskCode']);
const DESK_HEALTH_COLUMNS = columnsOf(deskHealth);
const DESK_HEALTH_NAMES = namesOf(DESK_HEALTH_COLUMNS);
/** Every statement of a flush has a fixed text (rows travel as arrays), so each is prepared once per connection. */
const PREPARED = { prepare: true } as const;
const MINUTE = 60_000;

export type WriteStatus = 'accepted' | 'duplicate';

export interface WriteResult {
  statuses: WriteStatus[];
  /** Commune codes whose numbers may have changed. */
  units: string[];
}

/**
 * Compact form of a dossier event kept in `dossiers.history`. `rated` (issue 14) is a rating that
 * names the dossier, kept so its procedure's satisfaction follows the dossier's reception in
 * whatever order they come; the outcome rules never see it (see `dossierEventsOf`).
 */
export interface HistoryEntry {
  y: DossierEventType | 'rated';
  t: number;
  d: string;
  due?: number;
  ch?: Channel;
  /** v1.1 facts of `received` and `resolved`. */
  f?: DossierFacts;
  /** `paid` online. */
  on?: boolean;
  /** `received`: the procedure code (mã TTHC). */
  p?: string;
  /** `rated`: the rating's level. */
  l?: RatingLevel;
}

/** Compact form of a petition event kept in `petitions.history`. */
interface PetitionEntry {
  y: PetitionEventType;
  t: number;
  d: string;
  cat?: PetitionCategory;
  dos?: string;
  like?: boolean;
}

type RollupRecord = Record<string, string | number>;
/** A bucket field's place in the counters of a delta row (`RollupDeltas`). */
const FIELD_INDEX = Object.fromEntries(BUCKET_FIELDS.map((field, i) => [field, i])) as Record<
  BucketField,
  number
>;

/** One bucket's deltas: every counter by its place in BUCKET_FIELDS. */
interface DeltaRow {
  grain: string;
  unit: string;
  start: number;
  desk: string;
  c: Float64Array;
}

/**
 * Accumulates rollup deltas for one flush, at all three grains. The counters are arrays by field
 * index, not records keyed by field: a flush of the read benchmark's fill has ~17,000 rows, and
 * records of up to 32 keys made of them took ~200 ms of JavaScript per flush once summed again
 * per unit above a commune (bench/tools/write-profile.ts).
 */
class RollupDeltas {
  readonly rows = new Map<string, DeltaRow>();

  add(unit: string, desk: string, time: number, counts: Partial<BucketCounts>, sign: 1 | -1) {
    const moved = Object.entries(counts) as [BucketField, number][];
    // Day rows are kept per commune (desk ''), minutes and hours per desk: a district's or the
    // city's days then read a third of the rows, and a desk's own days come from its hours.
    const starts: [string, number, string][] = [
      ['m', Math.floor(time / MINUTE) * MINUTE, desk],
      ['h', Math.floor(time / HOUR) * HOUR, desk],
      ['d', localDayStart(time), COMMUNE_DAY_DESK],
    ];
    for (const [grain, start, rowDesk] of starts) {
      const key = `${grain}|${unit}|${start}|${rowDesk}`;
      let row = this.rows.get(key);
      if (!row) {
        row = { grain, unit, start, desk: rowDesk, c: new Float64Array(BUCKET_FIELDS.length) };
        this.rows.set(key, row);
      }
      for (const [field, value] of moved) row.c[FIELD_INDEX[field]] += sign * value;
    }
  }

  /**
   * The rows of one rollup table where one of its counters moved, in key order, so concurrent
   * writers lock rows in the same order.
   */
  toRecords(fields: readonly BucketField[]): RollupRecord[] {
    const indexes = fields.map((f) => FIELD_INDEX[f]);
    const out: RollupRecord[] = [];
    const keys = [...this.rows.keys()].sort();
    for (const key of keys) {
      const row = this.rows.get(key);
      if (!row || indexes.every((i) => row.c[i] === 0)) continue;
      const rec: RollupRecord = {
        grain: row.grain,
        unitCode: row.unit,
        bucketStart: row.start,
        deskCode: row.desk,
      };
      fields.forEach((field, i) => {
        rec[field] = row.c[indexes[i]];
      });
      out.push(rec);
    }
    return out;
  }

  /**
   * `unit_rollups`' rows of the flush: every bucket's deltas summed into each unit above its
   * commune (`chains`: a commune's chain up to the root, itself first), in key order like the
   * other upserts, so concurrent writers lock the shared district, province and nation rows in
   * the same order. A commune `units` does not hold has no chain and adds to no unit.
   */
  unitRecords(chains: ReadonlyMap<string, readonly string[]>): RollupRecord[] {
    const aboveOf = new Map<string, readonly string[]>();
    const sums = new Map<string, DeltaRow>();
    for (const row of this.rows.values()) {
      let above = aboveOf.get(row.unit);
      if (above === undefined) {
        above = chains.get(row.unit)?.slice(1) ?? [];
        aboveOf.set(row.unit, above);
      }
      for (const unit of above) {
        const key = `${row.grain}|${unit}|${row.start}`;
        let sum = sums.get(key);
        if (!sum) {
          sum = {
            grain: row.grain,
            unit,
            start: row.start,
            desk: '',
            c: new Float64Array(BUCKET_FIELDS.length),
          };
          sums.set(key, sum);
        }
        for (let i = 0; i < sum.c.length; i++) sum.c[i] += row.c[i];
      }
    }
    const out: RollupRecord[] = [];
    for (const key of [...sums.keys()].sort()) {
      const sum = sums.get(key) as DeltaRow;
      if (sum.c.every((v) => v === 0)) continue;
      const rec: RollupRecord = { grain: sum.grain, unitCode: sum.unit, bucketStart: sum.start };
      BUCKET_FIELDS.forEach((field, i) => {
        rec[field] = sum.c[i];
      });
      out.push(rec);
    }
    return out;
  }
}

/** A `dossiers.history` entry as the outcome rules take it. */
export function toDossierEvent(e: HistoryEntry): DossierEvent {
  return {
    type: e.y as DossierEventType,
    time: e.t,
    deskCode: e.d,
    dueAt: e.due,
    channel: e.ch,
    facts: e.f,
    online: e.on,
  };
}

/** Whether an entry is one the outcome rules take (every entry but `rated`). */
export const isOutcomeEntry = (e: HistoryEntry): boolean => e.y !== 'rated';

const FACT_NAMES = [
  'feeBearing',
  'inputsDigitised',
  'reusedData',
  'citizenStore',
  'populationData',
  'electronicResult',
  'resultDigitised',
] as const satisfies readonly (keyof DossierFacts)[];

function historyEntry(e: ValidatedEvent): HistoryEntry {
  const entry: HistoryEntry = {
    y: e.type.slice(DOSSIER_TYPE_PREFIX.length) as DossierEventType,
    t: e.time,
    d: e.deskCode,
  };
  if (entry.y === 'received') {
    entry.due = Date.parse(e.data.dueAt as string);
    entry.ch = e.data.channel as Channel;
    entry.p = e.data.procedureCode as string;
  }
  if (entry.y === 'received' || entry.y === 'resolved') {
    const facts: DossierFacts = {};
    for (const name of FACT_NAMES)
      if (typeof e.data[name] === 'boolean') facts[name] = e.data[name] as boolean;
    if (Object.keys(facts).length > 0) entry.f = facts;
  }
  if (entry.y === 'paid') entry.on = e.data.method === 'online';
  return entry;
}

function petitionEntry(e: ValidatedEvent): PetitionEntry {
  const entry: PetitionEntry = {
    y: e.type.slice(PETITION_TYPE_PREFIX.length) as PetitionEventType,
    t: e.time,
    d: e.deskCode,
  };
  if (entry.y === 'received') {
    entry.cat = e.data.category as PetitionCategory;
    if (typeof e.data.dossierCode === 'string') entry.dos = e.data.dossierCode;
  }
  if (entry.y === 'reacted') entry.like = e.data.reaction === 'like';
  return entry;
}

function toPetitionEvent(e: PetitionEntry): PetitionEvent {
  return { type: e.y, time: e.t, deskCode: e.d, category: e.cat, dossierCode: e.dos, like: e.like };
}

/** New history entries per (commune, code) of one flush. */
class Touched<H> {
  readonly entries = new Map<string, { unitCode: string; code: string; history: H[] }>();
  add(unitCode: string, code: string, entry: H) {
    const key = `${unitCode}\u0000${code}`;
    const hit = this.entries.get(key);
    if (hit) hit.history.push(entry);
    else this.entries.set(key, { unitCode, code, history: [entry] });
  }
}

/**
 * Stores a batch in one transaction: raw events (idempotent on source + id, kept in `event_ids`;
 * each month's partition made first if need be), the state of
 * every dossier they touch (recomputed from its whole history), and the rollup deltas.
 * Returns, per input event, whether it was new. Rows are written in key order, so concurrent
 * batches wait for each other rather than deadlock.
 */
export async function writeBatch(
  db: Database,
  batch: ValidatedEvent[],
  opts: {
    knownDesks?: Set<string>;
    notify?: boolean;
    /** The working-day calendar's deadlines, for petitions (v1.1); default: the built-in calendar. */
    deadline?: WorkingDeadline;
    /** When the batch arrived (epoch ms), kept per desk for the desk health alerts; default: now. */
    receivedAt?: number;
  } = {},
): Promise<WriteResult> {
  const statuses: WriteStatus[] = new Array(batch.length).fill('duplicate');
  const firstIndex = new Map<string, number>();
  batch.forEach((e, i) => {
    const key = `${e.source}\u0000${e.id}`;
    if (!firstIndex.has(key)) firstIndex.set(key, i);
  });
  const candidates = [...firstIndex.values()].map((i) => batch[i]);
  if (candidates.length === 0) return { statuses, units: [] };

  const newDesks = new Map<string, { unitCode: string; deskCode: string }>();
  const write = () =>
    db.transaction(async (tx) => {
      // A retry (see withEventMonths) starts over: the first attempt was rolled back.
      statuses.fill('duplicate');
      newDesks.clear();
      // The id first (`event_ids`, unpartitioned, decides duplicates), then the row into its month.
      const inserted = await db.query<{ source: string; id: string }>(
        sql`with batch as (select * from ${rowsOf(candidates, [
          ['source', 'text', (e) => e.source],
          ['id', 'text', (e) => e.id],
          ['type', 'text', (e) => e.type],
          ['time', 'float8', (e) => e.time],
          ['unit_code', 'text', (e) => e.unitCode],
          ['desk_code', 'text', (e) => e.deskCode],
          ['dossier_code', 'text', (e) => e.dossierCode],
          ['data', 'jsonb', (e) => e.data],
          ['attributes', 'jsonb', (e) => e.attributes],
        ])}),
        fresh as (insert into event_ids (source, id) select source, id from batch
          order by source, id
          on conflict (source, id) do nothing
          returning source, id)
        insert into events (source, id, type, time, unit_code, desk_code, dossier_code, data, attributes)
        select source, id, type, to_timestamp(time / 1000.0), unit_code, desk_code, dossier_code, data, attributes
        from batch join fresh using (source, id)
        returning source, id`,
        tx,
        PREPARED,
      );
      const accepted: ValidatedEvent[] = [];
      for (const row of inserted) {
        const i = firstIndex.get(`${row.source}\u0000${row.id}`);
        if (i === undefined) continue;
        statuses[i] = 'accepted';
        accepted.push(batch[i]);
      }
      const units = await foldAccepted(db, tx, accepted, { ...opts, newDesks });
      return { statuses, units };
    });
  const result = await withEventMonths(
    db,
    candidates.map((e) => e.time),
    write,
  );
  // Known only once committed: a flush that failed may not have stored them.
  for (const key of newDesks.keys()) opts.knownDesks?.add(key);
  return result;
}

export interface FoldOptions {
  knownDesks?: Set<string>;
  notify?: boolean;
  deadline?: WorkingDeadline;
  /** Desks first seen here, `unit/desk` → row; the caller adds them to `knownDesks` after commit. */
  newDesks: Map<string, { unitCode: string; deskCode: string }>;
  /** When the events arrived (desk health's sync lag); now by default. */
  receivedAt?: number;
  /** A bulk import of history: desk health (last event, sync lag) is left as the live path keeps it. */
  historical?: boolean;
}

/**
 * Folds events just stored in `events` (new ones only, inside the caller's transaction) into
 * dossier and petition state, rollups and desks, and notifies. The one state machine behind
 * both the live ingest (`writeBatch`) and the bulk import, so both hold the same numbers.
 * Returns the touched commune codes, sorted.
 */
export async function foldAccepted(
  db: Database,
  tx: Executor,
  accepted: readonly ValidatedEvent[],
  opts: FoldOptions,
): Promise<string[]> {
  if (accepted.length === 0) return [];
  const { newDesks } = opts;
  const deltas = new RollupDeltas();
  const health = new Map<string, typeof deskHealth.$inferInsert>();
  const receivedAt = opts.receivedAt ?? Date.now();
  const procDeltas = new ProcedureDeltas();
  const touchedUnits = new Set<string>();
  const touchedDossiers = new Touched<HistoryEntry>();
  const touchedPetitions = new Touched<PetitionEntry>();
  for (const e of accepted) {
    touchedUnits.add(e.unitCode);
    const deskKey = `${e.unitCode}/${e.deskCode}`;
    if (!opts.knownDesks?.has(deskKey)) newDesks.set(deskKey, { unitCode: e.unitCode, deskCode: e.deskCode });
    const h = health.get(deskKey);
    if (h) {
      h.lastEventAt = Math.max(h.lastEventAt, e.time);
      h.batchOldestAt = Math.min(h.batchOldestAt, e.time);
      h.events = (h.events ?? 0) + 1;
    } else {
      health.set(deskKey, {
        unitCode: e.unitCode,
        deskCode: e.deskCode,
        lastEventAt: e.time,
        lastReceivedAt: receivedAt,
        batchOldestAt: e.time,
        events: 1,
      });
    }
    if (e.type === EVENT_TYPE.rating) {
      const level = e.data.level as string;
      const field =
        level === 'very_satisfied' ? 'verySatisfied' : level === 'satisfied' ? 'satisfied' : 'unsatisfied';
      deltas.add(e.unitCode, e.deskCode, e.time, { [field]: 1 }, 1);
      // A dislike of a named dossier counts against it in the 766 dossier satisfaction (5.4).
      if (level === 'unsatisfied' && e.dossierCode !== null) {
        touchedDossiers.add(e.unitCode, e.dossierCode, { y: 'disliked', t: e.time, d: e.deskCode });
      }
      // A rating naming a dossier counts for the dossier's procedure (through its state); one
      // naming none, for no procedure.
      if (e.dossierCode !== null) {
        touchedDossiers.add(e.unitCode, e.dossierCode, {
          y: 'rated',
          t: e.time,
          d: e.deskCode,
          l: level as RatingLevel,
        });
      } else procDeltas.add(e.unitCode, e.deskCode, e.time, '', { [field]: 1 }, 1);
      continue;
    }
    if (e.type.startsWith(PETITION_TYPE_PREFIX)) {
      const entry = petitionEntry(e);
      touchedPetitions.add(e.unitCode, e.data.petitionCode as string, entry);
      if (entry.dos !== undefined) {
        touchedDossiers.add(e.unitCode, entry.dos, { y: 'petitioned', t: e.time, d: e.deskCode });
      }
      if (entry.y === 'received' && typeof e.data.repeatOf === 'string') {
        touchedPetitions.add(e.unitCode, e.data.repeatOf, { y: 'repeated', t: e.time, d: e.deskCode });
      }
      continue;
    }
    if (e.type === EVENT_TYPE.received) {
      const channel = e.data.channel as Channel;
      const field =
        channel === 'direct' ? 'receivedDirect' : channel === 'online' ? 'receivedOnline' : 'receivedPostal';
      deltas.add(e.unitCode, e.deskCode, e.time, { [field]: 1 }, 1);
      procDeltas.add(e.unitCode, e.deskCode, e.time, e.data.procedureCode as string, { received: 1 }, 1);
    }
    touchedDossiers.add(e.unitCode, e.dossierCode as string, historyEntry(e));
  }

  const openDeltas = new OpenCountDeltas();
  if (touchedDossiers.entries.size > 0) {
    await applyStates(db, tx, dossierTable(procDeltas), touchedDossiers, deltas, (unit, state, sign) =>
      openDeltas.add(unit, state, sign),
    );
  }
  if (touchedPetitions.entries.size > 0) {
    await applyStates(db, tx, petitionTable(opts.deadline ?? builtInDeadline), touchedPetitions, deltas);
  }

  // The rest depends only on the deltas above, not on each other's results: sent at once they
  // travel pipelined on the transaction's connection (one wait instead of one per statement) and
  // still run in this order, so every writer locks rows table by table in the same order.
  // Every touched commune's chain (kept per process after the first read): the units above it
  // get the flush's buckets in `unit_rollups`, and 3.5b's fee facts in `fee_procedures`.
  const ancestry = await ancestryOf(db, tx, touchedUnits);
  const statements: SQL[] = [];
  for (const upsert of ROLLUP_UPSERTS) {
    const records = deltas.toRecords(upsert.table.fields);
    if (records.length > 0) statements.push(upsert.statement(records));
  }
  const unitRecords = deltas.unitRecords(ancestry);
  if (unitRecords.length > 0) statements.push(unitRollupUpsert(unitRecords));
  statements.push(...procDeltas.statements(ancestry));
  const names = procedureNamesOf(accepted);
  // Only names that differ from the stored ones: an unchanged name is neither rewritten nor locked
  // (every desk sends the same procedures, so a lock here would make concurrent flushes queue).
  if (names.length > 0)
    statements.push(
      sql`insert into procedures (code, name)
        select code, name from ${rowsOf(names, [
          ['code', 'text', (r) => r.code],
          ['name', 'text', (r) => r.name],
        ])}
        where not exists (select 1 from procedures p where p.code = x.code and p.name = x.name)
        order by code
        on conflict (code) do update set name = excluded.name`,
    );
  openDeltas.addToUnitsAbove(ancestry);
  statements.push(...openDeltas.statements());
  if (newDesks.size > 0)
    statements.push(
      sql`insert into desks (unit_code, desk_code)
        select unit_code, desk_code from ${rowsOf([...newDesks.values()], DESK_COLUMNS)}
        order by unit_code, desk_code
        on conflict do nothing`,
    );
  // One row per desk of the flush, in key order like the other upserts (no deadlocks). An import
  // of history says nothing of a desk's sync now, so it leaves desk health alone.
  if (!opts.historical)
    statements.push(
      sql`insert into desk_health (${sql.raw(DESK_HEALTH_NAMES)})
      select ${sql.raw(DESK_HEALTH_NAMES)} from ${rowsOf([...health.values()], DESK_HEALTH_COLUMNS)}
      order by unit_code, desk_code
      on conflict (unit_code, desk_code) do update set
        last_event_at = greatest(desk_health.last_event_at, excluded.last_event_at),
        last_received_at = greatest(desk_health.last_received_at, excluded.last_received_at),
        batch_oldest_at = excluded.batch_oldest_at,
        events = desk_health.events + excluded.events`,
    );
  const unitList = [...touchedUnits].sort();
  if (opts.notify) {
    // NOTIFY payloads are capped at 8 kB: send the touched communes in chunks.
    for (let i = 0; i < unitList.length; i += 1000)
      statements.push(sql`select pg_notify('motcua_units', ${unitList.slice(i, i + 1000).join(',')})`);
  }
  await Promise.all(statements.map((q) => db.query(q, tx, PREPARED)));
  return unitList;
}

/** Deadlines on the built-in calendar, for callers that bring none. */
const builtInDeadline = workingDeadline(makeWorkCalendar(VN_CALENDAR));

/** How one kind of state row (dossiers, petitions) is kept: its table, key, state and rollup share. */
interface StateTable<H, S> {
  table: string;
  /** The key's SQL names, in key order. */
  key: [string, string];
  columns: Column<Record<string, unknown>>[];
  keyColumns: Column<Record<string, unknown>>[];
  compute(history: H[]): S;
  contributions(state: S): Contribution[];
  /** Called with every state taken back (−1) or added (+1), beside its rollup contributions. */
  also?(unitCode: string, history: H[], state: S, sign: 1 | -1): void;
  /** The row of a state, keyed by the table's field names. */
  record(unitCode: string, code: string, state: S, history: H[]): Record<string, unknown>;
}

const dossierTable = (proc: ProcedureDeltas): StateTable<HistoryEntry, DossierState> => ({
  table: 'dossiers',
  key: ['unit_code', 'dossier_code'],
  columns: DOSSIER_COLUMNS,
  keyColumns: DOSSIER_KEY_COLUMNS,
  compute: (history) => computeDossierState(history.filter(isOutcomeEntry).map(toDossierEvent)),
  contributions: dossierContributions,
  also: (unitCode, history, state, sign) => {
    for (const c of procedureContributions(history, state)) {
      proc.add(unitCode, c.deskCode, c.time, c.procedureCode, c.counts, sign);
    }
  },
  record: (unitCode, dossierCode, state, history) =>
    ({
      unitCode,
      dossierCode,
      deskCode: state.deskCode,
      receivedAt: state.receivedAt,
      dueAt: state.dueAt,
      channel: state.channel,
      supplementRequests: state.supplementRequests,
      rescheduled: state.rescheduled,
      pausedMs: state.pausedMs,
      pendingSince: state.pendingSince,
      finishedAt: state.finishedAt,
      outcome: state.outcome,
      processingMs: state.processingMs,
      procedureCode: procedureOf(history),
      history,
    }) satisfies typeof dossiers.$inferInsert,
});

const petitionTable = (deadline: WorkingDeadline): StateTable<PetitionEntry, PetitionState> => ({
  table: 'petitions',
  key: ['unit_code', 'petition_code'],
  columns: PETITION_COLUMNS,
  keyColumns: PETITION_KEY_COLUMNS,
  compute: (history) => computePetitionState(history.map(toPetitionEvent), deadline),
  contributions: petitionContributions,
  record: (unitCode, petitionCode, state, history) =>
    ({
      unitCode,
      petitionCode,
      deskCode: state.deskCode,
      receivedAt: state.receivedAt,
      category: state.category,
      dossierCode: state.dossierCode,
      dueAt: state.dueAt,
      handledAt: state.handledAt,
      handledOnTime: state.handledOnTime,
      closedAt: state.closedAt,
      likes: state.likes,
      dislikes: state.dislikes,
      repeated: state.repeated,
      history,
    }) satisfies typeof petitions.$inferInsert,
});

function addContributions(deltas: RollupDeltas, unitCode: string, list: Contribution[], sign: 1 | -1) {
  for (const c of list) deltas.add(unitCode, c.deskCode, c.bucketTime, c.counts, sign);
}

/**
 * Folds each touched row's new history entries into its state and the rollup deltas, in two
 * steps that each take row locks in key order (so concurrent ingest processes cannot deadlock):
 * first every row is inserted whole as if it were new (`on conflict do nothing`, which waits for
 * a concurrent insert of the same row to commit); the ones that already existed are then read
 * under `for update`, merged with their history, their old contributions taken back and the new
 * ones added, and updated. A new row is one write.
 */
async function applyStates<H, S>(
  db: Database,
  tx: Executor,
  spec: StateTable<H, S>,
  touched: Touched<H>,
  deltas: RollupDeltas,
  /** Called with each state taken back (-1) or put in (+1), as the rollup contributions are. */
  onState?: (unitCode: string, state: S, sign: 1 | -1) => void,
): Promise<void> {
  const [unitKey, codeKey] = spec.key;
  const names = namesOf(spec.columns);
  const fresh = [...touched.entries.keys()].sort().map((key) => {
    const t = touched.entries.get(key) as { unitCode: string; code: string; history: H[] };
    const state = spec.compute(t.history);
    return { key, t, state, record: spec.record(t.unitCode, t.code, state, t.history) };
  });
  const inserted = await db.query<Record<string, string>>(
    sql`insert into ${sql.raw(spec.table)} (${sql.raw(names)})
      select * from ${rowsOf(
        fresh.map((f) => f.record),
        spec.columns,
      )}
      order by ${sql.raw(`${unitKey}, ${codeKey}`)}
      on conflict (${sql.raw(`${unitKey}, ${codeKey}`)}) do nothing
      returning ${sql.raw(`${unitKey}, ${codeKey}`)}`,
    tx,
    PREPARED,
  );
  const isNew = new Set(inserted.map((r) => `${r[unitKey]}\u0000${r[codeKey]}`));
  const existing: Record<string, unknown>[] = [];
  for (const f of fresh) {
    if (isNew.has(f.key)) {
      addContributions(deltas, f.t.unitCode, spec.contributions(f.state), 1);
      spec.also?.(f.t.unitCode, f.t.history, f.state, 1);
      onState?.(f.t.unitCode, f.state, 1);
    } else existing.push(f.record);
  }
  if (existing.length === 0) return;

  const rows = await db.query<Record<string, string> & { history: H[] | string }>(
    sql`select s.${sql.raw(unitKey)}, s.${sql.raw(codeKey)}, s.history
      from ${sql.raw(spec.table)} s
      join ${rowsOf(existing, spec.keyColumns)}
        on s.${sql.raw(unitKey)} = x.${sql.raw(unitKey)} and s.${sql.raw(codeKey)} = x.${sql.raw(codeKey)}
      order by s.${sql.raw(unitKey)}, s.${sql.raw(codeKey)}
      ${db.kind === 'postgres' ? sql`for update of s` : sql``}`,
    tx,
    PREPARED,
  );
  const updates: Record<string, unknown>[] = [];
  for (const row of rows) {
    const unitCode = row[unitKey];
    const code = row[codeKey];
    const incoming = touched.entries.get(`${unitCode}\u0000${code}`)?.history ?? [];
    const oldHistory = (typeof row.history === 'string' ? JSON.parse(row.history) : row.history) as H[];
    const history = oldHistory.concat(incoming);
    const oldState = spec.compute(oldHistory);
    addContributions(deltas, unitCode, spec.contributions(oldState), -1);
    spec.also?.(unitCode, oldHistory, oldState, -1);
    onState?.(unitCode, oldState, -1);
    const state = spec.compute(history);
    addContributions(deltas, unitCode, spec.contributions(state), 1);
    spec.also?.(unitCode, history, state, 1);
    onState?.(unitCode, state, 1);
    updates.push(spec.record(unitCode, code, state, history));
  }
  const set = spec.columns
    .slice(spec.keyColumns.length)
    .map(([c]) => `${c} = x.${c}`)
    .join(', ');
  await db.query(
    sql`update ${sql.raw(spec.table)} s set ${sql.raw(set)}
      from ${rowsOf(updates, spec.columns)}
      where s.${sql.raw(unitKey)} = x.${sql.raw(unitKey)} and s.${sql.raw(codeKey)} = x.${sql.raw(codeKey)}`,
    tx,
    PREPARED,
  );
}
