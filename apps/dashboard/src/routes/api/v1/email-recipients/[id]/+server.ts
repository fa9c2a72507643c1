import { ApiError } from '@motcua/contract';
import { deleteEmailRecipient } from '@motcua/db';
import { json } from '@sveltejs/kit';
import { audit } from '$lib/server/admin.ts';
import { checkWrite, idParam, withViewerContext } from '$lib/server/api.ts';
import type { RequestHandler } from './$types';

/** DELETE /api/v1/email-recipients/{id} — removes a recipient of the viewer's subtree. */
export const DELETE: RequestHandler = (event) =>
  withViewerContext(event, async ({ runtime, viewer }) => {
    checkWrite(event, viewer, { configure: true });
    const id = idParam(event.params.id);
    const removed = await deleteEmailRecipient(runtime.db, runtime.tree, id, viewer.unitCode);
    if (!removed) throw new ApiError('not_found', `mail recipient ${id}: not found in your unit`);
    await audit(event, {
      action: 'mail_recipient.remove',
      subject: removed.address,
      unitCode: removed.unitCode,
    });
    return json({ ok: true });
  });
