import { getSubscription, unsubscribe } from '@motcua/db';
import { verifyUnsubscribeToken } from '@motcua/reports';
import { fail } from '@sveltejs/kit';
import { audit } from '$lib/server/admin.ts';
import { getRuntime } from '$lib/server/runtime.ts';
import type { Actions, PageServerLoad } from './$types';

/** The subscription a link's token names, or null. No sign-in: the signed token is the right. */
async function fromToken(token: string | null) {
  const { db, tree, reports } = getRuntime();
  const id = reports.secret && token ? verifyUnsubscribeToken(reports.secret, token) : null;
  const sub = id === null ? null : await getSubscription(db, id);
  return sub
    ? {
        id: sub.id,
        email: sub.email,
        unitCode: sub.unitCode,
        unit: tree.get(sub.unitCode)?.name ?? sub.unitCode,
        period: sub.period,
        ended: sub.unsubscribedAt !== null,
      }
    : null;
}

// A GET only shows the question: mail scanners open links, and must not unsubscribe anyone.
export const load: PageServerLoad = async ({ url }) => ({
  sub: await fromToken(url.searchParams.get('token')),
});

export const actions: Actions = {
  default: async (event) => {
    const sub = await fromToken(event.url.searchParams.get('token'));
    if (!sub) return fail(400, { error: 'token' });
    if (await unsubscribe(getRuntime().db, sub.id)) {
      // The recipient has no viewer token: the signed link is the actor.
      await audit(
        event,
        {
          action: 'report_subscription.remove',
          subject: sub.email,
          unitCode: sub.unitCode,
          detail: { id: sub.id, period: sub.period },
        },
        'unsubscribe_link',
      );
    }
    return { done: true };
  },
};
