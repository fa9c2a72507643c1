import { createServer, type Server, type Socket, connect as tcpConnect } from 'node:net';

/**
 * How a cut looks to clients. Either way every open connection is dropped at once.
 * - `blackhole`: new connections are accepted and then never answered (a dead host or a
 *   dropped route: only the client's own connect timeout ends them);
 * - `refuse`: new connections are reset at once (the server process is gone).
 */
export type CutMode = 'blackhole' | 'refuse';

export interface TcpProxy {
  /** The port the proxy listens on, on 127.0.0.1. */
  port: number;
  /** `url` with its host and port pointed at the proxy (a postgres:// URL, say). */
  urlFor(url: string): string;
  /** Drops every connection and, until `restore()`, black-holes or refuses new ones. */
  cut(mode?: CutMode): void;
  /**
   * Arms a one-shot cut: the first chunk going `to` the server (or client) that contains
   * `match` is not forwarded, and the proxy cuts right then. Resolves when it has fired.
   * Meant for short markers such as a statement's text; a marker split across two TCP
   * chunks is not seen.
   */
  cutWhen(to: 'server' | 'client', match: string, mode?: CutMode): Promise<void>;
  /** Forwards new connections again; connections held by a black hole are dropped. */
  restore(): void;
  readonly isCut: boolean;
  /** Connections forwarded, dropped by a cut, and held or refused while cut. */
  readonly stats: { forwarded: number; dropped: number; heldOrRefused: number };
  close(): Promise<void>;
}

/** A TCP forwarder on 127.0.0.1 that a test can cut and restore, between a service and its database. */
export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const live = new Map<Socket, Socket>();
  const held = new Set<Socket>();
  let mode: CutMode | null = null;
  const stats = { forwarded: 0, dropped: 0, heldOrRefused: 0 };
  let trigger: { to: 'server' | 'client'; match: string; mode: CutMode; fired: () => void } | null = null;

  /** Forwards `from` to `to` with backpressure, watching for an armed trigger. */
  const forward = (from: Socket, to: Socket, direction: 'server' | 'client') => {
    from.on('data', (chunk: Buffer) => {
      if (trigger?.to === direction && chunk.includes(trigger.match)) {
        const { mode: how, fired } = trigger;
        trigger = null;
        cut(how);
        fired();
        return;
      }
      if (!to.write(chunk)) {
        from.pause();
        to.once('drain', () => from.resume());
      }
    });
  };

  const server: Server = createServer((client) => {
    client.on('error', () => {});
    if (mode !== null) {
      stats.heldOrRefused++;
      if (mode === 'refuse') {
        client.resetAndDestroy();
        return;
      }
      held.add(client);
      client.on('close', () => held.delete(client));
      return;
    }
    stats.forwarded++;
    const upstream = tcpConnect(target.port, target.host);
    upstream.on('error', () => {});
    live.set(client, upstream);
    client.on('close', () => {
      live.delete(client);
      upstream.destroy();
    });
    upstream.on('close', () => client.destroy());
    forward(client, upstream, 'server');
    forward(upstream, client, 'client');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('tcp proxy: no port');

  function cut(how: CutMode) {
    mode = how;
    dropAll();
  }
  function dropAll() {
    for (const [client, upstream] of live) {
      stats.dropped++;
      client.destroy();
      upstream.destroy();
    }
    live.clear();
    for (const s of held) s.destroy();
    held.clear();
  }

  return {
    port: address.port,
    urlFor(url) {
      const u = new URL(url);
      u.hostname = '127.0.0.1';
      u.port = String(address.port);
      return u.toString();
    },
    cut(how = 'blackhole') {
      cut(how);
    },
    cutWhen(to, match, how = 'refuse') {
      return new Promise((fired) => {
        trigger = { to, match, mode: how, fired };
      });
    },
    restore() {
      mode = null;
      for (const s of held) s.destroy();
      held.clear();
    },
    get isCut() {
      return mode !== null;
    },
    stats,
    async close() {
      trigger = null;
      mode = 'refuse';
      dropAll();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
