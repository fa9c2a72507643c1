import { getRuntime } from '$lib/server/runtime.ts';
import { removeSubscription, withDigestViewer } from '$lib/server/subscriptions.ts';
import type { RequestHandler } from './$types';

/** DELETE /api/v1/report-subscriptions/{id} — ends a digest on a unit in the viewer's subtree. */
export const DELETE: RequestHandler = (event) =>
  withDigestViewer(event, true, async (viewer) => {
    const { db, tree } = getRuntime();
    await removeSubscription(db, tree, viewer, Number(event.params.id));
    return new Response(null, { status: 204 });
  });
