import { ApiError, ERROR_STATUS, type ErrorCode, errorBody, mayConfigure } from '@motcua/contract';
import { isConnectionError, resolveUnit, type Viewer } from '@motcua/db';
import type { ResolvedWindow, UnitRef } from '@motcua/metrics';
import { resolveWindow } from '@motcua/metrics';
import { json, type RequestEvent } from '@sveltejs/kit';
import type { z } from 'zod';
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

// Alerts (issue 13): routes not under a unit, and the checks every write shares.

/** The checks of a route that is not under a unit (an alert, a webhook by id): a viewer, then `handle`. */
export async function withViewerContext(
  event: RequestEvent,
  handle: (ctx: { runtime: DashboardRuntime; viewer: Viewer }) => Promise<Response>,
): Promise<Response> {
  return withReadContext(
    // The viewer's own unit stands in for the path's: every check below is against it.
    { ...event, params: { ...event.params, code: event.locals.viewer?.unitCode ?? '' } } as RequestEvent,
    ({ runtime, viewer }) => handle({ runtime, viewer }),
  );
}

/**
 * A write by this viewer: never by a display token; `configure` (rules, webhooks, mail) only by
 * city and district viewers. With a session cookie (no Authorization header) the request must
 * come from this site (Origin), so another site cannot make a signed-in browser send it.
 */
export function checkWrite(event: RequestEvent, viewer: Viewer, opts: { configure?: boolean } = {}): void {
  if (viewer.role === 'display') throw new ApiError('forbidden', 'a display token cannot change anything');
  if (opts.configure && !mayConfigure(viewer.role)) {
    throw new ApiError('forbidden', 'only city and district viewers configure alerts');
  }
  if (!event.request.headers.has('authorization')) {
    const origin = event.request.headers.get('origin');
    if (origin !== event.url.origin) {
      throw new ApiError('forbidden', 'Origin: a request with a session cookie must come from this site');
    }
  }
}

/** The JSON body checked against its schema; a bad one is a 400 naming the field. */
export async function readJsonBody<S extends z.ZodType>(event: RequestEvent, schema: S): Promise<z.infer<S>> {
  let body: unknown;
  try {
    body = await event.request.json();
  } catch {
    throw new ApiError('bad_request', 'body: expected a JSON object');
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ApiError('bad_request', `${issue.path.join('.') || 'body'}: ${issue.message}`);
  }
  return parsed.data;
}

/** A positive whole number from the path, e.g. an alert id. */
export function idParam(value: string | undefined, name = 'id'): number {
  if (!value || !/^\d{1,9}$/.test(value))
    throw new ApiError('bad_request', `${name}: expected a whole number`);
  return Number(value);
}
