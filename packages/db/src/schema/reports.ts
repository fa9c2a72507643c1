import type { DigestFormat, DigestPeriod } from '@motcua/contract';
import { integer, pgTable, primaryKey, serial, text, timestamp } from 'drizzle-orm/pg-core';

/**
 * Scheduled report digests: a recipient, a unit and a rhythm. `viewerId` is the viewer who set it
 * up; the report is read with that viewer's rights (a revoked viewer's digests stop).
 */
export const reportSubscriptions = pgTable('report_subscriptions', {
  id: serial('id').primaryKey(),
  email: text('email').notNull(),
  unitCode: text('unit_code').notNull(),
  period: text('period').$type<DigestPeriod>().notNull(),
  format: text('format').$type<DigestFormat>().notNull(),
  viewerId: integer('viewer_id').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  unsubscribedAt: timestamp('unsubscribed_at', { withTimezone: true }),
});

/**
 * One digest of one subscription for one period (`week:2026-11-30`, `month:2026-11`). The primary
 * key makes the claim: the process whose insert lands sends it, every other one sees the row.
 */
export const reportRuns = pgTable(
  'report_runs',
  {
    subscriptionId: integer('subscription_id').notNull(),
    periodKey: text('period_key').notNull(),
    /** `claimed` while a process builds and sends it, then `sent` or `failed`. */
    status: text('status').$type<'claimed' | 'sent' | 'failed'>().notNull(),
    claimedBy: text('claimed_by').notNull(),
    claimedAt: timestamp('claimed_at', { withTimezone: true }).notNull(),
    attempts: integer('attempts').notNull().default(1),
    sentAt: timestamp('sent_at', { withTimezone: true }),
    messageId: text('message_id'),
    error: text('error'),
  },
  (t) => [primaryKey({ columns: [t.subscriptionId, t.periodKey] })],
);
