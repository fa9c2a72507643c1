import { ApiError } from '@motcua/contract';
import { readProcedures } from '@motcua/db';
import { json } from '@sveltejs/kit';
import { withReadContext } from '$lib/server/api.ts';
import type { RequestHandler } from './$types';

/** GET /api/v1/units/{code}/procedures?window=… — the tiles split by procedure (mã TTHC). */
export const GET: RequestHandler = (event) =>
  withReadContext(event, async ({ runtime, code, asOf, window }) => {
    const list = await readProcedures(runtime.db, runtime.tree, code, window(), asOf);
    if (!list) throw new ApiError('not_found', `unit ${code}: unknown`);
    return json(list);
  });
