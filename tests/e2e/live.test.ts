import type { ClientToServerEvents, ServerToClientEvents, Snapshot, SubscribeAck } from '@motcua/contract';
import { DB_KINDS } from '@motcua/test-helpers/db';
import { rating } from '@motcua/test-helpers/events';
import { postBatch } from '@motcua/test-helpers/ingest';
import { apiGet, startTestSystem, type TestSystem } from '@motcua/test-helpers/system';
import { waitFor } from '@motcua/test-helpers/wait';
import { io, type Socket } from 'socket.io-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

type Client = Socket<ServerToClientEvents, ClientToServerEvents>;

describe.each(DB_KINDS)('live stream on %s', (kind) => {
  let s: TestSystem;
  let cityToken: string;
  const clients: Client[] = [];

  const connect = (token: string | undefined, opts: { reconnectionDelay?: number } = {}): Client => {
    const c: Client = io(s.dashboardUrl, {
      path: '/socket.io',
      auth: token ? { token } : {},
      transports: ['websocket'],
      reconnectionDelay: opts.reconnectionDelay ?? 100,
      reconnectionDelayMax: 500,
    });
    clients.push(c);
    return c;
  };
  const subscribe = (c: Client, unit: string, window = '1h') =>
    new Promise<SubscribeAck>((resolve) => c.emit('subscribe', { unit, window }, resolve));
  const nextMetrics = (c: Client, test: (s: Snapshot) => boolean, what: string) =>
    waitFor<Snapshot>(
      (deliver) => {
        c.on('metrics', deliver);
        return () => c.off('metrics', deliver);
      },
      test,
      10_000,
      what,
    );

  beforeAll(async () => {
    s = await startTestSystem(kind);
    cityToken = await s.viewer('city', s.tree.city);
  });
  afterEach(() => {
    for (const c of clients.splice(0)) c.disconnect();
  });
  afterAll(() => s.close());

  it('acks a subscription with the same snapshot the HTTP API gives', async () => {
    const c = connect(cityToken);
    const ack = (await subscribe(c, s.tree.city)) as Snapshot;
    const http = await apiGet(s.dashboardUrl, `/api/v1/units/${s.tree.city}/metrics?window=1h`, cityToken);
    expect(ack.unit).toEqual(http.body.unit);
    expect(ack.window.name).toBe('1h');
    expect(ack.metrics).toEqual(http.body.metrics);
    expect(ack.children).toEqual(http.body.children);
  });

  it('pushes a fresh snapshot after events reach the ingest', async () => {
    const commune = s.tree.communes[1];
    const c = connect(cityToken);
    const before = (await subscribe(c, s.tree.city)) as Snapshot;
    // Nothing has been rated in this system yet.
    expect(before.metrics.satisfaction.total).toBe(0);
    const key = await s.deskKey(commune);
    const update = nextMetrics(
      c,
      (snap) => snap.metrics.satisfaction.total === 2,
      'a metrics event counting the 2 new ratings',
    );
    const posted = await postBatch(s.ingestUrl, key, [
      rating(commune, 'satisfied'),
      rating(commune, 'unsatisfied'),
    ]);
    expect(posted.body.accepted).toBe(2);
    const snap = await update;
    const two = { verySatisfied: 0, satisfied: 1, unsatisfied: 1, total: 2, rate: 0.5 };
    expect(snap.metrics.satisfaction).toMatchObject(two);
    // All of it in the commune's district, none in the others.
    expect(
      snap.children.map((ch) => [
        ch.unit.code,
        ch.metrics.satisfaction.satisfied,
        ch.metrics.satisfaction.unsatisfied,
      ]),
    ).toEqual(s.tree.districts.map((d) => (d === s.tree.districtOf[commune] ? [d, 1, 1] : [d, 0, 0])));
  });

  it('enforces viewer scope on subscribe: no parent, no sibling', async () => {
    const [d0, d1] = s.tree.districts;
    const c = connect(await s.viewer('district', d0));
    expect(await subscribe(c, s.tree.city)).toMatchObject({ error: { code: 'forbidden' } });
    expect(await subscribe(c, d1)).toMatchObject({ error: { code: 'forbidden' } });
    expect(await subscribe(c, '99999')).toMatchObject({ error: { code: 'not_found' } });
    expect(await subscribe(c, d0, 'forever')).toMatchObject({ error: { code: 'bad_request' } });
    expect(((await subscribe(c, d0)) as Snapshot).unit.code).toBe(d0);
    expect(((await subscribe(c, `${s.tree.communes[0]}/Q01`)) as Snapshot).unit.level).toBe('desk');
  });

  it('refuses a connection without a valid token', async () => {
    const c = connect('mcv_bogus', { reconnectionDelay: 60_000 });
    const error = await waitFor<Error>((deliver) => {
      c.on('connect_error', deliver);
      return () => c.off('connect_error', deliver);
    });
    expect(error.message).toBe('unauthorized');
  });

  it('reconnects after the dashboard restarts and resubscribes', async () => {
    const commune = s.tree.communes[2];
    const c = connect(cityToken);
    await subscribe(c, commune);
    const reconnected = waitFor<number>(
      (deliver) => {
        c.io.on('reconnect', deliver);
        return () => c.io.off('reconnect', deliver);
      },
      undefined,
      15_000,
      'reconnect',
    );
    await s.restartDashboard();
    await reconnected;
    const again = (await subscribe(c, commune)) as Snapshot;
    expect(again.unit.code).toBe(commune);
    // Nothing rated in this commune before.
    expect(again.metrics.satisfaction.total).toBe(0);
    const key = await s.deskKey(commune);
    const update = nextMetrics(c, (snap) => snap.metrics.satisfaction.total > 0, 'metrics after restart');
    await postBatch(s.ingestUrl, key, [rating(commune, 'very_satisfied')]);
    const after = await update;
    expect(after.unit.code).toBe(commune);
    expect(after.metrics.satisfaction).toMatchObject({
      verySatisfied: 1,
      satisfied: 0,
      unsatisfied: 0,
      total: 1,
    });
  });
});
