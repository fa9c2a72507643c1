import { ApiError } from '@motcua/contract';
import { json } from '@sveltejs/kit';
import { audit } from '$lib/server/admin.ts';
import { getRuntime } from '$lib/server/runtime.ts';
import {
  addSubscription,
  subscriptionAudit,
  subscriptionJson,
  subscriptionsInScope,
  withDigestViewer,
} from '$lib/server/subscriptions.ts';
import type { RequestHandler } from './$types';

/** GET /api/v1/report-subscriptions — the digests on units in the viewer's subtree. */
export const GET: RequestHandler = (event) =>
  withDigestViewer(event, false, async (viewer) => {
    const { db, tree } = getRuntime();
    const items = await subscriptionsInScope(db, tree, viewer);
    return json({ items: items.map((s) => subscriptionJson(s, tree)) });
  });

/** POST /api/v1/report-subscriptions — `{ email, unit, period: weekly|monthly, format: xlsx|pdf|both }`. */
export const POST: RequestHandler = (event) =>
  withDigestViewer(event, true, async (viewer) => {
    const { db, tree } = getRuntime();
    let body: Record<string, unknown>;
    try {
      body = (await event.request.json()) as Record<string, unknown>;
    } catch {
      throw new ApiError('bad_request', 'body: expected a JSON object');
    }
    if (typeof body !== 'object' || body === null)
      throw new ApiError('bad_request', 'body: expected a JSON object');
    const sub = await addSubscription(db, tree, viewer, body);
    await audit(event, subscriptionAudit('create', sub));
    return json(subscriptionJson(sub, tree), { status: 201 });
  });
