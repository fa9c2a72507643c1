import type { ViewerRole } from '@motcua/contract';
import {
  type AlertsConfig,
  type RunningDashboard,
  startDashboard,
  type WebhookUrlPolicy,
} from '@motcua/dashboard/server';
import { createDeskKey, createViewer, type Database, GroupCommitWriter, readUnitTree } from '@motcua/db';
import { createIngestMetrics, listenIngest, RateLimiter, type RunningIngest } from '@motcua/ingest';
import type { MailConfig } from '@motcua/mail';
import { createLogger } from '@motcua/service';
import { createTestTree, type DbKind, openTestDb, type TestDb, type TestTree } from './db.ts';

export interface TestSystem {
  kind: DbKind;
  t: TestDb;
  db: Database;
  tree: TestTree;
  ingest: RunningIngest;
  dashboard: RunningDashboard;
  ingestUrl: string;
  dashboardUrl: string;
  viewer(role: ViewerRole, unit: string): Promise<string>;
  deskKey(unit: string, desk?: string): Promise<string>;
  /** Restarts the dashboard on the same port (the hub and its sockets go away and come back). */
  restartDashboard(): Promise<void>;
  /** Stops the dashboard, as a server that is down; `restartDashboard` brings it back. */
  stopDashboard(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Ingest and dashboard over one fresh database, wired as `npm start` wires them: the
 * in-process signal on PGlite, NOTIFY/LISTEN on Postgres.
 */
export async function startTestSystem(
  kind: DbKind,
  treeOpts: Parameters<typeof createTestTree>[1] = {},
  /** `processMetrics`: Node process metrics on the ingest's /metrics, as `npm start` has them. */
  sysOpts: {
    processMetrics?: boolean;
    frameAncestors?: string;
    secureCookies?: boolean;
    /** Run the alerts in the dashboard (its timers; tests call `dashboard.alerts.evaluate()`). */
    alerts?: AlertsConfig;
    /**
     * Where webhooks may point. Default: public addresses and 127.0.0.1 by name, where the tests'
     * receivers listen (`localhost`, 10.x and the rest are refused, as in production).
     */
    webhookPolicy?: WebhookUrlPolicy;
    /** The PDF reports' browser; a path with nothing there stands for a server without Chromium. */
    chromiumPath?: string;
    /** Scheduled digests: mail settings, the unsubscribe secret and the scheduler's clock. */
    digests?: { mail: MailConfig; secret: string; clock: () => number };
    /** Where the dashboard listens; `0.0.0.0` lets a browser reach it on the LAN address. */
    dashboardHost?: string;
  } = {},
): Promise<TestSystem> {
  const t = await openTestDb(kind);
  const tree = await createTestTree(t.db, treeOpts);
  const unitTree = await readUnitTree(t.db);
  const embedded = kind === 'pglite';
  const boot = (port = 0) =>
    startDashboard({
      db: t.db,
      tree: unitTree,
      port,
      host: sysOpts.dashboardHost ?? '127.0.0.1',
      listen: !embedded,
      frameAncestors: sysOpts.frameAncestors,
      secureCookies: sysOpts.secureCookies,
      alerts: sysOpts.alerts,
      webhookPolicy: sysOpts.webhookPolicy ?? { allowPrivate: false, allowHosts: ['127.0.0.1'] },
      chromiumPath: sysOpts.chromiumPath,
      mail: sysOpts.digests?.mail,
      reportSecret: sysOpts.digests?.secret,
      digestClock: sysOpts.digests?.clock,
    });
  let dashboard = await boot();
  let dashboardUp = true;
  const metrics = createIngestMetrics({ processMetrics: sysOpts.processMetrics });
  const writer = new GroupCommitWriter(t.db, {
    notify: !embedded,
    onCommit: embedded ? (units) => dashboard.hub.unitsChanged(units) : undefined,
    onFlush: metrics.observeFlush,
  });
  const ingest = await listenIngest(
    {
      db: t.db,
      writer,
      limiter: new RateLimiter(0, 1000),
      log: createLogger('silent'),
      retryAfterSeconds: 1,
      metrics,
    },
    { port: 0, host: '127.0.0.1' },
  );
  const system: TestSystem = {
    kind,
    t,
    db: t.db,
    tree,
    ingest,
    get dashboard() {
      return dashboard;
    },
    ingestUrl: `http://127.0.0.1:${ingest.port}`,
    dashboardUrl: `http://127.0.0.1:${dashboard.port}`,
    viewer: async (role, unit) => (await createViewer(t.db, { role, unit, label: `test ${role}` })).token,
    deskKey: async (unit, desk) => (await createDeskKey(t.db, { unit, label: 'test desk', desk })).key,
    async restartDashboard() {
      const port = dashboard.port;
      if (dashboardUp) await dashboard.close();
      dashboard = await boot(port);
      dashboardUp = true;
    },
    async stopDashboard() {
      if (dashboardUp) await dashboard.close();
      dashboardUp = false;
    },
    async close() {
      await ingest.close();
      if (dashboardUp) await dashboard.close();
      await t.drop();
    },
  };
  return system;
}

/** GET with a viewer token; returns status, headers and parsed body. */
export async function apiGet(base: string, path: string, token?: string) {
  const res = await fetch(`${base}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  const text = await res.text();
  let body: unknown = text;
  if (res.headers.get('content-type')?.includes('json')) body = JSON.parse(text);
  return { status: res.status, headers: res.headers, body: body as Record<string, unknown>, text };
}
