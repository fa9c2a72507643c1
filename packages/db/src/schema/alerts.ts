import { sql } from 'drizzle-orm';
import {
  bigint,
  bigserial,
  boolean,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  serial,
  text,
  uniqueIndex,
} from 'drizzle-orm/pg-core';
import { epochMs } from './events.ts';

/**
 * One row per alert: a rule's condition on one subject (a dossier, a petition, a desk, a commune)
 * from the moment it held until it cleared or someone closed it. At most one live (open or
 * acknowledged) alert per (rule, commune, subject). Times are epoch milliseconds.
 */
export const alerts = pgTable(
  'alerts',
  {
    id: serial('id').primaryKey(),
    rule: text('rule').notNull(),
    subjectKind: text('subject_kind').notNull(),
    /** The dossier or petition code, the desk code, or the commune code itself. */
    subject: text('subject').notNull(),
    /** The commune the subject belongs to; scope checks go through it. */
    unitCode: text('unit_code').notNull(),
    deskCode: text('desk_code'),
    /** Who must act: 'commune', 'district' or 'city'. */
    level: text('level').notNull(),
    state: text('state').notNull(),
    openedAt: epochMs('opened_at').notNull(),
    escalatedAt: epochMs('escalated_at'),
    acknowledgedAt: epochMs('acknowledged_at'),
    acknowledgedBy: text('acknowledged_by'),
    acknowledgedComment: text('acknowledged_comment'),
    resolvedAt: epochMs('resolved_at'),
    closedAt: epochMs('closed_at'),
    closedBy: text('closed_by'),
    updatedAt: epochMs('updated_at').notNull(),
    details: jsonb('details').notNull(),
  },
  (t) => [
    uniqueIndex('alerts_live_idx')
      .on(t.rule, t.unitCode, t.subject)
      .where(sql`${t.state} in ('open', 'acknowledged')`),
    index('alerts_unit_idx').on(t.unitCode, t.updatedAt),
  ],
);

/** Every change of every alert, append-only: opened, escalated, acknowledged, resolved, closed. */
export const alertEvents = pgTable(
  'alert_events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    alertId: integer('alert_id').notNull(),
    kind: text('kind').notNull(),
    at: epochMs('at').notNull(),
    level: text('level').notNull(),
    actor: text('actor'),
    comment: text('comment'),
  },
  (t) => [index('alert_events_alert_idx').on(t.alertId, t.id)],
);

/** A unit's changes to a rule's default settings; they apply to its whole subtree unless a unit below overrides them. */
export const alertRules = pgTable(
  'alert_rules',
  {
    unitCode: text('unit_code').notNull(),
    rule: text('rule').notNull(),
    settings: jsonb('settings').notNull(),
    updatedAt: epochMs('updated_at').notNull(),
    updatedBy: text('updated_by').notNull(),
  },
  (t) => [primaryKey({ columns: [t.unitCode, t.rule] })],
);

/** Where alert changes in a unit's subtree are POSTed, signed with `secret`. */
export const webhookSubscriptions = pgTable('webhook_subscriptions', {
  id: serial('id').primaryKey(),
  unitCode: text('unit_code').notNull(),
  url: text('url').notNull(),
  secret: text('secret').notNull(),
  /** The lowest alert level sent: 'commune' sends all. */
  minLevel: text('min_level').notNull(),
  /** A delivery not accepted within this long after it was queued is marked failed. */
  giveUpAfterMs: epochMs('give_up_after_ms').notNull(),
  active: boolean('active').notNull().default(true),
  createdAt: epochMs('created_at').notNull(),
  createdBy: text('created_by').notNull(),
});

/** The webhook outbox: one row per (subscription, alert change), retried until accepted or given up. */
export const webhookDeliveries = pgTable(
  'webhook_deliveries',
  {
    id: text('id').primaryKey(),
    subscriptionId: integer('subscription_id').notNull(),
    alertEventId: bigint('alert_event_id', { mode: 'number' }).notNull(),
    payload: jsonb('payload').notNull(),
    /** 'pending', 'delivered' or 'failed'. */
    state: text('state').notNull(),
    attempts: integer('attempts').notNull().default(0),
    createdAt: epochMs('created_at').notNull(),
    nextAttemptAt: epochMs('next_attempt_at').notNull(),
    deliveredAt: epochMs('delivered_at'),
    lastStatus: integer('last_status'),
    lastError: text('last_error'),
  },
  (t) => [
    index('webhook_deliveries_due_idx').on(t.nextAttemptAt).where(sql`${t.state} = 'pending'`),
    index('webhook_deliveries_subscription_idx').on(t.subscriptionId, t.createdAt),
  ],
);

/** Who gets the mail digest of a unit's subtree; `lastEventId` is the last alert change already mailed. */
export const emailRecipients = pgTable(
  'email_recipients',
  {
    id: serial('id').primaryKey(),
    unitCode: text('unit_code').notNull(),
    address: text('address').notNull(),
    minLevel: text('min_level').notNull(),
    lastEventId: bigint('last_event_id', { mode: 'number' }).notNull().default(0),
    createdAt: epochMs('created_at').notNull(),
    createdBy: text('created_by').notNull(),
  },
  (t) => [uniqueIndex('email_recipients_unit_address_idx').on(t.unitCode, t.address)],
);

/**
 * Per desk, kept by the write path on every flush: the newest event time, when its last events
 * arrived, and the oldest event time of that last flush (how far behind the desk's sync is).
 */
export const deskHealth = pgTable(
  'desk_health',
  {
    unitCode: text('unit_code').notNull(),
    deskCode: text('desk_code').notNull(),
    lastEventAt: epochMs('last_event_at').notNull(),
    lastReceivedAt: epochMs('last_received_at').notNull(),
    batchOldestAt: epochMs('batch_oldest_at').notNull(),
    events: bigint('events', { mode: 'number' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.unitCode, t.deskCode] })],
);
