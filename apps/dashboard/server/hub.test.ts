import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type {
  ClientToServerEvents,
  LiveError,
  ServerToClientEvents,
  Snapshot,
  SubscribeAck,
} from '@motcua/contract';
import { createViewer, type Database, readUnitTree } from '@motcua/db';
import { formatLocal } from '@motcua/metrics';
import { createTestTree, openTestDb, type TestDb } from '@motcua/test-helpers/db';
import { io, type Socket } from 'socket.io-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { checkRequest, type HubClock, type HubTimer, LiveHub } from './hub.ts';

/** Opening and migrating an in-memory PGlite takes seconds. */
const PGLITE_TIMEOUT = 60_000;

/**
 * A clock that moves only when told to: timers fall due inside `advance`, in order, so the
 * hub's schedule can be stepped through millisecond by millisecond.
 */
class ManualClock implements HubClock {
  #now = Date.now();
  readonly #timers = new Map<HubTimer, { at: number; fn: () => void; every: number | null }>();

  now(): number {
    return this.#now;
  }
  setTimeout(fn: () => void, ms: number): HubTimer {
    const timer = {};
    this.#timers.set(timer, { at: this.#now + ms, fn, every: null });
    return timer;
  }
  clearTimeout(timer: HubTimer): void {
    this.#timers.delete(timer);
  }
  setInterval(fn: () => void, ms: number): HubTimer {
    const timer = {};
    this.#timers.set(timer, { at: this.#now + ms, fn, every: ms });
    return timer;
  }
  clearInterval(timer: HubTimer): void {
    this.#timers.delete(timer);
  }
  /** One-shot timers waiting to fire. */
  get pendingTimeouts(): number {
    return [...this.#timers.values()].filter((t) => t.every === null).length;
  }
  /** Moves time on by `ms`, running every timer that falls due on the way. */
  advance(ms: number): void {
    const end = this.#now + ms;
    for (;;) {
      let next: [HubTimer, { at: number; fn: () => void; every: number | null }] | null = null;
      for (const entry of this.#timers)
        if (entry[1].at <= end && (!next || entry[1].at < next[1].at)) next = entry;
      if (!next) break;
      const [timer, t] = next;
      this.#now = t.at;
      if (t.every === null) this.#timers.delete(timer);
      else t.at += t.every;
      t.fn();
    }
    this.#now = end;
  }
}

/** The test's hold on the database: counts queries, and can hold them back or make them fail. */
class DbControl {
  queries = 0;
  #gate: Promise<void> | null = null;
  #open: (() => void) | null = null;
  failWith: Error | null = null;

  constructor(db: Database) {
    const query = db.query.bind(db);
    db.query = (async (...args: Parameters<Database['query']>) => {
      this.queries++;
      if (this.failWith) throw this.failWith;
      if (this.#gate) await this.#gate;
      return query(...args);
    }) as Database['query'];
  }

  /** Snapshot reads started (a district's or a city's snapshot is two queries). */
  get reads(): number {
    return this.queries / 2;
  }
  hold(): void {
    this.#gate = new Promise((resolve) => {
      this.#open = resolve;
    });
  }
  release(): void {
    this.#open?.();
    this.#gate = null;
  }
}

type Client = Socket<ServerToClientEvents, ClientToServerEvents>;
type Stale = Parameters<ServerToClientEvents['stale']>[0];

async function waitFor(what: string, cond: () => boolean, ms = 5_000): Promise<void> {
  const until = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

let testDb: TestDb;
let db: Database;
let clock: ManualClock;
let control: DbControl;
let server: Server;
let hub: LiveHub;
let url: string;
let cityToken: string;
let districtToken: string;
const clients: Client[] = [];

beforeAll(async () => {
  testDb = await openTestDb('pglite');
  db = testDb.db;
  // City 91, districts 910 and 911, communes 91000… and 91100…
  await createTestTree(db, { city: '91', districts: 2, communesPerDistrict: 2 });
  cityToken = (await createViewer(db, { role: 'city', unit: '91', label: 'hub test city' })).token;
  districtToken = (await createViewer(db, { role: 'district', unit: '910', label: 'hub test district' }))
    .token;
  control = new DbControl(db);
  clock = new ManualClock();
  server = createServer();
  hub = new LiveHub(server, db, await readUnitTree(db), { clock });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}, PGLITE_TIMEOUT);

afterEach(async () => {
  control.failWith = null;
  control.release();
  for (const c of clients.splice(0)) c.disconnect();
  await waitFor('the subscriptions to end', () => hub.stats.subscriptions === 0);
});

afterAll(async () => {
  await hub?.close();
  await testDb?.drop();
});

/** A connected client that records every push it gets. */
async function connect(token = cityToken) {
  const socket: Client = io(url, {
    path: '/socket.io',
    auth: { token },
    transports: ['websocket'],
    reconnection: false,
  });
  clients.push(socket);
  const metrics: Snapshot[] = [];
  const stale: Stale[] = [];
  socket.on('metrics', (s) => metrics.push(s));
  socket.on('stale', (s) => stale.push(s));
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('connect_error', reject);
  });
  return {
    socket,
    metrics,
    stale,
    subscribe: (req: unknown): Promise<SubscribeAck> =>
      socket.timeout(5_000).emitWithAck('subscribe', req as { unit: string; window: string }),
    /**
     * A round trip on the same connection: whatever the hub sent this socket before it answers
     * has arrived once this resolves.
     */
    barrier: () => socket.timeout(5_000).emitWithAck('unsubscribe', { unit: 'none', window: 'today' }),
  };
}

const isError = (ack: SubscribeAck): ack is LiveError => 'error' in ack;

describe('LiveHub scheduling', () => {
  it('coalesces many changes within 250 ms into one snapshot, and the next comes no sooner than 250 ms after it', async () => {
    const c = await connect();
    const ack = await c.subscribe({ unit: '910', window: 'today' });
    expect(isError(ack)).toBe(false);
    control.queries = 0;

    // 20 changes over 190 ms, starting right after the subscribe's own snapshot.
    for (let i = 0; i < 20; i++) {
      hub.unitsChanged(['91000']);
      clock.advance(10);
    }
    clock.advance(49); // 249 ms after the subscribe's snapshot
    expect(control.reads).toBe(0);
    clock.advance(1);
    expect(control.reads).toBe(1);
    await waitFor('the first push', () => c.metrics.length === 1);
    expect(c.metrics[0].unit.code).toBe('910');
    expect(c.metrics[0].window.name).toBe('today');

    // A change right after that push waits out the rest of the 250 ms.
    hub.unitsChanged(['91001']);
    clock.advance(249);
    expect(control.reads).toBe(1);
    clock.advance(1);
    expect(control.reads).toBe(2);
    await waitFor('the second push', () => c.metrics.length === 2);

    // Nothing more without a change.
    clock.advance(1_000);
    await c.barrier();
    expect(control.reads).toBe(2);
    expect(c.metrics).toHaveLength(2);
  });

  it('starts no second read while one is in flight, and exactly one follow-up read after it', async () => {
    const c = await connect();
    expect(isError(await c.subscribe({ unit: '911', window: 'today' }))).toBe(false);
    control.queries = 0;

    control.hold();
    hub.unitsChanged(['91100']);
    clock.advance(250);
    expect(control.reads).toBe(1); // started, held at the database

    // A second of changes while the read waits: none starts a read or even a timer.
    for (let i = 0; i < 10; i++) {
      hub.unitsChanged(['91100', '91101']);
      clock.advance(100);
    }
    expect(control.reads).toBe(1);
    expect(clock.pendingTimeouts).toBe(0);

    control.release();
    await waitFor('the held read to be pushed', () => c.metrics.length === 1);
    // The changes made meanwhile give one follow-up read, 250 ms after the push.
    expect(clock.pendingTimeouts).toBe(1);
    clock.advance(249);
    expect(control.reads).toBe(1);
    clock.advance(1);
    expect(control.reads).toBe(2);
    await waitFor('the follow-up push', () => c.metrics.length === 2);

    clock.advance(5_000);
    await c.barrier();
    expect(control.reads).toBe(2);
    expect(c.metrics).toHaveLength(2);
  });

  it('tells subscribers their numbers are stale when the database fails, keeps `since`, retries, and pushes again once it answers', async () => {
    const c = await connect();
    expect(isError(await c.subscribe({ unit: '91', window: 'today' }))).toBe(false);
    control.queries = 0;

    control.failWith = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), {
      code: 'ECONNREFUSED',
    });
    hub.unitsChanged(['91000']);
    clock.advance(250);
    const failedAt = clock.now();
    await waitFor('a stale event', () => c.stale.length === 1);
    expect(c.stale[0]).toEqual({ unit: '91', window: 'today', since: formatLocal(failedAt) });

    // The retry comes 2 s later than the usual 250 ms, and fails again: `since` stays the first failure.
    clock.advance(2_249);
    expect(control.reads).toBe(1);
    clock.advance(1);
    expect(control.reads).toBe(2);
    await waitFor('a second stale event', () => c.stale.length === 2);
    expect(c.stale[1]).toEqual({ unit: '91', window: 'today', since: formatLocal(failedAt) });
    expect(formatLocal(clock.now())).not.toBe(formatLocal(failedAt));

    // The database answers again: the next retry pushes a snapshot, with no change signal needed.
    control.failWith = null;
    clock.advance(2_250);
    expect(control.reads).toBe(3);
    await waitFor('the snapshot after the outage', () => c.metrics.length === 1);
    expect(c.metrics[0].unit.code).toBe('91');
    await c.barrier();
    expect(c.stale).toHaveLength(2);
  });

  it('refreshes a quiet subscription after 30 s without changes', async () => {
    const c = await connect();
    expect(isError(await c.subscribe({ unit: '910', window: '1h' }))).toBe(false);
    control.queries = 0;

    clock.advance(29_999);
    expect(control.reads).toBe(0);
    // The refresh check runs every 5 s: the read comes at its first run after the 30 s.
    clock.advance(5_001);
    expect(control.reads).toBe(1);
    await waitFor('the refresh push', () => c.metrics.length === 1);
    expect(c.metrics[0].window.name).toBe('1h');
  });
});

describe('LiveHub subscribe checks', () => {
  it('answers a bad payload, an unknown unit, a unit outside the viewer and a bad window with the live error codes', async () => {
    const c = await connect(districtToken);
    const code = async (req: unknown) => {
      const ack = await c.subscribe(req);
      return isError(ack) ? ack.error.code : 'snapshot';
    };
    expect(await code('910')).toBe('bad_request');
    expect(await code({ window: 'today' })).toBe('bad_request');
    expect(await code({ unit: '999', window: 'today' })).toBe('not_found');
    expect(await code({ unit: '911', window: 'today' })).toBe('forbidden');
    expect(await code({ unit: '91', window: 'today' })).toBe('forbidden');
    expect(await code({ unit: '910', window: 'yesterday' })).toBe('bad_request');
    expect(await code({ unit: '910', window: 'custom' })).toBe('bad_request');
    expect(hub.stats.subscriptions).toBe(0);
    // Its own district and a commune in it are fine.
    expect(await code({ unit: '910', window: 'today' })).toBe('snapshot');
    expect(await code({ unit: '91001', window: '7d' })).toBe('snapshot');
    expect(hub.stats.subscriptions).toBe(2);
  });

  it('subscribes to this week and to a closed ISO week, and refuses a week the year lacks', async () => {
    const c = await connect(districtToken);
    const week = await c.subscribe({ unit: '910', window: 'week' });
    expect(isError(week) ? week.error.code : week.window).toMatchObject({ name: 'week' });
    const w44 = await c.subscribe({ unit: '910', window: '2025-W44' });
    expect(isError(w44) ? w44.error.code : w44.window).toMatchObject({
      name: 'period',
      period: '2025-W44',
      from: '2025-10-27T00:00:00+07:00',
      to: '2025-11-03T00:00:00+07:00',
    });
    const bad = await c.subscribe({ unit: '910', window: '2027-W53' });
    expect(isError(bad) ? bad.error.code : 'snapshot').toBe('bad_request');
  });

  it('answers a subscribe with `unavailable` when the database fails, and keeps no subscription', async () => {
    const c = await connect();
    control.failWith = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    const ack = await c.subscribe({ unit: '910', window: 'today' });
    expect(isError(ack) && ack.error.code).toBe('unavailable');
    expect(hub.stats.subscriptions).toBe(0);
  });

  it('refuses a connection without a valid viewer token', async () => {
    await expect(connect('mcv_not_a_token')).rejects.toThrow('unauthorized');
  });
});

describe('checkRequest', () => {
  it('keeps a well-formed request and defaults the window to today', () => {
    expect(checkRequest({ unit: '910', window: '7d' })).toEqual({
      unit: '910',
      window: '7d',
      from: undefined,
      to: undefined,
    });
    expect(checkRequest({ unit: '910' })).toMatchObject({ unit: '910', window: 'today' });
    expect(
      checkRequest({
        unit: '91001/Q01',
        window: 'custom',
        from: '2026-01-01T00:00:00+07:00',
        to: '2026-01-02',
      }),
    ).toMatchObject({
      unit: '91001/Q01',
      window: 'custom',
      from: '2026-01-01T00:00:00+07:00',
      to: '2026-01-02',
    });
  });

  it.each([
    ['no payload', null, 'payload: expected { unit, window }'],
    ['a string payload', '910', 'payload: expected { unit, window }'],
    ['no unit', { window: 'today' }, 'unit: expected a unit code'],
    ['an empty unit', { unit: '' }, 'unit: expected a unit code'],
    ['a numeric unit', { unit: 910 }, 'unit: expected a unit code'],
    ['a unit over 64 characters', { unit: 'x'.repeat(65) }, 'unit: expected a unit code'],
    [
      'a numeric window',
      { unit: '910', window: 7 },
      'window: expected a window name (1h, today, 7d, 30d, week, month, quarter, year, a period such as 2026-10 or 2026-W44) or custom',
    ],
    [
      'a window over 16 characters',
      { unit: '910', window: 'w'.repeat(17) },
      'window: expected a window name (1h, today, 7d, 30d, week, month, quarter, year, a period such as 2026-10 or 2026-W44) or custom',
    ],
    ['a numeric from', { unit: '910', window: 'custom', from: 1 }, 'from: expected an RFC 3339 time'],
    [
      'a to over 40 characters',
      { unit: '910', window: 'custom', to: 't'.repeat(41) },
      'to: expected an RFC 3339 time',
    ],
  ])('refuses %s with bad_request', (_name, req, message) => {
    expect(checkRequest(req)).toEqual({ error: { code: 'bad_request', message } });
  });

  it('accepts the longest allowed fields', () => {
    const req = { unit: 'x'.repeat(64), window: 'w'.repeat(16), from: 'f'.repeat(40), to: 't'.repeat(40) };
    expect(checkRequest(req)).toEqual(req);
  });
});
