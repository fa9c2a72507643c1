import { ApiError } from '@motcua/contract';
import { readComparison } from '@motcua/db';
import { json } from '@sveltejs/kit';
import { withReadContext } from '$lib/server/api.ts';
import type { RequestHandler } from './$types';

/** GET /api/v1/units/{code}/compare?window=… — the change against the previous closed window of the same length. */
export const GET: RequestHandler = (event) =>
  withReadContext(event, async ({ runtime, code, asOf, window }) => {
    const comparison = await readComparison(runtime.db, runtime.tree, code, window(), asOf);
    if (!comparison) throw new ApiError('not_found', `unit ${code}: unknown`);
    return json(comparison);
  });
