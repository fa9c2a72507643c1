import { once } from 'node:events';
import {
  closeSync,
  createReadStream,
  createWriteStream,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  renameSync,
  rmSync,
} from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { createGunzip, createGzip } from 'node:zlib';
import { sql } from 'drizzle-orm';
import { copyField, type Database } from './client.ts';
import {
  type EventMonth,
  forgetEventMonths,
  listEventMonths,
  localMonthOf,
  monthStartOf,
  withEventMonths,
} from './event-months.ts';

/**
 * Archive and restore of whole months of raw events (`motcua events archive|restore`). An
 * archived month is one gzip NDJSON file: a line per stored row, `to_jsonb` of the row (all
 * columns, `time` and `stored_at` to the microsecond), readable with `zcat | jq`. Rollups,
 * dossier and petition state never read raw events, so every number stays as it was; the ids
 * stay in `event_ids`, so an archived event sent again is still a duplicate.
 */

/** Rows per read of a partition and per insert of a restore. */
const PAGE = 5000;

export interface ArchivedMonth {
  month: string;
  rows: number;
  file: string;
}

/** A file name in `dir` not taken yet: `events_2023_06.ndjson.gz`, then `events_2023_06-2.ndjson.gz`, … */
function freshPath(dir: string, partition: string): string {
  for (let n = 1; ; n++) {
    const path = join(dir, `${partition}${n === 1 ? '' : `-${n}`}.ndjson.gz`);
    if (!existsSync(path)) return path;
  }
}

/** Takes the partition out of `events`: concurrently on Postgres (inserts into other months go on meanwhile). */
async function detach(db: Database, partition: string): Promise<void> {
  const table = sql.identifier(partition);
  if (db.kind === 'pglite') {
    await db.query(sql`alter table events detach partition ${table}`);
    return;
  }
  // A concurrent detach stopped halfway leaves the partition "detach pending": finish it.
  const [row] = await db.query<{ pending: boolean }>(
    sql`select inhdetachpending as pending from pg_inherits where inhrelid = ${partition}::regclass`,
  );
  if (row?.pending) await db.query(sql`alter table events detach partition ${table} finalize`);
  else await db.query(sql`alter table events detach partition ${table} concurrently`);
}

/** Writes every row of a (detached) month table to a new gzip NDJSON file in `dir`; returns its path and row count. */
async function exportTable(
  db: Database,
  partition: string,
  dir: string,
): Promise<{ file: string; rows: number }> {
  mkdirSync(dir, { recursive: true });
  const file = freshPath(dir, partition);
  const tmp = `${file}.partial`;
  const gzip = createGzip();
  const out = createWriteStream(tmp);
  const done = new Promise<void>((resolve, reject) => {
    out.on('finish', resolve);
    out.on('error', reject);
    gzip.on('error', reject);
  });
  gzip.pipe(out);
  let rows = 0;
  try {
    // One pass of a cursor over the table (it has no index to page along), in its own transaction.
    await db.transaction(async (tx) => {
      await db.query(
        sql`declare motcua_export no scroll cursor for select to_jsonb(e)::text as line from ${sql.identifier(partition)} e`,
        tx,
      );
      for (;;) {
        const page = await db.query<{ line: string }>(sql.raw(`fetch ${PAGE} from motcua_export`), tx);
        if (page.length === 0) break;
        if (!gzip.write(`${page.map((r) => r.line).join('\n')}\n`)) await once(gzip, 'drain');
        rows += page.length;
      }
    });
    gzip.end();
    await done;
    // On disk before the rows are dropped from the database.
    const fd = openSync(tmp, 'r');
    fsyncSync(fd);
    closeSync(fd);
    renameSync(tmp, file);
  } catch (err) {
    gzip.destroy();
    out.destroy();
    rmSync(tmp, { force: true });
    throw err;
  }
  return { file, rows };
}

/**
 * Archives every month before `before` (`YYYY-MM`, local): for each, detach its partition,
 * export its rows to `DIR/events_YYYY_MM.ndjson.gz`, check the count, drop it. A month left
 * detached by an archive that stopped is finished the same way. `before` may not be later than
 * the current month of `now`: live events land there.
 */
export async function archiveEventMonths(
  db: Database,
  opts: { before: string; dir: string; now?: number; onMonth?: (m: ArchivedMonth) => void },
): Promise<ArchivedMonth[]> {
  if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(opts.before))
    throw new RangeError(`--before: expected YYYY-MM, got ${opts.before}`);
  const current = localMonthOf(opts.now ?? Date.now());
  if (opts.before > current) {
    throw new RangeError(
      `--before ${opts.before}: later than the current month ${current}, where events still arrive`,
    );
  }
  const months = (await listEventMonths(db)).filter((m) => m.month < opts.before);
  const out: ArchivedMonth[] = [];
  for (const m of months) {
    const archived = await archiveMonth(db, m, opts.dir);
    out.push(archived);
    opts.onMonth?.(archived);
  }
  forgetEventMonths(db);
  return out;
}

async function archiveMonth(db: Database, m: EventMonth, dir: string): Promise<ArchivedMonth> {
  if (m.state === 'attached') await detach(db, m.partition);
  // Detached, the table takes no more rows: what is exported is all there is.
  const { file, rows } = await exportTable(db, m.partition, dir);
  const [{ n }] = await db.query<{ n: number | string }>(
    sql`select count(*) as n from ${sql.identifier(m.partition)}`,
  );
  if (Number(n) !== rows) {
    throw new Error(
      `${m.partition}: exported ${rows} rows but the table holds ${n}; it is left detached, not dropped`,
    );
  }
  await db.query(sql`drop table ${sql.identifier(m.partition)}`);
  return { month: m.month, rows, file };
}

export interface RestoredFile {
  file: string;
  /** Rows read from the file. */
  rows: number;
  /** Rows stored now; fewer than `rows` when some were there already (a file restored twice). */
  inserted: number;
  months: string[];
}

/**
 * Loads an archive file back: re-creates the partitions of its months (or uses them, should
 * events of that month have arrived since) and inserts its rows as they were (`stored_at`
 * too). Nothing is folded into dossiers or rollups: their numbers never left. Restoring a
 * file twice adds nothing the second time.
 */
export async function restoreEventFile(db: Database, file: string): Promise<RestoredFile> {
  const pages = async function* () {
    const lines = createInterface({
      input: createReadStream(file).pipe(createGunzip()),
      crlfDelay: Infinity,
    });
    let page: string[] = [];
    for await (const line of lines) {
      if (line.trim() === '') continue;
      page.push(line);
      if (page.length >= PAGE) {
        yield page;
        page = [];
      }
    }
    if (page.length > 0) yield page;
  };
  // First pass: the months, made before the transaction (making one locks all of `events`).
  // An instant of each month, read by Postgres (JavaScript cannot parse its BC dates).
  const times: number[] = [];
  for await (const page of pages()) {
    const rows = await db.query<{ at: number | string }>(
      sql`select min(extract(epoch from time) * 1000)::float8 as at
        from jsonb_populate_recordset(null::events, ${`[${page.join(',')}]`}::jsonb)
        group by date_trunc('month', time at time zone 'UTC' + interval '7 hours')`,
    );
    for (const r of rows) times.push(Number(r.at));
  }
  const months = [...new Set(times.map(localMonthOf))].sort((a, b) => monthStartOf(a) - monthStartOf(b));
  // Second pass: the rows into a staging table, then those not stored yet into `events` in one
  // anti-join (one scan of the file's months: `events` has no index on the ids).
  const { rows, inserted } = await withEventMonths(db, times, () =>
    db.transaction(async (tx) => {
      await db.query(sql`create temp table restore_rows (line jsonb) on commit drop`, tx);
      for await (const page of pages()) {
        await db.copyIn(tx, 'restore_rows', ['line'], `${page.map(copyField).join('\n')}\n`);
      }
      await db.query(
        sql`insert into event_ids (source, id) select line->>'source', line->>'id' from restore_rows
          on conflict (source, id) do nothing`,
        tx,
      );
      const [span] = await db.query<{ rows: number | string; first: string | null; last: string | null }>(
        sql`select count(*) as rows, min((line->>'time')::timestamptz)::text as first,
            max((line->>'time')::timestamptz)::text as last from restore_rows`,
        tx,
      );
      if (Number(span.rows) === 0) return { rows: 0, inserted: 0 };
      const [{ n }] = await db.query<{ n: number | string }>(
        sql`with r as (select (jsonb_populate_record(null::events, line)).* from restore_rows),
          ins as (insert into events select * from r
            where not exists (select 1 from events e where e.source = r.source and e.id = r.id and e.time = r.time
              and e.time between ${span.first}::timestamptz and ${span.last}::timestamptz)
            returning 1)
          select count(*) as n from ins`,
        tx,
      );
      return { rows: Number(span.rows), inserted: Number(n) };
    }),
  );
  return { file, rows, inserted, months };
}
