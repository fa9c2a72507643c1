import { ApiError, annotationInputSchema } from '@motcua/contract';
import { deleteAnnotation, mayAnnotate, readAnnotation, updateAnnotation } from '@motcua/db';
import { json, type RequestEvent } from '@sveltejs/kit';
import { audit } from '$lib/server/admin.ts';
import type { ReadContext } from '$lib/server/api.ts';
import { noteAuditDetail, noteTimes, readBody, withWriteContext } from '$lib/server/write.ts';
import type { RequestHandler } from './$types';

/** The note in the path, on the unit in the path, that the viewer may change. */
async function ownNote(event: RequestEvent, { runtime, code, viewer }: ReadContext) {
  const raw = event.params.id ?? '';
  const id = /^\d{1,9}$/.test(raw) ? Number(raw) : null;
  if (id === null) throw new ApiError('bad_request', 'id: expected a note number');
  const note = await readAnnotation(runtime.db, runtime.tree, id, viewer);
  if (!note || note.unit.code !== code)
    throw new ApiError('not_found', `note ${raw} of unit ${code}: unknown`);
  if (!mayAnnotate(runtime.tree, viewer, note.unit.code)) {
    throw new ApiError(
      'forbidden',
      `note ${raw}: notes are changed by city and district viewers, in their own unit`,
    );
  }
  return note;
}

/** PATCH /api/v1/units/{code}/annotations/{id} — changes a note's dates and text. */
export const PATCH: RequestHandler = (event) =>
  withWriteContext(event, async (ctx) => {
    const note = await ownNote(event, ctx);
    const input = await readBody(event, annotationInputSchema);
    await updateAnnotation(ctx.runtime.db, note.id, { ...noteTimes(input), text: input.text });
    await audit(event, {
      action: 'note.update',
      subject: String(note.id),
      unitCode: note.unit.code,
      detail: noteAuditDetail(input),
    });
    return json(await readAnnotation(ctx.runtime.db, ctx.runtime.tree, note.id, ctx.viewer));
  });

/** DELETE /api/v1/units/{code}/annotations/{id} */
export const DELETE: RequestHandler = (event) =>
  withWriteContext(event, async (ctx) => {
    const note = await ownNote(event, ctx);
    await deleteAnnotation(ctx.runtime.db, note.id);
    await audit(event, {
      action: 'note.delete',
      subject: String(note.id),
      unitCode: note.unit.code,
      detail: noteAuditDetail(note),
    });
    return new Response(null, { status: 204 });
  });
