import { integer, pgTable, serial, text, timestamp } from 'drizzle-orm/pg-core';

/**
 * Wall display playlists made in the dashboard by city and district viewers: the slides a
 * display link rotates through (`overview:20,league:15,children:10`), owned by a unit of the
 * maker's subtree. A display reads it again every minute, so a change shows without a reload.
 */
export const displayPlaylists = pgTable('display_playlists', {
  id: serial('id').primaryKey(),
  unitCode: text('unit_code').notNull(),
  name: text('name').notNull(),
  /** The slides as the `playlist` URL parameter writes them. */
  slides: text('slides').notNull(),
  createdBy: integer('created_by').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});
