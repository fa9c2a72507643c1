import { ApiError } from '@motcua/contract';
import { readAlert } from '@motcua/db';
import { json } from '@sveltejs/kit';
import { idParam, withViewerContext } from '$lib/server/api.ts';
import { mayReadComments } from '$lib/server/auth.ts';
import type { RequestHandler } from './$types';

/** GET /api/v1/alerts/{id} — one alert of the viewer's subtree with its full history. */
export const GET: RequestHandler = (event) =>
  withViewerContext(event, async ({ runtime, viewer }) => {
    const id = idParam(event.params.id);
    const found = await readAlert(runtime.db, runtime.tree, id, viewer.unitCode, mayReadComments(viewer));
    if (!found) throw new ApiError('not_found', `alert ${id}: not found in your unit`);
    return json(found);
  });
