import type { ViewerRole } from '@motcua/contract';
import { integer, pgTable, serial, text, timestamp } from 'drizzle-orm/pg-core';

/** Keys desks write with. Only a SHA-256 of the key is stored; `prefix` finds the row. */
export const deskKeys = pgTable('desk_keys', {
  id: serial('id').primaryKey(),
  prefix: text('prefix').notNull().unique(),
  hash: text('hash').notNull(),
  unitCode: text('unit_code').notNull(),
  deskCode: text('desk_code'),
  label: text('label').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  revokedAt: timestamp('revoked_at', { withTimezone: true }),
  /** Updated at most once a minute per key by the ingest and the kiosk endpoint (touchDeskKey). */
  lastUsedAt: timestamp('last_used_at', { withTimezone: true }),
});

/** Tokens people and wall screens read with, scoped to a unit's subtree. */
export const viewers = pgTable('viewers', {
  id: serial('id').primaryKey(),
  prefix: text('prefix').notNull().unique(),
  hash: text('hash').notNull(),
  role: text('role').$type<ViewerRole>().notNull(),
  unitCode: text('unit_code').notNull(),
  label: text('label').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  revokedAt: timestamp('revoked_at', { withTimezone: true }),
});

/** Dashboard sessions opened with a viewer token; the cookie holds the id, we store its hash. */
export const sessions = pgTable('sessions', {
  hash: text('hash').primaryKey(),
  viewerId: integer('viewer_id').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
});
