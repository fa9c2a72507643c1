/**
 * The one error envelope of every API (ingest, read API, live stream acks):
 * `{ error: { code, message, requestId } }`, with the HTTP status its code stands for.
 * No zod here: the browser imports this module (`@motcua/contract/errors`); the schema the
 * OpenAPI document is made from is in `schemas.ts`, checked against these types.
 */

/** Every error code, with its HTTP status. */
export const ERROR_STATUS = {
  /** The body cannot be read as the contract's JSON (or gzip, or UTF-8). */
  malformed: 400,
  /** Every event of the request failed validation. */
  invalid_event: 400,
  /** A query parameter or socket payload is wrong. */
  bad_request: 400,
  unauthorized: 401,
  forbidden: 403,
  /** An event's `source` is outside the desk key's unit or desk. */
  forbidden_source: 403,
  not_found: 404,
  /** The thing's state does not allow the change (an alert already acknowledged or closed). */
  conflict: 409,
  too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  internal: 500,
  unavailable: 503,
} as const;
export type ErrorCode = keyof typeof ERROR_STATUS;
export const ERROR_CODES = Object.keys(ERROR_STATUS) as [ErrorCode, ...ErrorCode[]];

export interface ErrorEnvelope {
  error: { code: ErrorCode; message: string; requestId: string };
}

/** The envelope of one error. */
export function errorBody(code: ErrorCode, message: string, requestId: string): ErrorEnvelope {
  return { error: { code, message, requestId } };
}

/** Whether `x` is an error envelope (of any code this contract knows). */
export function isErrorEnvelope(x: unknown): x is ErrorEnvelope {
  const error = (x as { error?: Record<string, unknown> } | null)?.error;
  return (
    typeof error === 'object' &&
    error !== null &&
    (ERROR_CODES as readonly unknown[]).includes(error.code) &&
    typeof error.message === 'string' &&
    typeof error.requestId === 'string'
  );
}

/** An error a handler throws; the service's one error handler answers it with its code's status. */
export class ApiError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }

  get status(): number {
    return ERROR_STATUS[this.code];
  }
}
