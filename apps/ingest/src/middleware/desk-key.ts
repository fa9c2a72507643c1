import { ApiError } from '@motcua/contract';
import { isConnectionError } from '@motcua/db';
import type { MiddlewareHandler } from 'hono';
import type { AuthenticatedKey } from '../env.ts';
import type { DeskKeyCache } from '../key-cache.ts';

/** The token of an `Authorization: Bearer <token>` header, or null. */
export const bearerToken = (header: string | undefined) =>
  /^Bearer\s+(\S+)\s*$/i.exec(header ?? '')?.[1] ?? null;

/**
 * Lets a request through only with a valid, unrevoked desk key, which it sets as `deskKey`.
 * Not Hono's `bearer-auth`: the contract answers a malformed header with 401 and our error
 * envelope (not 400 and a plain text), tells a revoked key (403) from an unknown one (401),
 * and answers 503 when the database cannot say.
 */
export function deskKeyAuth(
  keys: DeskKeyCache,
  retryAfterSeconds: number,
  /** Told of each authenticated request's key, for its "last used" (throttled by the caller). */
  onUse: (prefix: string) => unknown = () => {},
): MiddlewareHandler<{ Variables: { deskKey: AuthenticatedKey } }> {
  return async (c, next) => {
    const token = bearerToken(c.req.header('authorization'));
    if (!token) throw new ApiError('unauthorized', 'Authorization: expected "Bearer <desk key>"');
    let check: Awaited<ReturnType<DeskKeyCache['verify']>>;
    try {
      check = await keys.verify(token);
    } catch (err) {
      if (!isConnectionError(err)) throw err;
      throw new ApiError('unavailable', 'database unavailable', { 'Retry-After': String(retryAfterSeconds) });
    }
    if (!check.ok && check.reason === 'revoked')
      throw new ApiError('forbidden', 'Authorization: this key was revoked');
    if (!check.ok) throw new ApiError('unauthorized', 'Authorization: unknown desk key');
    onUse(check.key.prefix);
    c.set('deskKey', {
      prefix: check.key.prefix,
      unitCode: check.key.unitCode,
      deskCode: check.key.deskCode,
    });
    await next();
  };
}
