import { bigserial, index, integer, jsonb, pgTable, serial, text, timestamp } from 'drizzle-orm/pg-core';

/**
 * Every administrative action: who (the viewer's prefix, role and unit, or `cli`), what, on
 * which unit, when and from where. Append-only: migration 0005 adds a trigger that rejects
 * UPDATE and DELETE, so not even a bug in a route can rewrite it.
 */
export const auditLog = pgTable(
  'audit_log',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
    actor: text('actor').notNull(),
    actorRole: text('actor_role'),
    actorUnit: text('actor_unit'),
    action: text('action').notNull(),
    /** What the action was done to, e.g. a key or viewer prefix. */
    subject: text('subject'),
    /** The unit the subject belongs to: a viewer sees the entries of its subtree. */
    unitCode: text('unit_code'),
    detail: jsonb('detail').$type<Record<string, unknown>>(),
    ip: text('ip'),
    userAgent: text('user_agent'),
  },
  (t) => [index('audit_log_unit_at').on(t.unitCode, t.at)],
);

/**
 * Rating kiosks of a desk key. A row starts as a one-time pairing code (its hash, expiring);
 * pairing it turns it into the kiosk's own `mkk_` token (its hash), valid while neither the
 * kiosk nor its desk key is revoked. The desk key's secret never reaches the kiosk.
 */
export const kiosks = pgTable('kiosks', {
  id: serial('id').primaryKey(),
  deskKeyId: integer('desk_key_id').notNull(),
  label: text('label').notNull(),
  /** Kiosks of a key limited to no desk name their desk here. */
  deskCode: text('desk_code').notNull(),
  minIntervalSeconds: integer('min_interval_seconds').notNull(),
  pairingHash: text('pairing_hash').notNull().unique(),
  pairingExpiresAt: timestamp('pairing_expires_at', { withTimezone: true }).notNull(),
  pairedAt: timestamp('paired_at', { withTimezone: true }),
  tokenPrefix: text('token_prefix').unique(),
  tokenHash: text('token_hash'),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  revokedAt: timestamp('revoked_at', { withTimezone: true }),
});
