import type { Server } from 'node:http';

/**
 * How long a kept-alive connection may sit idle before the server closes it. Node's default (5 s)
 * loses a race with clients that reuse the connection: when the event loop is busy (the embedded
 * database runs on it) the idle timer fires late, after the client has already sent its next
 * request on that socket, and the client sees ECONNRESET instead of an answer. Longer than the
 * 60 s idle timeout of common proxies and load balancers, so they close first, never we.
 */
export const KEEP_ALIVE_MS = 65_000;

/** Applies the keep-alive timeout above, and a headers timeout just beyond it as Node advises. */
export function applyKeepAlive(server: Pick<Server, 'keepAliveTimeout' | 'headersTimeout'>): void {
  server.keepAliveTimeout = KEEP_ALIVE_MS;
  server.headersTimeout = KEEP_ALIVE_MS + 1_000;
}
