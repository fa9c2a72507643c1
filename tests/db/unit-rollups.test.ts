/**
 * `unit_rollups` (migration 0017): the rows the write path keeps for every unit above a commune
 * equal what the migration's backfill sums from the communes' own rows for a store written before
 * it, on the simulator's model (a city of two districts, written in batches that each span many
 * communes), and a city's figures read from them equal those of its communes. Likewise 3.5b's
 * minute rows in `fee_procedures` (migration 0019) for every unit.
 */
import { readFileSync } from 'node:fs';
import { trustedEvent } from '@motcua/contract';
import {
  type Database,
  loadReferenceUnits,
  readSeries,
  readSnapshot,
  readUnitTree,
  readWindowCounts,
  writeBatch,
} from '@motcua/db';
import { localDayStart, resolveWindow, SNAPSHOT_FIELDS } from '@motcua/metrics';
import { createCityModel } from '@motcua/simulator';
import { createTestTree, DB_KINDS, openTestDb } from '@motcua/test-helpers/db';
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';

const DAY = 86_400_000;
/** The statements of a migration that fill rows (its backfill). */
const backfillOf = (migration: string) =>
  readFileSync(new URL(`../../packages/db/drizzle/${migration}.sql`, import.meta.url), 'utf8')
    .split('--> statement-breakpoint')
    .filter((part) => part.includes('INSERT INTO'));
const backfill = backfillOf('0017_unit_rollups');

async function fillWithModel(db: Database, city: string, seed: number, days: number) {
  const tree = await createTestTree(db, { city, districts: 2, communesPerDistrict: 3 });
  const model = createCityModel({ communes: tree.communes.map((code) => ({ code })), seed });
  const today = localDayStart(Date.now());
  const events = model.generate(today - days * DAY, today + 10 * 3_600_000).map(trustedEvent);
  for (let i = 0; i < events.length; i += 900) await writeBatch(db, events.slice(i, i + 900));
  return { tree, asOf: today + 10 * 3_600_000 };
}

describe.each(DB_KINDS)('unit rollups (%s)', (kind) => {
  it('equal the migration backfill, and hold only units above a commune', async () => {
    const t = await openTestDb(kind);
    try {
      const { tree } = await fillWithModel(t.db, '96', 6, 20);
      // Rows whose counters are all 0 (a contribution taken back) weigh nothing: compared without them.
      const rows = async () =>
        t.db.query<Record<string, string>>(
          sql`select * from unit_rollups
            where greatest(very_satisfied, satisfied, unsatisfied, early, on_time, late, unknown, received_direct,
              received_online, received_postal, fee_reported, fee_bearing, petitions_received, petitions_handled) > 0
              or proc_ms <> 0
            order by grain, unit_code, bucket_start`,
        );
      const kept = await rows();
      const units = new Set(kept.map((r) => r.unit_code));
      // The city and its two districts, at the three grains.
      expect([...units].sort()).toEqual([tree.city, ...tree.districts].sort());
      expect(new Set(kept.map((r) => r.grain))).toEqual(new Set(['m', 'h', 'd']));
      await t.db.query(sql`delete from unit_rollups`);
      for (const statement of backfill) await t.db.query(sql.raw(statement));
      expect(await rows()).toEqual(kept);
    } finally {
      await t.drop();
    }
  }, 120_000);

  it("keep 3.5b's minute rows for every unit, equal to migration 0019's backfill", async () => {
    const t = await openTestDb(kind);
    try {
      const { tree } = await fillWithModel(t.db, '95', 7, 6);
      // A fee contribution taken back leaves a row of zeros: compared without them.
      const minutes = () =>
        t.db.query<Record<string, string>>(
          sql`select * from fee_procedures where grain = 'm' and (fee_bearing <> 0 or paid_online <> 0)
            order by unit_code, bucket_start, procedure_code`,
        );
      const kept = await minutes();
      // The city, both districts and the communes with a fee-bearing dossier (not all of them in 6 days).
      const units = new Set(kept.map((r) => r.unit_code));
      for (const code of [tree.city, ...tree.districts]) expect(units).toContain(code);
      const communes = tree.communes.filter((code) => units.has(code));
      expect(communes.length).toBeGreaterThan(1);
      expect(units.size).toBe(1 + tree.districts.length + communes.length);
      // A commune's minute is its desks' summed; the city's, its communes'.
      const [sums] = await t.db.query<{ communes: string; city: string; rollups: string }>(
        sql`select
          (select sum(fee_bearing) from fee_procedures where grain = 'm' and unit_code = any(${`{${tree.communes.join(',')}}`}::text[])) as communes,
          (select sum(fee_bearing) from fee_procedures where grain = 'm' and unit_code = ${tree.city}) as city,
          (select sum(fee_bearing) from procedure_rollups where grain = 'm' and procedure_code <> '') as rollups`,
      );
      expect(Number(sums.city)).toBeGreaterThan(0);
      expect([Number(sums.communes), Number(sums.city)]).toEqual([
        Number(sums.rollups),
        Number(sums.rollups),
      ]);
      await t.db.query(sql`delete from fee_procedures where grain = 'm'`);
      for (const statement of backfillOf('0019_fee_procedure_minutes')) await t.db.query(sql.raw(statement));
      expect(await minutes()).toEqual(kept);
    } finally {
      await t.drop();
    }
  }, 120_000);

  it("give a city and its districts the sums of their communes' rows", async () => {
    const t = await openTestDb(kind);
    try {
      const { tree, asOf } = await fillWithModel(t.db, '97', 7, 12);
      const unitTree = await readUnitTree(t.db);
      const resolved = resolveWindow({ window: '7d' }, asOf);
      if (!resolved.ok) throw new Error(resolved.message);
      const { from, to } = resolved.window;
      // The communes' own rows, summed here, against the snapshot's children read from unit_rollups.
      const snapshot = await readSnapshot(t.db, unitTree, tree.city, resolved.window, asOf);
      for (const district of tree.districts) {
        const [sums] = await readWindowCounts(
          t.db,
          unitTree.communesUnder(district),
          from,
          to,
          'all',
          SNAPSHOT_FIELDS,
        );
        const child = snapshot?.children.find((c) => c.unit.code === district);
        const received =
          Number(sums.receivedDirect) + Number(sums.receivedOnline) + Number(sums.receivedPostal);
        expect(received).toBeGreaterThan(50);
        expect(child?.metrics.received.total).toBe(received);
        expect(child?.metrics.satisfaction.total).toBe(
          Number(sums.verySatisfied) + Number(sums.satisfied) + Number(sums.unsatisfied),
        );
      }
      // The city's day series from its own rows equals the one summed from its communes' rows.
      const series = await readSeries(t.db, unitTree, tree.city, resolved.window, '1d');
      const perDay = await t.db.query<{ t: number; received: number }>(
        sql`select bucket_start::float8 as t, sum(received_direct + received_online + received_postal)::float8 as received
          from rollups where grain = 'd' and unit_code = any(${`{${unitTree.communesUnder(tree.city).join(',')}}`}::text[])
            and bucket_start >= ${localDayStart(from)} and bucket_start < ${to} group by 1`,
      );
      const byDay = new Map(perDay.map((r) => [Number(r.t), Number(r.received)]));
      for (const point of series?.points ?? []) {
        expect(point.received).toBe(byDay.get(Date.parse(point.t)) ?? 0);
      }
    } finally {
      await t.drop();
    }
  }, 120_000);

  it('are rebuilt when a tree loaded later hangs the city under the nation', async () => {
    const t = await openTestDb(kind);
    try {
      await loadReferenceUnits(t.db, 'hanoi-2025-07');
      const communes = (await readUnitTree(t.db)).communesUnder('01').slice(0, 6);
      const model = createCityModel({ communes: communes.map((code) => ({ code })), seed: 8 });
      const today = localDayStart(Date.now());
      const write = async (from: number, to: number) => {
        const events = model.generate(from, to).map(trustedEvent);
        for (let i = 0; i < events.length; i += 900) await writeBatch(t.db, events.slice(i, i + 900));
      };
      await write(today - 6 * DAY, today - DAY);
      // The same rows for two units, the unit's code left out.
      const rowsOf = (table: string, key: string, unit: string) =>
        t.db
          .query(sql`select * from ${sql.raw(table)} where unit_code = ${unit} order by ${sql.raw(key)}`)
          .then((rows) => rows.map(({ unit_code: _, ...rest }) => rest));
      const tables = [
        ['unit_rollups', 'grain, bucket_start'],
        ['open_dossier_counts', 'desk_code'],
        ['open_dossier_deadlines', 'deadline_hour'],
        ['fee_procedures', 'grain, bucket_start, procedure_code'],
      ] as const;
      expect(await rowsOf('unit_rollups', 'grain, bucket_start', 'VN')).toEqual([]);

      await loadReferenceUnits(t.db, 'vn-2025-07');
      for (const [table, key] of tables) {
        const city = await rowsOf(table, key, '01');
        expect(city.length, table).toBeGreaterThan(0);
        expect(await rowsOf(table, key, 'VN'), table).toEqual(city);
      }
      // And the write path adds to both from then on.
      await write(today - DAY, today);
      for (const [table, key] of tables)
        expect(await rowsOf(table, key, 'VN'), table).toEqual(await rowsOf(table, key, '01'));
    } finally {
      await t.drop();
    }
  }, 120_000);
});
