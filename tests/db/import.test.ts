/**
 * Bulk import (`motcua import`): the same events imported from a file and posted through the
 * real ingest over HTTP must leave identical stores — raw events, dossier and petition state,
 * every rollup counter, desks — and the same snapshot; NDJSON, CSV and gzip; bad lines reported
 * by line with the rest imported; an interrupted import resumed; a second run all duplicates;
 * live ingest working while an import runs. On PGlite and on Postgres.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { DeskEvent } from '@motcua/contract';
import { type Database, readSnapshot, readUnitTree } from '@motcua/db';
import { localDayStart, resolveWindow } from '@motcua/metrics';
import { createCityModel } from '@motcua/simulator';
import { createTestTree, DB_KINDS, openTestDb, type TestDb, type TestTree } from '@motcua/test-helpers/db';
import { deskKey, postBatch, startTestIngest } from '@motcua/test-helpers/ingest';
import { mulberry32 } from '@motcua/test-helpers/random';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FileSummary, importFile, loadedCommunes } from '../../apps/cli/src/import/run.ts';

const DAY = 86_400_000;
const dir = mkdtempSync(join(tmpdir(), 'motcua-import-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Six days of the simulator's model for the tree's communes, ending at today's local midnight. */
function history(tree: TestTree, seed: number): DeskEvent[] {
  const model = createCityModel({ communes: tree.communes.map((code) => ({ code })), seed });
  const today = localDayStart(Date.now());
  return model.generate(today - 6 * DAY, today);
}

const ndjson = (events: unknown[]) => `${events.map((e) => JSON.stringify(e)).join('\n')}\n`;

function file(name: string, text: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

/** The events as CSV with one column per field (docs/import.md). */
function toCsv(events: DeskEvent[]): string {
  const dataFields = new Set<string>();
  for (const e of events) {
    for (const [k, v] of Object.entries(e.data)) {
      if (v !== null && typeof v === 'object') for (const c of Object.keys(v)) dataFields.add(`${k}.${c}`);
      else dataFields.add(k);
    }
  }
  const fields = [...dataFields].sort();
  const header = ['id', 'unit', 'desk', 'type', 'time', 'subject', ...fields.map((f) => `data.${f}`)];
  const quote = (s: string) => (/[",\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s);
  const lines = [header.join(',')];
  for (const e of events) {
    const [, unit, desk] = /^\/units\/(\d+)\/desks\/(.+)$/.exec(e.source) as RegExpExecArray;
    const data = e.data as Record<string, unknown>;
    const cells = [e.id, unit, desk, e.type, e.time, e.subject ?? ''];
    for (const f of fields) {
      const [k, c] = f.split('.');
      const v = c === undefined ? data[k] : (data[k] as Record<string, unknown> | undefined)?.[c];
      cells.push(v === undefined ? '' : String(v));
    }
    lines.push(cells.map(quote).join(','));
  }
  return `${lines.join('\n')}\n`;
}

/** Everything the numbers come from, in a comparable form (histories as sets: arrival order differs). */
async function dump(db: Database) {
  const byTime = (h: unknown) =>
    (typeof h === 'string' ? (JSON.parse(h) as unknown[]) : (h as unknown[]))
      .map((x) => JSON.stringify(x))
      .sort();
  const events = await db.query(
    sql`select source, id, type, (extract(epoch from time) * 1000)::bigint::text as t, unit_code, desk_code,
        dossier_code, data::text as data, attributes::text as attributes from events order by source, id`,
  );
  const dossiers = (
    await db.query<Record<string, unknown>>(sql`select * from dossiers order by unit_code, dossier_code`)
  ).map((r) => ({ ...r, history: byTime(r.history) }));
  const petitions = (
    await db.query<Record<string, unknown>>(sql`select * from petitions order by unit_code, petition_code`)
  ).map((r) => ({ ...r, history: byTime(r.history) }));
  const rollups = (
    await db.query<Record<string, unknown>>(
      sql`select * from rollups order by grain, unit_code, bucket_start, desk_code`,
    )
  ).filter((r) =>
    Object.entries(r).some(
      ([k, v]) => !['grain', 'unit_code', 'bucket_start', 'desk_code'].includes(k) && Number(v) !== 0,
    ),
  );
  const desks = await db.query(sql`select unit_code, desk_code from desks order by 1, 2`);
  return { events, dossiers, petitions, rollups, desks };
}

async function snapshotOf(db: Database, city: string) {
  const tree = await readUnitTree(db);
  const asOf = localDayStart(Date.now());
  const w = resolveWindow({ window: '30d' }, asOf);
  if (!w.ok) throw new Error(w.message);
  return readSnapshot(db, tree, city, w.window, asOf);
}

/** Posts the events through the real ingest, per commune, in random batches of 1–400. */
async function postAll(db: Database, events: DeskEvent[], seed: number) {
  const ingest = await startTestIngest(db);
  try {
    const rng = mulberry32(seed);
    const byUnit = new Map<string, DeskEvent[]>();
    for (const e of events) {
      const unit = e.source.split('/')[2];
      byUnit.set(unit, [...(byUnit.get(unit) ?? []), e]);
    }
    for (const [unit, list] of byUnit) {
      const key = await deskKey(db, unit);
      for (let i = 0; i < list.length; ) {
        const n = 1 + Math.floor(rng() * 400);
        const res = await postBatch(ingest.url, key, list.slice(i, i + n));
        expect(res.status).toBe(200);
        i += n;
      }
    }
  } finally {
    await ingest.close();
  }
}

async function importInto(
  db: Database,
  path: string,
  opts: Parameters<typeof importFile>[3] = {},
): Promise<FileSummary> {
  return importFile(db, path, await loadedCommunes(db), opts);
}

describe.each(DB_KINDS)('bulk import (%s)', (kind) => {
  let live: TestDb;
  let tree: TestTree;
  let events: DeskEvent[];
  let reference: Awaited<ReturnType<typeof dump>>;
  let referenceSnapshot: Awaited<ReturnType<typeof snapshotOf>>;
  const open: TestDb[] = [];

  /** A fresh database with the same test tree. */
  async function fresh(): Promise<Database> {
    const t = await openTestDb(kind);
    open.push(t);
    await createTestTree(t.db, { city: '91', districts: 2, communesPerDistrict: 2 });
    return t.db;
  }

  beforeAll(async () => {
    live = await openTestDb(kind);
    tree = await createTestTree(live.db, { city: '91', districts: 2, communesPerDistrict: 2 });
    events = history(tree, 18);
    await postAll(live.db, events, 18);
    reference = await dump(live.db);
    referenceSnapshot = await snapshotOf(live.db, tree.city);
  }, 120_000);
  afterAll(async () => {
    await live?.drop();
    for (const t of open) await t.drop();
  });

  it('NDJSON: the same store as the ingest, and the same snapshot', async () => {
    expect(events.length).toBeGreaterThan(400);
    expect(reference.dossiers.length).toBeGreaterThan(100);
    const db = await fresh();
    const s = await importInto(db, file(`a-${kind}.ndjson`, ndjson(events)), { chunk: 150 });
    expect(s).toMatchObject({ accepted: events.length, duplicates: 0, rejected: 0, finished: true });
    expect(await dump(db)).toEqual(reference);
    expect(await snapshotOf(db, tree.city)).toEqual(referenceSnapshot);

    const again = await importInto(db, file(`a-${kind}.ndjson`, ndjson(events)), { chunk: 150 });
    expect(again).toMatchObject({ accepted: 0, duplicates: events.length, rejected: 0, resumedAfterLine: 0 });
    expect(await dump(db)).toEqual(reference);
  });

  it('CSV, gzipped, with the documented columns: the same store', async () => {
    const db = await fresh();
    const path = file(`b-${kind}.csv.gz`, gzipSync(toCsv(events)));
    const s = await importInto(db, path, { chunk: 200 });
    expect(s).toMatchObject({ accepted: events.length, rejected: 0 });
    expect(s.lines).toBe(events.length + 1);
    expect(await dump(db)).toEqual(reference);
  });

  it('gzipped NDJSON in one chunk, shuffled: the same store', async () => {
    const db = await fresh();
    const rng = mulberry32(7);
    const shuffled = [...events].sort(() => rng() - 0.5);
    const s = await importInto(db, file(`c-${kind}.ndjson.gz`, gzipSync(ndjson(shuffled))));
    expect(s.accepted).toBe(events.length);
    expect(await dump(db)).toEqual(reference);
  });

  it('reports bad lines by number in the rejects file and imports the rest', async () => {
    const db = await fresh();
    const lines = events.map((e) => JSON.stringify(e));
    const bad = new Map<number, string>([
      [3, '{"specversion": "1.0", "id": '],
      [10, JSON.stringify({ ...events[9], time: 'yesterday' })],
      [20, JSON.stringify({ ...events[19], source: '/units/99999/desks/Q01' })],
      [30, JSON.stringify({ ...events[29], data: { ...events[29].data, extra: 1 } })],
    ]);
    for (const [line, text] of bad) lines.splice(line - 1, 0, text);
    lines.splice(40, 0, '');
    const rejects = join(dir, `d-${kind}.rejects.ndjson`);
    const s = await importInto(db, file(`d-${kind}.ndjson`, `${lines.join('\n')}\n`), {
      chunk: 100,
      rejects,
    });
    expect(s).toMatchObject({ accepted: events.length, rejected: 4, rejectsPath: rejects });
    const reported = readFileSync(rejects, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { line: number; error: string; input: string });
    expect(reported.map((r) => r.line)).toEqual([3, 10, 20, 30]);
    expect(reported[0].error).toBe('line: not valid JSON');
    expect(reported[1].error).toMatch(/^time: /);
    expect(reported[2].error).toBe('source: unit 99999 is not a commune of the loaded unit tree');
    expect(reported[3].error).toBe('data.extra: field not allowed');
    expect(reported[1].input).toBe(bad.get(10));
    expect(await dump(db)).toEqual(reference);
  });

  it('resumes an interrupted import after its last committed chunk', async () => {
    const db = await fresh();
    const lines = events.map((e) => JSON.stringify(e));
    lines.splice(250, 0, 'not json');
    const path = file(`e-${kind}.ndjson`, `${lines.join('\n')}\n`);
    const rejects = join(dir, `e-${kind}.rejects.ndjson`);
    const first = await importInto(db, path, { chunk: 100, stopAfterChunks: 3, rejects });
    expect(first.finished).toBe(false);
    expect(first.accepted).toBe(300);
    expect(first.rejected).toBe(1);
    const second = await importInto(db, path, { chunk: 100, rejects });
    expect(second.resumedAfterLine).toBe(301);
    expect(second).toMatchObject({ finished: true, accepted: events.length, duplicates: 0, rejected: 1 });
    expect(readFileSync(rejects, 'utf8').trim().split('\n')).toHaveLength(1);
    expect(await dump(db)).toEqual(reference);
    const third = await importInto(db, path, { chunk: 100, rejects });
    expect(third).toMatchObject({ resumedAfterLine: 0, accepted: 0, duplicates: events.length, rejected: 1 });
  });

  it('live ingest keeps working while an import runs, and the numbers add up', async () => {
    const db = await fresh();
    const rng = mulberry32(11);
    const toImport: DeskEvent[] = [];
    const toPost: DeskEvent[] = [];
    for (const e of events) (rng() < 0.25 ? toPost : toImport).push(e);
    const path = file(`f-${kind}.ndjson`, ndjson(toImport));
    const importing = importInto(db, path, { chunk: 50 });
    await postAll(db, toPost, 12);
    const s = await importing;
    expect(s.accepted).toBe(toImport.length);
    expect(await dump(db)).toEqual(reference);
    expect(await snapshotOf(db, tree.city)).toEqual(referenceSnapshot);
  });
});
