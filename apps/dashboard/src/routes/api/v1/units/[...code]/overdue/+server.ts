import { ApiError } from '@motcua/contract';
import { readOverdue } from '@motcua/db';
import { json } from '@sveltejs/kit';
import { withReadContext } from '$lib/server/api.ts';
import type { RequestHandler } from './$types';

/** GET /api/v1/units/{code}/overdue?limit=50 — open dossiers past their deadline, longest first. */
export const GET: RequestHandler = (event) =>
  withReadContext(event, async ({ runtime, code, asOf }) => {
    const limitParam = event.url.searchParams.get('limit') ?? '50';
    const limit = Number(limitParam);
    if (!/^\d{1,3}$/.test(limitParam) || limit < 1 || limit > 500) {
      throw new ApiError('bad_request', 'limit: expected a number from 1 to 500');
    }
    const list = await readOverdue(runtime.db, runtime.tree, code, asOf, limit);
    if (!list) throw new ApiError('not_found', `unit ${code}: unknown`);
    return json(list);
  });
