import type { ValidatedEvent } from '@motcua/contract';
import type { WorkingDeadline } from '@motcua/metrics';
import { sql } from 'drizzle-orm';
import { copyField, type Database } from './client.ts';
import { isConnectionError } from './errors.ts';
import { withEventMonths } from './event-months.ts';
import { foldAccepted } from './write.ts';

/** The staging table's columns, in COPY order; `ord` is the event's place in its chunk. */
const STAGING_COLUMNS = [
  'ord',
  'source',
  'id',
  'type',
  'time',
  'unit_code',
  'desk_code',
  'dossier_code',
  'data',
  'attributes',
] as const;

/** One chunk's rows in COPY text format. `time` travels as epoch ms and is converted on insert. */
export function stagingText(events: readonly ValidatedEvent[]): string {
  const lines: string[] = new Array(events.length);
  for (let i = 0; i < events.length; i++) {
    const e = events[i];
    lines[i] = [
      String(i),
      copyField(e.source),
      copyField(e.id),
      e.type,
      String(e.time),
      e.unitCode,
      copyField(e.deskCode),
      copyField(e.dossierCode),
      copyField(JSON.stringify(e.data)),
      copyField(e.attributes === null ? null : JSON.stringify(e.attributes)),
    ].join('\t');
  }
  lines.push('');
  return lines.join('\n');
}

export interface ImportCheckpoint {
  fileKey: string;
  path: string;
  /** The last line of the file this chunk covers. */
  line: number;
  accepted: number;
  duplicates: number;
  /** Lines of this chunk that failed validation. */
  rejected: number;
  /** The file ends with this chunk. */
  finished: boolean;
}

export interface ChunkResult {
  accepted: number;
  duplicates: number;
  /** Commune codes whose numbers changed. */
  units: string[];
}

const RETRYABLE = new Set(['40P01', '40001']);

/** A stable lane per commune, so concurrent lanes never share a row. */
function laneOf(unitCode: string, lanes: number): number {
  let h = 0;
  for (let i = 0; i < unitCode.length; i++) h = (h * 31 + unitCode.charCodeAt(i)) | 0;
  return Math.abs(h) % lanes;
}

/**
 * Stores one chunk of history: per lane (communes split between `lanes` concurrent
 * transactions, which share no row: every table is keyed by commune), COPY into a temporary
 * staging table, one set-based insert into `event_ids` and `events` (`on conflict do nothing`,
 * so event ids already stored count as duplicates, as on the live path; each month's partition
 * made first if need be), then the new events through
 * `foldAccepted`, the ingest's own state machine, so dossier state and rollups come out exactly
 * as if the events had been posted. Each lane is stored whole or not at all.
 */
export async function importChunk(
  db: Database,
  events: readonly ValidatedEvent[],
  opts: {
    knownDesks: Set<string>;
    deadline?: WorkingDeadline;
    notify?: boolean;
    /** Concurrent transactions (default 1). */
    lanes?: number;
  },
): Promise<ChunkResult> {
  const lanes = Math.max(1, opts.lanes ?? 1);
  const split: ValidatedEvent[][] = Array.from({ length: lanes }, () => []);
  if (lanes === 1) split[0] = events as ValidatedEvent[];
  else for (const e of events) split[laneOf(e.unitCode, lanes)].push(e);
  const results = await Promise.all(
    split.filter((l) => l.length > 0).map((lane) => importLane(db, lane, opts)),
  );
  const units = new Set<string>();
  let accepted = 0;
  for (const r of results) {
    accepted += r.accepted;
    for (const u of r.units) units.add(u);
  }
  return { accepted, duplicates: events.length - accepted, units: [...units].sort() };
}

async function importLane(
  db: Database,
  events: readonly ValidatedEvent[],
  opts: Parameters<typeof importChunk>[2],
): Promise<ChunkResult> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await withEventMonths(
        db,
        events.map((e) => e.time),
        () => importLaneOnce(db, events, opts),
      );
    } catch (err) {
      const code = (err as { code?: string })?.code ?? '';
      if (!RETRYABLE.has(code) || attempt >= 5 || isConnectionError(err)) throw err;
    }
  }
}

async function importLaneOnce(
  db: Database,
  events: readonly ValidatedEvent[],
  opts: Parameters<typeof importChunk>[2],
): Promise<ChunkResult> {
  const newDesks = new Map<string, { unitCode: string; deskCode: string }>();
  const result = await db.transaction(async (tx) => {
    await db.query(
      sql`create temp table if not exists import_staging (
        ord integer, source text, id text, type text, time float8, unit_code text, desk_code text,
        dossier_code text, data jsonb, attributes jsonb) on commit delete rows`,
      tx,
    );
    await db.copyIn(tx, 'import_staging', STAGING_COLUMNS, stagingText(events));
    // The first of repeated ids in a chunk is the one stored, as in a live batch.
    // As on the live path: the id into `event_ids` first (it decides duplicates), then the row.
    const inserted = await db.query<{ ord: number }>(
      sql`with firsts as (select distinct on (source, id) * from import_staging order by source, id, ord),
        fresh as (
          insert into event_ids (source, id) select source, id from firsts
          order by source, id
          on conflict (source, id) do nothing
          returning source, id),
        stored as (
          insert into events (source, id, type, time, unit_code, desk_code, dossier_code, data, attributes)
          select source, id, type, to_timestamp(time / 1000.0), unit_code, desk_code, dossier_code, data, attributes
          from firsts join fresh using (source, id)
          returning source, id)
        select s.ord from stored join firsts s using (source, id)`,
      tx,
    );
    const ords = inserted.map((r) => Number(r.ord)).sort((a, b) => a - b);
    const accepted = ords.map((i) => events[i]);
    const units = await foldAccepted(db, tx, accepted, {
      knownDesks: opts.knownDesks,
      deadline: opts.deadline,
      notify: opts.notify,
      newDesks,
      historical: true,
    });
    return { accepted: accepted.length, duplicates: events.length - accepted.length, units };
  });
  for (const key of newDesks.keys()) opts.knownDesks.add(key);
  return result;
}

/**
 * Records how far a file got, after its chunk committed. Should the process stop between the
 * two, the chunk is read again on resume: what it had stored then counts as duplicates (the
 * numbers stay right; only the file's accepted/duplicate split shifts).
 */
export async function saveImportCheckpoint(db: Database, cp: ImportCheckpoint): Promise<void> {
  await db.query(
    sql`insert into import_files (file_key, path, line, accepted, duplicates, rejected, finished_at)
      values (${cp.fileKey}, ${cp.path}, ${cp.line}, ${cp.accepted}, ${cp.duplicates}, ${cp.rejected},
        ${cp.finished ? sql`now()` : sql`null`})
      on conflict (file_key) do update set path = excluded.path, line = excluded.line,
        accepted = import_files.accepted + excluded.accepted,
        duplicates = import_files.duplicates + excluded.duplicates,
        rejected = import_files.rejected + excluded.rejected,
        updated_at = now(), finished_at = excluded.finished_at`,
  );
}

export interface ImportFileState {
  line: number;
  accepted: number;
  duplicates: number;
  rejected: number;
  finished: boolean;
}

/** Where an earlier import of this file stopped, if one ran. */
export async function readImportFile(db: Database, fileKey: string): Promise<ImportFileState | null> {
  const rows = await db.query<{
    line: string | number;
    accepted: string | number;
    duplicates: string | number;
    rejected: string | number;
    finished: boolean;
  }>(
    sql`select line, accepted, duplicates, rejected, finished_at is not null as finished
      from import_files where file_key = ${fileKey}`,
  );
  if (rows.length === 0) return null;
  const r = rows[0];
  return {
    line: Number(r.line),
    accepted: Number(r.accepted),
    duplicates: Number(r.duplicates),
    rejected: Number(r.rejected),
    finished: r.finished,
  };
}

/** Starts a file's record over (a finished file imported again, or `--restart`). */
export async function resetImportFile(db: Database, fileKey: string): Promise<void> {
  await db.query(sql`delete from import_files where file_key = ${fileKey}`);
}

/** The partial indexes of open dossiers that the open counts read (migrations 0001, 0008 and 0016). */
export const OPEN_DOSSIER_INDEXES = [
  'dossiers_open_idx',
  'dossiers_open_timed_idx',
  'dossiers_open_deadline_idx',
  'dossiers_open_pending_idx',
] as const;

/** The counter tables the write path keeps for the open counts (migrations 0008 and 0016). */
export const OPEN_DOSSIER_COUNTERS = ['open_dossier_counts', 'open_dossier_deadlines'] as const;

async function pagesOf(db: Database, relations: readonly string[]): Promise<number> {
  const [r] = await db.query<{ pages: number | string }>(
    sql`select coalesce(sum(pg_relation_size(c.oid) / 8192), 0)::float8 as pages from pg_class c
      where c.relname = any(${`{${relations.join(',')}}`}::text[])`,
  );
  return Number(r.pages);
}

/** Pages of the open-dossier indexes, all together. */
export const openDossierIndexPages = (db: Database) => pagesOf(db, OPEN_DOSSIER_INDEXES);

/** Pages of the open-dossier counter tables, both together. */
export const openDossierCounterPages = (db: Database) => pagesOf(db, OPEN_DOSSIER_COUNTERS);

export interface OpenDossierRebuild {
  /** Pages of the indexes before and after. */
  before: number;
  after: number;
  /** Pages of the counter tables before and after. */
  counters: { before: number; after: number };
}

/**
 * Rebuilds the open-dossier indexes, compacts the counter tables and vacuums `dossiers`, after a
 * write faster than vacuum follows (an import of history). Each event rewrites its dossier's row
 * and leaves a dead entry in these indexes, and its counter rows a dead version; a vacuum removes
 * them but keeps the pages they filled, and the open counts read every page: an import of a year
 * leaves them hundreds of times their live size. On Postgres the rebuild is `concurrently`
 * (writes go on meanwhile); PGlite has one connection. The counter tables (a few thousand rows)
 * are rewritten by `vacuum full`, which holds writes to them for its few milliseconds.
 */
export async function rebuildOpenDossierIndexes(db: Database): Promise<OpenDossierRebuild> {
  const before = await openDossierIndexPages(db);
  const countersBefore = await openDossierCounterPages(db);
  const how = db.kind === 'postgres' ? 'concurrently ' : '';
  for (const index of OPEN_DOSSIER_INDEXES) await db.query(sql.raw(`reindex index ${how}${index}`));
  await db.query(sql.raw(`vacuum full analyze ${OPEN_DOSSIER_COUNTERS.join(', ')}`));
  await db.query(sql`vacuum analyze dossiers`);
  return {
    before,
    after: await openDossierIndexPages(db),
    counters: { before: countersBefore, after: await openDossierCounterPages(db) },
  };
}
