import { ApiError } from '@motcua/contract';
import { readHeatmap } from '@motcua/db';
import { json } from '@sveltejs/kit';
import { withReadContext } from '$lib/server/api.ts';
import type { RequestHandler } from './$types';

/** GET /api/v1/units/{code}/heatmap?window=30d — satisfaction by local weekday × hour. */
export const GET: RequestHandler = (event) =>
  withReadContext(event, async ({ runtime, code, window }) => {
    const heat = await readHeatmap(runtime.db, runtime.tree, code, window());
    if (!heat) throw new ApiError('not_found', `unit ${code}: unknown`);
    return json(heat);
  });
