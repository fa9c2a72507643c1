import { error, redirect } from '@sveltejs/kit';
import { ApiError, api, orNull, previousOf } from '$lib/live/api.ts';
import { toLiveWindow } from '$lib/live.svelte.ts';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ params, url, fetch, parent }) => {
  const { viewer } = await parent();
  if (!viewer) redirect(303, `/?next=${encodeURIComponent(url.pathname + url.search)}`);
  const code = params.code;
  const window = toLiveWindow(url.searchParams.get('window'));
  try {
    // City and district codes are shorter than a commune's 5 digits; desks have a slash.
    const hasLeague = code.length < 5;
    const [info, snapshot, trend, heatmap, overdue, ratings, scorecard, league, months, targets, notes] =
      await Promise.all([
        api.info(fetch, code),
        api.metrics(fetch, code, window),
        orNull(api.trend(fetch, code, window)),
        orNull(api.heatmap(fetch, code)),
        orNull(api.overdue(fetch, code)),
        code.length >= 5 ? orNull(api.ratings(fetch, code)) : Promise.resolve(null),
        orNull(api.scorecard(fetch, code, window)),
        hasLeague ? orNull(api.league(fetch, code, window)) : Promise.resolve(null),
        orNull(api.months(fetch, code)),
        orNull(api.targets(fetch, code)),
        orNull(api.annotations(fetch, code)),
      ]);
    // The closed window compared against: its snapshot, so live pushes are compared on the page.
    const previous = await orNull(api.metricsOver(fetch, code, previousOf(snapshot.window)));
    return {
      code,
      window,
      info,
      snapshot,
      previous,
      trend,
      heatmap,
      overdue,
      ratings,
      scorecard,
      league,
      months,
      targets,
      notes,
      viewer,
    };
  } catch (err) {
    if (err instanceof ApiError) {
      if (err.status === 401) redirect(303, `/?next=${encodeURIComponent(url.pathname + url.search)}`);
      error(err.status >= 400 ? err.status : 503, { message: err.message, code: err.code });
    }
    throw err;
  }
};
