import {
  ApiError,
  DIGEST_FORMATS,
  DIGEST_PERIODS,
  type DigestFormat,
  type DigestPeriod,
  mayConfigure,
} from '@motcua/contract';
import {
  createSubscription,
  type Database,
  getSubscription,
  listActiveSubscriptions,
  type Subscription,
  type UnitTree,
  unsubscribe,
  type Viewer,
} from '@motcua/db';
import type { RequestEvent } from '@sveltejs/kit';
import { errorResponse } from './api.ts';

/** Digests are set up by city and district viewers, for their own subtree. */
export const mayManageDigests = (viewer: Viewer) => mayConfigure(viewer.role);

const EMAIL_RE = /^[^\s@<>",;]{1,64}@[^\s@<>",;]{1,190}\.[A-Za-z]{2,}$/;

/** The JSON form of a subscription, as the API and the page show it. */
export function subscriptionJson(s: Subscription, tree: UnitTree) {
  return {
    id: s.id,
    email: s.email,
    unit: { code: s.unitCode, name: tree.get(s.unitCode)?.name ?? s.unitCode },
    period: s.period,
    format: s.format,
    createdAt: s.createdAt.toISOString(),
  };
}

/** Subscriptions in force on units in the viewer's subtree. */
export async function subscriptionsInScope(db: Database, tree: UnitTree, viewer: Viewer) {
  return (await listActiveSubscriptions(db)).filter((s) => tree.isWithin(s.unitCode, viewer.unitCode));
}

/** Checks and stores a new subscription; throws an ApiError naming the wrong field. */
export async function addSubscription(
  db: Database,
  tree: UnitTree,
  viewer: Viewer,
  input: { email?: unknown; unit?: unknown; period?: unknown; format?: unknown },
): Promise<Subscription> {
  if (!mayManageDigests(viewer))
    throw new ApiError('forbidden', 'digests: only city and district viewers set them up');
  const email = typeof input.email === 'string' ? input.email.trim() : '';
  if (!EMAIL_RE.test(email) || email.length > 254)
    throw new ApiError('bad_request', 'email: expected an e-mail address');
  const unit = typeof input.unit === 'string' ? input.unit.trim() : '';
  if (!tree.get(unit)) throw new ApiError('bad_request', `unit: unknown unit ${unit.slice(0, 40)}`);
  if (!tree.isWithin(unit, viewer.unitCode))
    throw new ApiError('forbidden', `unit ${unit}: outside your unit`);
  const period = input.period as DigestPeriod;
  if (!(DIGEST_PERIODS as readonly string[]).includes(period))
    throw new ApiError('bad_request', 'period: expected weekly or monthly');
  const format = input.format as DigestFormat;
  if (!(DIGEST_FORMATS as readonly string[]).includes(format))
    throw new ApiError('bad_request', 'format: expected xlsx, pdf or both');
  return createSubscription(db, { email, unitCode: unit, period, format, viewerId: viewer.id });
}

/** Ends a subscription in the viewer's subtree and returns it (for the audit log); 404 for one it cannot see. */
export async function removeSubscription(
  db: Database,
  tree: UnitTree,
  viewer: Viewer,
  id: number,
): Promise<Subscription> {
  if (!mayManageDigests(viewer))
    throw new ApiError('forbidden', 'digests: only city and district viewers manage them');
  const sub = Number.isSafeInteger(id) ? await getSubscription(db, id) : null;
  // Another subtree's subscription reads as unknown: its existence is not this viewer's business.
  if (!sub || sub.unsubscribedAt || !tree.isWithin(sub.unitCode, viewer.unitCode)) {
    throw new ApiError('not_found', `subscription ${id}: unknown`);
  }
  await unsubscribe(db, id);
  return sub;
}

/** The audit entry of a subscription made or ended. */
export const subscriptionAudit = (action: 'create' | 'remove', s: Subscription) => ({
  action: `report_subscription.${action}`,
  subject: s.email,
  unitCode: s.unitCode,
  detail: { id: s.id, period: s.period, format: s.format },
});

/**
 * The digest subscriptions API. Writes take the bearer token only: a cookie could be sent by
 * another site's form, the Authorization header cannot.
 */
export async function withDigestViewer(
  event: RequestEvent,
  write: boolean,
  handle: (viewer: NonNullable<App.Locals['viewer']>) => Promise<Response>,
): Promise<Response> {
  try {
    const viewer = event.locals.viewer;
    if (!viewer) throw new ApiError('unauthorized', 'Authorization: a viewer token or a session is required');
    if (write && !/^Bearer\s/i.test(event.request.headers.get('authorization') ?? '')) {
      throw new ApiError('unauthorized', 'Authorization: changes need the viewer token as a bearer header');
    }
    if (!mayManageDigests(viewer))
      throw new ApiError('forbidden', 'digests: only city and district viewers manage them');
    return await handle(viewer);
  } catch (err) {
    if (err instanceof ApiError) return errorResponse(err.code, err.message, event.locals.requestId);
    console.error(JSON.stringify({ level: 'error', msg: 'digests api', error: (err as Error).message }));
    return errorResponse('internal', 'internal error', event.locals.requestId);
  }
}
