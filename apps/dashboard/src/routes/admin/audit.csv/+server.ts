import { listAudit } from '@motcua/db';
import { auditScope, requireAdmin } from '$lib/server/admin.ts';
import { auditCsv } from '$lib/server/csv.ts';
import { getRuntime } from '$lib/server/runtime.ts';
import type { RequestHandler } from './$types';

/** GET /admin/audit.csv — the audit log the viewer may read, whole, newest first. Read-only: no other method. */
export const GET: RequestHandler = async (event) => {
  const viewer = requireAdmin(event);
  const { db, tree } = getRuntime();
  const entries = await listAudit(db, { unitCodes: auditScope(tree, viewer), limit: 1_000_000 });
  return new Response(auditCsv(entries), {
    headers: {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': 'attachment; filename="motcua-audit.csv"',
      'cache-control': 'private, no-store',
    },
  });
};
