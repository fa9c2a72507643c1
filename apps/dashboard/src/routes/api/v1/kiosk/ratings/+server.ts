import { ApiError } from '@motcua/contract';
import { DatabaseUnavailableError } from '@motcua/db';
import { json } from '@sveltejs/kit';
import { KIOSK_BATCH_MAX, kioskApi, kioskEvents, requireKiosk } from '$lib/server/kiosk.ts';
import { getRuntime } from '$lib/server/runtime.ts';
import type { RequestHandler } from './$types';

/**
 * POST /api/v1/kiosk/ratings `{ ratings: [{ id, time, data }] }` — the kiosk's ratings, stored
 * as rating events of its desk. Idempotent on each id, as the ingest is: a kiosk that resends
 * after a lost answer gets `duplicate`, and nothing is stored twice.
 */
export const POST: RequestHandler = (event) =>
  kioskApi(event, async () => {
    const kiosk = await requireKiosk(event);
    const body = (await event.request.json().catch(() => null)) as { ratings?: unknown } | null;
    if (!Array.isArray(body?.ratings) || body.ratings.length === 0 || body.ratings.length > KIOSK_BATCH_MAX) {
      throw new ApiError('bad_request', `ratings: expected an array of 1–${KIOSK_BATCH_MAX} ratings`);
    }
    const runtime = getRuntime();
    const { valid, results } = kioskEvents(kiosk, body.ratings, Date.now());
    if (valid.length > 0) {
      if (!runtime.writeEvents) throw new ApiError('unavailable', 'this server does not take ratings');
      let statuses: Awaited<ReturnType<NonNullable<typeof runtime.writeEvents>>>;
      try {
        statuses = await runtime.writeEvents(valid.map((v) => v.event));
      } catch (err) {
        if (err instanceof DatabaseUnavailableError)
          throw new ApiError('unavailable', 'database unavailable');
        throw err;
      }
      valid.forEach((v, i) => {
        results[v.index] = { id: v.event.id, status: statuses[i] };
      });
      runtime.deskKeyUsed?.(kiosk.deskKeyPrefix);
    }
    return json({ results });
  });
