/** Typed reads of the dashboard's own HTTP API (same origin, session cookie). */

import type {
  Heatmap,
  OverdueList,
  RatingList,
  Scorecard,
  ScorecardLeague,
  Series,
  Snapshot,
  UnitInfo,
} from '@motcua/contract';
import { isErrorEnvelope } from '@motcua/contract/errors';
import { isDailyWindow, type LiveWindow } from '../live.svelte.ts';

/** An error answer of the API: `{ error: { code, message, requestId } }` with its status. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly requestId: string | null = null,
  ) {
    super(message);
  }
}

type Fetch = typeof fetch;

/** `/api/v1/units/{code}/…`: unit codes and desk codes (`09784/Q01`) go into the path verbatim. */
export function unitPath(code: string, rest: string): string {
  return `/api/v1/units/${code.split('/').map(encodeURIComponent).join('/')}/${rest}`;
}

async function getJson<T>(fetchFn: Fetch, url: string): Promise<T> {
  let res: Response;
  try {
    res = await fetchFn(url, { headers: { accept: 'application/json' } });
  } catch (err) {
    throw new ApiError(0, 'network', (err as Error).message);
  }
  if (!res.ok) {
    const body: unknown = await res.json().catch(() => null);
    if (isErrorEnvelope(body)) {
      throw new ApiError(res.status, body.error.code, body.error.message, body.error.requestId);
    }
    // Not our envelope (a proxy's page, say): keep the status text.
    throw new ApiError(res.status, 'http', res.statusText);
  }
  return (await res.json()) as T;
}

/** The series step that draws a window: 15-minute steps of today for short windows, days for long ones. */
export function trendQuery(window: LiveWindow): { window: LiveWindow; step: '15m' | '1d' } {
  return isDailyWindow(window) ? { window, step: '1d' } : { window: 'today', step: '15m' };
}

export const api = {
  info: (f: Fetch, code: string) => getJson<UnitInfo>(f, unitPath(code, 'info')),
  metrics: (f: Fetch, code: string, window: LiveWindow) =>
    getJson<Snapshot>(f, unitPath(code, `metrics?window=${window}`)),
  trend: (f: Fetch, code: string, window: LiveWindow) => {
    const q = trendQuery(window);
    return getJson<Series>(f, unitPath(code, `series?window=${q.window}&step=${q.step}`));
  },
  heatmap: (f: Fetch, code: string) => getJson<Heatmap>(f, unitPath(code, 'heatmap?window=30d')),
  overdue: (f: Fetch, code: string, limit = 50) =>
    getJson<OverdueList>(f, unitPath(code, `overdue?limit=${limit}`)),
  ratings: (f: Fetch, code: string) => getJson<RatingList>(f, unitPath(code, 'ratings')),
  exportUrl: (code: string, window: LiveWindow) => unitPath(code, `export.csv?window=${window}`),
  reportUrl: (code: string, window: LiveWindow, ext: 'xlsx' | 'pdf') =>
    unitPath(code, `report.${ext}?window=${window}`),
  scorecard: (f: Fetch, code: string, window: LiveWindow) =>
    getJson<Scorecard>(f, unitPath(code, `scorecard?window=${window}`)),
  league: (f: Fetch, code: string, window: LiveWindow) =>
    getJson<ScorecardLeague>(f, unitPath(code, `scorecard/league?window=${window}`)),
  scorecardCsvUrl: (code: string, window: LiveWindow) => unitPath(code, `scorecard.csv?window=${window}`),
};

/** `p`'s value, or null if it fails (for the secondary panels of a page, which can be retried). */
export async function orNull<T>(p: Promise<T>): Promise<T | null> {
  try {
    return await p;
  } catch {
    return null;
  }
}
