import type { ValidatedEvent } from '@motcua/contract';
import {
  BUCKET_FIELDS,
  type BucketCounts,
  type Channel,
  computeDossierState,
  type DossierEvent,
  type DossierEventType,
  type DossierState,
  dossierContribution,
  localDayStart,
} from '@motcua/metrics';
import { sql } from 'drizzle-orm';
import type { Database, Executor } from './client.ts';
import {
  columnsOf,
  DOSSIER_COLUMNS,
  DOSSIER_KEY_COLUMNS,
  namesOf,
  ROLLUP_COUNTERS,
  ROLLUP_KEY_COLUMNS,
  rowsOf,
} from './columns.ts';
import type { dossiers } from './schema/dossiers.ts';
import { desks } from './schema/units.ts';

const HOUR = 3_600_000;
const ROLLUP_COLUMNS = [...ROLLUP_KEY_COLUMNS, ...ROLLUP_COUNTERS];
const ROLLUP_NAMES = namesOf(ROLLUP_COLUMNS);
/** An upsert adds a flush's deltas to the stored counters. */
const ROLLUP_ADD = ROLLUP_COUNTERS.map(([c]) => `${c} = rollups.${c} + excluded.${c}`).join(', ');
const DESK_COLUMNS = columnsOf(desks, ['unitCode', 'deskCode']);
/** Every dossier column but its key is rewritten from the recomputed state. */
const DOSSIER_UPDATE = DOSSIER_COLUMNS.slice(DOSSIER_KEY_COLUMNS.length)
  .map(([c]) => `${c} = x.${c}`)
  .join(', ');
/** Every statement of a flush has a fixed text (rows travel as arrays), so each is prepared once per connection. */
const PREPARED = { prepare: true } as const;
const MINUTE = 60_000;

export type WriteStatus = 'accepted' | 'duplicate';

export interface WriteResult {
  statuses: WriteStatus[];
  /** Commune codes whose numbers may have changed. */
  units: string[];
}

const DOSSIER_PREFIX = 'vn.motcua.dossier.';
const RATING_TYPE = 'vn.motcua.rating.submitted';
/** Compact form of a dossier event kept in `dossiers.history`. */
interface HistoryEntry {
  y: DossierEventType;
  t: number;
  d: string;
  due?: number;
  ch?: Channel;
}

type RollupRecord = Record<string, string | number>;

/** Accumulates rollup deltas for one flush, at all three grains. */
class RollupDeltas {
  readonly rows = new Map<
    string,
    { grain: string; unit: string; start: number; desk: string; c: Partial<BucketCounts> }
  >();

  add(unit: string, desk: string, time: number, counts: Partial<BucketCounts>, sign: 1 | -1) {
    const starts: [string, number][] = [
      ['m', Math.floor(time / MINUTE) * MINUTE],
      ['h', Math.floor(time / HOUR) * HOUR],
      ['d', localDayStart(time)],
    ];
    for (const [grain, start] of starts) {
      const key = `${grain}|${unit}|${start}|${desk}`;
      let row = this.rows.get(key);
      if (!row) {
        row = { grain, unit, start, desk, c: {} };
        this.rows.set(key, row);
      }
      for (const [field, value] of Object.entries(counts) as [keyof BucketCounts, number][]) {
        row.c[field] = (row.c[field] ?? 0) + sign * value;
      }
    }
  }

  /** Non-zero rows in key order, so concurrent writers lock rows in the same order. */
  toRecords(): RollupRecord[] {
    const out: RollupRecord[] = [];
    const keys = [...this.rows.keys()].sort();
    for (const key of keys) {
      const row = this.rows.get(key);
      if (!row || Object.values(row.c).every((v) => v === 0)) continue;
      const rec: RollupRecord = {
        grain: row.grain,
        unitCode: row.unit,
        bucketStart: row.start,
        deskCode: row.desk,
      };
      for (const field of BUCKET_FIELDS) rec[field] = row.c[field] ?? 0;
      out.push(rec);
    }
    return out;
  }
}

function toDossierEvent(e: HistoryEntry): DossierEvent {
  return { type: e.y, time: e.t, deskCode: e.d, dueAt: e.due, channel: e.ch };
}

function historyEntry(e: ValidatedEvent): HistoryEntry {
  const entry: HistoryEntry = {
    y: e.type.slice(DOSSIER_PREFIX.length) as DossierEventType,
    t: e.time,
    d: e.deskCode,
  };
  if (entry.y === 'received') {
    entry.due = Date.parse(e.data.dueAt as string);
    entry.ch = e.data.channel as Channel;
  }
  return entry;
}

interface DossierRow {
  unit_code: string;
  dossier_code: string;
  desk_code: string;
  finished_at: string | number | null;
  outcome: string | null;
  processing_ms: string | number | null;
  history: HistoryEntry[] | string;
}

const num = (v: string | number | null) => (v == null ? null : Number(v));

/**
 * Stores a batch in one transaction: raw events (idempotent on source + id), the state of
 * every dossier they touch (recomputed from its whole history), and the rollup deltas.
 * Returns, per input event, whether it was new. Rows are written in key order, so concurrent
 * batches wait for each other rather than deadlock.
 */
export async function writeBatch(
  db: Database,
  batch: ValidatedEvent[],
  opts: { knownDesks?: Set<string>; notify?: boolean } = {},
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
  const result = await db.transaction(async (tx) => {
    const inserted = await db.query<{ source: string; id: string }>(
      sql`insert into events (source, id, type, time, unit_code, desk_code, dossier_code, data, attributes)
        select source, id, type, to_timestamp(time / 1000.0), unit_code, desk_code, dossier_code, data, attributes
        from ${rowsOf(candidates, [
          ['source', 'text', (e) => e.source],
          ['id', 'text', (e) => e.id],
          ['type', 'text', (e) => e.type],
          ['time', 'float8', (e) => e.time],
          ['unit_code', 'text', (e) => e.unitCode],
          ['desk_code', 'text', (e) => e.deskCode],
          ['dossier_code', 'text', (e) => e.dossierCode],
          ['data', 'jsonb', (e) => e.data],
          ['attributes', 'jsonb', (e) => e.attributes],
        ])}
        order by source, id
        on conflict (source, id) do nothing
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
    if (accepted.length === 0) return { statuses, units: [] };

    const deltas = new RollupDeltas();
    const touchedUnits = new Set<string>();
    const byDossier = new Map<string, ValidatedEvent[]>();
    for (const e of accepted) {
      touchedUnits.add(e.unitCode);
      const deskKey = `${e.unitCode}/${e.deskCode}`;
      if (!opts.knownDesks?.has(deskKey))
        newDesks.set(deskKey, { unitCode: e.unitCode, deskCode: e.deskCode });
      if (e.type === RATING_TYPE) {
        const level = e.data.level as string;
        const field =
          level === 'very_satisfied' ? 'verySatisfied' : level === 'satisfied' ? 'satisfied' : 'unsatisfied';
        deltas.add(e.unitCode, e.deskCode, e.time, { [field]: 1 }, 1);
        continue;
      }
      if (e.type === `${DOSSIER_PREFIX}received`) {
        const channel = e.data.channel as Channel;
        const field =
          channel === 'direct'
            ? 'receivedDirect'
            : channel === 'online'
              ? 'receivedOnline'
              : 'receivedPostal';
        deltas.add(e.unitCode, e.deskCode, e.time, { [field]: 1 }, 1);
      }
      const key = `${e.unitCode}\u0000${e.dossierCode}`;
      const list = byDossier.get(key);
      if (list) list.push(e);
      else byDossier.set(key, [e]);
    }

    if (byDossier.size > 0) await applyDossiers(db, tx, byDossier, deltas);

    const records = deltas.toRecords();
    if (records.length > 0) {
      await db.query(
        sql`insert into rollups (${sql.raw(ROLLUP_NAMES)})
          select ${sql.raw(ROLLUP_NAMES)} from ${rowsOf(records, ROLLUP_COLUMNS)}
          on conflict (${sql.raw(namesOf(ROLLUP_KEY_COLUMNS))}) do update set ${sql.raw(ROLLUP_ADD)}`,
        tx,
        PREPARED,
      );
    }
    if (newDesks.size > 0) {
      await db.query(
        sql`insert into desks (unit_code, desk_code)
          select unit_code, desk_code from ${rowsOf([...newDesks.values()], DESK_COLUMNS)}
          order by unit_code, desk_code
          on conflict do nothing`,
        tx,
        PREPARED,
      );
    }
    const unitList = [...touchedUnits].sort();
    if (opts.notify) {
      // NOTIFY payloads are capped at 8 kB: send the touched communes in chunks.
      for (let i = 0; i < unitList.length; i += 1000) {
        await db.query(
          sql`select pg_notify('motcua_units', ${unitList.slice(i, i + 1000).join(',')})`,
          tx,
          PREPARED,
        );
      }
    }
    return { statuses, units: unitList };
  });
  // Known only once committed: a flush that failed may not have stored them.
  for (const key of newDesks.keys()) opts.knownDesks?.add(key);
  return result;
}

type DossierRecord = ReturnType<typeof dossierRecord>;

/** The `dossiers` row of a state. */
function dossierRecord(unitCode: string, dossierCode: string, state: DossierState, history: HistoryEntry[]) {
  return {
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
    history,
  } satisfies typeof dossiers.$inferInsert;
}

/**
 * Folds each touched dossier's new events into its state and the rollup deltas, in two steps
 * that each take row locks in key order (so concurrent ingest processes cannot deadlock on
 * dossiers): first every dossier is inserted whole as if it were new (`on conflict do
 * nothing`, which waits for a concurrent insert of the same dossier to commit); the ones that
 * already existed are then read under `for update`, merged with their history and updated.
 * A new dossier is one row write; before, every dossier got a placeholder insert, a locking
 * read and an upsert.
 */
async function applyDossiers(
  db: Database,
  tx: Executor,
  byDossier: Map<string, ValidatedEvent[]>,
  deltas: RollupDeltas,
): Promise<void> {
  const keys = [...byDossier.keys()].sort();
  const fresh = keys.map((key) => {
    const incoming = byDossier.get(key) ?? [];
    const history = incoming.map(historyEntry);
    const state = computeDossierState(history.map(toDossierEvent));
    const record = dossierRecord(incoming[0].unitCode, incoming[0].dossierCode as string, state, history);
    return { key, record, contribution: dossierContribution(state) };
  });
  const inserted = await db.query<{ unit_code: string; dossier_code: string }>(
    sql`insert into dossiers (${sql.raw(namesOf(DOSSIER_COLUMNS))})
      select * from ${rowsOf(
        fresh.map((f) => f.record),
        DOSSIER_COLUMNS,
      )}
      order by unit_code, dossier_code
      on conflict (unit_code, dossier_code) do nothing
      returning unit_code, dossier_code`,
    tx,
    PREPARED,
  );
  const isNew = new Set(inserted.map((r) => `${r.unit_code}\u0000${r.dossier_code}`));
  const existingKeys: { unitCode: string; dossierCode: string }[] = [];
  for (const f of fresh) {
    if (!isNew.has(f.key)) {
      existingKeys.push({ unitCode: f.record.unitCode, dossierCode: f.record.dossierCode });
      continue;
    }
    const c = f.contribution;
    if (c) deltas.add(f.record.unitCode, c.deskCode, c.bucketTime, c.counts, 1);
  }
  if (existingKeys.length === 0) return;

  const rows = await db.query<DossierRow>(
    sql`select d.unit_code, d.dossier_code, d.desk_code, d.finished_at, d.outcome, d.processing_ms, d.history
      from dossiers d
      join ${rowsOf(existingKeys, DOSSIER_KEY_COLUMNS)}
        on d.unit_code = x.unit_code and d.dossier_code = x.dossier_code
      order by d.unit_code, d.dossier_code
      ${db.kind === 'postgres' ? sql`for update of d` : sql``}`,
    tx,
    PREPARED,
  );
  const updates: DossierRecord[] = [];
  for (const row of rows) {
    const incoming = byDossier.get(`${row.unit_code}\u0000${row.dossier_code}`) ?? [];
    const oldHistory = (
      typeof row.history === 'string' ? JSON.parse(row.history) : row.history
    ) as HistoryEntry[];
    const history = oldHistory.concat(incoming.map(historyEntry));
    const state: DossierState = computeDossierState(history.map(toDossierEvent));

    const oldFinished = num(row.finished_at);
    if (oldFinished != null && row.outcome) {
      const counts: Partial<BucketCounts> = { [row.outcome]: 1, procMs: num(row.processing_ms) ?? 0 };
      deltas.add(row.unit_code, row.desk_code, oldFinished, counts, -1);
    }
    const contribution = dossierContribution(state);
    if (contribution)
      deltas.add(row.unit_code, contribution.deskCode, contribution.bucketTime, contribution.counts, 1);
    updates.push(dossierRecord(row.unit_code, row.dossier_code, state, history));
  }
  await db.query(
    sql`update dossiers d set ${sql.raw(DOSSIER_UPDATE)}
      from ${rowsOf(updates, DOSSIER_COLUMNS)}
      where d.unit_code = x.unit_code and d.dossier_code = x.dossier_code`,
    tx,
    PREPARED,
  );
}
