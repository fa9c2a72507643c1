import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import type { SQL } from 'drizzle-orm';
import { type PgDatabase, PgDialect, type PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import * as schema from './schema/index.ts';

export type Orm = PgDatabase<PgQueryResultHKT, typeof schema>;
/** What queries run on: the database itself or an open transaction. */
export type Executor = Pick<Orm, 'execute' | 'select' | 'insert' | 'update' | 'delete'>;

export interface DbConfig {
  /** postgres://… ; when absent the embedded PGlite database is used. */
  url?: string;
  /** PGlite data directory, or 'memory' for a throwaway in-memory database. */
  dataDir?: string;
  /** postgres.js pool size. */
  max?: number;
}

export interface Database {
  kind: 'pglite' | 'postgres';
  orm: Orm;
  /**
   * Runs a statement and returns its rows, the same on both drivers. `prepare` (Postgres) keeps
   * it as a named prepared statement on its connection: one round trip instead of two (drizzle
   * otherwise describes every parameterised statement before binding it). Only for statements
   * whose text never varies, as each distinct text stays prepared for the connection's life.
   */
  query<T = Record<string, unknown>>(q: SQL, on?: Executor, opts?: { prepare?: boolean }): Promise<T[]>;
  transaction<T>(fn: (tx: Executor) => Promise<T>): Promise<T>;
  /**
   * `copy TABLE (COLUMNS) from stdin` in text format: `text` is the rows, tab-separated, one a
   * line, escaped as COPY's text format wants (see `copyField`). Runs on `on` (a transaction).
   */
  copyIn(on: Executor, table: string, columns: readonly string[], text: string): Promise<void>;
  /**
   * Postgres LISTEN; resolves to an unlisten function. `onListen` runs on every (re)connect of the
   * listening connection: notifications sent while it was down are lost. Embedded mode signals
   * in-process instead.
   */
  listen(
    channel: string,
    onPayload: (payload: string) => void,
    onListen?: () => void,
  ): Promise<() => Promise<void>>;
  /** Resolves once the database answers `select 1`; rejects if it does not within `timeoutMs` (default 2 s). */
  ping(timeoutMs?: number): Promise<void>;
  /** Runs fn while holding a cluster-wide advisory lock (postgres); PGlite has one process anyway. */
  withLock<T>(lockId: number, fn: () => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** Raised when another live process holds the embedded database. */
export class DatabaseLockedError extends Error {
  constructor(
    readonly dataDir: string,
    readonly pid: number,
  ) {
    super(
      `The embedded database in ${dataDir} is in use by process ${pid} (npm start). ` +
        'Stop that process first, or set DATABASE_URL to use a Postgres server.',
    );
  }
}

export function resolveDataDir(env: NodeJS.ProcessEnv = process.env): string {
  return resolve(env.MOTCUA_DATA_DIR || './data');
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** PGlite must be opened by one process only: a pid file guards the data directory. */
function lockDataDir(dir: string): () => void {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, 'motcua.lock');
  if (existsSync(path)) {
    const pid = Number(readFileSync(path, 'utf8').trim());
    if (pid && pid !== process.pid && isAlive(pid)) throw new DatabaseLockedError(dir, pid);
  }
  writeFileSync(path, String(process.pid));
  return () => {
    try {
      if (readFileSync(path, 'utf8').trim() === String(process.pid)) rmSync(path);
    } catch {
      // already gone
    }
  };
}

/** Rows of a drizzle `execute` result: postgres.js returns an array, PGlite `{ rows }`. */
const dialect = new PgDialect();

/** The postgres.js connection behind a drizzle database or transaction (its `session.client`). */
function clientOf(on: Executor): postgres.Sql {
  const client = (on as unknown as { session?: { client?: postgres.Sql } }).session?.client;
  if (!client) throw new Error('query: not a postgres.js executor');
  return client;
}

/** Settles as `work` does, or rejects once `timeoutMs` pass first. */
async function within(work: PromiseLike<unknown>, timeoutMs = 2000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      work,
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** One field of a COPY text-format row: `\N` for null, backslash and the separators escaped. */
export function copyField(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '\\N';
  const s = String(value);
  return /[\\\t\n\r]/.test(s)
    ? s.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r')
    : s;
}

function rowsOf<T>(result: unknown): T[] {
  return (Array.isArray(result) ? result : (result as { rows: T[] }).rows) as T[];
}

/**
 * Opens the database: Postgres through postgres.js when `url` is set, else embedded PGlite.
 * Nothing connects before this is called.
 */
export async function createDb(config: DbConfig = {}): Promise<Database> {
  if (config.url) {
    const client = postgres(config.url, {
      max: config.max ?? 10,
      onnotice: () => {},
      connect_timeout: 3,
      idle_timeout: 60,
      // Reconnect within ~2 s once the database is back (the default backs off up to 20 s).
      backoff: (attempt: number) => Math.min(0.1 * 2 ** attempt, 2),
    });
    const orm = drizzlePostgres({ client, schema }) as unknown as Orm;
    return {
      kind: 'postgres',
      orm,
      async query(q, on = orm, opts) {
        if (!opts?.prepare) return rowsOf(await on.execute(q));
        const { sql: text, params } = dialect.sqlToQuery(q);
        return rowsOf(await clientOf(on).unsafe(text, params as never[], { prepare: true }));
      },
      transaction: (fn) => orm.transaction(fn),
      async copyIn(on, table, columns, text) {
        const stream = await clientOf(on)
          .unsafe(`copy ${table} (${columns.join(', ')}) from stdin`)
          .writable();
        await new Promise<void>((resolve, reject) => {
          stream.on('error', reject);
          stream.on('finish', resolve);
          stream.end(text);
        });
      },
      async listen(channel, onPayload, onListen) {
        const sub = await client.listen(channel, onPayload, onListen);
        return () => sub.unlisten();
      },
      ping: (timeoutMs) => within(client`select 1`, timeoutMs),
      async withLock(lockId, fn) {
        const conn = await client.reserve();
        try {
          await conn`select pg_advisory_lock(${lockId})`;
          return await fn();
        } finally {
          await conn`select pg_advisory_unlock(${lockId})`.catch(() => {});
          conn.release();
        }
      },
      close: () => client.end({ timeout: 5 }),
    };
  }
  const dataDir = config.dataDir ?? resolveDataDir();
  const unlock = dataDir === 'memory' ? () => {} : lockDataDir(dataDir);
  let client: PGlite;
  try {
    client = dataDir === 'memory' ? new PGlite() : new PGlite(dataDir);
    await client.waitReady;
  } catch (err) {
    unlock();
    throw err;
  }
  const orm = drizzlePglite({ client, schema }) as unknown as Orm;
  return {
    kind: 'pglite',
    orm,
    query: async (q, on = orm) => rowsOf(await on.execute(q)),
    transaction: (fn) => orm.transaction(fn),
    async copyIn(on, table, columns, text) {
      // PGlite reads COPY input from a blob handed to the query as `/dev/blob`.
      const conn = (on as unknown as { session?: { client?: PGlite } }).session?.client ?? client;
      await conn.query(`copy ${table} (${columns.join(', ')}) from '/dev/blob'`, [], {
        blob: new Blob([text]),
      });
    },
    async listen() {
      throw new Error('LISTEN is not used with the embedded database: use the in-process signal');
    },
    ping: (timeoutMs) => within(client.query('select 1'), timeoutMs),
    withLock: (_lockId, fn) => fn(),
    async close() {
      await client.close();
      unlock();
    },
  };
}
