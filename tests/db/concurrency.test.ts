import { createTestTree, DB_KINDS, openTestDb, type TestDb, type TestTree } from '@motcua/test-helpers/db';
import { dossierEvent, rating, received } from '@motcua/test-helpers/events';
import { deskKey, postBatch, startTestIngest, type TestIngest } from '@motcua/test-helpers/ingest';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const CLIENTS = 50;
const RATINGS_PER_UNIT = 150;
const DOSSIERS_PER_UNIT = 40;
const LEVELS = ['very_satisfied', 'satisfied', 'unsatisfied'] as const;
const CHANNELS = ['direct', 'online', 'postal'] as const;
const DAY = 86_400_000;

/** mulberry32: the same "random" splits on every run, so a failure can be replayed. */
function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = a;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(items: readonly T[]) => items[int(items.length)];
  const shuffle = <T>(items: T[]) => {
    for (let i = items.length - 1; i > 0; i--) {
      const j = int(i + 1);
      [items[i], items[j]] = [items[j], items[i]];
    }
    return items;
  };
  return { next, int, pick, shuffle };
}

type Event = ReturnType<typeof rating>;
interface Report {
  accepted: number;
  duplicates: number;
  rejected: number;
  results: { index: number; id: string; status: string }[];
}

const keyOf = (e: { source: string; id: string }) => `${e.source} ${e.id}`;

describe.each(DB_KINDS)('50 concurrent clients with overlapping batches on %s', (kind) => {
  let t: TestDb;
  let tree: TestTree;
  let ingests: TestIngest[];

  beforeAll(async () => {
    t = await openTestDb(kind);
    tree = await createTestTree(t.db);
    // Two ingest processes over one Postgres, as a scaled-out deployment runs; PGlite has one.
    ingests = await Promise.all(
      Array.from({ length: kind === 'postgres' ? 2 : 1 }, () => startTestIngest(t.db)),
    );
  });
  afterAll(async () => {
    for (const ingest of ingests) await ingest.close();
    await t.drop();
  });

  it('stores each distinct event once and counts it once', async () => {
    const rnd = prng(20260301);
    const units = [tree.communes[0], tree.communes[4]];
    const now = Date.now();

    const byUnit = new Map<string, Event[]>();
    const ratings: Event[] = [];
    const receivedEvents: Event[] = [];
    for (const unit of units) {
      const list: Event[] = [];
      for (let i = 0; i < RATINGS_PER_UNIT; i++) {
        const e = rating(unit, rnd.pick(LEVELS), {
          desk: rnd.pick(['Q01', 'Q02', 'Q03']),
          time: now - rnd.int(3 * DAY),
        });
        ratings.push(e);
        list.push(e);
      }
      for (let d = 0; d < DOSSIERS_PER_UNIT; d++) {
        const code = `HS-CC-${unit}-${d}`;
        const desk = rnd.pick(['Q01', 'Q02']);
        const at = now - 8 * DAY + rnd.int(4 * DAY);
        const r = received(unit, code, at + 2 * DAY, { desk, time: at }, rnd.pick(CHANNELS));
        receivedEvents.push(r);
        list.push(r);
        if (rnd.next() < 0.7)
          list.push(dossierEvent(unit, 'resolved', code, { desk, time: at + rnd.int(3 * DAY) }));
        if (rnd.next() < 0.3)
          list.push(dossierEvent(unit, 'returned', code, { desk, time: at + 3 * DAY + 1000 }));
      }
      byUnit.set(unit, list);
    }
    const distinct = [...byUnit.values()].flat();
    expect(new Set(distinct.map(keyOf)).size).toBe(distinct.length);

    // Every event goes to at least two clients of its unit, plus random extra copies.
    const keys = await Promise.all(units.map((u) => deskKey(t.db, u)));
    const pools: Event[][] = Array.from({ length: CLIENTS }, () => []);
    const clientsOf = (u: number) => pools.map((_, c) => c).filter((c) => c % units.length === u);
    units.forEach((unit, u) => {
      const mine = clientsOf(u);
      for (const e of byUnit.get(unit) ?? []) {
        const first = rnd.pick(mine);
        pools[first].push(e);
        pools[rnd.pick(mine.filter((c) => c !== first))].push(e);
        for (const c of mine) if (rnd.next() < 0.05) pools[c].push(e);
      }
    });

    // Each client sends its pool, shuffled, in random batch sizes, some events twice in a batch.
    const clients = pools.map((pool, c) => {
      const events = rnd.shuffle([...pool]);
      const batches: Event[][] = [];
      for (let i = 0; i < events.length; ) {
        const size = 1 + rnd.int(40);
        const batch = events.slice(i, i + size);
        if (rnd.next() < 0.3) batch.splice(rnd.int(batch.length + 1), 0, rnd.pick(batch));
        batches.push(batch);
        i += size;
      }
      return { key: keys[c % units.length], url: ingests[c % ingests.length].url, batches };
    });
    const sent = clients.reduce((n, c) => n + c.batches.reduce((m, b) => m + b.length, 0), 0);

    const responses = await Promise.all(
      clients.map(async (client) => {
        const out: { status: number; report: Report; batch: Event[] }[] = [];
        for (const batch of client.batches) {
          const res = await postBatch(client.url, client.key, batch);
          out.push({ status: res.status, report: res.body as unknown as Report, batch });
        }
        return out;
      }),
    ).then((all) => all.flat());

    for (const r of responses) {
      expect(r.status).toBe(200);
      expect(r.report.rejected).toBe(0);
      expect(r.report.results.map((x) => x.id)).toEqual(r.batch.map((e) => e.id));
    }
    const accepted: string[] = [];
    let duplicates = 0;
    for (const r of responses) {
      r.report.results.forEach((x, i) => {
        if (x.status === 'accepted') accepted.push(keyOf(r.batch[i]));
        else if (x.status === 'duplicate') duplicates++;
      });
    }
    expect(accepted.length + duplicates).toBe(sent);
    expect(responses.reduce((n, r) => n + r.report.accepted, 0)).toBe(distinct.length);
    expect(accepted).toHaveLength(distinct.length);
    expect(new Set(accepted)).toEqual(new Set(distinct.map(keyOf)));

    const rows = await t.db.query<{ source: string; id: string }>(
      sql`select source, id from events where unit_code in (${units[0]}, ${units[1]})`,
    );
    expect(rows).toHaveLength(distinct.length);
    expect(new Set(rows.map(keyOf))).toEqual(new Set(distinct.map(keyOf)));

    const [totals] = await t.db.query<{ ratings: number; received: number }>(
      sql`select coalesce(sum(very_satisfied + satisfied + unsatisfied), 0)::int as ratings,
            coalesce(sum(received_direct + received_online + received_postal), 0)::int as received
          from rollups where grain = 'd' and unit_code in (${units[0]}, ${units[1]})`,
    );
    expect(totals).toEqual({ ratings: ratings.length, received: receivedEvents.length });

    for (const level of LEVELS) {
      const [row] = await t.db.query<{ n: number }>(
        sql`select coalesce(sum(${sql.raw(level)}), 0)::int as n from rollups
            where grain = 'd' and unit_code in (${units[0]}, ${units[1]})`,
      );
      expect(row.n).toBe(ratings.filter((e) => e.data.level === level).length);
    }
    for (const grain of ['h', 'm']) {
      const [row] = await t.db.query<{ n: number }>(
        sql`select coalesce(sum(very_satisfied + satisfied + unsatisfied), 0)::int as n from rollups
            where grain = ${grain} and unit_code in (${units[0]}, ${units[1]})`,
      );
      expect(row.n).toBe(ratings.length);
    }

    const [dossiers] = await t.db.query<{ n: number }>(
      sql`select count(*)::int as n from dossiers where unit_code in (${units[0]}, ${units[1]})`,
    );
    expect(dossiers.n).toBe(DOSSIERS_PER_UNIT * units.length);
  });
});
