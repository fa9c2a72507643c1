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
    index('events_dossier_idx').on(t.unitCode, t.dossierCode),
    index('events_unit_type_time_idx').on(t.unitCode, t.type, t.time),
  ],
);

/** Reserved for bigint columns that hold epoch milliseconds. */
export const epochMs = (name: string) => bigint(name, { mode: 'number' });
