import { ApiError, mayConfigure, webhookRequestSchema } from '@motcua/contract';
import { createWebhookSubscription, listWebhookSubscriptions } from '@motcua/db';
import { json } from '@sveltejs/kit';
import { audit, webhookAudit } from '$lib/server/admin.ts';
import { checkWrite, readJsonBody, withReadContext } from '$lib/server/api.ts';
import { checkWebhookUrl, PUBLIC_ONLY, WebhookUrlError } from '$lib/server/webhook-url.ts';
import type { RequestHandler } from './$types';

/** GET /api/v1/units/{code}/webhooks — the subscriptions of the unit's subtree (city and district viewers). */
export const GET: RequestHandler = (event) =>
  withReadContext(event, async ({ runtime, viewer, code }) => {
    if (!mayConfigure(viewer.role)) {
      throw new ApiError('forbidden', 'only city and district viewers see webhooks');
    }
    return json(await listWebhookSubscriptions(runtime.db, runtime.tree, code));
  });

/** POST /api/v1/units/{code}/webhooks `{ url, secret, minLevel, giveUpAfterHours }` — a new subscription. */
export const POST: RequestHandler = (event) =>
  withReadContext(event, async ({ runtime, viewer, code }) => {
    checkWrite(event, viewer, { configure: true });
    if (code.includes('/'))
      throw new ApiError('bad_request', 'code: webhooks are set per unit, not per desk');
    const body = await readJsonBody(event, webhookRequestSchema);
    // Public addresses only, unless the operator allows more: the server makes these requests.
    await checkWebhookUrl(body.url, runtime.webhookPolicy ?? PUBLIC_ONLY).catch((err) => {
      throw err instanceof WebhookUrlError ? new ApiError('bad_request', err.message) : err;
    });
    const id = await createWebhookSubscription(runtime.db, {
      unitCode: code,
      url: body.url,
      secret: body.secret,
      minLevel: body.minLevel,
      giveUpAfterMs: body.giveUpAfterHours * 3_600_000,
      by: viewer.label,
      now: Date.now(),
    });
    const { subject, detail } = webhookAudit(id, body.url);
    await audit(event, {
      action: 'webhook.create',
      subject,
      unitCode: code,
      detail: { ...detail, minLevel: body.minLevel, giveUpAfterHours: body.giveUpAfterHours },
    });
    return json({ id }, { status: 201 });
  });
