import { ApiError } from '@motcua/contract';
import { deactivateWebhookSubscription } from '@motcua/db';
import { json } from '@sveltejs/kit';
import { audit, webhookAudit } from '$lib/server/admin.ts';
import { checkWrite, idParam, withViewerContext } from '$lib/server/api.ts';
import type { RequestHandler } from './$types';

/** DELETE /api/v1/webhooks/{id} — stops a subscription of the viewer's subtree (its history stays). */
export const DELETE: RequestHandler = (event) =>
  withViewerContext(event, async ({ runtime, viewer }) => {
    checkWrite(event, viewer, { configure: true });
    const id = idParam(event.params.id);
    const stopped = await deactivateWebhookSubscription(runtime.db, runtime.tree, id, viewer.unitCode);
    if (!stopped) throw new ApiError('not_found', `webhook ${id}: not found in your unit`);
    await audit(event, {
      action: 'webhook.deactivate',
      ...webhookAudit(id, stopped.url),
      unitCode: stopped.unitCode,
    });
    return json({ ok: true });
  });
