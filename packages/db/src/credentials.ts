import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { ViewerRole } from '@motcua/contract';
import { and, eq, isNull, sql } from 'drizzle-orm';
import type { Database } from './client.ts';
import { deskKeys, sessions, units, viewers } from './schema/index.ts';

const PREFIX_LENGTH = 10;

/**
 * `mck_` desk keys, `mcv_` viewer tokens, `mcs_` sessions and `mkk_` kiosk tokens: 192 random bits; the first 10
 * characters after the kind (60 bits) are the lookup prefix, which is stored and shown.
 */
export function newSecret(kind: 'mck' | 'mcv' | 'mcs' | 'mkk'): {
  secret: string;
  prefix: string;
  hash: string;
} {
  const body = randomBytes(24).toString('base64url');
  const secret = `${kind}_${body}`;
  return { secret, prefix: prefixOf(secret), hash: hashSecret(secret) };
}

export function prefixOf(secret: string): string {
  return secret.slice(0, 4 + PREFIX_LENGTH);
}

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

/** Constant-time comparison of a presented secret against a stored hash. */
export function secretMatches(secret: string, storedHash: string): boolean {
  const a = Buffer.from(hashSecret(secret), 'hex');
  const b = Buffer.from(storedHash, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}

export interface DeskKey {
  id: number;
  prefix: string;
  unitCode: string;
  deskCode: string | null;
  label: string;
  createdAt: Date;
  revokedAt: Date | null;
  lastUsedAt: Date | null;
}

export class CredentialError extends Error {}

export async function createDeskKey(
  db: Database,
  args: { unit: string; label: string; desk?: string | null },
): Promise<{ key: string; prefix: string }> {
  const [unit] = await db.orm.select().from(units).where(eq(units.code, args.unit));
  if (!unit) throw new CredentialError(`unknown unit ${args.unit}: load a unit tree first (units load)`);
  if (unit.level !== 'commune') {
    throw new CredentialError(
      `unit ${args.unit} is a ${unit.level}: desk keys belong to a commune-level unit`,
    );
  }
  if (args.desk != null && !/^[A-Za-z0-9_-]{1,32}$/.test(args.desk)) {
    throw new CredentialError('desk: 1–32 characters of A–Z, a–z, 0–9, _ or -');
  }
  const { secret, prefix, hash } = newSecret('mck');
  await db.orm
    .insert(deskKeys)
    .values({ prefix, hash, unitCode: args.unit, deskCode: args.desk ?? null, label: args.label });
  return { key: secret, prefix };
}

export async function listDeskKeys(db: Database): Promise<DeskKey[]> {
  return db.orm
    .select({
      id: deskKeys.id,
      prefix: deskKeys.prefix,
      unitCode: deskKeys.unitCode,
      deskCode: deskKeys.deskCode,
      label: deskKeys.label,
      createdAt: deskKeys.createdAt,
      revokedAt: deskKeys.revokedAt,
      lastUsedAt: deskKeys.lastUsedAt,
    })
    .from(deskKeys)
    .orderBy(deskKeys.id);
}

/** NOTIFY channel carrying the prefix of each revoked desk key, for key caches in other processes. */
export const DESK_KEYS_CHANNEL = 'motcua_keys';
const revocationListeners = new Set<(prefix: string) => void>();

/** Calls `fn` with the prefix of each desk key this process revokes, once committed; returns the unsubscribe. */
export function onDeskKeyRevoked(fn: (prefix: string) => void): () => void {
  revocationListeners.add(fn);
  return () => revocationListeners.delete(fn);
}

/** Revokes by prefix; returns how many keys were revoked (0 or 1). Announced in-process and by NOTIFY. */
export async function revokeDeskKey(db: Database, prefix: string): Promise<number> {
  const revoked = await db.transaction(async (tx) => {
    const rows = await tx
      .update(deskKeys)
      .set({ revokedAt: sql`now()` })
      .where(and(eq(deskKeys.prefix, prefix), isNull(deskKeys.revokedAt)))
      .returning({ id: deskKeys.id });
    if (rows.length > 0) await db.query(sql`select pg_notify(${DESK_KEYS_CHANNEL}, ${prefix})`, tx);
    return rows.length;
  });
  if (revoked > 0) for (const fn of revocationListeners) fn(prefix);
  return revoked;
}

export type KeyCheck =
  | { ok: true; key: { id: number; prefix: string; unitCode: string; deskCode: string | null } }
  | { ok: false; reason: 'unknown' | 'revoked' };

/** Looks a presented desk key up by prefix and compares its hash in constant time. */
export async function verifyDeskKey(db: Database, presented: string): Promise<KeyCheck> {
  if (!presented.startsWith('mck_') || presented.length > 200) return { ok: false, reason: 'unknown' };
  const [row] = await db.orm
    .select()
    .from(deskKeys)
    .where(eq(deskKeys.prefix, prefixOf(presented)));
  if (!row || !secretMatches(presented, row.hash)) return { ok: false, reason: 'unknown' };
  if (row.revokedAt) return { ok: false, reason: 'revoked' };
  return {
    ok: true,
    key: { id: row.id, prefix: row.prefix, unitCode: row.unitCode, deskCode: row.deskCode },
  };
}

export interface Viewer {
  id: number;
  prefix: string;
  role: ViewerRole;
  unitCode: string;
  label: string;
  revokedAt: Date | null;
}

export async function createViewer(
  db: Database,
  args: { role: ViewerRole; unit: string; label: string },
): Promise<{ token: string; prefix: string }> {
  const [unit] = await db.orm.select().from(units).where(eq(units.code, args.unit));
  if (!unit) throw new CredentialError(`unknown unit ${args.unit}: load a unit tree first (units load)`);
  // An admin administers the whole tree: it sits on its root (a city, or the nation on vn-2025-07).
  const fits =
    args.role === 'display' ||
    args.role === unit.level ||
    (args.role === 'admin' && unit.parentCode === null);
  if (!fits) {
    throw new CredentialError(`role ${args.role} does not fit unit ${args.unit}, which is a ${unit.level}`);
  }
  const { secret, prefix, hash } = newSecret('mcv');
  await db.orm
    .insert(viewers)
    .values({ prefix, hash, role: args.role, unitCode: args.unit, label: args.label });
  return { token: secret, prefix };
}

/** Where a viewer link opens: a wall display on its unit, an admin on the admin pages, others on the dashboard. */
export function viewerLink(origin: string, role: ViewerRole, unit: string, token: string): string {
  const path = role === 'display' ? `/display/${unit}` : role === 'admin' ? '/admin' : '/';
  return `${origin.replace(/\/+$/, '')}${path}?token=${token}`;
}

export async function listViewers(db: Database): Promise<Viewer[]> {
  return db.orm
    .select({
      id: viewers.id,
      prefix: viewers.prefix,
      role: viewers.role,
      unitCode: viewers.unitCode,
      label: viewers.label,
      revokedAt: viewers.revokedAt,
    })
    .from(viewers)
    .orderBy(viewers.id);
}

export async function revokeViewer(db: Database, prefix: string): Promise<number> {
  const rows = await db.orm
    .update(viewers)
    .set({ revokedAt: sql`now()` })
    .where(and(eq(viewers.prefix, prefix), isNull(viewers.revokedAt)))
    .returning({ id: viewers.id });
  return rows.length;
}

/** A viewer token → its viewer, or null if unknown or revoked. */
export async function verifyViewerToken(db: Database, presented: string): Promise<Viewer | null> {
  if (!presented.startsWith('mcv_') || presented.length > 200) return null;
  const [row] = await db.orm
    .select()
    .from(viewers)
    .where(eq(viewers.prefix, prefixOf(presented)));
  if (!row || row.revokedAt || !secretMatches(presented, row.hash)) return null;
  return {
    id: row.id,
    prefix: row.prefix,
    role: row.role,
    unitCode: row.unitCode,
    label: row.label,
    revokedAt: null,
  };
}

/**
 * Whether a viewer token or a session cookie was good once and its viewer has been revoked since
 * (the secret matches, the viewer is revoked): a wall screen then says its link was revoked and
 * forgets what it kept, where a screen that was never signed in is sent to sign in.
 */
export async function isRevokedCredential(
  db: Database,
  presented: { token?: string | null; cookie?: string | null },
): Promise<boolean> {
  const { token, cookie } = presented;
  if (token?.startsWith('mcv_') && token.length <= 200) {
    const [row] = await db.orm
      .select()
      .from(viewers)
      .where(eq(viewers.prefix, prefixOf(token)));
    if (row?.revokedAt && secretMatches(token, row.hash)) return true;
  }
  if (cookie?.startsWith('mcs_') && cookie.length <= 200) {
    const [row] = await db.orm
      .select({ revokedAt: viewers.revokedAt })
      .from(sessions)
      .innerJoin(viewers, eq(viewers.id, sessions.viewerId))
      .where(eq(sessions.hash, hashSecret(cookie)));
    if (row?.revokedAt) return true;
  }
  return false;
}

/** A session lasts this long after its last use (sliding: each use past half-life renews it). */
export const SESSION_DAYS = 30;

/** Opens a dashboard session for a viewer; returns the cookie value (only its hash is stored). */
export async function createSession(
  db: Database,
  viewerId: number,
): Promise<{ cookie: string; expiresAt: Date }> {
  const { secret, hash } = newSecret('mcs');
  const expiresAt = new Date(Date.now() + SESSION_DAYS * 86_400_000);
  await db.orm.insert(sessions).values({ hash, viewerId, expiresAt });
  return { cookie: secret, expiresAt };
}

/** The viewer behind a session cookie, or null if unknown, expired or revoked; renews it past half-life. */
export async function verifySession(db: Database, cookie: string): Promise<Viewer | null> {
  if (!cookie.startsWith('mcs_') || cookie.length > 200) return null;
  const [row] = await db.orm
    .select({ viewer: viewers, expiresAt: sessions.expiresAt })
    .from(sessions)
    .innerJoin(viewers, eq(viewers.id, sessions.viewerId))
    .where(eq(sessions.hash, hashSecret(cookie)));
  if (!row || row.viewer.revokedAt || row.expiresAt.getTime() < Date.now()) return null;
  // Sliding expiry: a wall screen that is always on never has to be signed in again.
  if (row.expiresAt.getTime() - Date.now() < (SESSION_DAYS / 2) * 86_400_000) {
    await db.orm
      .update(sessions)
      .set({ expiresAt: new Date(Date.now() + SESSION_DAYS * 86_400_000) })
      .where(eq(sessions.hash, hashSecret(cookie)));
  }
  const v = row.viewer;
  return { id: v.id, prefix: v.prefix, role: v.role, unitCode: v.unitCode, label: v.label, revokedAt: null };
}

export async function deleteSession(db: Database, cookie: string): Promise<void> {
  await db.orm.delete(sessions).where(eq(sessions.hash, hashSecret(cookie)));
}
