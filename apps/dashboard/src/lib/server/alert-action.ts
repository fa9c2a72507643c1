import { ApiError, alertActionSchema } from '@motcua/contract';
import { actOnAlert } from '@motcua/db';
import { json, type RequestEvent } from '@sveltejs/kit';
import { checkWrite, idParam, readJsonBody, withViewerContext } from './api.ts';

/** POST /api/v1/alerts/{id}/acknowledge|close with `{ comment }`: by a viewer whose subtree holds the alert. */
export const alertAction = (action: 'acknowledge' | 'close') => (event: RequestEvent) =>
  withViewerContext(event, async ({ runtime, viewer }) => {
    checkWrite(event, viewer);
    const id = idParam(event.params.id);
    const { comment } = await readJsonBody(event, alertActionSchema);
    const result = await actOnAlert(runtime.db, runtime.tree, {
      id,
      action,
      scopeUnit: viewer.unitCode,
      actor: viewer.label,
      comment,
      now: Date.now(),
    });
    if (!result.ok) throw new ApiError(result.reason, result.message);
    runtime.alertsChanged?.([result.alert.unitCode]);
    return json(result.alert);
  });
