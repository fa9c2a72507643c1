import { listAudit } from '@motcua/db';
import { auditScope, requireAdmin } from '$lib/server/admin.ts';
import { getRuntime } from '$lib/server/runtime.ts';
import type { PageServerLoad } from './$types';

const PAGE = 200;

export const load: PageServerLoad = async (event) => {
  const viewer = requireAdmin(event);
  const { db, tree } = getRuntime();
  const before = Number(event.url.searchParams.get('before'));
  const entries = await listAudit(db, {
    unitCodes: auditScope(tree, viewer),
    limit: PAGE,
    beforeId: Number.isInteger(before) && before > 0 ? before : undefined,
  });
  return {
    entries: entries.map((e) => ({ ...e, at: e.at.toISOString() })),
    next: entries.length === PAGE ? entries[entries.length - 1].id : null,
  };
};
