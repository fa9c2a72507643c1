import type { AddressInfo } from 'node:net';
import { type ServerType, serve } from '@hono/node-server';
import { createApp } from './app.ts';
import type { IngestDeps } from './env.ts';

export interface RunningIngest {
  port: number;
  server: ServerType;
  /** Stops accepting, answers what is in flight after its flush, closes sockets. */
  close(): Promise<void>;
}

/** Serves the ingest app on a port (0 picks a free one). The caller owns db and writer. */
export function listenIngest(deps: IngestDeps, opts: { port: number; host: string }): Promise<RunningIngest> {
  const app = createApp(deps);
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: app.fetch, port: opts.port, hostname: opts.host }, (info: AddressInfo) => {
      resolve({
        port: info.port,
        server,
        async close() {
          const closed = new Promise<void>((r) => server.close(() => r()));
          if ('closeIdleConnections' in server) server.closeIdleConnections();
          await deps.writer.close();
          // In-flight requests have their answers now; drop keep-alive sockets.
          setTimeout(() => 'closeAllConnections' in server && server.closeAllConnections(), 1000).unref();
          await closed;
        },
      });
    });
    server.once('error', reject);
  });
}
