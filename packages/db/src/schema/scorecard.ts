import { integer, pgTable, primaryKey, text } from 'drizzle-orm/pg-core';
import { epochMs } from './events.ts';

/** The v1.1 counters of `rollups_766` (and of `unit_rollups`, schema/unit-rollups.ts). */
export const ROLLUP_766_COUNTERS = {
  feeReported: integer('fee_reported').notNull().default(0),
  feeBearing: integer('fee_bearing').notNull().default(0),
  feePaidOnline: integer('fee_paid_online').notNull().default(0),
  digitisedReported: integer('digitised_reported').notNull().default(0),
  inputsDigitised: integer('inputs_digitised').notNull().default(0),
  reuseReported: integer('reuse_reported').notNull().default(0),
  reusedData: integer('reused_data').notNull().default(0),
  storeReported: integer('store_reported').notNull().default(0),
  citizenStore: integer('citizen_store').notNull().default(0),
  populationReported: integer('population_reported').notNull().default(0),
  populationData: integer('population_data').notNull().default(0),
  eResultReported: integer('e_result_reported').notNull().default(0),
  eResult: integer('e_result').notNull().default(0),
  digitisationReported: integer('digitisation_reported').notNull().default(0),
  fullyDigitised: integer('fully_digitised').notNull().default(0),
  onTimeComplained: integer('on_time_complained').notNull().default(0),
  petitionsReceived: integer('petitions_received').notNull().default(0),
  petitionsHandled: integer('petitions_handled').notNull().default(0),
  petitionsHandledOnTime: integer('petitions_handled_on_time').notNull().default(0),
  petitionsClosed: integer('petitions_closed').notNull().default(0),
  petitionsUnsatisfied: integer('petitions_unsatisfied').notNull().default(0),
};

/**
 * The counters of event contract v1.1 (the 766 scorecard; see BUCKET_FIELDS in packages/metrics)
 * per (desk, time bucket), with the key of `rollups`. Apart from `rollups` so that the reads that
 * do not need them (the snapshot, the series) scan rows half as wide: with them in `rollups` the
 * city's 30-day snapshot took twice as long. A row exists only where some v1.1 counter moved.
 */
export const rollups766 = pgTable(
  'rollups_766',
  {
    grain: text('grain').$type<'m' | 'h' | 'd'>().notNull(),
    unitCode: text('unit_code').notNull(),
    bucketStart: epochMs('bucket_start').notNull(),
    deskCode: text('desk_code').notNull(),
    ...ROLLUP_766_COUNTERS,
  },
  (t) => [primaryKey({ columns: [t.grain, t.unitCode, t.bucketStart, t.deskCode] })],
);
