import { bigint, integer, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';

/**
 * One row per history file given to `motcua import`: how far it got. Updated in the same
 * transaction as each chunk it stores, so after an interruption the import resumes after the
 * last committed line. The key is the file's content (size and a hash of its start), not its path.
 */
export const importFiles = pgTable('import_files', {
  fileKey: text('file_key').primaryKey(),
  path: text('path').notNull(),
  /** Last line (1-based) whose chunk is committed; 0 before the first. */
  line: bigint('line', { mode: 'number' }).notNull().default(0),
  accepted: bigint('accepted', { mode: 'number' }).notNull().default(0),
  duplicates: bigint('duplicates', { mode: 'number' }).notNull().default(0),
  rejected: bigint('rejected', { mode: 'number' }).notNull().default(0),
  startedAt: timestamp('started_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  /** Set once the whole file went through; a finished file given again is read again from line 1. */
  finishedAt: timestamp('finished_at', { withTimezone: true }),
});

/**
 * Open dossiers whose standing does not change with the clock, kept per (commune, desk) by the
 * write path: those waiting for a supplement (their deadline moves with the clock, so overdue or
 * not is fixed by when the request came) and those overdue for good (two supplement requests, or
 * rescheduled). In a real history these pile up (a citizen who never comes back); counting them
 * on every read made the snapshot's cost grow with history. The others, whose deadline the clock
 * reaches, are still counted on read from `dossiers` (a set bounded by the dossiers in progress).
 */
export const openDossierCounts = pgTable(
  'open_dossier_counts',
  {
    unitCode: text('unit_code').notNull(),
    deskCode: text('desk_code').notNull(),
    total: integer('total').notNull().default(0),
    overdue: integer('overdue').notNull().default(0),
    dueSoon: integer('due_soon').notNull().default(0),
    dueIn48h: integer('due_in_48h').notNull().default(0),
    waitingSupplement: integer('waiting_supplement').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.unitCode, t.deskCode] })],
);

/**
 * The open dossiers whose standing the clock does change (in progress, not paused, not overdue
 * for good), counted per (commune, hour their deadline falls in) by the write path. A read above
 * a commune classifies whole hours from these rows: every hour before the one `asOf` falls in is
 * overdue, the hours strictly between it and the hour of `asOf + 24 h` are due soon, and so on;
 * only the dossiers of those boundary hours are classified one by one (`dossiers_open_deadline_idx`).
 * Counting every dossier in progress instead read each one's row from `dossiers`, a heap that
 * grows with history, so the city's snapshot slowed as history grew (issue 18). A row whose count
 * falls to 0 is deleted by the flush that emptied it.
 */
export const openDossierDeadlines = pgTable(
  'open_dossier_deadlines',
  {
    unitCode: text('unit_code').notNull(),
    /** Start of the hour (epoch ms) in which `due_at + paused_ms` falls. */
    deadlineHour: bigint('deadline_hour', { mode: 'number' }).notNull(),
    total: integer('total').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.unitCode, t.deadlineHour] })],
);
