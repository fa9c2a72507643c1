import type { DigestFormat, DigestPeriod } from '@motcua/contract';
import { and, eq, isNull, sql } from 'drizzle-orm';
import type { Database } from './client.ts';
import { reportRuns, reportSubscriptions } from './schema/reports.ts';

export type Subscription = typeof reportSubscriptions.$inferSelect;

export async function createSubscription(
  db: Database,
  s: { email: string; unitCode: string; period: DigestPeriod; format: DigestFormat; viewerId: number },
): Promise<Subscription> {
  const [row] = await db.orm.insert(reportSubscriptions).values(s).returning();
  return row;
}

/** Subscriptions still in force, oldest first. */
export async function listActiveSubscriptions(db: Database): Promise<Subscription[]> {
  return db.orm
    .select()
    .from(reportSubscriptions)
    .where(isNull(reportSubscriptions.unsubscribedAt))
    .orderBy(reportSubscriptions.id);
}

export async function getSubscription(db: Database, id: number): Promise<Subscription | null> {
  const [row] = await db.orm.select().from(reportSubscriptions).where(eq(reportSubscriptions.id, id));
  return row ?? null;
}

/** Ends a subscription; returns whether it was in force. */
export async function unsubscribe(db: Database, id: number): Promise<boolean> {
  const rows = await db.orm
    .update(reportSubscriptions)
    .set({ unsubscribedAt: sql`now()` })
    .where(and(eq(reportSubscriptions.id, id), isNull(reportSubscriptions.unsubscribedAt)))
    .returning({ id: reportSubscriptions.id });
  return rows.length > 0;
}

/**
 * How long a failed digest waits before its next try, by the number of tries so far: 1 min after
 * the first, then 5 min, 30 min, 2 h and 6 h. After the sixth try it is left as failed (its
 * error kept). An SMTP server down for a morning still gets the mail the same day.
 */
export const DIGEST_RETRY_BACKOFF_MS = [60_000, 300_000, 1_800_000, 7_200_000, 21_600_000] as const;
/** Tries of one digest in all: the first and one per backoff step. */
export const DIGEST_MAX_ATTEMPTS = DIGEST_RETRY_BACKOFF_MS.length + 1;

/**
 * Claims the digest of one subscription for one period, for `instance`. Exactly one caller gets
 * true: the first insert of the (subscription, period) row, or later the one update that takes
 * over a failed run whose backoff has passed (DIGEST_RETRY_BACKOFF_MS) or a claim older than `leaseMs` (its process
 * died while sending). Both are single statements, so two processes cannot both win.
 */
export async function claimDigestRun(
  db: Database,
  subscriptionId: number,
  periodKey: string,
  instance: string,
  now: number,
  leaseMs: number,
): Promise<boolean> {
  const at = new Date(now);
  const inserted = await db.orm
    .insert(reportRuns)
    .values({ subscriptionId, periodKey, status: 'claimed', claimedBy: instance, claimedAt: at })
    .onConflictDoNothing()
    .returning({ k: reportRuns.periodKey });
  if (inserted.length > 0) return true;
  const taken = await db.orm
    .update(reportRuns)
    .set({ status: 'claimed', claimedBy: instance, claimedAt: at, attempts: sql`${reportRuns.attempts} + 1` })
    .where(
      and(
        eq(reportRuns.subscriptionId, subscriptionId),
        eq(reportRuns.periodKey, periodKey),
        // A failed run is due once its backoff has passed since its last try (`claimed_at`); an
        // index past the array's end is null, so a run out of tries is never taken again.
        sql`((${reportRuns.status} = 'failed' and ${reportRuns.attempts} < ${DIGEST_MAX_ATTEMPTS}
            and ${reportRuns.claimedAt} + (${`{${DIGEST_RETRY_BACKOFF_MS.join(',')}}`}::bigint[])[${reportRuns.attempts}] * interval '1 millisecond'
              <= ${at.toISOString()}::timestamptz)
          or (${reportRuns.status} = 'claimed' and ${reportRuns.claimedAt} < ${new Date(now - leaseMs).toISOString()}::timestamptz))`,
      ),
    )
    .returning({ k: reportRuns.periodKey });
  return taken.length > 0;
}

/** Records how a claimed digest ended: sent (with the SMTP Message-ID) or failed (with why). */
export async function finishDigestRun(
  db: Database,
  subscriptionId: number,
  periodKey: string,
  outcome: { messageId: string; now: number } | { error: string },
): Promise<void> {
  const set =
    'messageId' in outcome
      ? { status: 'sent' as const, messageId: outcome.messageId, sentAt: new Date(outcome.now), error: null }
      : { status: 'failed' as const, error: outcome.error.slice(0, 1000) };
  await db.orm
    .update(reportRuns)
    .set(set)
    .where(and(eq(reportRuns.subscriptionId, subscriptionId), eq(reportRuns.periodKey, periodKey)));
}

export type DigestRun = typeof reportRuns.$inferSelect;

export async function listDigestRuns(db: Database, subscriptionId?: number): Promise<DigestRun[]> {
  const q = db.orm.select().from(reportRuns);
  const rows =
    subscriptionId === undefined ? await q : await q.where(eq(reportRuns.subscriptionId, subscriptionId));
  return rows.sort((a, b) => a.subscriptionId - b.subscriptionId || a.periodKey.localeCompare(b.periodKey));
}

/** The viewer behind a subscription, if still valid (not revoked). */
export async function subscriptionViewer(db: Database, viewerId: number) {
  const rows = await db.query<{ id: number; role: string; unit_code: string; revoked_at: Date | null }>(
    sql`select id, role, unit_code, revoked_at from viewers where id = ${viewerId}`,
  );
  const v = rows[0];
  return v && !v.revoked_at ? { id: v.id, role: v.role, unitCode: v.unit_code } : null;
}
