import {
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

const HOUR = 3_600_000;
const MINUTE = 60_000;

/** An event that passed validation, ready to store. */
export interface IncomingEvent {
  source: string;
  id: string;
  /** Full CloudEvents type, e.g. `vn.motcua.dossier.received`. */
  type: string;
  /** Epoch ms of the CloudEvents `time`. */
  time: number;
  unitCode: string;
  deskCode: string;
  dossierCode: string | null;
  data: Record<string, unknown>;
  attributes: Record<string, unknown> | null;
}

export type WriteStatus = 'accepted' | 'duplicate';

export interface WriteResult {
  statuses: WriteStatus[];
  /** Commune codes whose numbers may have changed. */
  units: string[];
}

const DOSSIER_PREFIX = 'vn.motcua.dossier.';
const RATING_TYPE = 'vn.motcua.rating.submitted';
const COUNT_COLUMNS: [keyof BucketCounts, string][] = [
  ['verySatisfied', 'very_satisfied'],
  ['satisfied', 'satisfied'],
  ['unsatisfied', 'unsatisfied'],
  ['early', 'early'],
  ['onTime', 'on_time'],
  ['late', 'late'],
  ['unknown', 'unknown'],
  ['procMs', 'proc_ms'],
  ['receivedDirect', 'received_direct'],
  ['receivedOnline', 'received_online'],
  ['receivedPostal', 'received_postal'],
];

/** Compact form of a dossier event kept in `dossiers.history`. */
interface HistoryEntry {
  y: DossierEventType;
  t: number;
  d: string;
  due?: number;
  ch?: Channel;
}

const json = (value: unknown) => sql`${JSON.stringify(value)}::jsonb`;

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
  toRecords(): Record<string, string | number>[] {
    const out: Record<string, string | number>[] = [];
    const keys = [...this.rows.keys()].sort();
    for (const key of keys) {
      const row = this.rows.get(key);
      if (!row || Object.values(row.c).every((v) => v === 0)) continue;
      const rec: Record<string, string | number> = {
        grain: row.grain,
        unit_code: row.unit,
        bucket_start: row.start,
        desk_code: row.desk,
      };
      for (const [field, column] of COUNT_COLUMNS) rec[column] = row.c[field] ?? 0;
      out.push(rec);
    }
    return out;
  }
}

function toDossierEvent(e: HistoryEntry): DossierEvent {
  return { type: e.y, time: e.t, deskCode: e.d, dueAt: e.due, channel: e.ch };
}

function historyEntry(e: IncomingEvent): HistoryEntry {
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
 * Returns, per input event, whether it was new.
 */
export async function writeBatch(
  db: Database,
  batch: IncomingEvent[],
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

  return db.transaction(async (tx) => {
    const inserted = await db.query<{ source: string; id: string }>(
      sql`insert into events (source, id, type, time, unit_code, desk_code, dossier_code, data, attributes)
        select source, id, type, to_timestamp(time / 1000.0), unit_code, desk_code, dossier_code, data, attributes
        from jsonb_to_recordset(${json(
          candidates.map((e) => ({
            source: e.source,
            id: e.id,
            type: e.type,
            time: e.time,
            unit_code: e.unitCode,
            desk_code: e.deskCode,
            dossier_code: e.dossierCode,
            data: e.data,
            attributes: e.attributes,
          })),
        )}) as x(source text, id text, type text, time double precision, unit_code text, desk_code text,
                 dossier_code text, data jsonb, attributes jsonb)
        on conflict (source, id) do nothing
        returning source, id`,
      tx,
    );
    const accepted: IncomingEvent[] = [];
    for (const row of inserted) {
      const i = firstIndex.get(`${row.source}\u0000${row.id}`);
      if (i === undefined) continue;
      statuses[i] = 'accepted';
      accepted.push(batch[i]);
    }
    if (accepted.length === 0) return { statuses, units: [] };

    const deltas = new RollupDeltas();
    const touchedUnits = new Set<string>();
    const newDesks = new Map<string, { unit_code: string; desk_code: string }>();
    const byDossier = new Map<string, IncomingEvent[]>();
    for (const e of accepted) {
      touchedUnits.add(e.unitCode);
      const deskKey = `${e.unitCode}/${e.deskCode}`;
      if (!opts.knownDesks?.has(deskKey))
        newDesks.set(deskKey, { unit_code: e.unitCode, desk_code: e.deskCode });
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
      const cols = COUNT_COLUMNS.map(([, c]) => c);
      await db.query(
        sql`insert into rollups (grain, unit_code, bucket_start, desk_code, ${sql.raw(cols.join(', '))})
          select grain, unit_code, bucket_start, desk_code, ${sql.raw(cols.join(', '))}
          from jsonb_to_recordset(${json(records)}) as x(grain text, unit_code text, bucket_start bigint,
            desk_code text, ${sql.raw(cols.map((c) => `${c} ${c === 'proc_ms' ? 'bigint' : 'integer'}`).join(', '))})
          on conflict (grain, unit_code, bucket_start, desk_code) do update set
          ${sql.raw(cols.map((c) => `${c} = rollups.${c} + excluded.${c}`).join(', '))}`,
        tx,
      );
    }
    if (newDesks.size > 0) {
      await db.query(
        sql`insert into desks (unit_code, desk_code)
          select unit_code, desk_code from jsonb_to_recordset(${json([...newDesks.values()])})
            as x(unit_code text, desk_code text)
          on conflict do nothing`,
        tx,
      );
      for (const key of newDesks.keys()) opts.knownDesks?.add(key);
    }
    const unitList = [...touchedUnits].sort();
    if (opts.notify) {
      // NOTIFY payloads are capped at 8 kB: send the touched communes in chunks.
      for (let i = 0; i < unitList.length; i += 1000) {
        await db.query(sql`select pg_notify('motcua_units', ${unitList.slice(i, i + 1000).join(',')})`, tx);
      }
    }
    return { statuses, units: unitList };
  });
}

const DOSSIER_COLUMNS =
  sql.raw(`unit_code text, dossier_code text, desk_code text, received_at bigint, due_at bigint,
  channel text, supplement_requests integer, rescheduled boolean, paused_ms bigint, pending_since bigint,
  finished_at bigint, outcome text, processing_ms bigint, history jsonb`);

/** The `dossiers` row of a state, ready for jsonb_to_recordset. */
function dossierRecord(unitCode: string, dossierCode: string, state: DossierState, history: HistoryEntry[]) {
  return {
    unit_code: unitCode,
    dossier_code: dossierCode,
    desk_code: state.deskCode,
    received_at: state.receivedAt,
    due_at: state.dueAt,
    channel: state.channel,
    supplement_requests: state.supplementRequests,
    rescheduled: state.rescheduled,
    paused_ms: state.pausedMs,
    pending_since: state.pendingSince,
    finished_at: state.finishedAt,
    outcome: state.outcome,
    processing_ms: state.processingMs,
    history,
  };
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
  byDossier: Map<string, IncomingEvent[]>,
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
    sql`insert into dossiers (unit_code, dossier_code, desk_code, received_at, due_at, channel,
        supplement_requests, rescheduled, paused_ms, pending_since, finished_at, outcome, processing_ms, history)
      select * from jsonb_to_recordset(${json(fresh.map((f) => f.record))}) as x(${DOSSIER_COLUMNS})
      order by unit_code, dossier_code
      on conflict (unit_code, dossier_code) do nothing
      returning unit_code, dossier_code`,
    tx,
  );
  const isNew = new Set(inserted.map((r) => `${r.unit_code}\u0000${r.dossier_code}`));
  const existingKeys: { unit_code: string; dossier_code: string }[] = [];
  for (const f of fresh) {
    if (!isNew.has(f.key)) {
      existingKeys.push({ unit_code: f.record.unit_code, dossier_code: f.record.dossier_code });
      continue;
    }
    const c = f.contribution;
    if (c) deltas.add(f.record.unit_code, c.deskCode, c.bucketTime, c.counts, 1);
  }
  if (existingKeys.length === 0) return;

  const rows = await db.query<DossierRow>(
    sql`select d.unit_code, d.dossier_code, d.desk_code, d.finished_at, d.outcome, d.processing_ms, d.history
      from dossiers d
      join jsonb_to_recordset(${json(existingKeys)}) as x(unit_code text, dossier_code text)
        on d.unit_code = x.unit_code and d.dossier_code = x.dossier_code
      order by d.unit_code, d.dossier_code
      ${db.kind === 'postgres' ? sql`for update of d` : sql``}`,
    tx,
  );
  const updates: ReturnType<typeof dossierRecord>[] = [];
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
    sql`update dossiers d set desk_code = x.desk_code, received_at = x.received_at, due_at = x.due_at,
        channel = x.channel, supplement_requests = x.supplement_requests, rescheduled = x.rescheduled,
        paused_ms = x.paused_ms, pending_since = x.pending_since, finished_at = x.finished_at,
        outcome = x.outcome, processing_ms = x.processing_ms, history = x.history
      from jsonb_to_recordset(${json(updates)}) as x(${DOSSIER_COLUMNS})
      where d.unit_code = x.unit_code and d.dossier_code = x.dossier_code`,
    tx,
  );
}
