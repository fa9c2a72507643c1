import { ApiError, type Snapshot } from '@motcua/contract';
import {
  createViewer,
  type Database,
  readSnapshot,
  readUnitTree,
  type UnitTree,
  type Viewer,
  verifyViewerToken,
} from '@motcua/db';
import { makeWorkCalendar, VN_CALENDAR } from '@motcua/metrics';
import { createTestTree, openTestDb, type TestDb } from '@motcua/test-helpers/db';
import { json, type RequestEvent } from '@sveltejs/kit';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { type ReadContext, withReadContext } from './api.ts';
import { setRuntime } from './runtime.ts';

/** Opening and migrating an in-memory PGlite takes seconds. */
const PGLITE_TIMEOUT = 60_000;
const REQUEST_ID = 'desk-42.req_7';

let t: TestDb;
let db: Database;
let tree: UnitTree;
let cityViewer: Viewer;
let districtViewer: Viewer;

async function viewer(role: 'city' | 'district', unit: string): Promise<Viewer> {
  const { token } = await createViewer(db, { role, unit, label: `api test ${unit}` });
  return (await verifyViewerToken(db, token)) as Viewer;
}

/** The runtime the dashboard's server hands the SvelteKit code, here over the test's own database. */
function useDb(database: Database) {
  setRuntime({
    db: database,
    tree,
    cookies: { secure: false },
    frameAncestors: "'none'",
    calendar: makeWorkCalendar(VN_CALENDAR),
    reports: { chromiumPath: '/usr/bin/chromium', pdfAvailable: () => true, selfUrl: '', digests: false },
  });
}

beforeAll(async () => {
  t = await openTestDb('pglite');
  db = t.db;
  // City 93, districts 930 and 931, communes 93000, 93001, 93100, 93101.
  await createTestTree(db, { city: '93', districts: 2, communesPerDistrict: 2 });
  tree = await readUnitTree(db);
  cityViewer = await viewer('city', '93');
  districtViewer = await viewer('district', '930');
}, PGLITE_TIMEOUT);

afterEach(() => {
  setRuntime(undefined);
  vi.restoreAllMocks();
});

afterAll(async () => {
  await t?.drop();
});

/** The parts of a SvelteKit RequestEvent that withReadContext reads. */
function event(viewer: Viewer | null, code: string, query = ''): RequestEvent {
  return {
    locals: { viewer, revoked: false, requestId: REQUEST_ID, lang: 'vi' },
    params: { code },
    url: new URL(`http://127.0.0.1/api/v1/units/${code}/metrics${query}`),
  } as unknown as RequestEvent;
}

/** What the metrics route does: the snapshot over the requested window. */
const snapshotHandler = async ({ runtime, code, asOf, window }: ReadContext) =>
  json(await readSnapshot(runtime.db, runtime.tree, code, window(), asOf));

async function call(ev: RequestEvent, handle: (ctx: ReadContext) => Promise<Response> = snapshotHandler) {
  const res = await withReadContext(ev, handle);
  return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, unknown> };
}

const envelope = (code: string, message: string) => ({ error: { code, message, requestId: REQUEST_ID } });

describe('withReadContext', () => {
  it('hands the handler the runtime, the viewer, the unit and the window it asked for', async () => {
    useDb(db);
    const seen: Omit<ReadContext, 'runtime' | 'window'>[] = [];
    const res = await call(event(districtViewer, '93001', '?window=7d'), async (ctx) => {
      seen.push({ viewer: ctx.viewer, unit: ctx.unit, code: ctx.code, asOf: ctx.asOf });
      return snapshotHandler(ctx);
    });
    expect(res.status).toBe(200);
    const snapshot = res.body as unknown as Snapshot;
    expect(snapshot.unit.code).toBe('93001');
    expect(snapshot.window.name).toBe('7d');
    expect(seen[0].viewer).toBe(districtViewer);
    expect(seen[0].code).toBe('93001');
    expect(seen[0].unit).toMatchObject({ code: '93001', level: 'commune' });
    expect(Math.abs(seen[0].asOf - Date.now())).toBeLessThan(5_000);
  });

  it('answers 401 without a viewer, before looking at the unit', async () => {
    useDb(db);
    for (const code of ['930', '999']) {
      const res = await call(event(null, code));
      expect(res.status).toBe(401);
      expect(res.body).toEqual(
        envelope('unauthorized', 'Authorization: a viewer token or a session is required'),
      );
    }
  });

  it('answers 404 for an unknown unit, before the scope check', async () => {
    useDb(db);
    for (const code of ['999', '', '93/x']) {
      const res = await call(event(districtViewer, code));
      expect(res.status).toBe(404);
      expect(res.body).toEqual(envelope('not_found', `unit ${code}: unknown`));
    }
  });

  it("answers 403 for a unit outside the viewer's subtree", async () => {
    useDb(db);
    for (const code of ['931', '93100', '93']) {
      const res = await call(event(districtViewer, code));
      expect(res.status).toBe(403);
      expect(res.body).toEqual(envelope('forbidden', `unit ${code}: outside your unit`));
    }
    // The city's viewer reads all of it; the district's its own district and its communes.
    expect((await call(event(cityViewer, '931'))).status).toBe(200);
    expect((await call(event(districtViewer, '930'))).status).toBe(200);
    expect((await call(event(districtViewer, '93000'))).status).toBe(200);
  });

  it('answers 400 for a bad window, only when the handler asks for the window', async () => {
    useDb(db);
    const cases: [string, string][] = [
      [
        '?window=yesterday',
        'window: window must be one of 1h, today, 7d, 30d, week, month, quarter, year, a period (2026-W44, 2026-10, 2026-Q3, 2026) or custom',
      ],
      ['?from=2026-01-01T00:00:00%2B07:00', 'to: to is required with from'],
      [
        '?window=7d&from=2026-01-01T00:00:00%2B07:00&to=2026-01-02T00:00:00%2B07:00',
        'window: give either window or from/to, not both',
      ],
      [
        '?from=yesterday&to=2026-01-02T00:00:00%2B07:00',
        'from: from must be an RFC 3339 date-time with offset',
      ],
    ];
    for (const [query, message] of cases) {
      const res = await call(event(districtViewer, '930', query));
      expect(res.status).toBe(400);
      expect(res.body).toEqual(envelope('bad_request', message));
    }
    const ignoresWindow = async () => json({ ok: true });
    expect((await call(event(districtViewer, '930', '?window=yesterday'), ignoresWindow)).status).toBe(200);
  });

  it('answers 503 when the database cannot be reached', async () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    useDb({ ...db, query: () => Promise.reject(refused) } as Database);
    const res = await call(event(districtViewer, '930'));
    expect(res.status).toBe(503);
    expect(res.body).toEqual(envelope('unavailable', 'the database did not answer; try again shortly'));
  });

  it("keeps a handler's own ApiError, and answers anything else 500 with the envelope and no details", async () => {
    useDb(db);
    const gone = await call(event(districtViewer, '930'), async () => {
      throw new ApiError('not_found', 'unit 930: unknown');
    });
    expect(gone.status).toBe(404);
    expect(gone.body).toEqual(envelope('not_found', 'unit 930: unknown'));

    const logged = vi.spyOn(console, 'error').mockImplementation(() => {});
    const res = await call(event(districtViewer, '930'), async () => {
      throw new Error('relation "rollup_minute" does not exist');
    });
    expect(res.status).toBe(500);
    expect(res.body).toEqual(envelope('internal', 'internal error'));
    expect(logged).toHaveBeenCalledOnce();
    expect(JSON.parse(String(logged.mock.calls[0][0]))).toMatchObject({
      level: 'error',
      requestId: REQUEST_ID,
    });
  });

  it('answers 500 when the dashboard runtime was never set', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => {});
    const res = await call(event(districtViewer, '930'));
    expect(res.status).toBe(500);
    expect(res.body).toEqual(envelope('internal', 'internal error'));
  });
});
