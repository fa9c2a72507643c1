import { ALERT_LEVELS, type AlertLevel, alertActionSchema, mayConfigure } from '@motcua/contract';
import { type AlertStateFilter, actOnAlert, listAlerts, readAlertHistories } from '@motcua/db';
import { error, fail, redirect } from '@sveltejs/kit';
import { mayRead, mayReadComments } from '$lib/server/auth.ts';
import { getRuntime } from '$lib/server/runtime.ts';
import type { Actions, PageServerLoad } from './$types';

const STATES = ['live', 'open', 'acknowledged', 'resolved', 'closed', 'all'] as const;

export const load: PageServerLoad = async ({ params, url, locals }) => {
  const viewer = locals.viewer;
  if (!viewer) redirect(303, `/?next=${encodeURIComponent(url.pathname + url.search)}`);
  const { db, tree } = getRuntime();
  const code = params.code;
  // `/alerts` alone (typed, or an old bookmark) opens the viewer's own inbox rather than a 404.
  if (code === '') redirect(303, `/alerts/${viewer.unitCode}${url.search}`);
  const unit = tree.get(code);
  if (!unit) error(404, { message: `unit ${code}: unknown`, code: 'not_found' });
  if (!mayRead(tree, viewer, code))
    error(403, { message: `unit ${code}: outside your unit`, code: 'forbidden' });
  const stateParam = url.searchParams.get('state') ?? 'live';
  const state = (
    (STATES as readonly string[]).includes(stateParam) ? stateParam : 'live'
  ) as AlertStateFilter;
  const levelParam = url.searchParams.get('level');
  const level = (ALERT_LEVELS as readonly string[]).includes(levelParam ?? '')
    ? (levelParam as AlertLevel)
    : null;
  const withComments = mayReadComments(viewer);
  const list = await listAlerts(db, tree, code, {
    state,
    level: level ?? undefined,
    limit: 200,
    withComments,
  });
  // Each row's history (opened, escalated, acknowledged, resolved, closed), read in one query for
  // the alerts listed: the list is already scoped to the unit, and display viewers get no comments.
  const histories = await readAlertHistories(
    db,
    list.alerts.map((a) => a.id),
    withComments,
  );
  return {
    unit: { code: unit.code, name: unit.name, level: unit.level },
    ancestors: tree
      .ancestors(code)
      .slice(1)
      .reverse()
      .map((u) => ({ code: u.code, name: u.name, level: u.level })),
    list,
    histories: Object.fromEntries(histories),
    state,
    level,
    canAct: viewer.role !== 'display',
    canConfigure: mayConfigure(viewer.role),
  };
};

/** Acknowledge or close from the inbox's form (SvelteKit checks the form's Origin: CSRF-safe). */
async function act(action: 'acknowledge' | 'close', request: Request, locals: App.Locals) {
  const viewer = locals.viewer;
  if (!viewer) return fail(401, { message: 'unauthorized', id: null });
  if (viewer.role === 'display') return fail(403, { message: 'forbidden', id: null });
  const form = await request.formData();
  const id = Number(form.get('id'));
  if (!Number.isInteger(id) || id <= 0) return fail(400, { message: 'id', id: null });
  const comment = alertActionSchema.safeParse({ comment: String(form.get('comment') ?? '') });
  if (!comment.success) return fail(400, { message: 'comment', id });
  const runtime = getRuntime();
  const result = await actOnAlert(runtime.db, runtime.tree, {
    id,
    action,
    scopeUnit: viewer.unitCode,
    actor: viewer.label,
    comment: comment.data.comment,
    now: Date.now(),
  });
  if (!result.ok) return fail(result.reason === 'conflict' ? 409 : 404, { message: result.reason, id });
  runtime.alertsChanged?.([result.alert.unitCode]);
  return { done: id };
}

export const actions: Actions = {
  acknowledge: ({ request, locals }) => act('acknowledge', request, locals),
  close: ({ request, locals }) => act('close', request, locals),
};
