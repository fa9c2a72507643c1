import type { ViewerRole } from '@motcua/contract';
import type { AuditEntryInput, UnitTree, Viewer } from '@motcua/db';
import { error, type RequestEvent } from '@sveltejs/kit';
import QRCode from 'qrcode';

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

/** The actor and origin of an audit entry for this request. */
export function auditSource(
  event: Pick<RequestEvent, 'locals' | 'request' | 'getClientAddress'>,
): Pick<AuditEntryInput, 'actor' | 'ip' | 'userAgent'> {
  const v = event.locals.viewer as Viewer;
  let ip: string | null = null;
  try {
    ip = event.getClientAddress();
  } catch {
    // Behind a proxy without ADDRESS_HEADER the adapter cannot say; the entry says "unknown".
  }
  return {
    actor: { prefix: v.prefix, role: v.role, unitCode: v.unitCode },
    ip,
    userAgent: event.request.headers.get('user-agent'),
  };
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
