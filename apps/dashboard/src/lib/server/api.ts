import { ApiError, ERROR_STATUS, type ErrorCode, errorBody } from '@motcua/contract';
import { isConnectionError, resolveUnit, type Viewer } from '@motcua/db';
import type { ResolvedWindow, UnitRef } from '@motcua/metrics';
import { resolveWindow } from '@motcua/metrics';
import { json, type RequestEvent } from '@sveltejs/kit';
import { mayRead } from './auth.ts';
import { type DashboardRuntime, getRuntime } from './runtime.ts';

export function errorResponse(code: ErrorCode, message: string, requestId: string): Response {
  return json(errorBody(code, message, requestId), { status: ERROR_STATUS[code] });
}

export interface ReadContext {
  runtime: DashboardRuntime;
  viewer: Viewer;
  unit: UnitRef;
  code: string;
  asOf: number;
  window(): ResolvedWindow;
}

/**
 * Common checks of the read API, in the contract's order: 401 without a viewer, 404 unknown
 * unit, 403 outside the viewer's subtree, 400 bad window (when the handler asks for one).
 */
export async function withReadContext(
  event: RequestEvent,
  handle: (ctx: ReadContext) => Promise<Response>,
): Promise<Response> {
  const requestId = event.locals.requestId;
  try {
    const runtime = getRuntime();
    const viewer = event.locals.viewer;
    if (!viewer) throw new ApiError('unauthorized', 'Authorization: a viewer token or a session is required');
    const code = event.params.code ?? '';
    const unit = resolveUnit(runtime.tree, code);
    if (!unit) throw new ApiError('not_found', `unit ${code}: unknown`);
    if (!mayRead(runtime.tree, viewer, code))
      throw new ApiError('forbidden', `unit ${code}: outside your unit`);
    const asOf = Date.now();
    const q = event.url.searchParams;
    return await handle({
      runtime,
      viewer,
      unit,
      code,
      asOf,
      window() {
        const w = resolveWindow({ window: q.get('window'), from: q.get('from'), to: q.get('to') }, asOf);
        if (!w.ok) throw new ApiError('bad_request', `${w.field}: ${w.message}`);
        return w.window;
      },
    });
  } catch (err) {
    if (err instanceof ApiError) return errorResponse(err.code, err.message, requestId);
    if (isConnectionError(err)) {
      return errorResponse('unavailable', 'the database did not answer; try again shortly', requestId);
    }
    console.error(
      JSON.stringify({ level: 'error', msg: 'read api', requestId, error: (err as Error).message }),
    );
    return errorResponse('internal', 'internal error', requestId);
  }
}
