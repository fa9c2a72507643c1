import { randomInt } from 'node:crypto';
import { and, desc, eq, gt, inArray, isNull, lt, sql } from 'drizzle-orm';
import type { Database, Executor } from './client.ts';
import { CredentialError, hashSecret, newSecret, prefixOf, secretMatches } from './credentials.ts';
import { auditLog, deskKeys, kiosks, units, viewers } from './schema/index.ts';

/**
 * Who did an administrative action: a viewer (by its token's prefix), the server's command line,
 * or the signed unsubscribe link of a report mail (its recipient, who has no token).
 */
export type AuditActor = { prefix: string; role: string; unitCode: string } | 'cli' | 'unsubscribe_link';

export interface AuditEntryInput {
  actor: AuditActor;
  /** A dotted verb, e.g. `desk_key.create`, `viewer.revoke`, `kiosk.pair`. */
  action: string;
  subject?: string | null;
  /** The unit the subject belongs to; it decides which viewers see the entry. */
  unitCode?: string | null;
  /** Never a secret: labels, roles, desks. */
  detail?: Record<string, unknown> | null;
  ip?: string | null;
  userAgent?: string | null;
}

export interface AuditEntry {
  id: number;
  at: Date;
  actor: string;
  actorRole: string | null;
  actorUnit: string | null;
  action: string;
  subject: string | null;
  unitCode: string | null;
  detail: Record<string, unknown> | null;
  ip: string | null;
  userAgent: string | null;
}

/**
 * Appends one entry to the audit log, in the caller's transaction when given one. Other
 * features log their administrative actions through this; the table rejects UPDATE and DELETE.
 */
export async function recordAudit(db: Database, entry: AuditEntryInput, tx?: Executor): Promise<void> {
  const actor = typeof entry.actor === 'string' ? null : entry.actor;
  await (tx ?? db.orm).insert(auditLog).values({
    actor: actor ? actor.prefix : (entry.actor as string),
    actorRole: actor?.role ?? null,
    actorUnit: actor?.unitCode ?? null,
    action: entry.action,
    subject: entry.subject ?? null,
    unitCode: entry.unitCode ?? null,
    detail: entry.detail ?? null,
    ip: entry.ip?.slice(0, 100) ?? null,
    userAgent: entry.userAgent?.slice(0, 500) ?? null,
  });
}

/**
 * The first admin, made when the database has never had one: on the root of the unit tree
 * (whatever the tree), logged as made by the command line. Returns its token (shown once by
 * whoever called) or null when an admin was made before (even if since revoked: `npm start`
 * prints an admin link on the first start only) or no tree is loaded. Several processes
 * starting at once on one Postgres make one admin: the check and insert hold an advisory lock.
 */
export async function ensureFirstAdmin(
  db: Database,
  label = 'npm start (first admin)',
): Promise<{ token: string; prefix: string; unitCode: string } | null> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext('motcua.first_admin'))`);
    const [had] = await tx.select({ id: viewers.id }).from(viewers).where(eq(viewers.role, 'admin')).limit(1);
    if (had) return null;
    const [root] = await tx
      .select({ code: units.code })
      .from(units)
      .where(isNull(units.parentCode))
      .orderBy(units.code)
      .limit(1);
    if (!root) return null;
    const { secret, prefix, hash } = newSecret('mcv');
    await tx.insert(viewers).values({ prefix, hash, role: 'admin', unitCode: root.code, label });
    await recordAudit(
      db,
      {
        actor: 'cli',
        action: 'viewer.create',
        subject: prefix,
        unitCode: root.code,
        detail: { role: 'admin', label },
      },
      tx,
    );
    return { token: secret, prefix, unitCode: root.code };
  });
}

/**
 * Audit entries, newest first. `unitCodes` limits them to entries about those units (a
 * viewer's subtree); null reads all, including entries about no unit.
 */
export async function listAudit(
  db: Database,
  opts: { unitCodes: string[] | null; limit?: number; beforeId?: number },
): Promise<AuditEntry[]> {
  const where = and(
    opts.unitCodes ? inArray(auditLog.unitCode, opts.unitCodes) : undefined,
    opts.beforeId !== undefined ? lt(auditLog.id, opts.beforeId) : undefined,
  );
  return db.orm
    .select()
    .from(auditLog)
    .where(where)
    .orderBy(desc(auditLog.id))
    .limit(opts.limit ?? 200);
}

/**
 * Records that a desk key was used, at most once a `throttleMs` per key in this process:
 * one small UPDATE a minute per key, not one per request. Never throws (last use is advisory).
 */
export function deskKeyUseTracker(db: Database, throttleMs = 60_000, now: () => number = Date.now) {
  const lastWritten = new Map<string, number>();
  /** Resolves when its write is done (tests await it); undefined when throttled. */
  return (prefix: string): Promise<void> | undefined => {
    const t = now();
    const last = lastWritten.get(prefix);
    if (last !== undefined && t - last < throttleMs) return undefined;
    if (lastWritten.size > 100_000) lastWritten.clear();
    lastWritten.set(prefix, t);
    return db.orm
      .update(deskKeys)
      .set({ lastUsedAt: new Date(t) })
      .where(eq(deskKeys.prefix, prefix))
      .then(
        () => {},
        () => {
          lastWritten.delete(prefix);
        },
      );
  };
}

/** Letters and digits that cannot be mistaken for each other (no 0/O, 1/I/L): 31 of them. */
const PAIRING_ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';
export const PAIRING_CODE_LENGTH = 8;
export const PAIRING_TTL_MINUTES = 15;

/** A pairing code as people type it (any case, spaces, dashes) → its canonical form. */
export const normalizePairingCode = (typed: string) => typed.toUpperCase().replace(/[^0-9A-Z]/g, '');

export interface KioskSummary {
  id: number;
  deskKeyPrefix: string;
  label: string;
  deskCode: string;
  minIntervalSeconds: number;
  pairingExpiresAt: Date;
  pairedAt: Date | null;
  revokedAt: Date | null;
}

/**
 * A one-time pairing code for a kiosk of a desk key: 8 characters of 31 (≈ 2^39.6), valid
 * for 15 minutes and once. Only its hash is stored. A key limited to a desk gives its desk;
 * a key for the whole commune needs one.
 */
export async function createKioskPairing(
  db: Database,
  args: { deskKeyPrefix: string; label: string; deskCode?: string | null; minIntervalSeconds: number },
): Promise<{ code: string; expiresAt: Date; kioskId: number; deskCode: string; unitCode: string }> {
  const [key] = await db.orm.select().from(deskKeys).where(eq(deskKeys.prefix, args.deskKeyPrefix));
  if (!key || key.revokedAt) throw new CredentialError('desk key: unknown or revoked');
  const deskCode = key.deskCode ?? args.deskCode ?? '';
  if (key.deskCode && args.deskCode && args.deskCode !== key.deskCode) {
    throw new CredentialError(`desk: this key is limited to desk ${key.deskCode}`);
  }
  if (!/^[A-Za-z0-9_-]{1,32}$/.test(deskCode)) {
    throw new CredentialError('desk: 1–32 characters of A–Z, a–z, 0–9, _ or -');
  }
  if (
    !Number.isInteger(args.minIntervalSeconds) ||
    args.minIntervalSeconds < 0 ||
    args.minIntervalSeconds > 600
  ) {
    throw new CredentialError('minIntervalSeconds: a whole number of seconds from 0 to 600');
  }
  const code = Array.from(
    { length: PAIRING_CODE_LENGTH },
    () => PAIRING_ALPHABET[randomInt(PAIRING_ALPHABET.length)],
  ).join('');
  const expiresAt = new Date(Date.now() + PAIRING_TTL_MINUTES * 60_000);
  const [row] = await db.orm
    .insert(kiosks)
    .values({
      deskKeyId: key.id,
      label: args.label,
      deskCode,
      minIntervalSeconds: args.minIntervalSeconds,
      pairingHash: hashSecret(code),
      pairingExpiresAt: expiresAt,
    })
    .returning({ id: kiosks.id });
  return { code, expiresAt, kioskId: row.id, deskCode, unitCode: key.unitCode };
}

export interface PairedKiosk {
  id: number;
  label: string;
  unitCode: string;
  deskCode: string;
  deskKeyPrefix: string;
  minIntervalSeconds: number;
}

export type PairResult =
  | { ok: true; token: string; kiosk: PairedKiosk }
  | { ok: false; reason: 'unknown' | 'revoked' };

/**
 * Spends a pairing code: the first to present it within its time gets the kiosk's token;
 * a used, expired, unknown or revoked code gets nothing (and is not told apart from unknown).
 */
export async function pairKiosk(db: Database, typed: string): Promise<PairResult> {
  const code = normalizePairingCode(typed);
  if (code.length !== PAIRING_CODE_LENGTH) return { ok: false, reason: 'unknown' };
  const { secret, prefix, hash } = newSecret('mkk');
  const [row] = await db.orm
    .update(kiosks)
    .set({ pairedAt: sql`now()`, tokenPrefix: prefix, tokenHash: hash })
    .where(
      and(
        eq(kiosks.pairingHash, hashSecret(code)),
        isNull(kiosks.pairedAt),
        isNull(kiosks.revokedAt),
        gt(kiosks.pairingExpiresAt, sql`now()`),
      ),
    )
    .returning();
  if (!row) return { ok: false, reason: 'unknown' };
  const [key] = await db.orm.select().from(deskKeys).where(eq(deskKeys.id, row.deskKeyId));
  if (!key || key.revokedAt) return { ok: false, reason: 'revoked' };
  return {
    ok: true,
    token: secret,
    kiosk: {
      id: row.id,
      label: row.label,
      unitCode: key.unitCode,
      deskCode: row.deskCode,
      deskKeyPrefix: key.prefix,
      minIntervalSeconds: row.minIntervalSeconds,
    },
  };
}

export type KioskCheck = { ok: true; kiosk: PairedKiosk } | { ok: false; reason: 'unknown' | 'revoked' };

/** A kiosk token → its kiosk; `revoked` when the kiosk or its desk key was revoked. */
export async function verifyKioskToken(db: Database, presented: string): Promise<KioskCheck> {
  if (!presented.startsWith('mkk_') || presented.length > 200) return { ok: false, reason: 'unknown' };
  const [row] = await db.orm
    .select({ kiosk: kiosks, key: deskKeys })
    .from(kiosks)
    .innerJoin(deskKeys, eq(deskKeys.id, kiosks.deskKeyId))
    .where(eq(kiosks.tokenPrefix, prefixOf(presented)));
  if (!row?.kiosk.tokenHash || !secretMatches(presented, row.kiosk.tokenHash)) {
    return { ok: false, reason: 'unknown' };
  }
  if (row.kiosk.revokedAt || row.key.revokedAt) return { ok: false, reason: 'revoked' };
  return {
    ok: true,
    kiosk: {
      id: row.kiosk.id,
      label: row.kiosk.label,
      unitCode: row.key.unitCode,
      deskCode: row.kiosk.deskCode,
      deskKeyPrefix: row.key.prefix,
      minIntervalSeconds: row.kiosk.minIntervalSeconds,
    },
  };
}

/** Every kiosk (paired or with a pending code) of the given desk keys. */
export async function listKiosks(db: Database): Promise<KioskSummary[]> {
  return db.orm
    .select({
      id: kiosks.id,
      deskKeyPrefix: deskKeys.prefix,
      label: kiosks.label,
      deskCode: kiosks.deskCode,
      minIntervalSeconds: kiosks.minIntervalSeconds,
      pairingExpiresAt: kiosks.pairingExpiresAt,
      pairedAt: kiosks.pairedAt,
      revokedAt: kiosks.revokedAt,
    })
    .from(kiosks)
    .innerJoin(deskKeys, eq(deskKeys.id, kiosks.deskKeyId))
    .orderBy(kiosks.id);
}

/** Revokes one kiosk (its token and any unused code); returns 0 or 1. */
export async function revokeKiosk(db: Database, id: number): Promise<number> {
  const rows = await db.orm
    .update(kiosks)
    .set({ revokedAt: sql`now()` })
    .where(and(eq(kiosks.id, id), isNull(kiosks.revokedAt)))
    .returning({ id: kiosks.id });
  return rows.length;
}
