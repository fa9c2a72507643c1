import { ApiError } from '@motcua/contract';
import { windowToJson } from '@motcua/metrics';
import { ChromiumMissingError, printUnitPdf, reportFilename, windowLabel } from '@motcua/reports';
import { withReadContext } from '$lib/server/api.ts';
import { mayExport } from '$lib/server/auth.ts';
import type { RequestHandler } from './$types';

/** GET /api/v1/units/{code}/report.pdf — the unit page's print view, printed by headless Chromium. */
export const GET: RequestHandler = (event) =>
  withReadContext(event, async ({ runtime, viewer, code, window }) => {
    if (!mayExport(viewer)) throw new ApiError('forbidden', 'export: not available to display tokens');
    const w = window();
    // The page shows named windows and periods; a from/to range has no page to print.
    if (w.name === 'custom')
      throw new ApiError('bad_request', 'window: the PDF report takes a window or a period, not from/to');
    const orientation = event.url.searchParams.get('orientation') ?? 'portrait';
    if (orientation !== 'portrait' && orientation !== 'landscape') {
      throw new ApiError('bad_request', 'orientation: must be portrait or landscape');
    }
    try {
      const pdf = await printUnitPdf(runtime.db, {
        ...runtime.reports,
        viewerId: viewer.id,
        code,
        window: w.name === 'period' ? (w.period as string) : w.name,
        orientation,
      });
      return new Response(new Uint8Array(pdf), {
        headers: {
          'content-type': 'application/pdf',
          'content-disposition': `attachment; filename="${reportFilename(code, windowLabel(windowToJson(w)), 'pdf')}"`,
        },
      });
    } catch (err) {
      if (err instanceof ChromiumMissingError) throw new ApiError('unavailable', err.message);
      throw err;
    }
  });
