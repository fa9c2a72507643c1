/**
 * Where alerts go besides the inbox: webhook subscriptions and their outbox of deliveries, and
 * the mail digest's recipients. The outbox rows are written with the alert change (alerts.ts);
 * here they are claimed (FOR UPDATE SKIP LOCKED, so several dashboard processes never send one
 * twice at once) and their results recorded.
 */
import type { AlertLevel, WebhookPayload } from '@motcua/contract';
import { formatLocal } from '@motcua/metrics';
import { sql } from 'drizzle-orm';
import type { Database } from './client.ts';
import type { UnitTree } from './tree.ts';

export interface WebhookSubscription {
  id: number;
  unitCode: string;
  url: string;
  minLevel: AlertLevel;
  giveUpAfterHours: number;
  active: boolean;
  createdAt: string;
  createdBy: string;
  /** Deliveries by state. */
  deliveries: { pending: number; delivered: number; failed: number };
  /** The latest failure, if any. */
  lastFailure: { at: string; error: string } | null;
}

export async function createWebhookSubscription(
  db: Database,
  s: {
    unitCode: string;
    url: string;
    secret: string;
    minLevel: AlertLevel;
    giveUpAfterMs: number;
    by: string;
    now: number;
  },
): Promise<number> {
  const [row] = await db.query<{ id: number }>(
    sql`insert into webhook_subscriptions (unit_code, url, secret, min_level, give_up_after_ms, active, created_at, created_by)
      values (${s.unitCode}, ${s.url}, ${s.secret}, ${s.minLevel}, ${Math.round(s.giveUpAfterMs)}, true, ${s.now}, ${s.by})
      returning id`,
  );
  return row.id;
}

/** The subscriptions of a unit's subtree (never their secrets), newest first. */
export async function listWebhookSubscriptions(
  db: Database,
  tree: UnitTree,
  unitCode: string,
): Promise<WebhookSubscription[]> {
  const rows = await db.query<{
    id: number;
    unit_code: string;
    url: string;
    min_level: AlertLevel;
    give_up_after_ms: number;
    active: boolean;
    created_at: number;
    created_by: string;
    pending: number;
    delivered: number;
    failed: number;
    failed_at: number | null;
    last_error: string | null;
  }>(
    sql`select s.id, s.unit_code, s.url, s.min_level, s.give_up_after_ms::float8 as give_up_after_ms, s.active,
        s.created_at::float8 as created_at, s.created_by,
        (select count(*) from webhook_deliveries d where d.subscription_id = s.id and d.state = 'pending')::float8 as pending,
        (select count(*) from webhook_deliveries d where d.subscription_id = s.id and d.state = 'delivered')::float8 as delivered,
        (select count(*) from webhook_deliveries d where d.subscription_id = s.id and d.state = 'failed')::float8 as failed,
        f.failed_at::float8 as failed_at, f.last_error
      from webhook_subscriptions s
      left join lateral (
        select next_attempt_at as failed_at, last_error from webhook_deliveries d
        where d.subscription_id = s.id and d.state = 'failed' order by d.created_at desc limit 1
      ) f on true
      order by s.id desc`,
  );
  return rows
    .filter((r) => tree.isWithin(r.unit_code, unitCode))
    .map((r) => ({
      id: r.id,
      unitCode: r.unit_code,
      url: r.url,
      minLevel: r.min_level,
      giveUpAfterHours: r.give_up_after_ms / 3_600_000,
      active: r.active,
      createdAt: formatLocal(r.created_at),
      createdBy: r.created_by,
      deliveries: { pending: r.pending, delivered: r.delivered, failed: r.failed },
      lastFailure: r.failed_at === null ? null : { at: formatLocal(r.failed_at), error: r.last_error ?? '' },
    }));
}

/**
 * Stops a subscription in the unit's subtree (its pending deliveries are no longer sent); its
 * unit and URL (for the audit log), or null if there is none.
 */
export async function deactivateWebhookSubscription(
  db: Database,
  tree: UnitTree,
  id: number,
  unitCode: string,
): Promise<{ unitCode: string; url: string } | null> {
  const [row] = await db.query<{ unit_code: string; url: string }>(
    sql`select unit_code, url from webhook_subscriptions where id = ${id}`,
  );
  if (!row || !tree.isWithin(row.unit_code, unitCode)) return null;
  await db.query(sql`update webhook_subscriptions set active = false where id = ${id}`);
  return { unitCode: row.unit_code, url: row.url };
}

export interface ClaimedDelivery {
  id: string;
  subscriptionId: number;
  url: string;
  secret: string;
  payload: WebhookPayload;
  attempts: number;
  createdAt: number;
  giveUpAt: number;
}

/**
 * Takes up to `limit` deliveries that are due: each is leased until `now + leaseMs` (a process
 * that dies mid-send leaves it to be taken again then, under the same delivery id) and its
 * attempt counted.
 */
export async function claimWebhookDeliveries(
  db: Database,
  opts: { now: number; limit: number; leaseMs: number },
): Promise<ClaimedDelivery[]> {
  return db.transaction(async (tx) => {
    const rows = await db.query<{
      id: string;
      subscription_id: number;
      url: string;
      secret: string;
      payload: WebhookPayload | string;
      attempts: number;
      created_at: number;
      give_up_after_ms: number;
    }>(
      sql`select d.id, d.subscription_id, s.url, s.secret, d.payload, d.attempts,
          d.created_at::float8 as created_at, s.give_up_after_ms::float8 as give_up_after_ms
        from webhook_deliveries d join webhook_subscriptions s on s.id = d.subscription_id
        where d.state = 'pending' and d.next_attempt_at <= ${opts.now} and s.active
        order by d.next_attempt_at, d.created_at
        limit ${opts.limit}
        for update of d skip locked`,
      tx,
    );
    if (rows.length === 0) return [];
    await db.query(
      sql`update webhook_deliveries set next_attempt_at = ${opts.now + opts.leaseMs}, attempts = attempts + 1
        where id = any(${`{${rows.map((r) => r.id).join(',')}}`}::text[])`,
      tx,
    );
    return rows.map((r) => ({
      id: r.id,
      subscriptionId: r.subscription_id,
      url: r.url,
      secret: r.secret,
      payload: typeof r.payload === 'string' ? JSON.parse(r.payload) : r.payload,
      attempts: r.attempts + 1,
      createdAt: r.created_at,
      giveUpAt: r.created_at + r.give_up_after_ms,
    }));
  });
}

/** Records an attempt: delivered, to be retried at `retryAt`, or (no `retryAt`) failed for good. */
export async function recordWebhookAttempt(
  db: Database,
  id: string,
  r:
    | { ok: true; status: number; now: number }
    | { ok: false; status: number | null; error: string; now: number; retryAt: number | null },
): Promise<void> {
  if (r.ok) {
    await db.query(
      sql`update webhook_deliveries set state = 'delivered', delivered_at = ${r.now}, last_status = ${r.status},
          next_attempt_at = ${r.now}
        where id = ${id}`,
    );
    return;
  }
  await db.query(
    sql`update webhook_deliveries set state = ${r.retryAt === null ? 'failed' : 'pending'},
        next_attempt_at = ${r.retryAt ?? r.now}, last_status = ${r.status}, last_error = ${r.error.slice(0, 500)}
      where id = ${id}`,
  );
}

export interface DeliveryRow {
  id: string;
  subscriptionId: number;
  state: 'pending' | 'delivered' | 'failed';
  attempts: number;
  lastStatus: number | null;
  lastError: string | null;
}

export async function readWebhookDeliveries(db: Database, subscriptionId: number): Promise<DeliveryRow[]> {
  const rows = await db.query<{
    id: string;
    subscription_id: number;
    state: DeliveryRow['state'];
    attempts: number;
    last_status: number | null;
    last_error: string | null;
  }>(
    sql`select id, subscription_id, state, attempts, last_status, last_error from webhook_deliveries
      where subscription_id = ${subscriptionId} order by created_at, id`,
  );
  return rows.map((r) => ({
    id: r.id,
    subscriptionId: r.subscription_id,
    state: r.state,
    attempts: r.attempts,
    lastStatus: r.last_status,
    lastError: r.last_error,
  }));
}

export interface EmailRecipient {
  id: number;
  unitCode: string;
  address: string;
  minLevel: AlertLevel;
  createdAt: string;
  createdBy: string;
}

/** Adds (or updates) a recipient; the digest starts with the changes after this moment. */
export async function createEmailRecipient(
  db: Database,
  r: { unitCode: string; address: string; minLevel: AlertLevel; by: string; now: number },
): Promise<number> {
  const [row] = await db.query<{ id: number }>(
    sql`insert into email_recipients (unit_code, address, min_level, last_event_id, created_at, created_by)
      values (${r.unitCode}, ${r.address}, ${r.minLevel}, (select coalesce(max(id), 0) from alert_events), ${r.now}, ${r.by})
      on conflict (unit_code, address) do update set min_level = excluded.min_level
      returning id`,
  );
  return row.id;
}

export async function listEmailRecipients(
  db: Database,
  tree: UnitTree,
  unitCode: string,
): Promise<EmailRecipient[]> {
  const rows = await db.query<{
    id: number;
    unit_code: string;
    address: string;
    min_level: AlertLevel;
    created_at: number;
    created_by: string;
  }>(
    sql`select id, unit_code, address, min_level, created_at::float8 as created_at, created_by
      from email_recipients order by unit_code, address`,
  );
  return rows
    .filter((r) => tree.isWithin(r.unit_code, unitCode))
    .map((r) => ({
      id: r.id,
      unitCode: r.unit_code,
      address: r.address,
      minLevel: r.min_level,
      createdAt: formatLocal(r.created_at),
      createdBy: r.created_by,
    }));
}

/** Removes a recipient in the unit's subtree; its unit and address (for the audit log), or null if there is none. */
export async function deleteEmailRecipient(
  db: Database,
  tree: UnitTree,
  id: number,
  unitCode: string,
): Promise<{ unitCode: string; address: string } | null> {
  const [row] = await db.query<{ unit_code: string; address: string }>(
    sql`select unit_code, address from email_recipients where id = ${id}`,
  );
  if (!row || !tree.isWithin(row.unit_code, unitCode)) return null;
  await db.query(sql`delete from email_recipients where id = ${id}`);
  return { unitCode: row.unit_code, address: row.address };
}
