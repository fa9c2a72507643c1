import type { Server as HttpServer } from 'node:http';
import type {
  ClientToServerEvents,
  LiveError,
  ServerToClientEvents,
  Snapshot,
  SubscribeRequest,
} from '@motcua/contract';
import { type Database, readSnapshot, resolveUnit, type UnitTree, type Viewer } from '@motcua/db';
import { formatLocal, resolveWindow } from '@motcua/metrics';
import { Server, type Socket } from 'socket.io';
import { mayRead, viewerFrom } from '../src/lib/server/auth.ts';

/** At most 4 snapshots a second per subscription. */
const MIN_INTERVAL_MS = 250;
/** At least one a minute, so asOf, open counts and rolling windows stay current. */
const REFRESH_MS = 30_000;
/** A client whose socket has this many packets waiting is skipped until it drains. */
const MAX_BUFFERED_PACKETS = 8;
/**
 * While there are subscribers a Postgres database is pinged this often: with it gone, no change
 * signal arrives (LISTEN goes down with it), so a quiet screen would not learn it is stale.
 */
const HEALTH_MS = 2_000;
const PING_TIMEOUT_MS = 3_000;

type SocketData = { viewer: Viewer };
type LiveSocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;

/** A timer handle of the hub's clock (Node's `Timeout` by default). */
export type HubTimer = object;

/** The hub's time source and timers: the system's by default; tests pass a manual one. */
export interface HubClock {
  now(): number;
  setTimeout(fn: () => void, ms: number): HubTimer;
  clearTimeout(timer: HubTimer): void;
  /** A repeating timer that does not keep the process alive. */
  setInterval(fn: () => void, ms: number): HubTimer;
  clearInterval(timer: HubTimer): void;
}

const systemClock: HubClock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (t) => clearTimeout(t as NodeJS.Timeout),
  setInterval: (fn, ms) => setInterval(fn, ms).unref(),
  clearInterval: (t) => clearInterval(t as NodeJS.Timeout),
};

export interface LiveHubOptions {
  clock?: HubClock;
}

interface Subscription {
  key: string;
  unit: string;
  req: { window: string; from?: string; to?: string };
  communes: string[];
  lastEmit: number;
  dirty: boolean;
  timer: HubTimer | null;
  /** A snapshot read is in flight: changes meanwhile only mark the subscription dirty. */
  reading: boolean;
  staleSince: number | null;
}

/** Packets queued on a client's connection; engine.io keeps this private but it is the buffer we bound. */
const buffered = (s: LiveSocket) => (s.conn as unknown as { writeBuffer: unknown[] }).writeBuffer.length;

const err = (code: LiveError['error']['code'], message: string): LiveError => ({ error: { code, message } });

export function checkRequest(req: unknown): SubscribeRequest | LiveError {
  if (req === null || typeof req !== 'object')
    return err('bad_request', 'payload: expected { unit, window }');
  const { unit, window, from, to } = req as Record<string, unknown>;
  if (typeof unit !== 'string' || unit.length === 0 || unit.length > 64) {
    return err('bad_request', 'unit: expected a unit code');
  }
  if (window !== undefined && (typeof window !== 'string' || window.length > 16)) {
    return err('bad_request', 'window: expected a window name (1h, today, 7d, 30d, month, quarter, year, a period such as 2026-10) or custom');
  }
  for (const [name, v] of [
    ['from', from],
    ['to', to],
  ] as const) {
    if (v !== undefined && (typeof v !== 'string' || v.length > 40)) {
      return err('bad_request', `${name}: expected an RFC 3339 time`);
    }
  }
  return {
    unit,
    window: (window as string | undefined) ?? 'today',
    from: from as string | undefined,
    to: to as string | undefined,
  };
}

export interface HubStats {
  clients: number;
  subscriptions: number;
  snapshots: number;
  snapshotMs: number;
}

/**
 * The live hub: Socket.IO subscriptions per (unit, window), one snapshot read per
 * subscription per change, coalesced, pushed to every socket in its room.
 */
export class LiveHub {
  readonly io: Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;
  readonly #subs = new Map<string, Subscription>();
  readonly #byCommune = new Map<string, Set<string>>();
  readonly #clock: HubClock;
  readonly #refresh: HubTimer;
  readonly #health: HubTimer;
  #checking = false;
  readonly stats: HubStats = { clients: 0, subscriptions: 0, snapshots: 0, snapshotMs: 0 };
  /** Told of every snapshot sent (a subscribe's ack or a push) and how long its read took. */
  onSnapshot: ((kind: 'ack' | 'push', ms: number) => void) | null = null;

  constructor(
    http: HttpServer,
    readonly db: Database,
    readonly tree: UnitTree,
    opts: LiveHubOptions = {},
  ) {
    this.#clock = opts.clock ?? systemClock;
    this.io = new Server(http, { path: '/socket.io', serveClient: false, maxHttpBufferSize: 16 * 1024 });
    this.io.use(async (socket, next) => {
      try {
        const viewer = await viewerFrom(db, {
          token: typeof socket.handshake.auth?.token === 'string' ? socket.handshake.auth.token : null,
          cookie: socket.handshake.headers.cookie,
        });
        if (!viewer) return next(new Error('unauthorized'));
        socket.data.viewer = viewer;
        next();
      } catch {
        next(new Error('unavailable'));
      }
    });
    this.io.on('connection', (socket) => this.#onConnection(socket));
    this.#refresh = this.#clock.setInterval(() => this.#refreshQuiet(), 5_000);
    this.#health = this.#clock.setInterval(() => void this.#checkDatabase(), HEALTH_MS);
  }

  /** The "units changed" signal: communes touched by a commit. */
  unitsChanged(communes: string[]): void {
    for (const c of communes) {
      for (const key of this.#byCommune.get(c) ?? []) {
        const sub = this.#subs.get(key);
        if (sub) this.#schedule(sub);
      }
    }
  }

  async close(): Promise<void> {
    this.#clock.clearInterval(this.#refresh);
    this.#clock.clearInterval(this.#health);
    for (const sub of this.#subs.values()) if (sub.timer) this.#clock.clearTimeout(sub.timer);
    await new Promise<void>((resolve) => this.io.close(() => resolve()));
  }

  #onConnection(socket: LiveSocket) {
    this.stats.clients++;
    const mine = new Set<string>();
    socket.on('subscribe', async (raw, ack) => {
      if (typeof ack !== 'function') return;
      const req = checkRequest(raw);
      if ('error' in req) return ack(req);
      const unit = resolveUnit(this.tree, req.unit);
      if (!unit) return ack(err('not_found', `unit ${req.unit}: unknown`));
      if (!mayRead(this.tree, socket.data.viewer, req.unit)) {
        return ack(err('forbidden', `unit ${req.unit}: outside your unit`));
      }
      const asOf = this.#clock.now();
      const w = resolveWindow({ window: req.window, from: req.from, to: req.to }, asOf);
      if (!w.ok) return ack(err('bad_request', `${w.field}: ${w.message}`));
      const key = JSON.stringify([req.unit, req.window, req.from ?? null, req.to ?? null]);
      let snapshot: Snapshot | null;
      const started = performance.now();
      try {
        snapshot = await readSnapshot(this.db, this.tree, req.unit, w.window, asOf);
      } catch {
        return ack(err('unavailable', 'the database did not answer; try again shortly'));
      }
      if (!snapshot) return ack(err('not_found', `unit ${req.unit}: unknown`));
      if (socket.disconnected) return;
      this.#add(key, req);
      mine.add(key);
      await socket.join(key);
      ack(snapshot);
      this.onSnapshot?.('ack', performance.now() - started);
    });
    socket.on('unsubscribe', async (raw, ack) => {
      const req = checkRequest(raw);
      if ('error' in req) return typeof ack === 'function' ? ack(req) : undefined;
      const key = JSON.stringify([req.unit, req.window, req.from ?? null, req.to ?? null]);
      mine.delete(key);
      await socket.leave(key);
      this.#dropIfEmpty(key);
      if (typeof ack === 'function') ack({ ok: true });
    });
    socket.on('disconnect', () => {
      this.stats.clients--;
      for (const key of mine) this.#dropIfEmpty(key);
    });
  }

  #add(key: string, req: SubscribeRequest) {
    if (this.#subs.has(key)) return;
    const unitCode = req.unit.split('/')[0];
    const communes = this.tree.communesUnder(unitCode);
    const sub: Subscription = {
      key,
      unit: req.unit,
      req: { window: req.window, from: req.from, to: req.to },
      communes,
      lastEmit: this.#clock.now(),
      dirty: false,
      timer: null,
      reading: false,
      staleSince: null,
    };
    this.#subs.set(key, sub);
    for (const c of communes) {
      let set = this.#byCommune.get(c);
      if (!set) {
        set = new Set();
        this.#byCommune.set(c, set);
      }
      set.add(key);
    }
    this.stats.subscriptions = this.#subs.size;
  }

  #dropIfEmpty(key: string) {
    if ((this.io.sockets.adapter.rooms.get(key)?.size ?? 0) > 0) return;
    const sub = this.#subs.get(key);
    if (!sub) return;
    if (sub.timer) this.#clock.clearTimeout(sub.timer);
    this.#subs.delete(key);
    for (const c of sub.communes) this.#byCommune.get(c)?.delete(key);
    this.stats.subscriptions = this.#subs.size;
  }

  #schedule(sub: Subscription) {
    sub.dirty = true;
    // One read per subscription at a time: under load, reads must not pile up behind each other.
    if (sub.timer || sub.reading) return;
    const wait = Math.max(0, sub.lastEmit + MIN_INTERVAL_MS - this.#clock.now());
    sub.timer = this.#clock.setTimeout(() => this.#emit(sub), wait);
  }

  async #emit(sub: Subscription) {
    sub.timer = null;
    if (!this.#subs.has(sub.key)) return;
    sub.dirty = false;
    sub.lastEmit = this.#clock.now();
    const asOf = this.#clock.now();
    const w = resolveWindow(sub.req, asOf);
    if (!w.ok) return;
    const started = performance.now();
    let snapshot: Snapshot | null;
    sub.reading = true;
    try {
      snapshot = await readSnapshot(this.db, this.tree, sub.unit, w.window, asOf);
    } catch {
      sub.reading = false;
      this.#stale(sub, asOf);
      return;
    }
    sub.reading = false;
    sub.staleSince = null;
    this.stats.snapshots++;
    this.stats.snapshotMs += performance.now() - started;
    if (!snapshot) return;
    this.#room(sub.key).emit('metrics', snapshot);
    // The next read waits its turn from now, so a slow database gets breathing room.
    sub.lastEmit = this.#clock.now();
    this.onSnapshot?.('push', performance.now() - started);
    if (sub.dirty && !sub.timer) this.#schedule(sub);
  }

  /** The sockets of a room, without those that have not drained what they were sent. */
  #room(key: string) {
    const slow: string[] = [];
    for (const id of this.io.sockets.adapter.rooms.get(key) ?? []) {
      const s = this.io.sockets.sockets.get(id);
      if (s && buffered(s) > MAX_BUFFERED_PACKETS) slow.push(id);
    }
    return slow.length ? this.io.to(key).except(slow) : this.io.to(key);
  }

  /** Keeps the subscription; tells its clients their numbers are stale and tries again shortly. */
  #stale(sub: Subscription, at: number) {
    sub.staleSince ??= at;
    this.#room(sub.key).emit('stale', {
      unit: sub.unit,
      window: sub.req.window,
      since: formatLocal(sub.staleSince),
    });
    sub.lastEmit = this.#clock.now() + 2000;
    this.#schedule(sub);
  }

  async #checkDatabase() {
    // Embedded PGlite lives in this process: it cannot drop away.
    if (this.db.kind !== 'postgres' || this.#subs.size === 0 || this.#checking) return;
    this.#checking = true;
    try {
      await this.db.ping(PING_TIMEOUT_MS);
    } catch {
      // Subscriptions already stale are retrying; the others learn it now and retry until it is back.
      const now = this.#clock.now();
      for (const sub of this.#subs.values()) if (sub.staleSince === null) this.#stale(sub, now);
    } finally {
      this.#checking = false;
    }
  }

  #refreshQuiet() {
    const now = this.#clock.now();
    for (const sub of this.#subs.values()) {
      if (!sub.timer && now - sub.lastEmit >= REFRESH_MS) this.#schedule(sub);
    }
  }
}
