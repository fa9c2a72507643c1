import { ApiError } from '@motcua/contract';
import { readSnapshot } from '@motcua/db';
import { withReadContext } from '$lib/server/api.ts';
import { mayExport } from '$lib/server/auth.ts';
import { snapshotCsv } from '$lib/server/csv.ts';
import type { RequestHandler } from './$types';

/** GET /api/v1/units/{code}/export.csv — the children table, UTF-8 with BOM for Excel. */
export const GET: RequestHandler = (event) =>
  withReadContext(event, async ({ runtime, viewer, code, asOf, window }) => {
    if (!mayExport(viewer)) throw new ApiError('forbidden', 'export: not available to display tokens');
    const snapshot = await readSnapshot(runtime.db, runtime.tree, code, window(), asOf);
    if (!snapshot) throw new ApiError('not_found', `unit ${code}: unknown`);
    const filename = `motcua-${code.replace('/', '-')}-${snapshot.window.name}.csv`;
    return new Response(snapshotCsv(snapshot), {
      headers: {
        'content-type': 'text/csv; charset=utf-8',
        'content-disposition': `attachment; filename="${filename}"`,
      },
    });
  });
