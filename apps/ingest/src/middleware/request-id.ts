import { randomUUID } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';

/** What a caller's own X-Request-Id may look like to be echoed (log-safe, header-safe). */
const REQUEST_ID_RE = /^[\w.-]{1,64}$/;

/**
 * Gives every request an id: the caller's `X-Request-Id` when it is well-formed, else a new
 * UUID; set as `requestId` and sent back in `X-Request-Id`. Not Hono's `request-id`: that one
 * refuses the dots desk software puts in its ids (`desk-42.req_7`).
 */
export function requestId(): MiddlewareHandler<{ Variables: { requestId: string } }> {
  return async (c, next) => {
    const incoming = c.req.header('x-request-id');
    const id = incoming && REQUEST_ID_RE.test(incoming) ? incoming : randomUUID();
    c.set('requestId', id);
    c.header('X-Request-Id', id);
    await next();
  };
}
