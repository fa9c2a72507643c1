/**
 * Sends the webhook outbox: each due delivery POSTed once per attempt, signed, retried with
 * exponential backoff and jitter until its subscription's give-up time, then marked failed.
 * The signature is HMAC-SHA256 over `timestamp.body` (docs/alerts.md#webhooks).
 */
import { createHmac } from 'node:crypto';
import {
  type ClaimedDelivery,
  claimWebhookDeliveries,
  type Database,
  recordWebhookAttempt,
} from '@motcua/db';

export const SIGNATURE_HEADER = 'X-Motcua-Signature';
export const TIMESTAMP_HEADER = 'X-Motcua-Timestamp';
export const DELIVERY_HEADER = 'X-Motcua-Delivery';
export const EVENT_HEADER = 'X-Motcua-Event';

/** `sha256=<hex>` of HMAC-SHA256(secret, `${timestamp}.${body}`); the timestamp is Unix seconds. */
export function signWebhook(secret: string, timestamp: number, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

export interface WebhookSenderOptions {
  /** Per attempt. */
  timeoutMs?: number;
  /** The first retry's delay; each further one doubles, up to `maxDelayMs`. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Deliveries taken per round. */
  batch?: number;
  /** 0 ≤ x < 1; the jitter's source (tests pass a fixed one). */
  random?: () => number;
}

const DEFAULTS = { timeoutMs: 10_000, baseDelayMs: 10_000, maxDelayMs: 15 * 60_000, batch: 20 };

/** The delay before retry number `attempt` (1, 2, …): half fixed, half random ("equal jitter"). */
export function retryDelay(attempt: number, base: number, max: number, random: () => number): number {
  const full = Math.min(max, base * 2 ** (attempt - 1));
  return Math.round(full / 2 + random() * (full / 2));
}

async function post(d: ClaimedDelivery, now: number, timeoutMs: number) {
  const body = JSON.stringify(d.payload);
  const timestamp = Math.floor(now / 1000);
  const response = await fetch(d.url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'user-agent': 'MotCuaLive-Webhooks/1',
      [DELIVERY_HEADER]: d.id,
      [TIMESTAMP_HEADER]: String(timestamp),
      [EVENT_HEADER]: `alert.${d.payload.event}`,
      [SIGNATURE_HEADER]: signWebhook(d.secret, timestamp, body),
    },
    body,
    redirect: 'manual',
    signal: AbortSignal.timeout(timeoutMs),
  });
  // The answer's body is not needed; read it so the connection can be reused.
  await response.arrayBuffer().catch(() => {});
  return response.status;
}

/** One round: takes the due deliveries, sends each, records the outcome. Returns how many were tried. */
export async function sendDueWebhooks(
  db: Database,
  now: () => number,
  opts: WebhookSenderOptions = {},
): Promise<number> {
  const o = { ...DEFAULTS, ...opts };
  const random = opts.random ?? Math.random;
  const claimed = await claimWebhookDeliveries(db, {
    now: now(),
    limit: o.batch,
    leaseMs: o.timeoutMs + 30_000,
  });
  await Promise.all(
    claimed.map(async (d) => {
      let status: number | null = null;
      let error: string;
      try {
        status = await post(d, now(), o.timeoutMs);
        if (status >= 200 && status < 300) {
          await recordWebhookAttempt(db, d.id, { ok: true, status, now: now() });
          return;
        }
        error = `HTTP ${status}`;
      } catch (err) {
        const e = err as Error;
        error =
          e.name === 'TimeoutError'
            ? `no answer within ${o.timeoutMs} ms`
            : `${e.message}${e.cause ? `: ${(e.cause as Error).message}` : ''}`;
      }
      const at = now();
      const next = at + retryDelay(d.attempts, o.baseDelayMs, o.maxDelayMs, random);
      await recordWebhookAttempt(db, d.id, {
        ok: false,
        status,
        error,
        now: at,
        retryAt: next <= d.giveUpAt ? next : null,
      });
    }),
  );
  return claimed.length;
}
