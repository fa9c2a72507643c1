import { ApiError } from '@motcua/contract';
import { deactivateWebhookSubscription } from '@motcua/db';
import { json } from '@sveltejs/kit';
import { checkWrite, idParam, withViewerContext } from '$lib/server/api.ts';
import type { RequestHandler } from './$types';

/** DELETE /api/v1/webhooks/{id} — stops a subscription of the viewer's subtree (its history stays). */
export const DELETE: RequestHandler = (event) =>
  withViewerContext(event, async ({ runtime, viewer }) => {
    checkWrite(event, viewer, { configure: true });
    const id = idParam(event.params.id);
    if (!(await deactivateWebhookSubscription(runtime.db, runtime.tree, id, viewer.unitCode))) {
      throw new ApiError('not_found', `webhook ${id}: not found in your unit`);
    }
    return json({ ok: true });
  });
