import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { ERROR_STATUS, errorBody } from '@motcua/contract';
import { type Database, deskKeyUseTracker, type UnitTree, writeBatch } from '@motcua/db';
import { createMailer, type MailConfig } from '@motcua/mail';
import { makeWorkCalendar, VN_CALENDAR } from '@motcua/metrics';
import { DigestScheduler } from '@motcua/reports';
import { applyKeepAlive, createLogger, type LogLevel } from '@motcua/service';
import { sql } from 'drizzle-orm';
import { viewerFrom } from '../src/lib/server/auth.ts';
import { type DashboardRuntime, setRuntime } from '../src/lib/server/runtime.ts';
import { PUBLIC_ONLY, type WebhookUrlPolicy } from '../src/lib/server/webhook-url.ts';
import { AlertRunner } from './alerts/runner.ts';
import type { AlertsConfig } from './config.ts';
import { type HubClock, LiveHub, systemClock } from './hub.ts';
import { createDashboardMetrics, type DashboardMetrics } from './metrics.ts';
import { serveOpenApi } from './openapi.ts';
import { guardVanishedFiles } from './static-files.ts';

export type { WebhookUrlPolicy } from '../src/lib/server/webhook-url.ts';
export { type AlertsConfig, type DashboardConfig, loadDashboardConfig } from './config.ts';
export { LiveHub } from './hub.ts';
export type { DashboardMetrics } from './metrics.ts';

const handlerPath = fileURLToPath(new URL('../build/handler.js', import.meta.url));
const clientDir = fileURLToPath(new URL('../build/client', import.meta.url));
/** adapter-node's handler behind the guard; both list the built files when it loads. */
let builtHandler: Promise<NodeHandler> | null = null;

export const dashboardBuilt = () => existsSync(handlerPath);

export interface RunningDashboard {
  port: number;
  /** Null when this process does not run the alerts. */
  alerts: AlertRunner | null;
  server: Server;
  hub: LiveHub;
  metrics: DashboardMetrics;
  /** The digest scheduler, when mail is configured. */
  digests: DigestScheduler | null;
  close(): Promise<void>;
}

type NodeHandler = (req: IncomingMessage, res: ServerResponse, next?: () => void) => void;

const DEFAULT_CHROMIUM = '/usr/bin/chromium';

/** The address this server reaches itself at: a wildcard bind answers on the loopback too. */
const loopbackFor = (host: string) =>
  host === '0.0.0.0' || host === ''
    ? '127.0.0.1'
    : host === '::'
      ? '[::1]'
      : host.includes(':')
        ? `[${host}]`
        : host;

/** A CSP source list: no `;` or `,` (they would start another directive or policy). */
const FRAME_ANCESTORS_RE = /^[\w\-.:/*' ]{1,1000}$/;

function send(res: ServerResponse, status: number, type: string, body: string) {
  res.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store' });
  res.end(body);
}

/** Answers `/metrics`, `/healthz` and `/readyz` ahead of SvelteKit; false for anything else. */
async function serveOps(req: IncomingMessage, res: ServerResponse, db: Database, metrics: DashboardMetrics) {
  if (req.method !== 'GET' && req.method !== 'HEAD') return false;
  const path = (req.url ?? '').split('?')[0];
  if (path === '/metrics') {
    // Unauthenticated, like /healthz: the server binds 127.0.0.1 unless HOST says otherwise,
    // so only the machine (or a scraper the operator lets in) reaches it. No secrets in it.
    send(res, 200, metrics.registry.contentType, await metrics.registry.metrics());
  } else if (path === '/healthz') {
    send(res, 200, 'application/json', JSON.stringify({ status: 'ok' }));
  } else if (path === '/readyz') {
    try {
      await db.ping();
      send(res, 200, 'application/json', JSON.stringify({ status: 'ready' }));
    } catch {
      res.setHeader('Retry-After', '2');
      const body = errorBody('unavailable', 'database unreachable', randomUUID());
      send(res, ERROR_STATUS.unavailable, 'application/json', JSON.stringify(body));
    }
  } else {
    return false;
  }
  return true;
}

/** The header this server tells adapter-node the request's protocol in (see startDashboard). */
const PROTOCOL_HEADER = 'x-motcua-protocol';

/** `https` or `http`: as a proxy in front says (X-Forwarded-Proto), else as the connection is. */
function protocolOf(req: IncomingMessage): string {
  const forwarded = req.headers['x-forwarded-proto'];
  const first = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(',')[0].trim();
  if (first === 'https' || first === 'http') return first;
  return (req.socket as { encrypted?: boolean }).encrypted ? 'https' : 'http';
}

/** How often open sockets have their credentials checked again (revoked viewers are closed). */
const RECHECK_MS = 15_000;

/**
 * Ends the live streams of revoked viewers, as HTTP ends their requests: every `subscribe`
 * checks the credentials the socket connected with again, and a sweep closes sockets whose
 * viewer was revoked (or whose session expired) while they only listened.
 */
function closeRevokedSockets(hub: LiveHub, db: Database): () => void {
  type Handshake = { auth?: { token?: unknown }; headers: { cookie?: string } };
  const credentials = (h: Handshake) => ({
    token: typeof h.auth?.token === 'string' ? h.auth.token : null,
    cookie: h.headers.cookie,
  });
  const valid = async (h: Handshake) => (await viewerFrom(db, credentials(h))) !== null;
  hub.io.on('connection', (socket) => {
    socket.use(([event], next) => {
      if (event !== 'subscribe' && event !== 'watchAlerts') return next();
      // A database error is the hub's to answer (`unavailable`), not a reason to disconnect.
      valid(socket.handshake).then(
        (ok) => (ok ? next() : socket.disconnect(true)),
        () => next(),
      );
    });
  });
  const timer = setInterval(async () => {
    const checked = new Map<string, Promise<boolean>>();
    for (const socket of hub.io.sockets.sockets.values()) {
      const id = JSON.stringify(credentials(socket.handshake));
      let ok = checked.get(id);
      if (!ok) {
        ok = valid(socket.handshake).catch(() => true);
        checked.set(id, ok);
      }
      if (!(await ok)) socket.disconnect(true);
    }
  }, RECHECK_MS);
  timer.unref();
  return () => clearInterval(timer);
}

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
  /** Node process metrics at /metrics; `npm start` gives them to one service of the process. */
  processMetrics?: boolean;
  /** The alert evaluator, webhooks and mail (docs/alerts.md); absent: not run by this process. */
  alerts?: AlertsConfig;
  /** Which addresses webhooks may point to; default public addresses only (docs/alerts.md#webhook-addresses). */
  webhookPolicy?: WebhookUrlPolicy;
  /** PUBLIC_URL: the origin form posts must come from (SvelteKit's CSRF check) and links are made for. */
  publicUrl?: string;
  logLevel?: LogLevel;
  /** The hub's and the alerts' clock; tests pass a manual one. */
  clock?: HubClock;
  /** Headless Chromium for PDF reports (MOTCUA_CHROMIUM_PATH); default /usr/bin/chromium. */
  chromiumPath?: string;
  /** Scheduled digests go out when mail and the unsubscribe-link secret are both given. */
  mail?: MailConfig;
  reportSecret?: string;
  /** The digests' clock (tests move it); default the hub's. */
  digestClock?: () => number;
}): Promise<RunningDashboard> {
  if (opts.frameAncestors !== undefined && !FRAME_ANCESTORS_RE.test(opts.frameAncestors)) {
    throw new Error(`FRAME_ANCESTORS: expected CSP sources such as 'none' or https://portal.example.vn`);
  }
  const runtime: DashboardRuntime = {
    db: opts.db,
    tree: opts.tree,
    cookies: { secure: opts.secureCookies ?? false },
    frameAncestors: opts.frameAncestors ?? "'none'",
    calendar: opts.alerts?.calendar ?? makeWorkCalendar(VN_CALENDAR),
    mailConfigured: opts.alerts?.mail !== undefined,
    webhookPolicy: opts.webhookPolicy ?? PUBLIC_ONLY,
    // selfUrl is known once the server listens (port 0 in tests).
    reports: {
      chromiumPath: opts.chromiumPath ?? DEFAULT_CHROMIUM,
      pdfAvailable: () => existsSync(runtime.reports.chromiumPath),
      selfUrl: '',
      digests: Boolean(opts.mail && opts.reportSecret),
      secret: opts.reportSecret,
    },
  };
  setRuntime(runtime);
  if (!runtime.reports.pdfAvailable()) {
    // Said once at start: the PDF button is off, report.pdf answers 503 and digests carry Excel only.
    console.error(
      JSON.stringify({
        level: 'warn',
        msg: `no Chromium at ${runtime.reports.chromiumPath}: PDF reports are off (the PDF button is disabled, report.pdf answers 503, digests carry the Excel report only); install Debian's chromium or set MOTCUA_CHROMIUM_PATH`,
        chromiumPath: runtime.reports.chromiumPath,
      }),
    );
  }
  // SvelteKit refuses form posts whose Origin is not the site's (CSRF). adapter-node takes the
  // site's origin from ORIGIN, read when the handler loads: PUBLIC_URL gives it.
  if (opts.publicUrl && !process.env.ORIGIN) process.env.ORIGIN = new URL(opts.publicUrl).origin;
  // Without ORIGIN adapter-node assumes https, so on plain http (npm start, a LAN) SvelteKit
  // refused every form post as cross-site. Unless PROTOCOL_HEADER is configured, the protocol is
  // the proxy's X-Forwarded-Proto, else the connection's own; it is read once, when the handler loads.
  if (!process.env.ORIGIN) process.env.PROTOCOL_HEADER ??= PROTOCOL_HEADER;
  // Imported once per process: a restart in the same process (tests, the soak) does not need the
  // build directory to be there at that moment.
  builtHandler ??= (import(handlerPath) as Promise<{ handler: NodeHandler }>).then((m) =>
    guardVanishedFiles(clientDir, m.handler),
  );
  const handler = await builtHandler;
  const metrics = createDashboardMetrics({ processMetrics: opts.processMetrics });
  const server = createServer((req, res) => {
    if (process.env.PROTOCOL_HEADER === PROTOCOL_HEADER) req.headers[PROTOCOL_HEADER] = protocolOf(req);
    // Static files bypass the SvelteKit hook that sets the other headers.
    res.setHeader('X-Content-Type-Options', 'nosniff');
    serveOps(req, res, opts.db, metrics).then(
      (done) => done || serveOpenApi(req, res, runtime.frameAncestors) || handler(req, res),
      () => send(res, 500, 'text/plain', 'internal error'),
    );
  });
  applyKeepAlive(server);
  const hub = new LiveHub(server, opts.db, opts.tree, { clock: opts.clock });
  runtime.writeEvents = async (events) => {
    const { statuses, units } = await writeBatch(opts.db, events, { notify: opts.listen });
    if (!opts.listen && units.length > 0) hub.unitsChanged(units);
    return statuses;
  };
  runtime.deskKeyUsed = deskKeyUseTracker(opts.db);
  metrics.watch(hub);
  // Alert changes reach every dashboard process: through NOTIFY on Postgres, directly in one process.
  const ALERTS_CHANNEL = 'motcua_alerts';
  runtime.alertsChanged = opts.listen
    ? (communes) =>
        void opts.db
          .query(sql`select pg_notify(${ALERTS_CHANNEL}, ${communes.slice(0, 500).join(',')})`)
          .catch(() => hub.alertsChanged(communes))
    : (communes) => hub.alertsChanged(communes);
  const unlistenAlerts = opts.listen
    ? await opts.db.listen(ALERTS_CHANNEL, (payload) => hub.alertsChanged(payload.split(',')))
    : null;
  const log = createLogger(opts.logLevel ?? 'info', { service: 'dashboard' });
  const alerts = opts.alerts
    ? new AlertRunner({
        db: opts.db,
        tree: opts.tree,
        clock: opts.clock ?? systemClock,
        calendar: opts.alerts.calendar,
        evaluateEveryMs: opts.alerts.evaluateEveryMs,
        digestEveryMs: opts.alerts.digestEveryMs,
        mailer: opts.alerts.mail && createMailer(opts.alerts.mail),
        publicUrl: opts.publicUrl,
        webhooks: { policy: opts.webhookPolicy ?? PUBLIC_ONLY },
        onChange: (communes) => runtime.alertsChanged?.(communes),
        log: (level, msg, fields) => log[level](msg, fields),
      })
    : null;
  alerts?.start();
  const stopRechecks = closeRevokedSockets(hub, opts.db);
  const unlisten = opts.listen
    ? await opts.db.listen('motcua_units', (payload) => hub.unitsChanged(payload.split(',')))
    : null;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => resolve());
  });
  runtime.reports.selfUrl = `http://${loopbackFor(opts.host)}:${(server.address() as AddressInfo).port}`;
  runtime.listen = { host: opts.host, port: (server.address() as AddressInfo).port };
  const mailer = opts.mail && opts.reportSecret ? createMailer(opts.mail) : null;
  const digests =
    mailer && opts.reportSecret
      ? new DigestScheduler({
          db: opts.db,
          tree: opts.tree,
          mailer,
          clock: opts.digestClock ?? (opts.clock ? () => (opts.clock as HubClock).now() : Date.now),
          instance: `${process.pid}-${randomUUID()}`,
          publicUrl: opts.publicUrl ?? runtime.reports.selfUrl,
          secret: opts.reportSecret,
          chromiumPath: runtime.reports.chromiumPath,
          selfUrl: runtime.reports.selfUrl,
          log: (msg, fields) => console.error(JSON.stringify({ level: 'warn', msg, ...fields })),
        })
      : null;
  digests?.start();
  return {
    port: (server.address() as AddressInfo).port,
    server,
    hub,
    alerts,
    metrics,
    digests,
    async close() {
      alerts?.stop();
      alerts?.opts.mailer?.close();
      await unlistenAlerts?.().catch(() => {});
      await unlisten?.().catch(() => {});
      stopRechecks();
      await digests?.stop();
      mailer?.close();
      // Socket.IO's close waits for the HTTP server to close, which waits for every open
      // connection (a page's keep-alive fetches too): end them while it waits, not after.
      const hubClosed = hub.close();
      server.closeAllConnections();
      await hubClosed;
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
