import {
  type DeskEvent,
  type ErrorCode,
  type EventsReport,
  eventsReportSchema,
  isErrorEnvelope,
  LIMITS,
} from '@motcua/contract';
import { ClientClosedError, IngestError, QueueFullError } from './errors.ts';
import { canGzip, gzip, parseRetryAfter, utf8Length } from './wire.ts';

/** What became of one event: the ingest's answer for it, or a local refusal (`too_large`). */
export type SendResult =
  | { id: string; status: 'accepted'; attempts: number }
  | { id: string; status: 'duplicate'; attempts: number }
  | {
      id: string;
      status: 'rejected';
      error: { code: 'invalid_event' | 'forbidden_source' | 'too_large'; message: string };
      /** 0 when refused locally without being sent. */
      attempts: number;
    };

export interface ClientOptions {
  /** Base URL of the ingest, e.g. `http://127.0.0.1:8787`; requests go to `{url}/v1/events`. */
  url: string;
  /** Desk key (`mck_…`), sent as `Authorization: Bearer <key>`. */
  key: string;
  /** Most events per request, 1–1000 (default 1000). */
  batchSize?: number;
  /** Most bytes per request body before compression (default and maximum 1 MiB, the contract's limit). */
  maxBatchBytes?: number;
  /** How long an event may wait for others to share its request (default 200 ms). */
  flushIntervalMs?: number;
  /** Most events taken and not yet answered; `send()` throws `QueueFullError` beyond it (default 10,000). */
  maxQueue?: number;
  /** Requests in flight at once (default 1, which keeps a desk's events in order). */
  concurrency?: number;
  /** Compress request bodies with gzip where the runtime can (default true). */
  gzip?: boolean;
  /** Bodies smaller than this go uncompressed (default 1,024 bytes). */
  gzipMinBytes?: number;
  /** Most requests one event goes out in before `send()` rejects with `IngestError` (default unlimited). */
  maxAttempts?: number;
  /** After a failed attempt, events sent longer ago than this are given up (default 5 minutes). */
  giveUpAfterMs?: number;
  /** First backoff ceiling; it doubles per attempt up to `maxDelayMs` (defaults 250 ms and 30 s). */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** One attempt's time limit; past it the attempt counts as a network error (default 30 s). */
  timeoutMs?: number;
  /** Called with each request's per-event report, after its events' promises have settled. Must not throw. */
  onReport?: (report: EventsReport, request: { events: number; attempts: number }) => void;
  /** For tests: the fetch, the jitter source in [0, 1), the clock and the backoff wait. */
  fetch?: typeof fetch;
  random?: () => number;
  now?: () => number;
  /** Waits `ms`; should return early when `signal` aborts (a discarding `close()`). */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

export interface Client {
  /**
   * Queues one event; resolves once the ingest has answered for it (`accepted`, `duplicate`,
   * or `rejected` with the contract's code and message). Rejects with `IngestError` when its
   * request was refused as a whole or retrying gave up. Throws `QueueFullError` synchronously
   * when `maxQueue` events are pending, and `ClientClosedError` after `close()`.
   * The event is sent exactly as given: its `id` never changes between retries.
   */
  send(event: DeskEvent): Promise<SendResult>;
  /** Sends what is queued now without waiting for `flushIntervalMs`; resolves when all of it is settled. */
  flush(): Promise<void>;
  /**
   * Takes no more events, sends what is queued and resolves when everything is settled.
   * With `discard`, events not yet answered are rejected with `ClientClosedError` instead:
   * queued ones at once, in-flight ones as their request is aborted.
   */
  close(opts?: { discard?: boolean }): Promise<void>;
  /** Events taken and not yet settled (queued or in flight). */
  readonly pending: number;
  readonly maxQueue: number;
}

interface Item {
  event: DeskEvent;
  json: string;
  bytes: number;
  queuedAt: number;
  seq: number;
  promise: Promise<SendResult>;
  resolve(result: SendResult): void;
  reject(err: unknown): void;
}

/** The three things an attempt can come to. */
type Answer =
  | { kind: 'report'; report: EventsReport }
  | {
      kind: 'retry' | 'refused';
      /** `HTTP 503 (unavailable: …)` or `network error: …`. */
      why: string;
      status: number | null;
      code: ErrorCode | null;
      requestId: string | null;
      retryAfterMs: number | null;
    };

/** Statuses worth the same request again later (the contract's advice); everything else is final. */
const RETRYABLE = new Set([429, 502, 503, 504]);

function int(name: string, value: number | undefined, fallback: number, min: number, max: number): number {
  const v = value ?? fallback;
  if (!((Number.isInteger(v) || v === Number.POSITIVE_INFINITY) && v >= min && v <= max)) {
    throw new RangeError(`@motcua/client: ${name} must be an integer from ${min} to ${max}, got ${v}`);
  }
  return v;
}

function describeNetworkError(err: unknown): string {
  const e = err as { message?: string; cause?: { message?: string; code?: string } } | null;
  const cause = e?.cause?.code ?? e?.cause?.message;
  return `${e?.message ?? String(err)}${cause ? ` (${cause})` : ''}`;
}

function defaultSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done);
  });
}

/** A client for `POST /v1/events`: queues events, sends them in batches, retries what is safe to retry. */
export function createClient(opts: ClientOptions): Client {
  const endpoint = `${opts.url.replace(/\/+$/, '')}/v1/events`;
  const batchSize = int('batchSize', opts.batchSize, LIMITS.maxEvents, 1, LIMITS.maxEvents);
  const maxBatchBytes = int('maxBatchBytes', opts.maxBatchBytes, LIMITS.maxBodyBytes, 2, LIMITS.maxBodyBytes);
  const flushIntervalMs = int('flushIntervalMs', opts.flushIntervalMs, 200, 0, 3_600_000);
  const maxQueue = int('maxQueue', opts.maxQueue, 10_000, 1, Number.MAX_SAFE_INTEGER);
  const concurrency = int('concurrency', opts.concurrency, 1, 1, 64);
  const gzipMinBytes = int('gzipMinBytes', opts.gzipMinBytes, 1024, 0, LIMITS.maxBodyBytes);
  const maxAttempts = int(
    'maxAttempts',
    opts.maxAttempts,
    Number.POSITIVE_INFINITY,
    1,
    Number.POSITIVE_INFINITY,
  );
  const giveUpAfterMs = int('giveUpAfterMs', opts.giveUpAfterMs, 5 * 60_000, 0, Number.POSITIVE_INFINITY);
  const baseDelayMs = int('baseDelayMs', opts.baseDelayMs, 250, 0, 3_600_000);
  const maxDelayMs = int('maxDelayMs', opts.maxDelayMs, 30_000, 0, 3_600_000);
  const timeoutMs = int('timeoutMs', opts.timeoutMs, 30_000, 1, 3_600_000);
  const useGzip = (opts.gzip ?? true) && canGzip;
  // Called through a wrapper: a browser's fetch throws "Illegal invocation" when detached from window.
  const fetchFn: typeof fetch = opts.fetch ?? ((input, init) => globalThis.fetch(input, init));
  const random = opts.random ?? Math.random;
  const now = opts.now ?? Date.now;
  const sleep = opts.sleep ?? defaultSleep;
  const headers = {
    'content-type': 'application/cloudevents-batch+json',
    authorization: `Bearer ${opts.key}`,
  };

  const queue: Item[] = [];
  let queuedBytes = 0;
  const unsettled = new Set<Item>();
  let seq = 0;
  /** Items up to this sequence number go out even in a partial batch (a timer fired or flush() was called). */
  let flushUpTo = 0;
  let inFlight = 0;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let closed = false;
  const discard = new AbortController();

  const settle = (item: Item, result: SendResult | Error) => {
    unsettled.delete(item);
    if (result instanceof Error) item.reject(result);
    else item.resolve(result);
  };

  /** A request body would be full, or its oldest event has waited long enough. */
  const ready = () =>
    queue.length > 0 &&
    (queue.length >= batchSize ||
      queuedBytes + queue.length + 1 > maxBatchBytes ||
      queue[0].seq <= flushUpTo);

  /** The longest run from the head of the queue within both limits (always at least one event). */
  function takeBatch(): Item[] {
    let count = 0;
    let bytes = 2;
    while (count < queue.length && count < batchSize) {
      const size = queue[count].bytes + (count > 0 ? 1 : 0);
      if (count > 0 && bytes + size > maxBatchBytes) break;
      bytes += size;
      count++;
    }
    const batch = queue.splice(0, count);
    for (const item of batch) queuedBytes -= item.bytes;
    return batch;
  }

  function pump(): void {
    while (inFlight < concurrency && ready()) {
      const batch = takeBatch();
      inFlight++;
      void deliver(batch)
        .catch((err: unknown) => {
          for (const item of batch) if (unsettled.has(item)) settle(item, err as Error);
        })
        .finally(() => {
          inFlight--;
          pump();
        });
    }
    if (queue.length === 0 || ready()) {
      if (timer !== null) clearTimeout(timer);
      timer = null;
    } else if (timer === null) {
      timer = setTimeout(() => {
        timer = null;
        flushUpTo = seq;
        pump();
      }, flushIntervalMs);
    }
  }

  async function post(items: Item[]): Promise<Answer> {
    const json = `[${items.map((i) => i.json).join(',')}]`;
    const bodyBytes = items.reduce((n, i) => n + i.bytes, items.length + 1);
    const compress = useGzip && bodyBytes >= gzipMinBytes;
    const body = compress ? await gzip(json) : json;
    const controller = new AbortController();
    const abort = () => controller.abort();
    const timeout = setTimeout(abort, timeoutMs);
    discard.signal.addEventListener('abort', abort);
    let res: Response;
    let text: string;
    try {
      res = await fetchFn(endpoint, {
        method: 'POST',
        headers: compress ? { ...headers, 'content-encoding': 'gzip' } : headers,
        body,
        signal: controller.signal,
      });
      // A connection cut while the answer is read is a network error too.
      text = await res.text();
    } catch (err) {
      const why = controller.signal.aborted && !discard.signal.aborted ? `no answer in ${timeoutMs} ms` : '';
      return {
        kind: 'retry',
        why: `network error: ${why || describeNetworkError(err)}`,
        status: null,
        code: null,
        requestId: null,
        retryAfterMs: null,
      };
    } finally {
      clearTimeout(timeout);
      discard.signal.removeEventListener('abort', abort);
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    // 200, and 400 when every event was rejected, carry one result per event sent.
    if (res.status === 200 || res.status === 400) {
      const report = eventsReportSchema.safeParse(parsed);
      if (
        report.success &&
        report.data.results.length === items.length &&
        report.data.results.every((r, i) => r.index === i)
      ) {
        return { kind: 'report', report: report.data };
      }
    }
    const envelope = isErrorEnvelope(parsed) ? parsed.error : null;
    const detail = envelope ? `${envelope.code}: ${envelope.message}` : text.slice(0, 200) || 'no body';
    return {
      kind: RETRYABLE.has(res.status) ? 'retry' : 'refused',
      why: `HTTP ${res.status} (${detail})`,
      status: res.status,
      code: envelope?.code ?? null,
      requestId: envelope?.requestId ?? res.headers.get('x-request-id'),
      retryAfterMs: parseRetryAfter(res.headers.get('retry-after'), now()),
    };
  }

  async function deliver(batch: Item[]): Promise<void> {
    let items = batch;
    const started = now();
    const closedError = () => new ClientClosedError('@motcua/client: closed before the ingest answered');
    for (let attempt = 1; ; attempt++) {
      if (discard.signal.aborted) {
        for (const item of items) settle(item, closedError());
        return;
      }
      const answer = await post(items);
      if (answer.kind === 'report') {
        answer.report.results.forEach((r, i) => {
          const id = items[i].event.id;
          settle(
            items[i],
            r.status === 'rejected'
              ? { id, status: r.status, error: r.error, attempts: attempt }
              : { id, status: r.status, attempts: attempt },
          );
        });
        opts.onReport?.(answer.report, { events: items.length, attempts: attempt });
        return;
      }
      const { status, code, requestId } = answer;
      const error = (message: string, gaveUp: boolean) =>
        new IngestError(message, { status, code, requestId, attempts: attempt, gaveUp });
      if (answer.kind === 'refused') {
        const err = error(`POST ${endpoint} answered ${answer.why.replace(/^HTTP /, '')}`, false);
        for (const item of items) settle(item, err);
        return;
      }
      // Full jitter spreads the retries of many desks; Retry-After is a floor, never shortened.
      const ceiling = Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1));
      const delay = Math.max(answer.retryAfterMs ?? 0, random() * ceiling);
      const wakeAt = now() + delay;
      const late = attempt >= maxAttempts ? items : items.filter((i) => wakeAt > i.queuedAt + giveUpAfterMs);
      if (late.length > 0) {
        const seconds = Math.round((now() - started) / 1000);
        const err = error(
          `gave up after ${attempt} attempt${attempt === 1 ? '' : 's'} in ${seconds} s: ${answer.why}`,
          true,
        );
        for (const item of late) settle(item, err);
        items = items.filter((i) => unsettled.has(i));
        if (items.length === 0) return;
      }
      if (!discard.signal.aborted) await sleep(delay, discard.signal);
    }
  }

  async function flush(): Promise<void> {
    flushUpTo = seq;
    const waiting = [...unsettled].map((i) => i.promise);
    pump();
    await Promise.allSettled(waiting);
  }

  return {
    send(event) {
      if (closed) throw new ClientClosedError('@motcua/client: send() after close()');
      if (unsettled.size >= maxQueue) throw new QueueFullError(maxQueue);
      const json = JSON.stringify(event);
      const bytes = utf8Length(json);
      if (bytes > LIMITS.maxEventBytes) {
        // The ingest would refuse the whole request with 413: this event alone is refused, here.
        return Promise.resolve({
          id: event.id,
          status: 'rejected',
          error: {
            code: 'too_large',
            message: `event: ${bytes} bytes, over the ${LIMITS.maxEventBytes}-byte limit; not sent`,
          },
          attempts: 0,
        });
      }
      let resolve: (r: SendResult) => void = () => {};
      let reject: (e: unknown) => void = () => {};
      const promise = new Promise<SendResult>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      const item: Item = { event, json, bytes, queuedAt: now(), seq: ++seq, promise, resolve, reject };
      unsettled.add(item);
      queue.push(item);
      queuedBytes += bytes;
      pump();
      return promise;
    },

    flush,

    async close(closeOpts = {}) {
      closed = true;
      if (closeOpts.discard) {
        discard.abort();
        const dropped = queue.splice(0);
        queuedBytes = 0;
        for (const item of dropped) {
          settle(item, new ClientClosedError('@motcua/client: closed before this event was sent'));
        }
      }
      await flush();
      if (timer !== null) clearTimeout(timer);
      timer = null;
    },

    get pending() {
      return unsettled.size;
    },
    maxQueue,
  };
}
