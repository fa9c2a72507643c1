import { ApiError, annotationInputSchema } from '@motcua/contract';
import { createAnnotation, mayAnnotate, readAnnotation, readAnnotations } from '@motcua/db';
import { json } from '@sveltejs/kit';
import { audit } from '$lib/server/admin.ts';
import { withReadContext } from '$lib/server/api.ts';
import { noteAuditDetail, noteTimes, readBody, withWriteContext } from '$lib/server/write.ts';
import type { RequestHandler } from './$types';

/** GET /api/v1/units/{code}/annotations[?window=…] — notes on the unit, above it and below it. */
export const GET: RequestHandler = (event) =>
  withReadContext(event, async ({ runtime, code, viewer, window }) => {
    const q = event.url.searchParams;
    const ranged = q.has('window') || q.has('from') || q.has('to');
    const list = await readAnnotations(runtime.db, runtime.tree, code, viewer, ranged ? window() : undefined);
    if (!list) throw new ApiError('not_found', `unit ${code}: unknown`);
    return json(list);
  });

/** POST /api/v1/units/{code}/annotations — a new note on the unit (city and district viewers, in their subtree). */
export const POST: RequestHandler = (event) =>
  withWriteContext(event, async ({ runtime, code, viewer }) => {
    if (!mayAnnotate(runtime.tree, viewer, code)) {
      throw new ApiError(
        'forbidden',
        `unit ${code}: notes are written by city and district viewers, in their own unit`,
      );
    }
    const input = await readBody(event, annotationInputSchema);
    const id = await createAnnotation(runtime.db, {
      unitCode: code,
      ...noteTimes(input),
      text: input.text,
      viewer,
    });
    await audit(event, {
      action: 'note.create',
      subject: String(id),
      unitCode: code,
      detail: noteAuditDetail(input),
    });
    return json(await readAnnotation(runtime.db, runtime.tree, id, viewer), { status: 201 });
  });
