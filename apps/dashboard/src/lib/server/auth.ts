import { type Database, type UnitTree, type Viewer, verifySession, verifyViewerToken } from '@motcua/db';

export const SESSION_COOKIE = 'motcua_session';

/** Reads one cookie from a Cookie header. */
export function cookieValue(header: string | null | undefined, name: string): string | null {
  if (!header) return null;
  for (const part of header.split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return decodeURIComponent(v.join('='));
  }
  return null;
}

/** The viewer behind a bearer token or a session cookie, else null. */
export async function viewerFrom(
  db: Database,
  creds: { authorization?: string | null; cookie?: string | null; token?: string | null },
): Promise<Viewer | null> {
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(creds.authorization ?? '')?.[1] ?? creds.token ?? null;
  if (bearer) return verifyViewerToken(db, bearer);
  const session = cookieValue(creds.cookie, SESSION_COOKIE);
  return session ? verifySession(db, session) : null;
}

/** Whether the viewer may read `code` (a unit or a desk): only its own subtree. */
export function mayRead(tree: UnitTree, viewer: Viewer, code: string): boolean {
  return tree.isWithin(code, viewer.unitCode);
}

/** Citizen comments and exports are for people, not wall screens. */
export const mayReadComments = (viewer: Viewer) => viewer.role !== 'display';
export const mayExport = (viewer: Viewer) => viewer.role !== 'display';
