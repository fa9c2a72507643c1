import { ApiError } from '@motcua/contract';
import { readAnnotations, readSnapshot } from '@motcua/db';
import { withReadContext } from '$lib/server/api.ts';
import { mayExport } from '$lib/server/auth.ts';
import { noteCell, snapshotCsv } from '$lib/server/csv.ts';
import type { RequestHandler } from './$types';

/** GET /api/v1/units/{code}/export.csv — the children table with the notes that cover each row, UTF-8 with BOM for Excel. */
export const GET: RequestHandler = (event) =>
  withReadContext(event, async ({ runtime, viewer, code, asOf, window }) => {
    if (!mayExport(viewer)) throw new ApiError('forbidden', 'export: not available to display tokens');
    const w = window();
    const [snapshot, notes] = await Promise.all([
      readSnapshot(runtime.db, runtime.tree, code, w, asOf),
      readAnnotations(runtime.db, runtime.tree, code, viewer, w),
    ]);
    if (!snapshot) throw new ApiError('not_found', `unit ${code}: unknown`);
    // A row's notes: those on its unit, above it (they cover it) or below it (they explain it).
    const notesOf = (row: string) =>
      (notes?.items ?? [])
        .filter((n) => runtime.tree.isWithin(row, n.unit.code) || runtime.tree.isWithin(n.unit.code, row))
        .map(noteCell);
    const filename = `motcua-${code.replace('/', '-')}-${snapshot.window.name}.csv`;
    return new Response(snapshotCsv(snapshot, notesOf), {
      headers: {
        'content-type': 'text/csv; charset=utf-8',
        'content-disposition': `attachment; filename="${filename}"`,
      },
    });
  });
