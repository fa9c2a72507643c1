import { createDb, type Database, loadReferenceUnits, migrate, type TreeName } from '@motcua/db';
import postgres from 'postgres';
import { DEFAULT_READ_TREE } from './config.ts';

export interface BenchDb {
  name: string;
  url: string;
  db: Database;
  drop(): Promise<void>;
}

function urlFor(base: string, name: string): string {
  const url = new URL(base);
  url.pathname = `/${name}`;
  return url.toString();
}

/** A fresh database next to DATABASE_URL's, migrated, with a reference tree (Hà Nội's 526 communes by default) loaded. */
export async function createBenchDb(
  base: string,
  name: string,
  tree: TreeName = DEFAULT_READ_TREE,
): Promise<BenchDb> {
  const admin = postgres(base, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`drop database if exists ${name} with (force)`);
    await admin.unsafe(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = urlFor(base, name);
  const db = await createDb({ url, max: 4 });
  await migrate(db);
  await loadReferenceUnits(db, tree);
  return {
    name,
    url,
    db,
    async drop() {
      await db.close();
      const a = postgres(base, { max: 1, onnotice: () => {} });
      try {
        await a.unsafe(`drop database if exists ${name} with (force)`);
      } finally {
        await a.end();
      }
    },
  };
}

export interface ServerInfo {
  version: string;
  settings: Record<string, string>;
}

export async function serverInfo(base: string): Promise<ServerInfo> {
  const sql = postgres(base, { max: 1, onnotice: () => {} });
  try {
    const [{ version }] = await sql<{ version: string }[]>`select version()`;
    const rows = await sql<{ name: string; setting: string; unit: string | null }[]>`
      select name, setting, unit from pg_settings
      where name in ('shared_buffers', 'synchronous_commit', 'max_connections', 'work_mem', 'max_wal_size',
                     'max_parallel_workers_per_gather')`;
    const settings = Object.fromEntries(
      rows.map((r) => [r.name, `${r.setting}${r.unit ? ` ${r.unit}` : ''}`]),
    );
    return { version, settings };
  } finally {
    await sql.end();
  }
}

export interface StorageReading {
  events: number;
  bytes: { events: number; dossiers: number; rollups: number; total: number };
  /** Of which indexes (pg_indexes_size). */
  indexBytes: { events: number; dossiers: number; rollups: number };
  rows: { dossiers: number; rollups: number };
  bytesPerEvent: number;
}

/**
 * `events` is partitioned by month: the parent holds no bytes, its partitions do, and
 * `event_ids` (the key that decides duplicates) belongs to the raw events' cost.
 */
const eventsSize = (fn: string) =>
  `((select coalesce(sum(${fn}(relid)), 0) from pg_partition_tree('events')) + ${fn}('event_ids'))`;
const EVENTS_BYTES = eventsSize('pg_total_relation_size');
const EVENTS_INDEX_BYTES = eventsSize('pg_indexes_size');

/**
 * pg_total_relation_size (heap, indexes, TOAST) of the write-path tables, per stored event;
 * `events` counts its monthly partitions and `event_ids`, `rollups` both rollup tables (the
 * v1.1 counters are in `rollups_766`).
 */
export async function storage(url: string): Promise<StorageReading> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    // Plain text (no parameters): the size expressions above are SQL, not values.
    const [r] = await sql.unsafe<Record<string, string>[]>(`
      select (select count(*) from events) as events,
        (select count(*) from dossiers) as dossiers,
        (select count(*) from rollups) + (select count(*) from rollups_766) as rollups,
        ${EVENTS_BYTES} as events_bytes,
        pg_total_relation_size('dossiers') as dossiers_bytes,
        pg_total_relation_size('rollups') + pg_total_relation_size('rollups_766') as rollups_bytes,
        ${EVENTS_INDEX_BYTES} as events_idx, pg_indexes_size('dossiers') as dossiers_idx,
        pg_indexes_size('rollups') + pg_indexes_size('rollups_766') as rollups_idx`);
    const bytes = {
      events: Number(r.events_bytes),
      dossiers: Number(r.dossiers_bytes),
      rollups: Number(r.rollups_bytes),
      total: Number(r.events_bytes) + Number(r.dossiers_bytes) + Number(r.rollups_bytes),
    };
    const events = Number(r.events);
    return {
      events,
      bytes,
      indexBytes: {
        events: Number(r.events_idx),
        dossiers: Number(r.dossiers_idx),
        rollups: Number(r.rollups_idx),
      },
      rows: { dossiers: Number(r.dossiers), rollups: Number(r.rollups) },
      bytesPerEvent: events > 0 ? bytes.total / events : Number.NaN,
    };
  } finally {
    await sql.end();
  }
}

/** Server process ids of the connections with this application_name (postgres.js honours PGAPPNAME). */
export async function backendPids(base: string, applicationName: string): Promise<number[]> {
  const sql = postgres(base, { max: 1, onnotice: () => {} });
  try {
    const rows = await sql<
      { pid: number }[]
    >`select pid from pg_stat_activity where application_name = ${applicationName}`;
    return rows.map((r) => r.pid);
  } finally {
    await sql.end();
  }
}
