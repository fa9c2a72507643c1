import { ApiError, ERROR_STATUS, errorBody } from '@motcua/contract';
import type { Context } from 'hono';
import type { IngestEnv } from './env.ts';

/** The one error handler: known errors keep their code, anything else is a 500 without details. */
export function onError(err: Error, c: Context<IngestEnv>) {
  const requestId = c.get('requestId') ?? '';
  if (err instanceof ApiError) {
    for (const [k, v] of Object.entries(err.headers)) c.header(k, v);
    return c.json(errorBody(err.code, err.message, requestId), ERROR_STATUS[err.code]);
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
