import { ApiError, DOSSIER_LIST_KINDS, type DossierListKind } from '@motcua/contract';
import { readDossierList } from '@motcua/db';
import { json } from '@sveltejs/kit';
import { withReadContext } from '$lib/server/api.ts';
import type { RequestHandler } from './$types';

const MAX_LIMIT = 200;

/** GET /api/v1/units/{code}/dossiers?kind=late&window=…&procedure=…&offset=0&limit=50 — the dossiers behind a number. */
export const GET: RequestHandler = (event) =>
  withReadContext(event, async ({ runtime, code, asOf, window }) => {
    const q = event.url.searchParams;
    const kind = q.get('kind') ?? '';
    if (!(DOSSIER_LIST_KINDS as readonly string[]).includes(kind)) {
      throw new ApiError('bad_request', `kind: expected one of ${DOSSIER_LIST_KINDS.join(', ')}`);
    }
    const whole = (name: string, fallback: number, max: number) => {
      const raw = q.get(name);
      if (raw === null) return fallback;
      const n = Number(raw);
      if (!/^\d{1,9}$/.test(raw) || n > max)
        throw new ApiError('bad_request', `${name}: expected a whole number from 0 to ${max}`);
      return n;
    };
    const limit = whole('limit', 50, MAX_LIMIT);
    const offset = whole('offset', 0, 1_000_000);
    const procedure = q.get('procedure');
    if (procedure !== null && procedure.length > 64)
      throw new ApiError('bad_request', 'procedure: at most 64 characters');
    const list = await readDossierList(runtime.db, runtime.tree, code, {
      kind: kind as DossierListKind,
      window: window(),
      asOf,
      procedure,
      offset,
      limit: Math.max(limit, 1),
    });
    if (!list) throw new ApiError('not_found', `unit ${code}: unknown`);
    return json(list);
  });
