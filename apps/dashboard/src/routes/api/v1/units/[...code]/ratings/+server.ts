import { ApiError } from '@motcua/contract';
import { readLatestRatings } from '@motcua/db';
import { json } from '@sveltejs/kit';
import { withReadContext } from '$lib/server/api.ts';
import { mayReadComments } from '$lib/server/auth.ts';
import type { RequestHandler } from './$types';

/** The most a list gives: the Excel report's ratings sheet lists as many. */
const MAX_RATINGS = 500;

/**
 * GET /api/v1/units/{code}/ratings — latest ratings, newest first; comments only for people.
 * Without a window: a commune's or desk's last `limit` (30). With `window` (or `from`/`to`): those
 * of any unit in the window, as the Excel report's ratings sheet lists them.
 */
export const GET: RequestHandler = (event) =>
  withReadContext(event, async ({ runtime, viewer, code, unit, window }) => {
    const q = event.url.searchParams;
    const windowed = q.has('window') || q.has('from') || q.has('to');
    if (!windowed && unit.level !== 'commune' && unit.level !== 'desk') {
      throw new ApiError(
        'bad_request',
        'unit: without a window, latest ratings are listed for a commune or a desk',
      );
    }
    const limitParam = q.get('limit') ?? '30';
    const limit = Number(limitParam);
    if (!/^\d{1,3}$/.test(limitParam) || limit < 1 || limit > MAX_RATINGS) {
      throw new ApiError('bad_request', `limit: expected a number from 1 to ${MAX_RATINGS}`);
    }
    const w = windowed ? window() : undefined;
    const list = await readLatestRatings(runtime.db, runtime.tree, code, {
      limit,
      withComments: mayReadComments(viewer),
      window: w && { from: w.from, to: w.to },
    });
    if (!list) throw new ApiError('not_found', `unit ${code}: unknown`);
    return json(list);
  });
