import { sql } from 'drizzle-orm';
import { bigint, index, jsonb, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';

/** Every accepted event, once: the audit trail. (source, id) is the idempotency key. */
export const events = pgTable(
  'events',
  {
    source: text('source').notNull(),
    id: text('id').notNull(),
    type: text('type').notNull(),
    time: timestamp('time', { withTimezone: true }).notNull(),
    unitCode: text('unit_code').notNull(),
    deskCode: text('desk_code').notNull(),
    dossierCode: text('dossier_code'),
    data: jsonb('data').notNull(),
    /** Extension attributes, `subject` and `dataschema`, kept as sent. */
    attributes: jsonb('attributes'),
    storedAt: timestamp('stored_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.source, t.id] }),
    // Only ratings are listed from here (latest ratings of a desk); dossiers keep their own history.
    index('events_ratings_idx').on(t.unitCode, t.time).where(sql`${t.type} = 'vn.motcua.rating.submitted'`),
  ],
);

/** Reserved for bigint columns that hold epoch milliseconds. */
export const epochMs = (name: string) => bigint(name, { mode: 'number' });
