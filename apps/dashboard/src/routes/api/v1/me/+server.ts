import { json } from '@sveltejs/kit';
import { errorResponse } from '$lib/server/api.ts';
import { getRuntime } from '$lib/server/runtime.ts';
import type { RequestHandler } from './$types';

/** GET /api/v1/me — who the session belongs to. */
export const GET: RequestHandler = ({ locals }) => {
  const viewer = locals.viewer;
  if (!viewer)
    return errorResponse(
      'unauthorized',
      'Authorization: a viewer token or a session is required',
      locals.requestId,
    );
  const unit = getRuntime().tree.get(viewer.unitCode);
  return json({
    role: viewer.role,
    label: viewer.label,
    unit: unit ? { code: unit.code, name: unit.name, level: unit.level } : { code: viewer.unitCode },
  });
};
