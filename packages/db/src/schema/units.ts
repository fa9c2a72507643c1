import { index, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';

/** The administrative unit tree of this deployment (city → district → commune; nation → province → commune). */
export const units = pgTable(
  'units',
  {
    code: text('code').primaryKey(),
    name: text('name').notNull(),
    level: text('level').$type<'nation' | 'city' | 'district' | 'commune'>().notNull(),
    parentCode: text('parent_code'),
    tree: text('tree').notNull(),
  },
  (t) => [index('units_parent_idx').on(t.parentCode)],
);

/** Desks seen under a commune; created on their first event. */
export const desks = pgTable(
  'desks',
  {
    unitCode: text('unit_code').notNull(),
    deskCode: text('desk_code').notNull(),
    firstSeenAt: timestamp('first_seen_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.unitCode, t.deskCode] })],
);
