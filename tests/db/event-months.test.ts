/**
 * History in monthly partitions (issue 18): `events` partitioned by local month (UTC+7), the
 * months made ahead by a clock and on demand for old events, duplicates decided across months
 * by `event_ids`, and whole months archived to files and restored with every number unchanged.
 * On PGlite and on Postgres.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ValidatedEvent, validateEvent } from '@motcua/contract';
import {
  archiveEventMonths,
  type Database,
  EventMonthKeeper,
  listEventMonths,
  readSnapshot,
  readUnitTree,
  restoreEventFile,
  writeBatch,
} from '@motcua/db';
import { loadIngestConfig, startIngest } from '@motcua/ingest';
import { createTestTree, DB_KINDS, openTestDb, type TestDb, windowAt } from '@motcua/test-helpers/db';
import { dossierEvent, rating, received } from '@motcua/test-helpers/events';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDbCommand, UsageError } from '../../apps/cli/src/commands.ts';

const DAY = 86_400_000;
/** Local (UTC+7) wall-clock time as epoch ms. */
const local = (iso: string) => Date.parse(`${iso}+07:00`);

/** The raw event validated as the ingest does, at `now` (the 5-minute future limit is relative to it). */
function valid(raw: unknown, now = Date.now()): ValidatedEvent {
  const r = validateEvent(raw, now);
  if (!r.ok) throw new Error(r.message);
  return r.event;
}

/** Partition of each stored event, by id. */
async function partitionsOf(db: Database): Promise<Record<string, string>> {
  const rows = await db.query<{ id: string; part: string }>(
    sql`select id, tableoid::regclass::text as part from events`,
  );
  return Object.fromEntries(rows.map((r) => [r.id, r.part]));
}

/** Every stored row, exactly. */
const allRows = (db: Database) =>
  db.query(sql`select source, id, type, time::text as time, unit_code, desk_code, dossier_code, data::text as data,
      attributes::text as attributes, stored_at::text as stored_at from events order by source, id`);

describe.each(DB_KINDS)('events in monthly partitions on %s', (kind) => {
  let t: TestDb;
  let commune: string;
  let city: string;
  const dir = mkdtempSync(join(tmpdir(), 'motcua-archive-'));

  beforeAll(async () => {
    t = await openTestDb(kind);
    const tree = await createTestTree(t.db, { districts: 1, communesPerDistrict: 1 });
    commune = tree.communes[0];
    city = tree.city;
  });
  afterAll(async () => {
    await t.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('stores 23:59 and 00:00 local of the 1st in different months, each counted in its own month', async () => {
    const before = rating(commune, 'satisfied', { time: local('2026-02-28T23:59:00'), id: 'edge-feb' });
    const after = rating(commune, 'unsatisfied', { time: local('2026-03-01T00:00:00'), id: 'edge-mar' });
    const { statuses } = await writeBatch(t.db, [valid(before), valid(after)]);
    expect(statuses).toEqual(['accepted', 'accepted']);

    const parts = await partitionsOf(t.db);
    expect(parts['edge-feb']).toBe('events_2026_02');
    expect(parts['edge-mar']).toBe('events_2026_03');
    // The read API's months (from rollups) agree with the partitions: one rating in each.
    const tree = await readUnitTree(t.db);
    const asOf = Date.now();
    const feb = await readSnapshot(t.db, tree, commune, windowAt('2026-02', asOf), asOf);
    const mar = await readSnapshot(t.db, tree, commune, windowAt('2026-03', asOf), asOf);
    expect(feb?.metrics.satisfaction).toMatchObject({ satisfied: 1, unsatisfied: 0, total: 1 });
    expect(mar?.metrics.satisfaction).toMatchObject({ satisfied: 0, unsatisfied: 1, total: 1 });
  });

  it('keeps an id a duplicate whatever month its re-sent time falls in', async () => {
    const first = rating(commune, 'satisfied', { time: local('2026-04-10T09:00:00'), id: 'dup-across' });
    expect((await writeBatch(t.db, [valid(first)])).statuses).toEqual(['accepted']);
    // The same source and id, a time in another month (and one in the same batch twice).
    const again = { ...first, time: new Date(local('2026-05-10T09:00:00')).toISOString() };
    expect((await writeBatch(t.db, [valid(again), valid(first)])).statuses).toEqual([
      'duplicate',
      'duplicate',
    ]);
    const rows = await t.db.query<{ part: string }>(
      sql`select tableoid::regclass::text as part from events where id = 'dup-across'`,
    );
    expect(rows).toEqual([{ part: 'events_2026_04' }]);
  });

  it('makes the partition of an event from three years ago on demand', async () => {
    const old = local('2023-11-15T10:00:00');
    expect((await listEventMonths(t.db)).map((m) => m.month)).not.toContain('2023-11');
    const e = rating(commune, 'very_satisfied', { time: old, id: 'three-years-ago' });
    expect((await writeBatch(t.db, [valid(e)])).statuses).toEqual(['accepted']);
    expect((await partitionsOf(t.db))['three-years-ago']).toBe('events_2023_11');
  });

  it('keeps January of 1 BC (year 0000 of the contract) and of AD 1 apart', async () => {
    const bc = rating(commune, 'satisfied', { time: '0000-01-15T00:00:00Z', id: 'year-0000' });
    const ad = rating(commune, 'satisfied', { time: '0001-01-15T00:00:00Z', id: 'year-0001' });
    expect((await writeBatch(t.db, [valid(bc), valid(ad)])).statuses).toEqual(['accepted', 'accepted']);
    const parts = await partitionsOf(t.db);
    expect([parts['year-0000'], parts['year-0001']]).toEqual(['events_bc0001_01', 'events_0001_01']);
    const months = await listEventMonths(t.db);
    expect(months.slice(0, 2).map((m) => [m.month, m.partition])).toEqual([
      ['0000-01', 'events_bc0001_01'],
      ['0001-01', 'events_0001_01'],
    ]);
  });

  it('makes a month again when another process dropped it since this one saw it', async () => {
    const e1 = rating(commune, 'satisfied', { time: local('2019-05-10T10:00:00'), id: 'stale-1' });
    expect((await writeBatch(t.db, [valid(e1)])).statuses).toEqual(['accepted']);
    // What an archive in another process does; this process still remembers the month.
    await t.db.query(sql`alter table events detach partition events_2019_05`);
    await t.db.query(sql`drop table events_2019_05`);
    const e2 = rating(commune, 'unsatisfied', { time: local('2019-05-11T10:00:00'), id: 'stale-2' });
    expect((await writeBatch(t.db, [valid(e2)])).statuses).toEqual(['accepted']);
    expect(await t.db.query(sql`select id from events_2019_05`)).toEqual([{ id: 'stale-2' }]);
    // Tidy for the archive test below: only its own months.
    await t.db.query(sql`alter table events detach partition events_2019_05`);
    await t.db.query(sql`drop table events_2019_05`);
  });

  it('refuses loudly a row of a month without its partition (no default partition)', async () => {
    await expect(
      t.db.query(sql`insert into events (source, id, type, time, unit_code, desk_code, data)
        values ('/units/x/desks/Q01', 'nowhere', 't', '1990-01-01T00:00:00Z', 'x', 'Q01', '{}')`),
    ).rejects.toSatisfy((err: Error) =>
      /no partition of relation "events" found for row/.test(String(err.cause ?? err)),
    );
  });

  it('has the next month made ahead by its clock, before the month begins', async () => {
    let now = local('2031-01-31T23:59:00');
    const keeper = new EventMonthKeeper(t.db, { clock: () => now, monthsAhead: 2 });
    expect(await keeper.tick()).toEqual(['2031-01', '2031-02', '2031-03']);
    const months = async () => (await listEventMonths(t.db)).map((m) => m.month).filter((m) => m >= '2031');
    expect(await months()).toEqual(['2031-01', '2031-02', '2031-03']);
    // The first minute of February (a desk clock 5 minutes ahead is accepted) finds its month there.
    const e = rating(commune, 'satisfied', { time: local('2031-02-01T00:04:00'), id: 'first-of-feb' });
    expect((await writeBatch(t.db, [valid(e, now)])).statuses).toEqual(['accepted']);
    // A day later by the clock, the month after the two ahead is made too.
    now += DAY;
    await keeper.tick();
    expect(await months()).toEqual(['2031-01', '2031-02', '2031-03', '2031-04']);
  });

  it('has the ingest make this month and the next two at start, by its clock', async () => {
    const clock = () => local('2032-06-30T23:59:00');
    const ingest = await startIngest(
      { ...loadIngestConfig({}), port: 0, host: '127.0.0.1' },
      { db: t.db, clock },
    );
    try {
      const months = (await listEventMonths(t.db)).map((m) => m.month).filter((m) => m >= '2032');
      expect(months).toEqual(['2032-06', '2032-07', '2032-08']);
    } finally {
      await ingest.close();
    }
  });

  it('archives months to files and restores them: same rows, same numbers', async () => {
    // A dossier received in one month and resolved in the next, late, and a rating: state that
    // spans an archived month and a kept one.
    const due = local('2026-06-30T17:00:00');
    await writeBatch(t.db, [
      valid(received(commune, 'HS-ARCH', due, { time: local('2026-06-29T08:00:00'), id: 'arch-recv' })),
      valid(
        dossierEvent(commune, 'resolved', 'HS-ARCH', { time: local('2026-07-02T10:00:00'), id: 'arch-res' }),
      ),
    ]);
    const tree = await readUnitTree(t.db);
    const asOf = Date.now();
    const numbers = async () =>
      Promise.all(
        ['2023-11', '2026-02', '2026-03', '2026-06', '2026-07'].map((w) =>
          readSnapshot(t.db, tree, city, windowAt(w, asOf), asOf).then((s) => s?.metrics),
        ),
      );
    const numbersBefore = await numbers();
    const rowsBefore = await allRows(t.db);
    // A file without rows brings no month back.
    const monthsBefore = (await listEventMonths(t.db)).filter((m) => m.rows > 0);

    const archived = await archiveEventMonths(t.db, { before: '2026-07', dir, now: asOf });
    expect(archived.map((a) => [a.month, a.rows])).toEqual([
      ['0000-01', 1],
      ['0001-01', 1],
      ['2023-11', 1],
      ['2026-02', 1],
      ['2026-03', 1],
      ['2026-04', 1],
      // Made for the re-sent duplicate of April: empty, archived all the same.
      ['2026-05', 0],
      ['2026-06', 1],
    ]);
    expect(readdirSync(dir).sort()).toEqual([
      'events_0001_01.ndjson.gz',
      'events_2023_11.ndjson.gz',
      'events_2026_02.ndjson.gz',
      'events_2026_03.ndjson.gz',
      'events_2026_04.ndjson.gz',
      'events_2026_05.ndjson.gz',
      'events_2026_06.ndjson.gz',
      'events_bc0001_01.ndjson.gz',
    ]);
    // Only July and later are left in the database; the numbers (rollups, dossier state) are not changed.
    expect((await listEventMonths(t.db)).map((m) => m.month).filter((m) => m < '2026-07')).toEqual([]);
    expect(
      await t.db.query(
        sql`select id from events where time < ${new Date(local('2026-07-01T00:00:00')).toISOString()}::timestamptz`,
      ),
    ).toEqual([]);
    expect(await numbers()).toEqual(numbersBefore);
    // An archived event sent again is still a duplicate (its id stays in event_ids).
    const again = rating(commune, 'satisfied', { time: local('2026-02-28T23:59:00'), id: 'edge-feb' });
    expect((await writeBatch(t.db, [valid(again)])).statuses).toEqual(['duplicate']);

    for (const a of archived) expect((await restoreEventFile(t.db, a.file)).inserted).toBe(a.rows);
    expect(await allRows(t.db)).toEqual(rowsBefore);
    expect(await numbers()).toEqual(numbersBefore);
    expect((await listEventMonths(t.db)).filter((m) => m.rows > 0)).toEqual(monthsBefore);
    // A second restore adds nothing.
    expect((await restoreEventFile(t.db, archived[0].file)).inserted).toBe(0);
    expect(await allRows(t.db)).toEqual(rowsBefore);
  });

  it('refuses to archive the current month, where events still arrive', async () => {
    await expect(
      archiveEventMonths(t.db, { before: '2031-02', dir, now: local('2031-01-15T12:00:00') }),
    ).rejects.toThrow(/later than the current month 2031-01/);
  });
});

describe.each(DB_KINDS)('motcua events months|archive|restore on %s', (kind) => {
  let t: TestDb;
  const dir = mkdtempSync(join(tmpdir(), 'motcua-archive-cli-'));
  afterAll(async () => {
    await t.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('lists the months, archives those before a month and restores them', async () => {
    t = await openTestDb(kind);
    const tree = await createTestTree(t.db, { districts: 1, communesPerDistrict: 1 });
    const commune = tree.communes[0];
    await writeBatch(t.db, [
      valid(rating(commune, 'satisfied', { time: local('2024-01-31T23:59:00'), id: 'cli-jan' })),
      valid(rating(commune, 'satisfied', { time: local('2024-02-01T00:00:00'), id: 'cli-feb-1' })),
      valid(rating(commune, 'unsatisfied', { time: local('2024-02-20T12:00:00'), id: 'cli-feb-2' })),
    ]);
    const run = async (...argv: string[]) => {
      const lines: string[] = [];
      await runDbCommand(t.db, argv, (l) => lines.push(l));
      return lines;
    };
    expect(await run('events', 'months')).toEqual([
      '2024-01\tevents_2024_01\t1\tattached',
      '2024-02\tevents_2024_02\t2\tattached',
    ]);
    expect(await run('events', 'archive', '--before', '2024-02', '--dir', dir)).toEqual([
      `archived 2024-01: 1 rows to ${join(dir, 'events_2024_01.ndjson.gz')}`,
      '1 month(s) archived, 1 rows',
    ]);
    expect(await run('events', 'months')).toEqual(['2024-02\tevents_2024_02\t2\tattached']);
    expect(await run('events', 'restore', join(dir, 'events_2024_01.ndjson.gz'))).toEqual([
      `restored ${join(dir, 'events_2024_01.ndjson.gz')}: 1 rows into 2024-01`,
    ]);
    expect(await run('events', 'months')).toHaveLength(2);
    await expect(run('events', 'archive', '--before', '2024-13', '--dir', dir)).rejects.toThrow(UsageError);
    await expect(run('events', 'restore')).rejects.toThrow(/FILE required/);
  });
});
