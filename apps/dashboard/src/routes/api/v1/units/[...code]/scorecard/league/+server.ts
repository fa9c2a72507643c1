import { ApiError } from '@motcua/contract';
import { readScorecardLeague } from '@motcua/db';
import { json } from '@sveltejs/kit';
import { withReadContext } from '$lib/server/api.ts';
import type { RequestHandler } from './$types';

/** GET /api/v1/units/{code}/scorecard/league — the children ranked by 766 points, with the rank change. */
export const GET: RequestHandler = (event) =>
  withReadContext(event, async ({ runtime, code, asOf, window }) => {
    const league = await readScorecardLeague(runtime.db, runtime.tree, code, window(), asOf);
    if (!league) throw new ApiError('not_found', `unit ${code}: unknown`);
    return json(league);
  });
