import { type NetworkInterfaceInfo, networkInterfaces } from 'node:os';
import type { ViewerRole } from '@motcua/contract';
import { type AuditActor, type AuditEntryInput, recordAudit, type UnitTree, type Viewer } from '@motcua/db';
import { error, type RequestEvent } from '@sveltejs/kit';
import QRCode from 'qrcode';
import { getRuntime } from './runtime.ts';

/**
 * Who may administer: an admin (city-wide), and city and district viewers within their subtree.
 * Commune viewers and display links administer nothing (docs/admin.md).
 */
export const mayAdminister = (viewer: Viewer | null): viewer is Viewer =>
  viewer !== null && (viewer.role === 'admin' || viewer.role === 'city' || viewer.role === 'district');

/**
 * The viewer of an administrative page or action, or a 401/403 error. Every load AND every
 * form action calls it: SvelteKit runs actions without the layout's load.
 */
export function requireAdmin(event: Pick<RequestEvent, 'locals'>): Viewer {
  const viewer = event.locals.viewer;
  if (!viewer)
    error(401, { message: 'Authorization: a viewer token or a session is required', code: 'unauthorized' });
  if (!mayAdminister(viewer)) error(403, { message: 'this page is for administrators', code: 'forbidden' });
  return viewer;
}

/** Whether the viewer may manage things of `unitCode`: only inside its own subtree. */
export const mayManageUnit = (tree: UnitTree, viewer: Viewer, unitCode: string) =>
  tree.get(unitCode.split('/')[0]) !== undefined && tree.isWithin(unitCode, viewer.unitCode);

/** Only an admin makes admins; anyone who administers a unit may make the other roles for it. */
export const mayGrantRole = (viewer: Viewer, role: ViewerRole) => role !== 'admin' || viewer.role === 'admin';

type AuditEvent = Pick<RequestEvent, 'locals' | 'request' | 'getClientAddress'>;

/** The actor (the request's viewer unless given) and origin of an audit entry for this request. */
export function auditSource(
  event: AuditEvent,
  actor?: AuditActor,
): Pick<AuditEntryInput, 'actor' | 'ip' | 'userAgent'> {
  const v = event.locals.viewer as Viewer;
  let ip: string | null = null;
  try {
    ip = event.getClientAddress();
  } catch {
    // Behind a proxy without ADDRESS_HEADER the adapter cannot say; the entry says "unknown".
  }
  return {
    actor: actor ?? { prefix: v.prefix, role: v.role, unitCode: v.unitCode },
    ip,
    userAgent: event.request.headers.get('user-agent'),
  };
}

/**
 * Appends an administrative action of this request to the audit log (docs/admin.md lists the
 * actions). Called after the change succeeded, by the form action and the API route alike.
 */
export function audit(
  event: AuditEvent,
  entry: Omit<AuditEntryInput, 'actor' | 'ip' | 'userAgent'>,
  actor?: AuditActor,
): Promise<void> {
  return recordAudit(getRuntime().db, { ...auditSource(event, actor), ...entry });
}

/** What the audit log keeps of a unit's change to an alert rule: `{}` puts the rule back to what it inherits. */
export const ruleAudit = (rule: string, settings: Record<string, unknown>) => ({
  action: Object.keys(settings).length === 0 ? 'alert_rule.reset' : 'alert_rule.save',
  subject: rule,
  detail: Object.keys(settings).length === 0 ? null : settings,
});

/**
 * A webhook's audit subject: its id and host only. The path and query of a receiver URL often
 * carry its own secret (chat-service webhooks do), and the log shows no secret.
 */
export function webhookAudit(id: number, url: string) {
  let host = '?';
  try {
    host = new URL(url).host;
  } catch {}
  return { subject: `#${id}`, detail: { host } };
}

/** Whether a host name is this machine's loopback: a phone that opens it reaches itself. */
export const isLoopbackHost = (hostname: string) =>
  hostname === 'localhost' ||
  hostname.endsWith('.localhost') ||
  /^127\./.test(hostname) ||
  hostname === '[::1]' ||
  hostname === '::1';

/**
 * Where a phone on the same network opens this dashboard, for a page the admin opened at `url`.
 * Null when `url` is no loopback address (a phone opens it as it is). Else the origins of the
 * machine's LAN (IPv4, not internal) addresses when the server listens on all interfaces, or on
 * one of them; empty when it listens on loopback only (HOST=127.0.0.1, the default), where no
 * phone can reach it at all.
 */
export function phoneOrigins(
  url: URL,
  listen: { host: string; port: number } | undefined,
  interfaces: NodeJS.Dict<NetworkInterfaceInfo[]> = networkInterfaces(),
): string[] | null {
  if (!isLoopbackHost(url.hostname)) return null;
  if (!listen) return [];
  const all = listen.host === '0.0.0.0' || listen.host === '::';
  const lan = Object.values(interfaces)
    .flat()
    .filter((a): a is NetworkInterfaceInfo => a !== undefined && a.family === 'IPv4' && !a.internal)
    .map((a) => a.address)
    .filter((ip) => all || ip === listen.host);
  // Home and office Wi-Fi is mostly 192.168/16 or 10/8; 172.16/12 is mostly container bridges.
  const rank = (ip: string) =>
    ip.startsWith('192.168.') ? 0 : ip.startsWith('10.') ? 1 : ip.startsWith('172.') ? 3 : 2;
  return [...new Set(lan)].sort((a, b) => rank(a) - rank(b)).map((ip) => `http://${ip}:${listen.port}`);
}

/** A QR code as inline SVG markup (generated here from our own text, so safe to insert). */
export const qrSvg = (text: string) =>
  QRCode.toString(text, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });

/** The units a viewer may manage, for a form's select: its own and everything below. */
export function unitsUnder(
  tree: UnitTree,
  root: string,
): { code: string; name: string; level: string; depth: number }[] {
  const out: { code: string; name: string; level: string; depth: number }[] = [];
  const walk = (code: string, depth: number) => {
    const u = tree.get(code);
    if (!u) return;
    out.push({ code: u.code, name: u.name, level: u.level, depth });
    for (const c of tree.children(code)) walk(c.code, depth + 1);
  };
  walk(root, 0);
  return out;
}

/** Audit entries a viewer may read: an admin all, others those about units of their subtree. */
export const auditScope = (tree: UnitTree, viewer: Viewer): string[] | null =>
  viewer.role === 'admin' ? null : unitsUnder(tree, viewer.unitCode).map((u) => u.code);
