import { ApiError } from '@motcua/contract';
import { readMonthlyTrend } from '@motcua/db';
import { json } from '@sveltejs/kit';
import { withReadContext } from '$lib/server/api.ts';
import type { RequestHandler } from './$types';

/** GET /api/v1/units/{code}/months?count=12 — one point per local month, the current month to date last. */
export const GET: RequestHandler = (event) =>
  withReadContext(event, async ({ runtime, code, asOf }) => {
    const raw = event.url.searchParams.get('count') ?? '12';
    const count = Number(raw);
    if (!/^\d{1,2}$/.test(raw) || count < 1 || count > 36) {
      throw new ApiError('bad_request', 'count: expected a whole number of months from 1 to 36');
    }
    const trend = await readMonthlyTrend(runtime.db, runtime.tree, code, asOf, count);
    if (!trend) throw new ApiError('not_found', `unit ${code}: unknown`);
    return json(trend);
  });
