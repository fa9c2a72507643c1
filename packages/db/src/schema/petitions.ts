import { sql } from 'drizzle-orm';
import { boolean, index, integer, jsonb, pgTable, primaryKey, text } from 'drizzle-orm/pg-core';
import { epochMs } from './events.ts';

/**
 * One row per (commune, petition): what the petition rules need, derived from all of its events
 * (event contract v1.1), kept like `dossiers` so a late event is folded in without re-reading
 * raw events. Times are epoch milliseconds.
 */
export const petitions = pgTable(
  'petitions',
  {
    unitCode: text('unit_code').notNull(),
    petitionCode: text('petition_code').notNull(),
    deskCode: text('desk_code').notNull(),
    receivedAt: epochMs('received_at'),
    category: text('category'),
    dossierCode: text('dossier_code'),
    /** When the answer is due (15 working days after reception). */
    dueAt: epochMs('due_at'),
    handledAt: epochMs('handled_at'),
    handledOnTime: boolean('handled_on_time'),
    closedAt: epochMs('closed_at'),
    likes: integer('likes').notNull().default(0),
    dislikes: integer('dislikes').notNull().default(0),
    repeated: boolean('repeated').notNull().default(false),
    history: jsonb('history').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.unitCode, t.petitionCode] }),
    // Open petitions (not yet handled) are counted at read time, like open dossiers.
    index('petitions_open_idx')
      .on(t.unitCode, t.deskCode, t.dueAt)
      .where(sql`${t.handledAt} is null and ${t.dueAt} is not null`),
  ],
);
