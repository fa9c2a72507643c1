import { ApiError, parseRfc3339 } from '@motcua/contract';
import type { RequestEvent } from '@sveltejs/kit';
import type { z } from 'zod';
import { type ReadContext, withReadContext } from './api.ts';

/**
 * The checks of a JSON write route on top of the read checks (401, 404, 403 outside the subtree):
 * display tokens never write (403); a request authenticated by the session cookie must come from
 * this site (403 otherwise: a cross-site form or fetch cannot use the cookie; browsers send
 * Origin on every POST, PUT, PATCH and DELETE); a bearer token is not sent by browsers on their own, so it needs no check.
 */
export function withWriteContext(
  event: RequestEvent,
  handle: (ctx: ReadContext) => Promise<Response>,
): Promise<Response> {
  return withReadContext(event, async (ctx) => {
    if (ctx.viewer.role === 'display') throw new ApiError('forbidden', 'a display token cannot write');
    const bearer = /^Bearer\s+\S+/i.test(event.request.headers.get('authorization') ?? '');
    if (!bearer && !sameSite(event.request.headers.get('origin'), event.url.host)) {
      throw new ApiError('forbidden', 'Origin: a write with the session cookie must come from this site');
    }
    return handle(ctx);
  });
}

/**
 * Whether an Origin header names this host. The host, not the whole origin: behind the Node
 * adapter without ORIGIN set, the request URL's scheme is a guess (https), while a browser's
 * Origin on plain http says http; another site cannot put this host in its Origin either way.
 */
function sameSite(origin: string | null, host: string): boolean {
  if (!origin) return false;
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}

/** The JSON body parsed by a schema; 400 naming the first wrong field. */
export async function readBody<T>(event: RequestEvent, schema: z.ZodType<T>): Promise<T> {
  let raw: unknown;
  try {
    raw = await event.request.json();
  } catch {
    throw new ApiError('bad_request', 'body: expected a JSON object');
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = issue.path.map(String).join('.') || 'body';
    throw new ApiError('bad_request', `${path}: ${issue.message}`);
  }
  return parsed.data;
}

/** What the audit log keeps of a note: its times as written and the start of its text. */
export const noteAuditDetail = (note: { from: string; to?: string | null; text: string }) => ({
  from: note.from,
  to: note.to ?? null,
  text: note.text.length > 200 ? `${note.text.slice(0, 200)}…` : note.text,
});

/** The note's times from its input: `to` after `from`. */
export function noteTimes(input: { from: string; to?: string | null }): { from: number; to: number | null } {
  const from = parseRfc3339(input.from) as number;
  const to = input.to == null ? null : (parseRfc3339(input.to) as number);
  if (to !== null && to <= from) throw new ApiError('bad_request', 'to: must be after from');
  return { from, to };
}
