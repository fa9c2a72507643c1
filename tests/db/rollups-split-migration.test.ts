import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createDb, type Database, migrate } from '@motcua/db';
import { DB_KINDS, type DbKind } from '@motcua/test-helpers/db';
import { sql } from 'drizzle-orm';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import { afterAll, describe, expect, it } from 'vitest';

const DRIZZLE = fileURLToPath(new URL('../../packages/db/drizzle', import.meta.url));
/** The last migration before the v1.1 counters left `rollups`. */
const BEFORE_SPLIT = '0002_scorecard_v1_1';

/** A folder with the committed migrations up to and including `lastTag`, as drizzle reads them. */
function migrationsUpTo(lastTag: string): string {
  const journal = JSON.parse(readFileSync(join(DRIZZLE, 'meta/_journal.json'), 'utf8')) as {
    entries: { tag: string }[];
  };
  const end = journal.entries.findIndex((e) => e.tag === lastTag);
  const dir = mkdtempSync(join(tmpdir(), 'motcua-migrations-'));
  mkdirSync(join(dir, 'meta'));
  const entries = journal.entries.slice(0, end + 1);
  for (const e of entries) copyFileSync(join(DRIZZLE, `${e.tag}.sql`), join(dir, `${e.tag}.sql`));
  writeFileSync(join(dir, 'meta/_journal.json'), JSON.stringify({ ...journal, entries }));
  return dir;
}

/** An empty database, not migrated. */
async function emptyDb(kind: DbKind): Promise<{ db: Database; drop(): Promise<void> }> {
  if (kind === 'pglite') {
    const db = await createDb({ dataDir: 'memory' });
    return { db, drop: () => db.close() };
  }
  const base = process.env.DATABASE_URL as string;
  const name = `motcua_t_${randomBytes(6).toString('hex')}`;
  const admin = postgres(base, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  await admin.end();
  const url = new URL(base);
  url.pathname = `/${name}`;
  const db = await createDb({ url: url.toString() });
  return {
    db,
    async drop() {
      await db.close();
      const a = postgres(base, { max: 1, onnotice: () => {} });
      await a.unsafe(`drop database if exists ${name} with (force)`);
      await a.end();
    },
  };
}

/** A fresh database of `kind` with the committed migrations up to and including `lastTag`. */
async function dbAt(
  kind: DbKind,
  lastTag: string,
  cleanup: (() => Promise<void> | void)[],
): Promise<Database> {
  const { db, drop } = await emptyDb(kind);
  cleanup.push(drop);
  const folder = migrationsUpTo(lastTag);
  cleanup.push(() => rmSync(folder, { recursive: true, force: true }));
  // biome-ignore lint/suspicious/noExplicitAny: each migrator wants its own driver's type
  if (kind === 'pglite') await migratePglite(db.orm as any, { migrationsFolder: folder });
  // biome-ignore lint/suspicious/noExplicitAny: see above
  else await migratePostgres(db.orm as any, { migrationsFolder: folder });
  return db;
}

describe.each(DB_KINDS)('migration 0009_scorecard_more on %s', (kind) => {
  const cleanup: (() => Promise<void> | void)[] = [];
  afterAll(async () => {
    for (const c of cleanup) await c();
  });

  it('moves the v1.1 counters already kept to rollups_766, and only the rows where one moved', async () => {
    const db = await dbAt(kind, BEFORE_SPLIT, cleanup);
    // A database of before the split: one bucket with v1 and v1.1 counts, one with v1 counts only.
    await db.query(sql`insert into rollups (grain, unit_code, bucket_start, desk_code, satisfied, received_online,
        fee_reported, fee_bearing, fee_paid_online, petitions_handled, petitions_unsatisfied)
      values ('d', '00004', 1000, 'Q01', 3, 2, 2, 1, 1, 4, 1), ('h', '00004', 2000, 'Q01', 1, 0, 0, 0, 0, 0, 0)`);

    await migrate(db);

    expect(
      await db.query(sql`select grain, bucket_start::float8 as start, fee_reported, fee_bearing, fee_paid_online,
          petitions_handled, petitions_unsatisfied, e_result from rollups_766 order by grain`),
    ).toEqual([
      {
        grain: 'd',
        start: 1000,
        fee_reported: 2,
        fee_bearing: 1,
        fee_paid_online: 1,
        petitions_handled: 4,
        petitions_unsatisfied: 1,
        e_result: 0,
      },
    ]);
    expect(await db.query(sql`select grain, satisfied, received_online from rollups order by grain`)).toEqual(
      [
        { grain: 'd', satisfied: 3, received_online: 2 },
        { grain: 'h', satisfied: 1, received_online: 0 },
      ],
    );
    const columns = await db.query<{ column_name: string }>(
      sql`select column_name from information_schema.columns where table_name = 'rollups' and column_name like 'fee%'`,
    );
    expect(columns).toEqual([]);
  });
});

describe.each(DB_KINDS)('migrations 0010_commune_days and 0011_fee_procedures on %s', (kind) => {
  const cleanup: (() => Promise<void> | void)[] = [];
  afterAll(async () => {
    for (const c of cleanup) await c();
  });

  it('sums the desks of a commune into its day rows, and fills fee_procedures for it and the units above', async () => {
    const db = await dbAt(kind, '0009_scorecard_more', cleanup);
    // City 90 > district 900 > communes 90000 and 90001.
    await db.query(sql`insert into units (code, name, level, parent_code, tree) values
      ('90', 'Thành phố', 'city', null, 't'), ('900', 'Quận', 'district', '90', 't'),
      ('90000', 'Phường A', 'commune', '900', 't'), ('90001', 'Phường B', 'commune', '900', 't')`);
    // Day rows of two desks of 90000 and one of 90001; an hour row stays as it is.
    await db.query(sql`insert into rollups (grain, unit_code, bucket_start, desk_code, satisfied, late) values
      ('d', '90000', 1000, 'Q01', 3, 1), ('d', '90000', 1000, 'Q02', 2, 0), ('d', '90001', 1000, 'Q01', 1, 1),
      ('h', '90000', 1000, 'Q02', 2, 0)`);
    await db.query(sql`insert into rollups_766 (grain, unit_code, bucket_start, desk_code, fee_bearing) values
      ('d', '90000', 1000, 'Q01', 1), ('d', '90000', 1000, 'Q02', 4)`);
    // Procedure P1 fee-bearing at both desks of 90000 (paid online at Q02), P2 at 90001; hours likewise.
    await db.query(sql`insert into procedure_rollups (grain, unit_code, bucket_start, procedure_code, desk_code,
        received, fee_bearing, fee_paid_online) values
      ('d', '90000', 1000, 'P1', 'Q01', 1, 1, 0), ('d', '90000', 1000, 'P1', 'Q02', 2, 2, 1),
      ('d', '90001', 1000, 'P2', 'Q01', 1, 1, 0), ('h', '90000', 1000, 'P1', 'Q02', 2, 2, 1),
      ('h', '90001', 1000, '', 'Q01', 1, 1, 1)`);

    await migrate(db);

    expect(
      await db.query(
        sql`select grain, unit_code, desk_code, satisfied, late from rollups order by grain, unit_code`,
      ),
    ).toEqual([
      { grain: 'd', unit_code: '90000', desk_code: '', satisfied: 5, late: 1 },
      { grain: 'd', unit_code: '90001', desk_code: '', satisfied: 1, late: 1 },
      { grain: 'h', unit_code: '90000', desk_code: 'Q02', satisfied: 2, late: 0 },
    ]);
    expect(await db.query(sql`select desk_code, fee_bearing from rollups_766`)).toEqual([
      { desk_code: '', fee_bearing: 5 },
    ]);
    expect(
      await db.query(sql`select grain, unit_code, procedure_code, desk_code, received, fee_paid_online
        from procedure_rollups where grain = 'd' order by unit_code`),
    ).toEqual([
      {
        grain: 'd',
        unit_code: '90000',
        procedure_code: 'P1',
        desk_code: '',
        received: 3,
        fee_paid_online: 1,
      },
      {
        grain: 'd',
        unit_code: '90001',
        procedure_code: 'P2',
        desk_code: '',
        received: 1,
        fee_paid_online: 0,
      },
    ]);
    // Every level from the commune up; the unknown procedure ('') is left out.
    expect(
      await db.query(sql`select grain, unit_code, procedure_code, fee_bearing, paid_online from fee_procedures
        order by grain, unit_code, procedure_code`),
    ).toEqual([
      { grain: 'd', unit_code: '90', procedure_code: 'P1', fee_bearing: 3, paid_online: 1 },
      { grain: 'd', unit_code: '90', procedure_code: 'P2', fee_bearing: 1, paid_online: 0 },
      { grain: 'd', unit_code: '900', procedure_code: 'P1', fee_bearing: 3, paid_online: 1 },
      { grain: 'd', unit_code: '900', procedure_code: 'P2', fee_bearing: 1, paid_online: 0 },
      { grain: 'd', unit_code: '90000', procedure_code: 'P1', fee_bearing: 3, paid_online: 1 },
      { grain: 'd', unit_code: '90001', procedure_code: 'P2', fee_bearing: 1, paid_online: 0 },
      { grain: 'h', unit_code: '90', procedure_code: 'P1', fee_bearing: 2, paid_online: 1 },
      { grain: 'h', unit_code: '900', procedure_code: 'P1', fee_bearing: 2, paid_online: 1 },
      { grain: 'h', unit_code: '90000', procedure_code: 'P1', fee_bearing: 2, paid_online: 1 },
    ]);
  });
});

describe.each(DB_KINDS)('migration 0012_events_by_month on %s', (kind) => {
  const cleanup: (() => Promise<void> | void)[] = [];
  afterAll(async () => {
    for (const c of cleanup) await c();
  });

  it('moves the stored events into their local months and their ids into event_ids', async () => {
    const db = await dbAt(kind, '0011_fee_procedures', cleanup);
    // 23:59 and 00:00 local (UTC+7) either side of 1 March 2026, and one of 2023.
    await db.query(sql`insert into events (source, id, type, time, unit_code, desk_code, data, stored_at) values
      ('/units/90000/desks/Q01', 'a', 't', '2026-02-28T16:59:00Z', '90000', 'Q01', '{"n":1}', '2026-03-01T00:00:00Z'),
      ('/units/90000/desks/Q01', 'b', 't', '2026-02-28T17:00:00Z', '90000', 'Q01', '{"n":2}', '2026-03-01T00:00:00Z'),
      ('/units/90000/desks/Q01', 'c', 't', '2023-06-15T03:00:00Z', '90000', 'Q01', '{"n":3}', '2026-03-01T00:00:00Z')`);
    const before = await db.query(sql`select *, time::text as t from events order by id`);

    await migrate(db);

    expect(await db.query(sql`select *, time::text as t from events order by id`)).toEqual(before);
    expect(await db.query(sql`select tableoid::regclass::text as part, id from events order by id`)).toEqual([
      { part: 'events_2026_02', id: 'a' },
      { part: 'events_2026_03', id: 'b' },
      { part: 'events_2023_06', id: 'c' },
    ]);
    expect(await db.query(sql`select id from event_ids order by id`)).toEqual([
      { id: 'a' },
      { id: 'b' },
      { id: 'c' },
    ]);
    expect(await db.query(sql`select c.relkind from pg_class c where c.relname = 'events'`)).toEqual([
      { relkind: 'p' },
    ]);
    expect(await db.query(sql`select to_regclass('events_heap') as heap`)).toEqual([{ heap: null }]);
  });
});
