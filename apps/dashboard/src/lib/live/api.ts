/** Typed reads of the dashboard's own HTTP API (same origin, session cookie). */

import type {
  Annotation,
  AnnotationInput,
  AnnotationList,
  Comparison,
  DossierList,
  DossierListKind,
  Heatmap,
  MonthlyTrend,
  OverdueList,
  ProcedureList,
  RatingList,
  Scorecard,
  ScorecardLeague,
  Series,
  Snapshot,
  SnapshotWindow,
  TargetInput,
  UnitInfo,
  UnitTargets,
} from '@motcua/contract';
import { isErrorEnvelope } from '@motcua/contract/errors';
import { previousWindow, windowToJson } from '@motcua/metrics';
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
  compare: (f: Fetch, code: string, window: LiveWindow) =>
    getJson<Comparison>(f, unitPath(code, `compare?window=${window}`)),
  /** The snapshot over a window as the API wrote it (a period by its label, else from/to). */
  metricsOver: (f: Fetch, code: string, w: SnapshotWindow) =>
    getJson<Snapshot>(
      f,
      unitPath(
        code,
        w.period !== undefined
          ? `metrics?window=${w.period}`
          : `metrics?from=${encodeURIComponent(w.from)}&to=${encodeURIComponent(w.to)}`,
      ),
    ),
  months: (f: Fetch, code: string, count = 12) =>
    getJson<MonthlyTrend>(f, unitPath(code, `months?count=${count}`)),
  procedures: (f: Fetch, code: string, window: LiveWindow) =>
    getJson<ProcedureList>(f, unitPath(code, `procedures?window=${window}`)),
  dossiers: (
    f: Fetch,
    code: string,
    q: { window: LiveWindow; kind: DossierListKind; procedure: string | null; offset: number; limit: number },
  ) =>
    getJson<DossierList>(
      f,
      unitPath(
        code,
        `dossiers?window=${q.window}&kind=${q.kind}&offset=${q.offset}&limit=${q.limit}${q.procedure === null ? '' : `&procedure=${encodeURIComponent(q.procedure)}`}`,
      ),
    ),
  targets: (f: Fetch, code: string) => getJson<UnitTargets>(f, unitPath(code, 'targets')),
  annotations: (f: Fetch, code: string) => getJson<AnnotationList>(f, unitPath(code, 'annotations')),
  setTarget: (code: string, input: TargetInput) =>
    sendJson<UnitTargets>('PUT', unitPath(code, 'targets'), input),
  addNote: (code: string, input: AnnotationInput) =>
    sendJson<Annotation>('POST', unitPath(code, 'annotations'), input),
  editNote: (code: string, id: number, input: AnnotationInput) =>
    sendJson<Annotation>('PATCH', unitPath(code, `annotations/${id}`), input),
  deleteNote: (code: string, id: number) => sendJson<null>('DELETE', unitPath(code, `annotations/${id}`)),
};

/** A JSON write with the session cookie (the browser adds the Origin the server checks). */
async function sendJson<T>(method: string, url: string, body?: unknown): Promise<T> {
  let res: Response;
  try {
    res = await fetch(url, {
      method,
      headers: {
        accept: 'application/json',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (err) {
    throw new ApiError(0, 'network', (err as Error).message);
  }
  if (!res.ok) {
    const answer: unknown = await res.json().catch(() => null);
    if (isErrorEnvelope(answer)) throw new ApiError(res.status, answer.error.code, answer.error.message);
    throw new ApiError(res.status, 'http', res.statusText);
  }
  return (res.status === 204 ? null : await res.json()) as T;
}

/** The JSON form of the closed window a snapshot is compared against (see `previousWindow`). */
export function previousOf(w: SnapshotWindow): SnapshotWindow {
  const prev = previousWindow({
    name: w.name,
    period: w.period,
    from: Date.parse(w.from),
    to: Date.parse(w.to),
  });
  return windowToJson(prev);
}

/** `p`'s value, or null if it fails (for the secondary panels of a page, which can be retried). */
export async function orNull<T>(p: Promise<T>): Promise<T | null> {
  try {
    return await p;
  } catch {
    return null;
  }
}
