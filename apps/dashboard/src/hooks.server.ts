import { randomUUID } from 'node:crypto';
import { createSession, isRevokedCredential, SESSION_DAYS, verifyViewerToken } from '@motcua/db';
import type { Handle } from '@sveltejs/kit';
import { cookieValue, SESSION_COOKIE, viewerFrom } from '$lib/server/auth.ts';
import { type DashboardRuntime, getRuntime } from '$lib/server/runtime.ts';

/** Headers every answer of the app gets, pages and API alike. */
function harden(response: Response, runtime: DashboardRuntime, requestId: string, isApi: boolean): Response {
  const h = response.headers;
  h.set('X-Request-Id', requestId);
  h.set('X-Content-Type-Options', 'nosniff');
  h.set('Referrer-Policy', 'no-referrer');
  h.set('Cross-Origin-Opener-Policy', 'same-origin');
  // Pages carry SvelteKit's policy (kit.csp: nonces, no eval); frame-ancestors is a runtime
  // setting, so it joins that policy here. Anything else (JSON, CSV, redirects) loads nothing.
  const csp = h.get('Content-Security-Policy');
  const frame = `frame-ancestors ${runtime.frameAncestors}`;
  h.set('Content-Security-Policy', csp ? `${csp}; ${frame}` : `default-src 'none'; ${frame}`);
  if (runtime.frameAncestors === "'none'") h.set('X-Frame-Options', 'DENY');
  if (runtime.cookies.secure) h.set('Strict-Transport-Security', 'max-age=31536000');
  if (isApi && !h.has('Cache-Control')) h.set('Cache-Control', 'private, no-store');
  return response;
}

/** The path of a URL as a same-origin location: `//host` or `/\host` would leave the site. */
const sameOriginPath = (url: URL) => `/${url.pathname.replace(/^[/\\]+/, '')}${url.search}`;

export const handle: Handle = async ({ event, resolve }) => {
  const runtime = getRuntime();
  const requestId = randomUUID();
  event.locals.requestId = requestId;
  const isApi = event.url.pathname.startsWith('/api/');
  const cookieOpts = { path: '/', httpOnly: true, sameSite: 'lax', secure: runtime.cookies.secure } as const;
  const langParam = event.url.searchParams.get('lang');
  event.locals.lang =
    langParam === 'en' || langParam === 'vi' ? langParam : event.cookies.get('lang') === 'en' ? 'en' : 'vi';
  if (langParam === 'en' || langParam === 'vi') {
    event.cookies.set('lang', langParam, { ...cookieOpts, maxAge: 31_536_000 });
  }

  // A token in a page URL opens a session, then leaves the address bar. Only a valid, unrevoked
  // viewer token does; the session is that token's viewer, so a link can give no more than the
  // token in it already gives.
  const token = event.url.searchParams.get('token');
  if (token && !isApi && event.request.method === 'GET') {
    const viewer = await verifyViewerToken(runtime.db, token);
    if (viewer) {
      const session = await createSession(runtime.db, viewer.id);
      const clean = new URL(event.url);
      clean.searchParams.delete('token');
      // A Response of our own (not `redirect()`) so that it gets the headers below; its cookies
      // are therefore serialised here rather than through `event.cookies.set`.
      const headers = new Headers({ location: sameOriginPath(clean), 'cache-control': 'no-store' });
      headers.append(
        'set-cookie',
        event.cookies.serialize(SESSION_COOKIE, session.cookie, {
          ...cookieOpts,
          expires: session.expiresAt,
        }),
      );
      if (langParam === 'en' || langParam === 'vi') {
        headers.append(
          'set-cookie',
          event.cookies.serialize('lang', langParam, { ...cookieOpts, maxAge: 31_536_000 }),
        );
      }
      return harden(new Response(null, { status: 303, headers }), runtime, requestId, isApi);
    }
  }

  event.locals.viewer = await viewerFrom(runtime.db, {
    authorization: event.request.headers.get('authorization'),
    cookie: event.request.headers.get('cookie'),
  });
  // A wall screen whose link was revoked (while it was off or offline, say) is told so, and its
  // page forgets the numbers it kept; a screen never signed in is sent to sign in instead.
  event.locals.revoked =
    !event.locals.viewer &&
    !isApi &&
    event.url.pathname.startsWith('/display/') &&
    (await isRevokedCredential(runtime.db, {
      token,
      cookie: cookieValue(event.request.headers.get('cookie'), SESSION_COOKIE),
    }));

  const response = await resolve(event, {
    // Every occurrence: app.html names the placeholder in a comment before the attribute.
    transformPageChunk: ({ html }) => html.replaceAll('%lang%', event.locals.lang),
  });
  // The session slides in the database (verifySession); the cookie slides with it, or a wall
  // screen that never reloads would lose it after SESSION_DAYS and be signed out. The display
  // reads the API every minute, which is enough to keep it.
  const session = event.cookies.get(SESSION_COOKIE);
  const setsSession = response.headers.getSetCookie().some((c) => c.startsWith(`${SESSION_COOKIE}=`));
  if (session && event.locals.viewer && !event.request.headers.has('authorization') && !setsSession) {
    response.headers.append(
      'set-cookie',
      event.cookies.serialize(SESSION_COOKIE, session, {
        ...cookieOpts,
        expires: new Date(Date.now() + SESSION_DAYS * 86_400_000),
      }),
    );
  }
  return harden(response, runtime, requestId, isApi);
};
