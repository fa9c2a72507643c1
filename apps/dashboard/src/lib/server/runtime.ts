import type { ValidatedEvent } from '@motcua/contract';
import type { Database, UnitTree, WriteStatus } from '@motcua/db';
import type { WorkCalendar } from '@motcua/metrics';
import type { WebhookUrlPolicy } from './webhook-url.ts';

/** What the SvelteKit server code needs, handed over by the process that serves it. */
export interface DashboardRuntime {
  db: Database;
  tree: UnitTree;
  cookies: { secure: boolean };
  /** CSP frame-ancestors value, e.g. `'none'` or `https://portal.hanoi.gov.vn`. */
  frameAncestors: string;
  /** Whether alert digests go out by mail (MOTCUA_SMTP_URL set). */
  mailConfigured?: boolean;
  /** Which addresses webhooks may point to (checked when one is created and at every delivery). */
  webhookPolicy?: WebhookUrlPolicy;
  /** The working-day calendar (desk health counts working time). */
  calendar: WorkCalendar;
  /** Tells every dashboard process that alerts of these communes changed (live inboxes refresh). */
  alertsChanged?: (communes: string[]) => void;
  /**
   * Stores events the dashboard itself takes (the rating kiosk's) and tells the live hub, as
   * the ingest's commits do: in-process when embedded, by NOTIFY on Postgres.
   */
  writeEvents?: (events: ValidatedEvent[]) => Promise<WriteStatus[]>;
  /** Records a desk key's last use (throttled). */
  deskKeyUsed?: (prefix: string) => unknown;
  /**
   * The address the server listens on, once it does: the admin pages offer a phone the kiosk
   * on this machine's LAN address when the browser's own address is a loopback one.
   */
  listen?: { host: string; port: number };
  /** Server-side PDF reports: the browser that prints them and the server's own address it loads pages from. */
  reports: {
    chromiumPath: string;
    /** Whether a browser is at `chromiumPath` now (looked at each time: it may be installed later). */
    pdfAvailable(): boolean;
    selfUrl: string;
    /** Whether scheduled digests go out (mail and a signing secret configured). */
    digests: boolean;
    /** Signs unsubscribe links (MOTCUA_REPORT_SECRET). */
    secret?: string;
  };
}

// The Node server (tsx) and the SvelteKit bundle each load their own copy of this module;
// a global symbol is the one place both see.
const KEY = Symbol.for('motcua.dashboard.runtime');
type Holder = { [KEY]?: DashboardRuntime };

export function setRuntime(runtime: DashboardRuntime | undefined): void {
  (globalThis as Holder)[KEY] = runtime;
}

export function getRuntime(): DashboardRuntime {
  const runtime = (globalThis as Holder)[KEY];
  if (!runtime)
    throw new Error('dashboard runtime not set: start the dashboard through its server (npm start)');
  return runtime;
}
