import { ALERT_LEVELS, type AlertLevel, ApiError } from '@motcua/contract';
import { type AlertStateFilter, listAlerts } from '@motcua/db';
import { json } from '@sveltejs/kit';
import { withReadContext } from '$lib/server/api.ts';
import { mayReadComments } from '$lib/server/auth.ts';
import type { RequestHandler } from './$types';

const STATES = ['live', 'all', 'open', 'acknowledged', 'resolved', 'closed'] as const;

/** GET /api/v1/units/{code}/alerts?state=live&level=&limit=200 — the alerts of a unit's subtree, most urgent first. */
export const GET: RequestHandler = (event) =>
  withReadContext(event, async ({ runtime, viewer, code }) => {
    if (code.includes('/'))
      throw new ApiError('bad_request', 'code: alerts are listed per unit, not per desk');
    const q = event.url.searchParams;
    const state = q.get('state') ?? 'live';
    if (!(STATES as readonly string[]).includes(state)) {
      throw new ApiError('bad_request', `state: expected one of ${STATES.join(', ')}`);
    }
    const level = q.get('level');
    if (level !== null && !(ALERT_LEVELS as readonly string[]).includes(level)) {
      throw new ApiError('bad_request', `level: expected one of ${ALERT_LEVELS.join(', ')}`);
    }
    const limitParam = q.get('limit') ?? '200';
    if (!/^\d{1,4}$/.test(limitParam) || Number(limitParam) > 1000) {
      throw new ApiError('bad_request', 'limit: expected a number from 0 to 1000');
    }
    return json(
      await listAlerts(runtime.db, runtime.tree, code, {
        state: state as AlertStateFilter,
        level: (level as AlertLevel | null) ?? undefined,
        limit: Number(limitParam),
        withComments: mayReadComments(viewer),
      }),
    );
  });
