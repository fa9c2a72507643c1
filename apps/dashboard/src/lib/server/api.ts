import { isConnectionError, resolveUnit, type Viewer } from '@motcua/db';
import type { ResolvedWindow, UnitRef } from '@motcua/metrics';
import { resolveWindow } from '@motcua/metrics';
import { json, type RequestEvent } from '@sveltejs/kit';
import { mayRead } from './auth.ts';
import { type DashboardRuntime, getRuntime } from './runtime.ts';

type ApiCode = 'unauthorized' | 'forbidden' | 'not_found' | 'bad_request' | 'unavailable';
const STATUS: Record<ApiCode, number> = {
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  bad_request: 400,
  unavailable: 503,
};

/** Thrown inside a read handler; becomes `{ error: { code, message, requestId } }`. */
export class ReadError extends Error {
  constructor(
    readonly code: ApiCode,
    message: string,
  ) {
    super(message);
  }
}

export function errorResponse(code: ApiCode, message: string, requestId: string): Response {
  return json({ error: { code, message, requestId } }, { status: STATUS[code] });
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
    if (!viewer)
      throw new ReadError('unauthorized', 'Authorization: a viewer token or a session is required');
    const code = event.params.code ?? '';
    const unit = resolveUnit(runtime.tree, code);
    if (!unit) throw new ReadError('not_found', `unit ${code}: unknown`);
    if (!mayRead(runtime.tree, viewer, code))
      throw new ReadError('forbidden', `unit ${code}: outside your unit`);
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
        if (!w.ok) throw new ReadError('bad_request', `${w.field}: ${w.message}`);
        return w.window;
      },
    });
  } catch (err) {
    if (err instanceof ReadError) return errorResponse(err.code, err.message, requestId);
    if (isConnectionError(err)) {
      return errorResponse('unavailable', 'the database did not answer; try again shortly', requestId);
    }
    console.error(
      JSON.stringify({ level: 'error', msg: 'read api', requestId, error: (err as Error).message }),
    );
    return json({ error: { code: 'internal', message: 'internal error', requestId } }, { status: 500 });
  }
}
