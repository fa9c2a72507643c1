import { ApiError } from '@motcua/contract';
import { readScorecard } from '@motcua/db';
import { json } from '@sveltejs/kit';
import { withReadContext } from '$lib/server/api.ts';
import type { RequestHandler } from './$types';

/** GET /api/v1/units/{code}/scorecard — the 766 scorecard over a window, with the points at risk. */
export const GET: RequestHandler = (event) =>
  withReadContext(event, async ({ runtime, code, asOf, window }) => {
    const scorecard = await readScorecard(runtime.db, runtime.tree, code, window(), asOf);
    if (!scorecard) throw new ApiError('not_found', `unit ${code}: unknown`);
    return json(scorecard);
  });
