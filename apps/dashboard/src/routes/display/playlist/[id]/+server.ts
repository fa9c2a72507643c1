import { ApiError } from '@motcua/contract';
import { getPlaylist } from '@motcua/db';
import { json } from '@sveltejs/kit';
import { errorResponse } from '$lib/server/api.ts';
import { mayPlay } from '$lib/server/playlists.ts';
import { getRuntime } from '$lib/server/runtime.ts';
import type { RequestHandler } from './$types';

/**
 * GET /display/playlist/{id} — a saved playlist as the wall display plays it (the display reads
 * it again every 20 s, so a change shows without a reload). Not part of the read API: it serves
 * the display page only.
 */
export const GET: RequestHandler = async ({ params, locals }) => {
  try {
    const viewer = locals.viewer;
    if (!viewer) throw new ApiError('unauthorized', 'a viewer session is required');
    const runtime = getRuntime();
    const playlist = /^\d{1,9}$/.test(params.id) ? await getPlaylist(runtime.db, Number(params.id)) : null;
    if (!playlist) throw new ApiError('not_found', `playlist ${params.id}: unknown`);
    if (!mayPlay(runtime.tree, viewer, playlist))
      throw new ApiError('forbidden', `playlist ${params.id}: not yours`);
    const { id, unitCode, name, slides, updatedAt } = playlist;
    return json({ id, unitCode, name, slides, updatedAt: updatedAt.toISOString() });
  } catch (err) {
    if (err instanceof ApiError) return errorResponse(err.code, err.message, locals.requestId);
    throw err;
  }
};
