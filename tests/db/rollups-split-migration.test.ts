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

describe.each(DB_KINDS)('migration 0009_scorecard_more on %s', (kind) => {
  const cleanup: (() => Promise<void> | void)[] = [];
  afterAll(async () => {
    for (const c of cleanup) await c();
  });

  it('moves the v1.1 counters already kept to rollups_766, and only the rows where one moved', async () => {
    const { db, drop } = await emptyDb(kind);
    cleanup.push(drop);
    const folder = migrationsUpTo(BEFORE_SPLIT);
    cleanup.push(() => rmSync(folder, { recursive: true, force: true }));
    // biome-ignore lint/suspicious/noExplicitAny: each migrator wants its own driver's type
    if (kind === 'pglite') await migratePglite(db.orm as any, { migrationsFolder: folder });
    // biome-ignore lint/suspicious/noExplicitAny: see above
    else await migratePostgres(db.orm as any, { migrationsFolder: folder });
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
