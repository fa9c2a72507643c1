import { existsSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { Database, UnitTree } from '@motcua/db';
import { type DashboardRuntime, setRuntime } from '../src/lib/server/runtime.ts';
import { LiveHub } from './hub.ts';

export { LiveHub } from './hub.ts';

const handlerPath = fileURLToPath(new URL('../build/handler.js', import.meta.url));

export const dashboardBuilt = () => existsSync(handlerPath);

export interface RunningDashboard {
  port: number;
  server: Server;
  hub: LiveHub;
  close(): Promise<void>;
}

type NodeHandler = (req: IncomingMessage, res: ServerResponse, next?: () => void) => void;

/**
 * Serves the built SvelteKit app with the live hub on one HTTP server. In server mode the
 * hub hears about changes through LISTEN; in embedded mode the caller feeds `hub.unitsChanged`.
 */
export async function startDashboard(opts: {
  db: Database;
  tree: UnitTree;
  port: number;
  host: string;
  listen: boolean;
  secureCookies?: boolean;
  frameAncestors?: string;
}): Promise<RunningDashboard> {
  const runtime: DashboardRuntime = {
    db: opts.db,
    tree: opts.tree,
    cookies: { secure: opts.secureCookies ?? false },
    frameAncestors: opts.frameAncestors ?? "'none'",
  };
  setRuntime(runtime);
  const { handler } = (await import(handlerPath)) as { handler: NodeHandler };
  const server = createServer((req, res) => handler(req, res));
  const hub = new LiveHub(server, opts.db, opts.tree);
  const unlisten = opts.listen
    ? await opts.db.listen('motcua_units', (payload) => hub.unitsChanged(payload.split(',')))
    : null;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    server,
    hub,
    async close() {
      await unlisten?.().catch(() => {});
      await hub.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
