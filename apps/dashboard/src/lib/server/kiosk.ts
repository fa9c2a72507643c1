import { ApiError, EVENT_TYPE, type ValidatedEvent, validateEvent } from '@motcua/contract';
import { isConnectionError, type KioskCheck, type PairedKiosk, verifyKioskToken } from '@motcua/db';
import type { RequestEvent } from '@sveltejs/kit';
import { errorResponse } from './api.ts';
import { getRuntime } from './runtime.ts';

/** The kiosk's view of itself: never its desk key, only where its ratings go. */
export function kioskInfo(kiosk: PairedKiosk) {
  const unit = getRuntime().tree.get(kiosk.unitCode);
  return {
    label: kiosk.label,
    unit: { code: kiosk.unitCode, name: unit?.name ?? kiosk.unitCode },
    deskCode: kiosk.deskCode,
    minIntervalSeconds: kiosk.minIntervalSeconds,
  };
}

/**
 * The kiosk behind `Authorization: Bearer mkk_…`, or an ApiError: 401 without or with an
 * unknown token, 403 when the kiosk or its desk key was revoked (the kiosk then says so).
 * Bearer only, never a cookie: a page elsewhere cannot make a browser send it (no CSRF).
 */
export async function requireKiosk(event: RequestEvent): Promise<PairedKiosk> {
  const token = /^Bearer\s+(\S+)\s*$/i.exec(event.request.headers.get('authorization') ?? '')?.[1];
  if (!token) throw new ApiError('unauthorized', 'Authorization: expected "Bearer <kiosk token>"');
  const check: KioskCheck = await verifyKioskToken(getRuntime().db, token);
  if (!check.ok && check.reason === 'revoked')
    throw new ApiError('forbidden', 'Authorization: this kiosk was revoked');
  if (!check.ok) throw new ApiError('unauthorized', 'Authorization: unknown kiosk token');
  return check.kiosk;
}

/** Runs a kiosk handler with the one error shape. */
export async function kioskApi(event: RequestEvent, handle: () => Promise<Response>): Promise<Response> {
  try {
    return await handle();
  } catch (err) {
    if (err instanceof ApiError) return errorResponse(err.code, err.message, event.locals.requestId);
    if (isConnectionError(err)) {
      const res = errorResponse(
        'unavailable',
        'the database did not answer; try again shortly',
        event.locals.requestId,
      );
      res.headers.set('Retry-After', '2');
      return res;
    }
    throw err;
  }
}

/** Most ratings one request carries (a kiosk sends its offline queue in pieces this size). */
export const KIOSK_BATCH_MAX = 100;

export type KioskItemResult =
  | { id: string | null; status: 'accepted' | 'duplicate' }
  | { id: string | null; status: 'rejected'; error: { code: 'invalid_event'; message: string } };

/**
 * Turns the kiosk's ratings (`{ id, time, data }`) into rating events of its desk, validated by
 * the event contract; the source is the kiosk's, never the request's.
 */
export function kioskEvents(
  kiosk: PairedKiosk,
  items: unknown[],
  now: number,
): { valid: { index: number; event: ValidatedEvent }[]; results: KioskItemResult[] } {
  const source = `/units/${kiosk.unitCode}/desks/${kiosk.deskCode}`;
  const results: KioskItemResult[] = [];
  const valid: { index: number; event: ValidatedEvent }[] = [];
  items.forEach((raw, index) => {
    const item = (raw ?? {}) as { id?: unknown; time?: unknown; data?: unknown };
    const id = typeof item.id === 'string' ? item.id.slice(0, 128) : null;
    const checked = validateEvent(
      { specversion: '1.0', id: item.id, source, type: EVENT_TYPE.rating, time: item.time, data: item.data },
      now,
    );
    if (checked.ok) valid.push({ index, event: checked.event });
    else
      results[index] = { id, status: 'rejected', error: { code: 'invalid_event', message: checked.message } };
  });
  return { valid, results };
}
