import { json } from '@sveltejs/kit';
import { kioskApi, kioskInfo, requireKiosk } from '$lib/server/kiosk.ts';
import type { RequestHandler } from './$types';

/** GET /api/v1/kiosk/me — the kiosk's desk and settings; 403 once revoked. */
export const GET: RequestHandler = (event) =>
  kioskApi(event, async () => json(kioskInfo(await requireKiosk(event))));
