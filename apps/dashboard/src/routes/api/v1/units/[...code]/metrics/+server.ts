import { ApiError } from '@motcua/contract';
import { readSnapshot } from '@motcua/db';
import { json } from '@sveltejs/kit';
import { withReadContext } from '$lib/server/api.ts';
import type { RequestHandler } from './$types';

/** GET /api/v1/units/{code}/metrics — the snapshot of the metrics contract. */
export const GET: RequestHandler = (event) =>
  withReadContext(event, async ({ runtime, code, asOf, window }) => {
    const snapshot = await readSnapshot(runtime.db, runtime.tree, code, window(), asOf);
    if (!snapshot) throw new ApiError('not_found', `unit ${code}: unknown`);
    return json(snapshot);
  });
