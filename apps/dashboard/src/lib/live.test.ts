import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Snapshot } from '@motcua/contract';
import type { ClientToServerEvents, ServerToClientEvents, SubscribeRequest } from '@motcua/contract/live';
import { Server } from 'socket.io';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { LiveClient } from './live.svelte.ts';

// The real socket.io client, but the test keeps hold of each socket it opens, to close it at the end.
const opened = vi.hoisted(() => [] as { disconnect(): unknown }[]);
vi.mock('socket.io-client', async (importOriginal) => {
  const real = await importOriginal<typeof import('socket.io-client')>();
  return {
    ...real,
    io: (...args: Parameters<typeof real.io>) => {
      const socket = real.io(...args);
      opened.push(socket);
      return socket;
    },
  };
});

type Sent = { conn: number; event: 'subscribe' | 'unsubscribe'; sub: string };

/**
 * A stand-in for the dashboard's live hub on a fixed port: it answers every subscribe with a
 * snapshot and writes down what each connection sent. It can be stopped and started again.
 */
class FakeHub {
  port = 0;
  connections = 0;
  readonly sent: Sent[] = [];
  #http: HttpServer | null = null;
  #io: Server<ClientToServerEvents, ServerToClientEvents> | null = null;

  async start(): Promise<void> {
    const http = createServer();
    const io = new Server<ClientToServerEvents, ServerToClientEvents>(http, { path: '/socket.io' });
    io.on('connection', (socket) => {
      const conn = ++this.connections;
      socket.on('subscribe', (req, ack) => {
        this.sent.push({ conn, event: 'subscribe', sub: `${req.unit}|${req.window}` });
        ack(snapshotOf(req, conn));
      });
      socket.on('unsubscribe', (req, ack) => {
        this.sent.push({ conn, event: 'unsubscribe', sub: `${req.unit}|${req.window}` });
        ack?.({ ok: true });
      });
    });
    await new Promise<void>((resolve) => http.listen(this.port, '127.0.0.1', resolve));
    this.port = (http.address() as AddressInfo).port;
    this.#http = http;
    this.#io = io;
  }

  /** Goes away as a process would: the connections drop, nothing listens on the port. */
  async stop(): Promise<void> {
    const io = this.#io;
    const http = this.#http;
    this.#io = this.#http = null;
    if (!io || !http) return;
    const closed = new Promise<void>((resolve) => io.close(() => resolve()));
    http.closeAllConnections();
    await closed;
  }

  /** Closes every socket from the server side (`io server disconnect`): socket.io does not reconnect by itself. */
  disconnectAll(): void {
    this.#io?.disconnectSockets(true);
  }

  /** Pushes a snapshot to every connection, as the hub does when numbers change. */
  push(snapshot: Snapshot): void {
    this.#io?.emit('metrics', snapshot);
  }

  /** What connection `conn` sent, in order. */
  sentOn(conn: number, event: Sent['event'] = 'subscribe'): string[] {
    return this.sent.filter((s) => s.conn === conn && s.event === event).map((s) => s.sub);
  }
}

function snapshotOf(req: SubscribeRequest, conn: number): Snapshot {
  return {
    unit: { code: req.unit, name: `unit ${req.unit}`, level: 'district' },
    window: { name: req.window },
    asOf: `connection ${conn}`,
  } as unknown as Snapshot;
}

async function waitFor(what: string, cond: () => boolean, ms = 8_000): Promise<void> {
  const until = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const settle = (ms = 300) => new Promise((r) => setTimeout(r, ms));

const hubs: FakeHub[] = [];

/** A fake hub, and the page's location pointing at it (the client connects to its own origin). */
async function startHub(): Promise<FakeHub> {
  const hub = new FakeHub();
  hubs.push(hub);
  await hub.start();
  vi.stubGlobal('location', {
    protocol: 'http:',
    host: `127.0.0.1:${hub.port}`,
    hostname: '127.0.0.1',
    port: String(hub.port),
    href: `http://127.0.0.1:${hub.port}/`,
  });
  return hub;
}

afterEach(async () => {
  for (const socket of opened.splice(0)) socket.disconnect();
  for (const hub of hubs.splice(0)) await hub.stop();
  vi.unstubAllGlobals();
});

describe('LiveClient', () => {
  it('after the server restarts on the same port, sends its current subscriptions again, once each', async () => {
    const hub = await startHub();
    const client = new LiveClient();
    const resyncs: number[] = [];
    client.onResync(() => resyncs.push(hub.connections));
    const got = { a1: [] as string[], a2: [] as string[], b: [] as string[], d: [] as string[] };
    const asOf = (list: string[]) => (s: Snapshot) => list.push(s.asOf);

    const offA1 = client.subscribe('930', 'today', asOf(got.a1));
    client.subscribe('930', 'today', asOf(got.a2)); // a second listener of the same subscription
    const offB = client.subscribe('931', '7d', asOf(got.b));
    const offC = client.subscribe('93', '1h', () => {});
    await waitFor('three subscribes', () => hub.sentOn(1).length === 3);
    expect(hub.sentOn(1).sort()).toEqual(['930|today', '931|7d', '93|1h']);
    expect(client.state).toBe('live');
    await waitFor('the acks', () => got.a1.length === 1 && got.a2.length === 1 && got.b.length === 1);

    // C ends; A keeps one of its two listeners, so only C is unsubscribed.
    offC();
    offA1();
    await waitFor('the unsubscribe of C', () => hub.sentOn(1, 'unsubscribe').length === 1);
    expect(hub.sentOn(1, 'unsubscribe')).toEqual(['93|1h']);

    await hub.stop();
    await waitFor('the client to notice', () => client.state === 'reconnecting');
    expect(client.lostAt).not.toBeNull();
    // While the server is away: B ends and D begins. Neither reaches a server now.
    offB();
    client.subscribe('930', '30d', asOf(got.d));

    await hub.start();
    await waitFor('the resubscribe', () => hub.sentOn(2).length >= 2);
    await settle();
    expect(hub.connections).toBe(2);
    expect(hub.sentOn(2).sort()).toEqual(['930|30d', '930|today']);
    expect(hub.sentOn(2, 'unsubscribe')).toEqual([]);
    expect(client.state).toBe('live');
    expect(client.lostAt).toBeNull();
    expect(resyncs).toEqual([2]);
    // The new server's answers reach the listeners still there, and only them.
    await waitFor('the answers after the restart', () => got.a2.length === 2 && got.d.length === 1);
    expect(got.a2).toEqual(['connection 1', 'connection 2']);
    expect(got.a1).toEqual(['connection 1']);
    expect(got.b).toEqual(['connection 1']);
    expect(got.d).toEqual(['connection 2']);

    // And again: every reconnect sends the same set once, not once per earlier connection.
    await hub.stop();
    await waitFor('the client to notice again', () => client.state === 'reconnecting');
    await hub.start();
    await waitFor('the second resubscribe', () => hub.sentOn(3).length >= 2);
    await settle();
    expect(hub.sentOn(3).sort()).toEqual(['930|30d', '930|today']);
    expect(resyncs).toEqual([2, 3]);
    expect(hub.sent.filter((s) => s.conn === 3)).toHaveLength(2);
  }, 30_000);

  it('reconnects by itself when the server closes the socket on purpose, and resubscribes', async () => {
    const hub = await startHub();
    const client = new LiveClient();
    client.subscribe('930', 'today', () => {});
    client.subscribe('931', '1h', () => {});
    await waitFor('two subscribes', () => hub.sentOn(1).length === 2);

    // `io server disconnect`: socket.io leaves the socket closed; the client tries again within 3–5 s.
    hub.disconnectAll();
    await waitFor('the client to notice', () => client.state === 'reconnecting');
    await waitFor('the reconnect', () => hub.connections === 2 && hub.sentOn(2).length >= 2, 10_000);
    await settle();
    expect(hub.sentOn(2).sort()).toEqual(['930|today', '931|1h']);
    expect(client.state).toBe('live');
  }, 20_000);

  it('sends one subscribe for many listeners of the same unit and window, and unsubscribes after the last', async () => {
    const hub = await startHub();
    const client = new LiveClient();
    const first: Snapshot[] = [];
    const later: Snapshot[] = [];
    const off1 = client.subscribe('930', '7d', (s) => first.push(s));
    await waitFor('the first answer', () => first.length === 1);
    // A later listener gets the last snapshot at once, without a second subscribe.
    const off2 = client.subscribe('930', '7d', (s) => later.push(s));
    expect(later).toEqual(first);
    off1();
    await settle(200);
    expect(hub.sentOn(1, 'unsubscribe')).toEqual([]);
    off2();
    await waitFor('the unsubscribe', () => hub.sentOn(1, 'unsubscribe').length === 1);
    expect(hub.sentOn(1)).toEqual(['930|7d']);
    expect(hub.sentOn(1, 'unsubscribe')).toEqual(['930|7d']);
  });

  it('delivers pushed snapshots of calendar windows and of a period named by its label', async () => {
    const hub = await startHub();
    const client = new LiveClient();
    const got: string[] = [];
    client.subscribe('930', 'month', (s) => got.push(`month ${s.asOf}`));
    client.subscribe('930', '2026-10', (s) => got.push(`2026-10 ${s.asOf}`));
    await waitFor('both answers', () => got.length === 2);
    const pushed = (window: Snapshot['window'], asOf: string) =>
      ({ unit: { code: '930', name: 'unit 930', level: 'district' }, window, asOf }) as unknown as Snapshot;
    // The hub names a period's window `period` with its label, and `month` with the month's.
    hub.push(pushed({ name: 'period', period: '2026-10', from: '', to: '' }, 'pushed p'));
    hub.push(pushed({ name: 'month', period: '2026-11', from: '', to: '' }, 'pushed m'));
    hub.push(pushed({ name: 'period', period: '2026-09', from: '', to: '' }, 'not subscribed'));
    await waitFor('the pushes', () => got.length === 4);
    await settle(200);
    expect(got.slice(2).sort()).toEqual(['2026-10 pushed p', 'month pushed m']);
  });
});
