/**
 * Sends the webhook outbox: each due delivery POSTed once per attempt, signed, retried with
 * exponential backoff and jitter until its subscription's give-up time, then marked failed.
 * The signature is HMAC-SHA256 over `timestamp.body` (docs/alerts.md#webhooks).
 */
import { createHmac } from 'node:crypto';
import type { LookupAddress } from 'node:dns';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import {
  type ClaimedDelivery,
  claimWebhookDeliveries,
  type Database,
  recordWebhookAttempt,
} from '@motcua/db';
import {
  checkWebhookUrl,
  PUBLIC_ONLY,
  type Resolver,
  type WebhookUrlPolicy,
} from '../../src/lib/server/webhook-url.ts';

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
  /** Which addresses a delivery may go to (docs/alerts.md#webhook-addresses); default public only. */
  policy?: WebhookUrlPolicy;
  /** Host name resolution (tests pass a fixed one); default dns.lookup. */
  resolve?: Resolver;
}

const DEFAULTS = { timeoutMs: 10_000, baseDelayMs: 10_000, maxDelayMs: 15 * 60_000, batch: 20 };

/** The delay before retry number `attempt` (1, 2, …): half fixed, half random ("equal jitter"). */
export function retryDelay(attempt: number, base: number, max: number, random: () => number): number {
  const full = Math.min(max, base * 2 ** (attempt - 1));
  return Math.round(full / 2 + random() * (full / 2));
}

/** A `lookup` for the connection that hands back only the addresses the URL check accepted. */
function pinnedLookup(addresses: LookupAddress[]) {
  return (
    _host: string,
    options: { all?: boolean },
    callback: (err: Error | null, address: string | LookupAddress[], family?: number) => void,
  ) => {
    if (options.all) callback(null, addresses);
    else callback(null, addresses[0].address, addresses[0].family);
  };
}

class DeliveryTimeout extends Error {
  override name = 'TimeoutError';
}

async function post(
  d: ClaimedDelivery,
  now: number,
  timeoutMs: number,
  policy: WebhookUrlPolicy,
  resolve: Resolver | undefined,
): Promise<number> {
  // Checked again at every attempt: the policy or the host's addresses may have changed since
  // the webhook was created. The connection then goes only to the addresses checked here, so
  // a name that answers differently a moment later (DNS rebinding) cannot reach inside.
  const { url, addresses } = await checkWebhookUrl(d.url, policy, resolve);
  const body = JSON.stringify(d.payload);
  const timestamp = Math.floor(now / 1000);
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise<number>((done, fail) => {
    const req = request(
      url,
      {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          'user-agent': 'MotCuaLive-Webhooks/1',
          [DELIVERY_HEADER]: d.id,
          [TIMESTAMP_HEADER]: String(timestamp),
          [EVENT_HEADER]: `alert.${d.payload.event}`,
          [SIGNATURE_HEADER]: signWebhook(d.secret, timestamp, body),
        },
        ...(addresses.length > 0 ? { lookup: pinnedLookup(addresses) as never } : {}),
      },
      (res) => {
        // Redirects are not followed (a 3xx is a failed attempt): a redirect could point inside.
        // The answer's body is not needed; it is read so the connection can be reused.
        res.resume();
        res.on('end', () => {
          clearTimeout(timer);
          done(res.statusCode ?? 0);
        });
        res.on('error', fail);
      },
    );
    const timer = setTimeout(() => req.destroy(new DeliveryTimeout()), timeoutMs);
    req.on('error', (err) => {
      clearTimeout(timer);
      fail(err);
    });
    req.end(body);
  });
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
        status = await post(d, now(), o.timeoutMs, o.policy ?? PUBLIC_ONLY, o.resolve);
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
