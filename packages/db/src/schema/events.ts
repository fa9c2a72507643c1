import { sql } from 'drizzle-orm';
import { bigint, index, jsonb, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';

/**
 * Every accepted event, once: the audit trail. Partitioned by range of `time`, one partition
 * per local month (`events_YYYY_MM`, made by `motcua_event_month`, migration 0012): drizzle
 * cannot declare partitioning, so the table itself is created by that migration's SQL and only
 * its columns and indexes are described here. A key of a partitioned table must contain the
 * partition column, so the idempotency key (source, id) is kept in `event_ids`.
 */
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
    // No key of its own: the ids are unique in `event_ids` (a key here would have to contain
    // `time`, and was a second random-keyed index to maintain on every event: migration 0014).
    // Only ratings are listed from here (latest ratings of a desk); dossiers keep their own history.
    index('events_ratings_idx').on(t.unitCode, t.time).where(sql`${t.type} = 'vn.motcua.rating.submitted'`),
  ],
);

/**
 * The idempotency key of every event ever accepted: the write path inserts here first and
 * stores in `events` only the ids this insert took. Not partitioned, so a re-send of an id is
 * a duplicate whatever its `time` says and whichever month it would land in; ids stay here
 * when their month is archived, so an archived event sent again is still a duplicate.
 */
export const eventIds = pgTable(
  'event_ids',
  { source: text('source').notNull(), id: text('id').notNull() },
  (t) => [primaryKey({ columns: [t.source, t.id] })],
);

/** Reserved for bigint columns that hold epoch milliseconds. */
export const epochMs = (name: string) => bigint(name, { mode: 'number' });
