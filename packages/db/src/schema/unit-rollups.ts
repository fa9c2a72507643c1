import { pgTable, primaryKey, text } from 'drizzle-orm/pg-core';
import { epochMs } from './events.ts';
import { ROLLUP_COUNTERS } from './rollups.ts';
import { ROLLUP_766_COUNTERS } from './scorecard.ts';

/**
 * The counters of `rollups` and `rollups_766` summed per unit above a commune (district, city or
 * province, nation) and time bucket, at the same three grains, kept by the write path beside the
 * commune's own rows (migration 0017). A unit above a commune reads its window from a handful of
 * its own rows instead of every commune's: the nation's 30 days were ~150,000 commune rows.
 * A unit's chain is the one `units` holds when the flush runs (see `ancestryOf`).
 */
export const unitRollups = pgTable(
  'unit_rollups',
  {
    grain: text('grain').$type<'m' | 'h' | 'd'>().notNull(),
    unitCode: text('unit_code').notNull(),
    bucketStart: epochMs('bucket_start').notNull(),
    ...ROLLUP_COUNTERS,
    ...ROLLUP_766_COUNTERS,
  },
  (t) => [primaryKey({ columns: [t.grain, t.unitCode, t.bucketStart] })],
);
