import { ApiError } from '@motcua/contract';
import { readScorecard } from '@motcua/db';
import { withReadContext } from '$lib/server/api.ts';
import { mayExport } from '$lib/server/auth.ts';
import { scorecardCsv } from '$lib/server/csv.ts';
import type { RequestHandler } from './$types';

/** GET /api/v1/units/{code}/scorecard.csv — every 766 sub-criterion, UTF-8 with BOM for Excel. */
export const GET: RequestHandler = (event) =>
  withReadContext(event, async ({ runtime, viewer, code, asOf, window }) => {
    if (!mayExport(viewer)) throw new ApiError('forbidden', 'export: not available to display tokens');
    const scorecard = await readScorecard(runtime.db, runtime.tree, code, window(), asOf);
    if (!scorecard) throw new ApiError('not_found', `unit ${code}: unknown`);
    const filename = `motcua-${code.replace('/', '-')}-766-${scorecard.window.period ?? scorecard.window.name}.csv`;
    return new Response(scorecardCsv(scorecard), {
      headers: {
        'content-type': 'text/csv; charset=utf-8',
        'content-disposition': `attachment; filename="${filename}"`,
      },
    });
  });
