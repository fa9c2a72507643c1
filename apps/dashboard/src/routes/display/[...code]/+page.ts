import { error, redirect } from '@sveltejs/kit';
import { fetchPlaylist, parsePlaylist, playlistFromUrl, savedPlaylistId } from '$lib/display/playlist.ts';
import { ApiError, api, orNull } from '$lib/live/api.ts';
import { toLiveWindow } from '$lib/live.svelte.ts';
import type { PageLoad } from './$types';

/** The wall display is configured by its URL alone: window, playlist (or rotate), theme (and lang, token in the hook). */
export const load: PageLoad = async ({ params, url, fetch, parent }) => {
  const { viewer, revoked } = await parent();
  // 401: the service worker then drops its copy of this page, and the error page says why and
  // forgets the numbers kept for going offline.
  if (!viewer && revoked) error(401, { message: 'display link revoked', code: 'revoked' });
  if (!viewer) redirect(303, `/?next=${encodeURIComponent(url.pathname + url.search)}`);
  const code = params.code;
  const window = toLiveWindow(url.searchParams.get('window'));
  const playlistId = savedPlaylistId(url.searchParams);
  const theme = url.searchParams.get('theme') === 'light' ? 'light' : 'dark';
  // `alerts=1`: a red banner with the unit's city-level alerts (docs/alerts.md).
  const alerts = url.searchParams.get('alerts') === '1';
  try {
    // The targets and notes are drawn on the trend; the page is kept for starting offline with them.
    const [info, snapshot, trend, saved, targets, notes] = await Promise.all([
      api.info(fetch, code),
      api.metrics(fetch, code, window),
      orNull(api.trend(fetch, code, window)),
      playlistId === null ? null : fetchPlaylist(fetch, playlistId),
      orNull(api.targets(fetch, code)),
      orNull(api.annotations(fetch, code)),
    ]);
    const slides = saved ? parsePlaylist(saved.slides) : playlistFromUrl(url.searchParams);
    return {
      code,
      window,
      slides,
      playlistId,
      theme,
      alerts,
      info,
      snapshot,
      trend,
      targets,
      notes,
    } as const;
  } catch (err) {
    if (err instanceof ApiError) {
      if (err.status === 401) redirect(303, `/?next=${encodeURIComponent(url.pathname + url.search)}`);
      error(err.status >= 400 ? err.status : 503, { message: err.message, code: err.code });
    }
    throw err;
  }
};
