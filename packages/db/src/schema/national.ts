import { bigint, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

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
