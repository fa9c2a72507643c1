import { ApiError, kioskPairRequestSchema } from '@motcua/contract';
import { pairKiosk, recordAudit } from '@motcua/db';
import { json } from '@sveltejs/kit';
import { kioskApi, kioskInfo } from '$lib/server/kiosk.ts';
import { getRuntime } from '$lib/server/runtime.ts';
import type { RequestHandler } from './$types';

/**
 * POST /api/v1/kiosk/pair `{ code }` — spends a one-time pairing code and answers the kiosk's
 * own token (shown to no one: the kiosk keeps it). A used, expired or unknown code: 401.
 */
export const POST: RequestHandler = (event) =>
  kioskApi(event, async () => {
    const body = kioskPairRequestSchema.safeParse(await event.request.json().catch(() => null));
    if (!body.success) throw new ApiError('bad_request', 'code: expected the pairing code as a string');
    const { db } = getRuntime();
    const paired = await pairKiosk(db, body.data.code);
    if (!paired.ok && paired.reason === 'revoked')
      throw new ApiError('forbidden', 'code: its desk key was revoked');
    if (!paired.ok) throw new ApiError('unauthorized', 'code: unknown, already used or expired');
    let ip: string | null = null;
    try {
      ip = event.getClientAddress();
    } catch {}
    await recordAudit(db, {
      actor: { prefix: paired.token.slice(0, 14), role: 'kiosk', unitCode: paired.kiosk.unitCode },
      action: 'kiosk.pair',
      subject: `${paired.kiosk.deskKeyPrefix}#${paired.kiosk.id}`,
      unitCode: paired.kiosk.unitCode,
      detail: { label: paired.kiosk.label, desk: paired.kiosk.deskCode },
      ip,
      userAgent: event.request.headers.get('user-agent'),
    });
    return json({ token: paired.token, kiosk: kioskInfo(paired.kiosk) });
  });
