import { ApiError } from '@motcua/contract';
import { collectReport, reportFilename, reportXlsx, windowLabel } from '@motcua/reports';
import { withReadContext } from '$lib/server/api.ts';
import { mayExport } from '$lib/server/auth.ts';
import type { RequestHandler } from './$types';

/** GET /api/v1/units/{code}/report.xlsx — the meeting report as an Excel workbook. */
export const GET: RequestHandler = (event) =>
  withReadContext(event, async ({ runtime, viewer, code, asOf, window }) => {
    if (!mayExport(viewer)) throw new ApiError('forbidden', 'export: not available to display tokens');
    const report = await collectReport(runtime.db, runtime.tree, code, window(), asOf);
    if (!report) throw new ApiError('not_found', `unit ${code}: unknown`);
    return new Response(new Uint8Array(await reportXlsx(report)), {
      headers: {
        'content-type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
        'content-disposition': `attachment; filename="${reportFilename(code, windowLabel(report.window), 'xlsx')}"`,
      },
    });
  });
