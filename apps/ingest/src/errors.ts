import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { IngestEnv } from './env.ts';

/** Every error code the ingest API answers with. */
export const ErrorCode = {
  malformed: 400,
  invalid_event: 400,
  unauthorized: 401,
  forbidden: 403,
  forbidden_source: 403,
  not_found: 404,
  too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  internal: 500,
  unavailable: 503,
} as const satisfies Record<string, ContentfulStatusCode>;
export type ErrorCode = keyof typeof ErrorCode;

/** An error that becomes `{ error: { code, message, requestId } }` with the code's status. */
export class ApiError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export function errorBody(code: ErrorCode, message: string, requestId: string) {
  return { error: { code, message, requestId } };
}

/** The one error handler: known errors keep their code, anything else is a 500 without details. */
export function onError(err: Error, c: Context<IngestEnv>) {
  const requestId = c.get('requestId') ?? '';
  if (err instanceof ApiError) {
    for (const [k, v] of Object.entries(err.headers)) c.header(k, v);
    return c.json(errorBody(err.code, err.message, requestId), ErrorCode[err.code]);
  }
  // Only the driver's own words: a failed query's message lists its parameters (citizen comments).
  const cause = err.cause instanceof Error ? (err.cause as Error & { code?: string }) : err;
  c.get('log')?.error('unhandled error', {
    requestId,
    error: cause.message,
    code: (cause as { code?: string }).code,
  });
  return c.json(errorBody('internal', 'internal error', requestId), 500);
}
