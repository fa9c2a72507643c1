import { integer, pgTable, primaryKey, text } from 'drizzle-orm/pg-core';
import { epochMs } from './events.ts';

/** The v1 counters of `rollups` (and of `unit_rollups`, schema/unit-rollups.ts). */
export const ROLLUP_COUNTERS = {
  verySatisfied: integer('very_satisfied').notNull().default(0),
  satisfied: integer('satisfied').notNull().default(0),
  unsatisfied: integer('unsatisfied').notNull().default(0),
  early: integer('early').notNull().default(0),
  onTime: integer('on_time').notNull().default(0),
  late: integer('late').notNull().default(0),
  unknown: integer('unknown').notNull().default(0),
  procMs: epochMs('proc_ms').notNull().default(0),
  receivedDirect: integer('received_direct').notNull().default(0),
  receivedOnline: integer('received_online').notNull().default(0),
  receivedPostal: integer('received_postal').notNull().default(0),
};

/**
 * Additive counts per (desk, time bucket) at three grains: 'm' minute, 'h' hour, 'd' local
 * day, where day rows sum the commune's desks (`desk_code` '', migration 0010: a district's or
 * the city's days are a third of the rows; a desk's own days come from its hours). A window is
 * answered from the coarsest buckets that fit inside it. The counters of event
 * contract v1.1 (the 766 scorecard) are kept beside, in `rollups_766` (schema/scorecard.ts), so
 * that the snapshot's and the series' reads scan rows of their own counters only.
 */
export const rollups = pgTable(
  'rollups',
  {
    grain: text('grain').$type<'m' | 'h' | 'd'>().notNull(),
    unitCode: text('unit_code').notNull(),
    bucketStart: epochMs('bucket_start').notNull(),
    deskCode: text('desk_code').notNull(),
    ...ROLLUP_COUNTERS,
  },
  (t) => [primaryKey({ columns: [t.grain, t.unitCode, t.bucketStart, t.deskCode] })],
);
