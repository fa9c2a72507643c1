import type { DeskEvent } from '@motcua/contract';

/** Contract limits per request and per event. */
export const MAX_BATCH_EVENTS = 1000;
export const MAX_BATCH_BYTES = 1024 * 1024;
export const MAX_EVENT_BYTES = 32 * 1024;
/** Error messages kept in a result; the rest are only counted. */
const KEPT_ERRORS = 10;

export interface SenderOptions {
  /** Base URL of the ingest service, e.g. `http://127.0.0.1:8787`. */
  target: string;
  /** Desk key, sent as `Authorization: Bearer <key>`. */
  key: string;
  /** Events per request (default and maximum 1000); requests also stay under 1 MiB. */
  batchSize?: number;
  fetchImpl?: typeof fetch;
  /** Give up on a batch once it has been retried for this long (default 5 min). */
  maxRetryMs?: number;
  /** First backoff ceiling; doubles per attempt up to `maxDelayMs` (defaults 250 ms and 30 s). */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Per-request timeout, after which the attempt counts as a network error (default 30 s). */
  timeoutMs?: number;
}

export interface SendResult {
  accepted: number;
  duplicates: number;
  rejected: number;
  /** The first few rejection messages, `id: message`. */
  errors: string[];
  /** HTTP requests made, retries included. */
  requests: number;
  retries: number;
}

export interface Sender {
  /** Posts the events in batches, retrying transient failures; resolves with the summed report. */
  send(events: readonly DeskEvent[]): Promise<SendResult>;
}

/** A failure that retrying cannot fix (bad key, unexpected status) or that outlasted the retry budget. */
export class SendError extends Error {
  constructor(
    message: string,
    readonly status: number | null,
  ) {
    super(message);
    this.name = 'SendError';
  }
}

interface IngestReport {
  accepted: number;
  duplicates: number;
  rejected: number;
  results?: { id?: string; status?: string; error?: { code?: string; message?: string } }[];
}

const RETRYABLE = new Set([429, 502, 503, 504]);

function isReport(body: unknown): body is IngestReport {
  const b = body as IngestReport | null;
  return (
    b !== null &&
    typeof b === 'object' &&
    typeof b.accepted === 'number' &&
    typeof b.duplicates === 'number' &&
    typeof b.rejected === 'number'
  );
}

/** `Retry-After` as milliseconds: delta-seconds or an HTTP date. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | null {
  if (value === null || value.trim() === '') return null;
  if (/^\d+(\.\d+)?$/.test(value.trim())) return Number(value) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Splits serialized events into request bodies within the count and byte limits. */
function batches(parts: string[], maxEvents: number): string[][] {
  const out: string[][] = [];
  let current: string[] = [];
  let bytes = 2;
  for (const part of parts) {
    const size = Buffer.byteLength(part) + 1;
    if (current.length > 0 && (current.length >= maxEvents || bytes + size > MAX_BATCH_BYTES)) {
      out.push(current);
      current = [];
      bytes = 2;
    }
    current.push(part);
    bytes += size;
  }
  if (current.length > 0) out.push(current);
  return out;
}

/** A client for `POST /v1/events` in batch mode. */
export function createSender(opts: SenderOptions): Sender {
  const batchSize = opts.batchSize ?? MAX_BATCH_EVENTS;
  if (!(Number.isInteger(batchSize) && batchSize >= 1 && batchSize <= MAX_BATCH_EVENTS)) {
    throw new Error(`batchSize: expected an integer from 1 to ${MAX_BATCH_EVENTS}`);
  }
  const fetchImpl = opts.fetchImpl ?? fetch;
  const url = `${opts.target.replace(/\/+$/, '')}/v1/events`;
  const maxRetryMs = opts.maxRetryMs ?? 5 * 60_000;
  const baseDelayMs = opts.baseDelayMs ?? 250;
  const maxDelayMs = opts.maxDelayMs ?? 30_000;
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const headers = {
    'content-type': 'application/cloudevents-batch+json',
    authorization: `Bearer ${opts.key}`,
  };

  async function post(body: string, total: SendResult): Promise<IngestReport> {
    const started = Date.now();
    for (let attempt = 0; ; attempt++) {
      let why: string;
      let retryAfterMs: number | null = null;
      total.requests++;
      try {
        const res = await fetchImpl(url, {
          method: 'POST',
          headers,
          body,
          signal: AbortSignal.timeout(timeoutMs),
        });
        if (RETRYABLE.has(res.status)) {
          why = `HTTP ${res.status}`;
          retryAfterMs = parseRetryAfter(res.headers.get('retry-after'));
          await res.arrayBuffer().catch(() => undefined);
        } else {
          const text = await res.text();
          let parsed: unknown = null;
          try {
            parsed = JSON.parse(text);
          } catch {
            // reported below with the status
          }
          // 200, and 400 when every event was rejected, carry the per-event report.
          if ((res.status === 200 || res.status === 400) && isReport(parsed)) return parsed;
          const error = (parsed as { error?: { code?: string; message?: string } } | null)?.error;
          const detail = error ? `${error.code}: ${error.message}` : text.slice(0, 200);
          throw new SendError(`POST ${url} answered ${res.status} (${detail})`, res.status);
        }
      } catch (err) {
        if (err instanceof SendError) throw err;
        why = `network error: ${(err as Error).message}`;
      }
      // Full jitter spreads retries of many clients; Retry-After is a floor, never shortened.
      const ceiling = Math.min(maxDelayMs, baseDelayMs * 2 ** attempt);
      const delay = Math.max(retryAfterMs ?? 0, Math.random() * ceiling);
      if (Date.now() - started + delay > maxRetryMs) {
        throw new SendError(
          `gave up after ${attempt + 1} attempts in ${Math.round((Date.now() - started) / 1000)} s: ${why}`,
          null,
        );
      }
      total.retries++;
      await sleep(delay);
    }
  }

  async function send(events: readonly DeskEvent[]): Promise<SendResult> {
    const total: SendResult = {
      accepted: 0,
      duplicates: 0,
      rejected: 0,
      errors: [],
      requests: 0,
      retries: 0,
    };
    const keep = (message: string) => {
      if (total.errors.length < KEPT_ERRORS) total.errors.push(message);
    };
    const parts: string[] = [];
    for (const event of events) {
      const json = JSON.stringify(event);
      if (Buffer.byteLength(json) > MAX_EVENT_BYTES) {
        // One oversized event would make the server refuse the whole request with 413.
        total.rejected++;
        keep(`${event.id}: event larger than 32 KiB, not sent`);
      } else parts.push(json);
    }
    for (const batch of batches(parts, batchSize)) {
      // A retried batch whose first attempt was committed comes back as duplicates: ids are the idempotency key.
      const report = await post(`[${batch.join(',')}]`, total);
      total.accepted += report.accepted;
      total.duplicates += report.duplicates;
      total.rejected += report.rejected;
      for (const r of report.results ?? []) {
        if (r.status === 'rejected')
          keep(`${r.id}: ${r.error?.code ?? 'rejected'}: ${r.error?.message ?? ''}`);
      }
    }
    return total;
  }

  return { send };
}
