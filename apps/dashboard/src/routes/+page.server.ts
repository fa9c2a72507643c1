import { redirect } from '@sveltejs/kit';
import type { PageServerLoad } from './$types';

/** A same-site path to return to after signing in, or null. */
function safeNext(next: string | null): string | null {
  return next && /^\/(units|display)\/[\w/-]+(\?[\w=&%-]*)?$/.test(next) ? next : null;
}

export const load: PageServerLoad = ({ locals, url }) => {
  const next = safeNext(url.searchParams.get('next'));
  if (locals.viewer) {
    const home = locals.viewer.role === 'display' ? '/display/' : '/units/';
    redirect(303, next ?? `${home}${locals.viewer.unitCode}`);
  }
  // The hook exchanges a valid token; one still here was refused. Drop it from the address bar.
  if (url.searchParams.has('token')) {
    const q = new URLSearchParams({ error: 'token' });
    if (next) q.set('next', next);
    redirect(303, `/?${q}`);
  }
  return { invalidToken: url.searchParams.get('error') === 'token', next };
};
