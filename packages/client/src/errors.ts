import type { ErrorCode } from '@motcua/contract';

/**
 * Thrown by `send()` (synchronously, not as a rejected promise) when `maxQueue` events are
 * already waiting for their answer. The event was not taken: keep it and send it again once
 * earlier `send()` promises have settled (or after `flush()`).
 */
export class QueueFullError extends Error {
  override readonly name = 'QueueFullError';
  constructor(readonly maxQueue: number) {
    super(
      `@motcua/client: queue full, ${maxQueue} events are waiting for the ingest's answer; this event was not taken`,
    );
  }
}

/** Thrown by `send()` after `close()`; rejects the events a discarding `close()` dropped. */
export class ClientClosedError extends Error {
  override readonly name = 'ClientClosedError';
}

/**
 * The events of a request could not be delivered: the ingest refused the whole request
 * (`401` unknown key, `403` revoked key, `413`, `415`, `400 malformed`, `500`, …; not retried),
 * or retrying `429`/`503`/network errors ran out of time or attempts (`gaveUp`).
 */
export class IngestError extends Error {
  override readonly name = 'IngestError';
  /** HTTP status of the last answer; null when the last attempt got no answer (network error). */
  readonly status: number | null;
  /** The contract's error code from the answer's envelope, when it had one. */
  readonly code: ErrorCode | null;
  /** The ingest's request id (`X-Request-Id`) of the last answer, to quote when reporting a fault. */
  readonly requestId: string | null;
  /** Requests this event went out in. */
  readonly attempts: number;
  /** True when a retryable failure outlasted `giveUpAfterMs` or `maxAttempts`. */
  readonly gaveUp: boolean;

  constructor(
    message: string,
    details: {
      status: number | null;
      code: ErrorCode | null;
      requestId: string | null;
      attempts: number;
      gaveUp: boolean;
    },
  ) {
    super(message);
    this.status = details.status;
    this.code = details.code;
    this.requestId = details.requestId;
    this.attempts = details.attempts;
    this.gaveUp = details.gaveUp;
  }
}
