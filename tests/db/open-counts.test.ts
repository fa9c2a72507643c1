/**
 * `open_dossier_counts` (migration 0008) and `open_dossier_deadlines` (0016): the counters the
 * write path keeps equal what each migration's backfill computes from `dossiers` for a store
 * written before it, and the rows of the units above a commune (0018) what its backfill sums from
 * the communes' rows, on histories of the simulator's model (stalled dossiers waiting for a
 * supplement, two requests, reschedules); and read the same after their indexes are rebuilt
 * (what an import ends with).
 */
import { readFileSync } from 'node:fs';
import { trustedEvent } from '@motcua/contract';
import {
  type Database,
  OPEN_DOSSIER_INDEXES,
  openDossierIndexPages,
  readOpenCounts,
  rebuildOpenDossierIndexes,
  writeBatch,
} from '@motcua/db';
import { localDayStart } from '@motcua/metrics';
import { createCityModel } from '@motcua/simulator';
import { createTestTree, DB_KINDS, openTestDb } from '@motcua/test-helpers/db';
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';

const DAY = 86_400_000;
const migration = readFileSync(
  new URL('../../packages/db/drizzle/0008_national.sql', import.meta.url),
  'utf8',
);
const backfill = migration.split('--> statement-breakpoint').at(-1) as string;
const deadlineBackfill = readFileSync(
  new URL('../../packages/db/drizzle/0016_open_dossier_deadlines.sql', import.meta.url),
  'utf8',
)
  .split('--> statement-breakpoint')
  .find((part) => part.includes('INSERT INTO')) as string;
const aboveBackfill = readFileSync(
  new URL('../../packages/db/drizzle/0018_open_counts_above_communes.sql', import.meta.url),
  'utf8',
).split('--> statement-breakpoint');
/** The communes' own rows (the units above them have theirs beside, since 0018). */
const COMMUNE_ROWS = sql`unit_code in (select code from units where level = 'commune')`;

/** A test city of 6 communes with `days` of the simulator's model up to today, written in batches. */
async function fillWithModel(db: Database, city: string, seed: number, days: number) {
  const tree = await createTestTree(db, { city, districts: 2, communesPerDistrict: 3 });
  const model = createCityModel({ communes: tree.communes.map((code) => ({ code })), seed });
  const today = localDayStart(Date.now());
  const events = model.generate(today - days * DAY, today).map(trustedEvent);
  for (let i = 0; i < events.length; i += 700) await writeBatch(db, events.slice(i, i + 700));
  return { tree, today };
}

describe.each(DB_KINDS)('open dossier counters (%s)', (kind) => {
  it('equal the migration backfill over the same dossiers', async () => {
    const t = await openTestDb(kind);
    try {
      await fillWithModel(t.db, '93', 3, 40);
      const rows = async () =>
        t.db.query(
          sql`select unit_code, desk_code, total, overdue, due_soon, due_in_48h, waiting_supplement
            from open_dossier_counts where total <> 0 and ${COMMUNE_ROWS} order by 1, 2`,
        );
      const kept = await rows();
      const waiting = kept.reduce((a, r) => a + Number(r.waiting_supplement), 0);
      expect(waiting).toBeGreaterThan(5);
      await t.db.query(sql`delete from open_dossier_counts`);
      await t.db.query(sql.raw(backfill));
      expect(await rows()).toEqual(kept);
    } finally {
      await t.drop();
    }
  }, 120_000);

  it('by deadline hour equal the migration backfill, and keep no row at 0', async () => {
    const t = await openTestDb(kind);
    try {
      await fillWithModel(t.db, '95', 5, 40);
      const rows = async () =>
        t.db.query<{ unit_code: string; deadline_hour: string; total: number }>(
          sql`select unit_code, deadline_hour::text, total from open_dossier_deadlines where ${COMMUNE_ROWS} order by 1, 2`,
        );
      const kept = await rows();
      // Dossiers finished long ago took their hours down to 0: those rows are gone.
      expect(kept.length).toBeGreaterThan(10);
      expect(kept.filter((r) => Number(r.total) <= 0)).toEqual([]);
      await t.db.query(sql`delete from open_dossier_deadlines`);
      await t.db.query(sql.raw(deadlineBackfill));
      expect(await rows()).toEqual(kept);
    } finally {
      await t.drop();
    }
  }, 120_000);

  it('of the units above a commune equal the migration backfill from the communes', async () => {
    const t = await openTestDb(kind);
    try {
      const { tree } = await fillWithModel(t.db, '98', 8, 40);
      const above = sql`unit_code not in (select code from units where level = 'commune')`;
      const rows = async () => ({
        counts: await t.db.query(
          sql`select unit_code, desk_code, total, overdue, due_soon, due_in_48h, waiting_supplement
            from open_dossier_counts where ${above} and total <> 0 order by 1, 2`,
        ),
        deadlines: await t.db.query(
          sql`select unit_code, deadline_hour::text, total from open_dossier_deadlines
            where ${above} and total <> 0 order by 1, 2`,
        ),
      });
      const kept = await rows();
      // The city and both districts, with stalled dossiers and dossiers in progress.
      expect(new Set(kept.counts.map((r) => r.unit_code))).toEqual(new Set([tree.city, ...tree.districts]));
      expect(kept.counts.every((r) => r.desk_code === '')).toBe(true);
      expect(new Set(kept.deadlines.map((r) => r.unit_code))).toEqual(
        new Set([tree.city, ...tree.districts]),
      );
      await t.db.query(sql`delete from open_dossier_counts where ${above}`);
      await t.db.query(sql`delete from open_dossier_deadlines where ${above}`);
      for (const statement of aboveBackfill) await t.db.query(sql.raw(statement));
      expect(await rows()).toEqual(kept);
    } finally {
      await t.drop();
    }
  }, 120_000);

  it('read the same after their indexes are rebuilt, which gives back the pages a fast write left', async () => {
    const t = await openTestDb(kind);
    try {
      const { tree, today: asOf } = await fillWithModel(t.db, '94', 4, 60);
      // Rows come in no set order.
      const counts = async () =>
        (await readOpenCounts(t.db, tree.communes, asOf, 'desk')).sort((a, b) =>
          `${a.unit_code}/${a.desk_code}`.localeCompare(`${b.unit_code}/${b.desk_code}`),
        );
      const before = await counts();
      expect(before.reduce((a, r) => a + Number(r.total), 0)).toBeGreaterThan(20);
      // Every event rewrote its dossier's row: the open-dossier indexes hold the dead entries.
      const pages = await rebuildOpenDossierIndexes(t.db);
      expect(pages.after).toBeGreaterThanOrEqual(OPEN_DOSSIER_INDEXES.length);
      expect(pages.after * 2).toBeLessThan(pages.before);
      expect(await openDossierIndexPages(t.db)).toBe(pages.after);
      // The counter tables too: every flush rewrote their rows.
      expect(pages.counters.after).toBeGreaterThanOrEqual(1);
      expect(pages.counters.after).toBeLessThan(pages.counters.before);
      expect(await counts()).toEqual(before);
    } finally {
      await t.drop();
    }
  }, 120_000);
});
