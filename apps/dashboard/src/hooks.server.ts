import { randomUUID } from 'node:crypto';
import { createSession, verifyViewerToken } from '@motcua/db';
import { type Handle, redirect } from '@sveltejs/kit';
import { SESSION_COOKIE, viewerFrom } from '$lib/server/auth.ts';
import { getRuntime } from '$lib/server/runtime.ts';

export const handle: Handle = async ({ event, resolve }) => {
  const runtime = getRuntime();
  event.locals.requestId = randomUUID();
  const langParam = event.url.searchParams.get('lang');
  event.locals.lang = langParam === 'en' || langParam === 'vi' ? langParam : event.cookies.get('lang') === 'en' ? 'en' : 'vi';
  if (langParam === 'en' || langParam === 'vi') {
    event.cookies.set('lang', langParam, { path: '/', httpOnly: false, sameSite: 'lax', maxAge: 31_536_000 });
  }

  // A token in a page URL opens a session, then leaves the address bar.
  const token = event.url.searchParams.get('token');
  const isApi = event.url.pathname.startsWith('/api/');
  if (token && !isApi && event.request.method === 'GET') {
    const viewer = await verifyViewerToken(runtime.db, token);
    if (viewer) {
      const session = await createSession(runtime.db, viewer.id);
      event.cookies.set(SESSION_COOKIE, session.cookie, {
        path: '/',
        httpOnly: true,
        sameSite: 'lax',
        secure: runtime.cookies.secure,
        expires: session.expiresAt,
      });
      const clean = new URL(event.url);
      clean.searchParams.delete('token');
      redirect(303, `${clean.pathname}${clean.search}`);
    }
  }

  event.locals.viewer = await viewerFrom(runtime.db, {
    authorization: event.request.headers.get('authorization'),
    cookie: event.request.headers.get('cookie'),
  });

  const response = await resolve(event, {
    transformPageChunk: ({ html }) => html.replace('%lang%', event.locals.lang),
  });
  response.headers.set('X-Request-Id', event.locals.requestId);
  response.headers.set('X-Content-Type-Options', 'nosniff');
  response.headers.set('Referrer-Policy', 'no-referrer');
  response.headers.append('Content-Security-Policy', `frame-ancestors ${runtime.frameAncestors}`);
  return response;
};
