import { ApiError } from '@motcua/contract';
import { error, fail, redirect } from '@sveltejs/kit';
import { audit } from '$lib/server/admin.ts';
import { getRuntime } from '$lib/server/runtime.ts';
import {
  addSubscription,
  mayManageDigests,
  removeSubscription,
  subscriptionAudit,
  subscriptionJson,
  subscriptionsInScope,
} from '$lib/server/subscriptions.ts';
import type { Actions, PageServerLoad } from './$types';

/** The units a viewer may pick: its own, its children and their children (a city's communes under districts). */
function unitChoices(code: string) {
  const { tree } = getRuntime();
  const own = tree.get(code);
  if (!own) return [];
  const out = [{ code: own.code, name: own.name, level: own.level }];
  for (const c of tree.children(code)) {
    out.push({ code: c.code, name: c.name, level: c.level });
    for (const g of tree.children(c.code)) out.push({ code: g.code, name: g.name, level: g.level });
  }
  return out;
}

export const load: PageServerLoad = async ({ locals, url }) => {
  const viewer = locals.viewer;
  if (!viewer) redirect(303, `/?next=${encodeURIComponent(url.pathname + url.search)}`);
  if (!mayManageDigests(viewer))
    error(403, { message: 'Chỉ lãnh đạo thành phố và quận/huyện đăng ký báo cáo định kỳ.' });
  const { db, tree, reports } = getRuntime();
  const items = await subscriptionsInScope(db, tree, viewer);
  return {
    items: items.map((s) => subscriptionJson(s, tree)),
    units: unitChoices(viewer.unitCode),
    selected: url.searchParams.get('unit') ?? viewer.unitCode,
    mailConfigured: reports.digests,
  };
};

/** SvelteKit checks the Origin of every form POST: a form on another site cannot reach these. */
export const actions: Actions = {
  add: async (event) => {
    const { request, locals } = event;
    if (!locals.viewer) return fail(401, { error: 'Authorization: sign in again' });
    const form = await request.formData();
    const input = {
      email: form.get('email'),
      unit: form.get('unit'),
      period: form.get('period'),
      format: form.get('format'),
    };
    const { db, tree } = getRuntime();
    try {
      const sub = await addSubscription(db, tree, locals.viewer, input);
      await audit(event, subscriptionAudit('create', sub));
    } catch (err) {
      if (err instanceof ApiError)
        return fail(err.code === 'forbidden' ? 403 : 400, {
          error: err.message,
          input: { ...input } as Record<string, string>,
        });
      throw err;
    }
    return { added: String(input.email) };
  },
  remove: async (event) => {
    const { request, locals } = event;
    if (!locals.viewer) return fail(401, { error: 'Authorization: sign in again' });
    const id = Number((await request.formData()).get('id'));
    const { db, tree } = getRuntime();
    try {
      const removed = await removeSubscription(db, tree, locals.viewer, id);
      await audit(event, subscriptionAudit('remove', removed));
    } catch (err) {
      if (err instanceof ApiError) return fail(404, { error: err.message });
      throw err;
    }
    return { removed: id };
  },
};
