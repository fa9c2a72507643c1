import { ApiError, emailRecipientRequestSchema, mayConfigure } from '@motcua/contract';
import { createEmailRecipient, listEmailRecipients } from '@motcua/db';
import { json } from '@sveltejs/kit';
import { audit } from '$lib/server/admin.ts';
import { checkWrite, readJsonBody, withReadContext } from '$lib/server/api.ts';
import type { RequestHandler } from './$types';

/** GET /api/v1/units/{code}/email-recipients — who gets the mail digest in the unit's subtree. */
export const GET: RequestHandler = (event) =>
  withReadContext(event, async ({ runtime, viewer, code }) => {
    if (!mayConfigure(viewer.role)) {
      throw new ApiError('forbidden', 'only city and district viewers see mail recipients');
    }
    return json(await listEmailRecipients(runtime.db, runtime.tree, code));
  });

/** POST /api/v1/units/{code}/email-recipients `{ address, minLevel }` — adds a recipient of the unit's digest. */
export const POST: RequestHandler = (event) =>
  withReadContext(event, async ({ runtime, viewer, code }) => {
    checkWrite(event, viewer, { configure: true });
    if (code.includes('/'))
      throw new ApiError('bad_request', 'code: recipients are set per unit, not per desk');
    const body = await readJsonBody(event, emailRecipientRequestSchema);
    const id = await createEmailRecipient(runtime.db, {
      unitCode: code,
      address: body.address,
      minLevel: body.minLevel,
      by: viewer.label,
      now: Date.now(),
    });
    await audit(event, {
      action: 'mail_recipient.add',
      subject: body.address,
      unitCode: code,
      detail: { minLevel: body.minLevel },
    });
    return json({ id }, { status: 201 });
  });
