import { ApiError } from '@motcua/contract';
import { readSeries } from '@motcua/db';
import { isSeriesStep, stepMs } from '@motcua/metrics';
import { json } from '@sveltejs/kit';
import { withReadContext } from '$lib/server/api.ts';
import type { RequestHandler } from './$types';

const MAX_POINTS = 5000;

/** GET /api/v1/units/{code}/series?window=…&step=15m */
export const GET: RequestHandler = (event) =>
  withReadContext(event, async ({ runtime, code, window }) => {
    const step = event.url.searchParams.get('step') ?? '15m';
    if (!isSeriesStep(step)) throw new ApiError('bad_request', 'step: expected one of 1m, 5m, 15m, 1h, 1d');
    const w = window();
    if ((w.to - w.from) / stepMs(step) > MAX_POINTS) {
      throw new ApiError(
        'bad_request',
        `step: more than ${MAX_POINTS} points for this window; use a larger step`,
      );
    }
    const series = await readSeries(runtime.db, runtime.tree, code, w, step);
    if (!series) throw new ApiError('not_found', `unit ${code}: unknown`);
    return json(series);
  });
