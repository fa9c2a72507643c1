import { DOSSIER_LIST_KINDS, type DossierListKind } from '@motcua/contract/values';
import { error, redirect } from '@sveltejs/kit';
import { ApiError, api } from '$lib/live/api.ts';
import { toLiveWindow } from '$lib/live.svelte.ts';
import type { PageLoad } from './$types';

const PAGE_SIZE = 25;

export const load: PageLoad = async ({ params, url, fetch, parent }) => {
  const { viewer } = await parent();
  if (!viewer) redirect(303, `/?next=${encodeURIComponent(url.pathname + url.search)}`);
  const code = params.code;
  const q = url.searchParams;
  const window = toLiveWindow(q.get('window'));
  const rawKind = q.get('kind') ?? 'late';
  const kind: DossierListKind = (DOSSIER_LIST_KINDS as readonly string[]).includes(rawKind)
    ? (rawKind as DossierListKind)
    : 'late';
  const procedure = q.get('procedure');
  const offset = Math.max(0, Number(q.get('offset') ?? 0) || 0);
  try {
    const [info, procedures, dossiers] = await Promise.all([
      api.info(fetch, code),
      api.procedures(fetch, code, window),
      api.dossiers(fetch, code, { window, kind, procedure, offset, limit: PAGE_SIZE }),
    ]);
    return { code, window, kind, procedure, offset, info, procedures, dossiers, viewer };
  } catch (err) {
    if (err instanceof ApiError) {
      if (err.status === 401) redirect(303, `/?next=${encodeURIComponent(url.pathname + url.search)}`);
      error(err.status >= 400 ? err.status : 503, { message: err.message, code: err.code });
    }
    throw err;
  }
};
