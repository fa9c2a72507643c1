import { audit } from '$lib/server/admin.ts';
import { getRuntime } from '$lib/server/runtime.ts';
import { removeSubscription, subscriptionAudit, withDigestViewer } from '$lib/server/subscriptions.ts';
import type { RequestHandler } from './$types';

/** DELETE /api/v1/report-subscriptions/{id} — ends a digest on a unit in the viewer's subtree. */
export const DELETE: RequestHandler = (event) =>
  withDigestViewer(event, true, async (viewer) => {
    const { db, tree } = getRuntime();
    const removed = await removeSubscription(db, tree, viewer, Number(event.params.id));
    await audit(event, subscriptionAudit('remove', removed));
    return new Response(null, { status: 204 });
  });
