import { ApiError } from '@motcua/contract';
import { readLatestRatings } from '@motcua/db';
import { json } from '@sveltejs/kit';
import { withReadContext } from '$lib/server/api.ts';
import { mayReadComments } from '$lib/server/auth.ts';
import type { RequestHandler } from './$types';

/** GET /api/v1/units/{code}/ratings — latest ratings of a commune or desk; comments only for people. */
export const GET: RequestHandler = (event) =>
  withReadContext(event, async ({ runtime, viewer, code, unit }) => {
    if (unit.level !== 'commune' && unit.level !== 'desk') {
      throw new ApiError('bad_request', 'unit: latest ratings are listed for a commune or a desk');
    }
    const list = await readLatestRatings(runtime.db, runtime.tree, code, {
      limit: 30,
      withComments: mayReadComments(viewer),
    });
    if (!list) throw new ApiError('not_found', `unit ${code}: unknown`);
    return json(list);
  });
