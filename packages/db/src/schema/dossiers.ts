import { sql } from 'drizzle-orm';
import {
  type AnyPgColumn,
  boolean,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
} from 'drizzle-orm/pg-core';
import { epochMs } from './events.ts';

/**
 * One row per (commune, dossier): what the outcome rules need, derived from all of the
 * dossier's events. `history` keeps the compact event list so an event arriving late is
 * folded in without re-reading the raw events. Times are epoch milliseconds.
 */
type DossierColumns = {
  finishedAt: AnyPgColumn;
  dueAt: AnyPgColumn;
  pendingSince: AnyPgColumn;
  supplementRequests: AnyPgColumn;
  rescheduled: AnyPgColumn;
};

/**
 * Open dossiers the clock can make overdue (in progress: not paused, not overdue for good), as
 * `timedDeadline` (open-counts.ts) selects them: the predicate of the two partial indexes and of
 * the read that uses them, written once.
 */
export const inProgress = (t: DossierColumns) =>
  sql`${t.finishedAt} is null and ${t.dueAt} is not null and ${t.pendingSince} is null and ${t.supplementRequests} < 2 and not ${t.rescheduled}`;

export const dossiers = pgTable(
  'dossiers',
  {
    unitCode: text('unit_code').notNull(),
    dossierCode: text('dossier_code').notNull(),
    deskCode: text('desk_code').notNull(),
    receivedAt: epochMs('received_at'),
    dueAt: epochMs('due_at'),
    channel: text('channel'),
    /** Mã TTHC of its reception (issue 14, the drill-down by procedure); null before it is stored. */
    procedureCode: text('procedure_code'),
    supplementRequests: integer('supplement_requests').notNull().default(0),
    rescheduled: boolean('rescheduled').notNull().default(false),
    pausedMs: epochMs('paused_ms').notNull().default(0),
    pendingSince: epochMs('pending_since'),
    finishedAt: epochMs('finished_at'),
    outcome: text('outcome'),
    processingMs: epochMs('processing_ms'),
    history: jsonb('history').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.unitCode, t.dossierCode] }),
    index('dossiers_open_idx')
      .on(t.unitCode, t.deskCode)
      .where(sql`${t.finishedAt} is null and ${t.dueAt} is not null`),
    // Open dossiers the clock can make overdue: the ones `open_dossier_counts` leaves to the read.
    index('dossiers_open_timed_idx').on(t.unitCode, t.deskCode).where(inProgress(t)),
    // The same dossiers by deadline: a read above a commune classifies one by one only those
    // whose deadline falls in the hours it cannot take whole from `open_dossier_deadlines`.
    index('dossiers_open_deadline_idx').on(sql`(${t.dueAt} + ${t.pausedMs})`).where(inProgress(t)),
    // Requests stamped after a read's asOf (a desk clock ahead): the read corrects the counters for them.
    index('dossiers_open_pending_idx')
      .on(t.pendingSince)
      .where(sql`${t.finishedAt} is null and ${t.dueAt} is not null and ${t.pendingSince} is not null`),
  ],
);
