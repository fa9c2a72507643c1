/**
 * The browser's live connection: one Socket.IO socket per tab, typed by the shared event map,
 * with reference-counted subscriptions that are sent again after every reconnect.
 */
import type { Snapshot } from '@motcua/contract';
import {
  type ClientToServerEvents,
  isLiveError,
  type LiveError,
  type ServerToClientEvents,
} from '@motcua/contract/live';
import { io, type Socket } from 'socket.io-client';
import { browser } from '$app/environment';

import type { LiveWindow } from './windows.ts';

export type ConnectionState = 'connecting' | 'live' | 'reconnecting' | 'offline';
export {
  CALENDAR_WINDOWS,
  type CalendarWindow,
  isPeriodLabel,
  LIVE_WINDOWS,
  type LiveWindow,
  type PeriodLabel,
  type RollingWindow,
  toLiveWindow,
} from './windows.ts';

/** Whether a window is drawn day by day (the long ones) rather than through today. */
export function isDailyWindow(w: LiveWindow): boolean {
  return w !== '1h' && w !== 'today';
}

export interface SubscribeOptions {
  /** The server could not read its database since `since` (local RFC 3339); numbers are stale. */
  onStale?: (since: string) => void;
  /** The server refused the subscription (forbidden, not found, bad request). */
  onError?: (error: LiveError['error']) => void;
}

interface Listener extends SubscribeOptions {
  onSnapshot: (snapshot: Snapshot) => void;
}

interface Subscription {
  unit: string;
  window: LiveWindow;
  listeners: Set<Listener>;
  last: Snapshot | null;
  staleSince: string | null;
  /** Bumped on every subscribe attempt, so that a late answer to an old attempt is ignored. */
  attempt: number;
  retry: ReturnType<typeof setTimeout> | null;
}

type LiveSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** After this long without a connection the state turns from `reconnecting` to `offline`. */
const OFFLINE_AFTER_MS = 10_000;
const ACK_TIMEOUT_MS = 10_000;
const RETRY_MS = 3_000;

const keyOf = (unit: string, window: string) => `${unit}|${window}`;
/** The window a pushed snapshot answers, as it was asked for: a period by its label, not `period`. */
const windowOf = (w: Snapshot['window']) => (w.name === 'period' ? (w.period ?? w.name) : w.name);

export class LiveClient {
  /** The connection as a person should see it. */
  state: ConnectionState = $state('connecting');
  /** When the connection was lost (epoch ms); null while live. */
  lostAt: number | null = $state(null);
  /** Set when the server turned the connection away: `unauthorized` means the session is gone. */
  refused: string | null = $state(null);

  #socket: LiveSocket | null = null;
  #everConnected = false;
  #offlineTimer: ReturnType<typeof setTimeout> | null = null;
  #retryConnect: ReturnType<typeof setTimeout> | null = null;
  readonly #subs = new Map<string, Subscription>();
  readonly #resyncListeners = new Set<() => void>();
  readonly #listeners: { [E in keyof ServerToClientEvents]: Set<ServerToClientEvents[E]> } = {
    metrics: new Set(),
    stale: new Set(),
    alerts: new Set(),
  };
  /** Units whose alerts are watched, with who is told when they change. */
  readonly #alertWatches = new Map<string, Set<() => void>>();

  /** The socket, created on first use and only in the browser. */
  #ensure(): LiveSocket | null {
    if (!browser) return null;
    if (this.#socket) return this.#socket;
    const socket: LiveSocket = io({ path: '/socket.io', withCredentials: true });
    this.#socket = socket;

    socket.on('connect', () => {
      const resync = this.#everConnected;
      this.#everConnected = true;
      this.#setLive();
      for (const sub of this.#subs.values()) this.#sendSubscribe(sub);
      for (const unit of this.#alertWatches.keys()) this.#sendWatchAlerts(unit);
      if (resync) for (const fn of this.#resyncListeners) fn();
    });
    socket.on('disconnect', (reason) => {
      if (reason === 'io client disconnect') {
        this.state = 'offline';
        return;
      }
      this.#markLost();
      // The server closed the socket on purpose (e.g. a restart): socket.io leaves it closed.
      if (!socket.active) this.#scheduleConnect();
    });
    socket.on('connect_error', (err) => {
      this.#markLost();
      if (socket.active) return; // a transport error: socket.io retries with backoff
      // The server's middleware refused the handshake.
      if (err.message === 'unauthorized') {
        this.refused = 'unauthorized';
        this.state = 'offline';
        return;
      }
      this.#scheduleConnect();
    });
    socket.on('metrics', (snapshot) => {
      const sub = this.#subs.get(keyOf(snapshot.unit.code, windowOf(snapshot.window)));
      if (sub) this.#deliver(sub, snapshot);
      for (const fn of this.#listeners.metrics) fn(snapshot);
    });
    socket.on('stale', (info) => {
      const sub = this.#subs.get(keyOf(info.unit, info.window));
      if (sub) {
        sub.staleSince = info.since;
        for (const l of sub.listeners) l.onStale?.(info.since);
      }
      for (const fn of this.#listeners.stale) fn(info);
    });
    socket.on('alerts', (change) => {
      for (const fn of this.#alertWatches.get(change.unit) ?? []) fn();
      for (const fn of this.#listeners.alerts) fn(change);
    });
    if (typeof window !== 'undefined') {
      window.addEventListener('online', () => {
        if (!socket.connected) socket.connect();
      });
    }
    return socket;
  }

  #setLive() {
    if (this.#offlineTimer) clearTimeout(this.#offlineTimer);
    this.#offlineTimer = null;
    this.state = 'live';
    this.lostAt = null;
    this.refused = null;
  }

  #markLost() {
    if (this.refused) return;
    this.lostAt ??= Date.now();
    if (this.state !== 'offline') this.state = this.#everConnected ? 'reconnecting' : 'connecting';
    if (!this.#offlineTimer) {
      this.#offlineTimer = setTimeout(
        () => {
          this.#offlineTimer = null;
          if (this.#socket?.connected) return;
          this.state = 'offline';
        },
        Math.max(0, this.lostAt + OFFLINE_AFTER_MS - Date.now()),
      );
    }
  }

  #scheduleConnect() {
    if (this.#retryConnect) return;
    this.#retryConnect = setTimeout(
      () => {
        this.#retryConnect = null;
        const socket = this.#socket;
        if (socket && !socket.connected && !socket.active) socket.connect();
      },
      RETRY_MS + Math.random() * 2_000,
    );
  }

  #deliver(sub: Subscription, snapshot: Snapshot) {
    sub.last = snapshot;
    sub.staleSince = null;
    for (const l of sub.listeners) l.onSnapshot(snapshot);
  }

  #sendSubscribe(sub: Subscription) {
    const socket = this.#socket;
    if (!socket?.connected) return; // sent on (re)connect
    if (sub.retry) clearTimeout(sub.retry);
    sub.retry = null;
    const attempt = ++sub.attempt;
    const again = () => {
      if (this.#subs.get(keyOf(sub.unit, sub.window)) !== sub || sub.retry) return;
      sub.retry = setTimeout(() => {
        sub.retry = null;
        this.#sendSubscribe(sub);
      }, RETRY_MS);
    };
    socket.timeout(ACK_TIMEOUT_MS).emit('subscribe', { unit: sub.unit, window: sub.window }, (err, res) => {
      if (attempt !== sub.attempt || this.#subs.get(keyOf(sub.unit, sub.window)) !== sub) return;
      if (err) return again();
      if (isLiveError(res)) {
        if (res.error.code === 'unavailable') return again();
        for (const l of sub.listeners) l.onError?.(res.error);
        return;
      }
      this.#deliver(sub, res);
    });
  }

  /**
   * Live snapshots of `unit` over `window`: the first as soon as the server answers, then every
   * change. Survives reconnects. Returns the function that ends the subscription.
   */
  subscribe(
    unit: string,
    window: LiveWindow,
    onSnapshot: (snapshot: Snapshot) => void,
    options: SubscribeOptions = {},
  ): () => void {
    const socket = this.#ensure();
    if (!socket) return () => {};
    const key = keyOf(unit, window);
    let sub = this.#subs.get(key);
    const listener: Listener = { onSnapshot, ...options };
    if (!sub) {
      sub = { unit, window, listeners: new Set(), last: null, staleSince: null, attempt: 0, retry: null };
      this.#subs.set(key, sub);
      sub.listeners.add(listener);
      this.#sendSubscribe(sub);
    } else {
      sub.listeners.add(listener);
      if (sub.last) onSnapshot(sub.last);
      if (sub.staleSince) options.onStale?.(sub.staleSince);
    }
    const mine = sub;
    return () => {
      mine.listeners.delete(listener);
      if (mine.listeners.size > 0 || this.#subs.get(key) !== mine) return;
      this.#subs.delete(key);
      if (mine.retry) clearTimeout(mine.retry);
      mine.attempt++;
      if (socket.connected) socket.emit('unsubscribe', { unit, window });
    };
  }

  /**
   * Calls `onChange` whenever the alerts of `unit`'s subtree change (the viewer's own subtree
   * only; read the list again then). Survives reconnects. Returns the function that stops it.
   */
  watchAlerts(unit: string, onChange: () => void): () => void {
    if (!this.#ensure()) return () => {};
    let set = this.#alertWatches.get(unit);
    if (!set) {
      set = new Set();
      this.#alertWatches.set(unit, set);
      this.#sendWatchAlerts(unit);
    }
    set.add(onChange);
    const mine = set;
    return () => {
      mine.delete(onChange);
    };
  }

  #sendWatchAlerts(unit: string) {
    // Sent again on every (re)connect; a refusal (outside the viewer's unit) leaves nothing to watch.
    if (this.#socket?.connected) this.#socket.emit('watchAlerts', { unit }, () => {});
  }

  /** Listens to one server event; returns the function that stops listening. */
  on<E extends keyof ServerToClientEvents>(event: E, fn: ServerToClientEvents[E]): () => void {
    this.#ensure();
    const set = this.#listeners[event] as Set<ServerToClientEvents[E]>;
    set.add(fn);
    return () => {
      set.delete(fn);
    };
  }

  /** Runs `fn` after every reconnect, once the subscriptions are sent again (to re-fetch REST data). */
  onResync(fn: () => void): () => void {
    this.#ensure();
    this.#resyncListeners.add(fn);
    return () => {
      this.#resyncListeners.delete(fn);
    };
  }
}

let client: LiveClient | null = null;

/** The tab's live client (it connects on the first subscription, never on the server). */
export function live(): LiveClient {
  client ??= new LiveClient();
  return client;
}
