/**
 * Server mode as deployed: 2 ingest and 2 dashboard processes (`start --only …`) on one
 * Postgres database, with LISTEN/NOTIFY between them. Every dashboard must hear every commit,
 * whichever ingest made it, and both must serve the same numbers.
 */

import type { ClientToServerEvents, ServerToClientEvents, Snapshot, SubscribeAck } from '@motcua/contract';
import { createDeskKey, createViewer } from '@motcua/db';
import { createTestTree, openTestDb, type TestDb, type TestTree } from '@motcua/test-helpers/db';
import { rating, received } from '@motcua/test-helpers/events';
import { postBatch } from '@motcua/test-helpers/ingest';
import { type SpawnedService, spawnService } from '@motcua/test-helpers/spawn';
import { waitFor } from '@motcua/test-helpers/wait';
import { sql } from 'drizzle-orm';
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

type Client = Socket<ServerToClientEvents, ClientToServerEvents>;

const hasPostgres = Boolean(process.env.DATABASE_URL);
const HOUR = 3_600_000;

describe.skipIf(!hasPostgres)('2 ingest + 2 dashboard processes on one Postgres (needs DATABASE_URL)', () => {
  let t: TestDb;
  let tree: TestTree;
  let token: string;
  const keys = new Map<string, string>();
  const ingests: SpawnedService[] = [];
  const dashboards: SpawnedService[] = [];
  const clients: Client[] = [];

  beforeAll(async () => {
    t = await openTestDb('postgres');
    tree = await createTestTree(t.db, { city: '93', districts: 2, communesPerDistrict: 2 });
    token = (await createViewer(t.db, { role: 'city', unit: tree.city, label: 'multi-process' })).token;
    for (const c of tree.communes) keys.set(c, (await createDeskKey(t.db, { unit: c, label: 'mp' })).key);
    const env = { DATABASE_URL: t.url, LOG_LEVEL: 'warn', RATE_LIMIT_EVENTS_PER_SEC: '0' };
    const started = await Promise.all([
      spawnService('ingest', { env }),
      spawnService('ingest', { env }),
      spawnService('dashboard', { env }),
      spawnService('dashboard', { env }),
    ]);
    ingests.push(...started.slice(0, 2));
    dashboards.push(...started.slice(2));
  }, 90_000);

  afterAll(async () => {
    for (const c of clients) c.disconnect();
    await Promise.all([...ingests, ...dashboards].map((s) => s.stop()));
    await t?.drop();
  });

  const connect = (dashboard: SpawnedService): Client => {
    const c: Client = io(dashboard.url, { path: '/socket.io', auth: { token }, transports: ['websocket'] });
    clients.push(c);
    return c;
  };
  const subscribe = (c: Client, unit: string) =>
    new Promise<SubscribeAck>((resolve) => c.emit('subscribe', { unit, window: '1h' }, resolve));
  const metricsWhere = (c: Client, test: (s: Snapshot) => boolean, what: string) =>
    waitFor<Snapshot>(
      (deliver) => {
        c.on('metrics', deliver);
        return () => c.off('metrics', deliver);
      },
      test,
      15_000,
      what,
    );
  const ratings = (s: Snapshot) => s.metrics.satisfaction.total;

  it('every dashboard gets a metrics update for events posted to either ingest', async () => {
    const subs = dashboards.map((d) => connect(d));
    const acks = (await Promise.all(subs.map((c) => subscribe(c, tree.city)))) as Snapshot[];
    for (const a of acks) expect(a.unit.code).toBe(tree.city);
    // A fresh database: nothing rated yet.
    expect(acks.map(ratings)).toEqual([0, 0]);
    let expected = 0;
    /** Satisfied ratings sent so far per district. */
    const byDistrict = new Map<string, number>();

    for (const [i, ingest] of ingests.entries()) {
      // Communes 0 and 2: one in each district, so the per-district numbers tell them apart.
      const commune = tree.communes[2 * i];
      const n = i + 2;
      expected += n;
      const want = expected;
      const seen = subs.map((c, k) =>
        metricsWhere(
          c,
          (s) => ratings(s) === want,
          `dashboard ${k} counting ${n} ratings sent to ingest ${i}`,
        ),
      );
      const events = Array.from({ length: n }, () => rating(commune, 'satisfied'));
      const posted = await postBatch(ingest.url, keys.get(commune) as string, events);
      expect(posted.status).toBe(200);
      expect(posted.body.accepted).toBe(n);
      const snaps = await Promise.all(seen);
      const district = tree.districtOf[commune];
      byDistrict.set(district, (byDistrict.get(district) ?? 0) + n);
      const perDistrict = tree.districts.map((d) => byDistrict.get(d) ?? 0);
      for (const s of snaps) {
        expect(
          tree.districts.map(
            (d) => s.children.find((ch) => ch.unit.code === d)?.metrics.satisfaction.satisfied,
          ),
        ).toEqual(perDistrict);
      }
    }
  });

  it('one event sent to both ingests is stored once', async () => {
    const commune = tree.communes[3];
    const due = Date.now() + 48 * HOUR;
    const event = received(commune, 'MP-DUP-1', due);
    const answers = await Promise.all(
      ingests.map((i) => postBatch(i.url, keys.get(commune) as string, [event])),
    );
    const statuses = answers.map((a) => (a.body.results as { status: string }[])[0].status).sort();
    expect(statuses).toEqual(['accepted', 'duplicate']);
    // Stored once: one row in events, one dossier, one receipt in the rollups.
    const rows = await t.db.query<{ events: number; dossiers: number; received: number }>(
      sql`select
        (select count(*) from events where source = ${event.source} and id = ${event.id})::int as events,
        (select count(*) from dossiers where unit_code = ${commune} and dossier_code = 'MP-DUP-1')::int as dossiers,
        (select coalesce(sum(received_direct), 0) from rollups where grain = 'm' and unit_code = ${commune})::int as received`,
    );
    expect(rows).toEqual([{ events: 1, dossiers: 1, received: 1 }]);
  });

  it('both dashboards serve the same numbers over HTTP', async () => {
    const from = new Date(Date.now() - 2 * HOUR).toISOString();
    const to = new Date(Date.now() + 60_000).toISOString();
    const query = `from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`;
    const read = async (d: SpawnedService) => {
      const res = await fetch(`${d.url}/api/v1/units/${tree.city}/metrics?${query}`, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(res.status).toBe(200);
      const body = (await res.json()) as Snapshot;
      return { unit: body.unit, window: body.window, metrics: body.metrics, children: body.children };
    };
    const [a, b] = await Promise.all(dashboards.map(read));
    // 2 + 3 satisfied ratings from the first test, the one receipt from the second.
    expect(a.metrics.satisfaction).toMatchObject({
      verySatisfied: 0,
      satisfied: 5,
      unsatisfied: 0,
      total: 5,
    });
    expect(a.metrics.received).toEqual({ total: 1, direct: 1, online: 0, postal: 0 });
    expect(b).toEqual(a);
  });
});
