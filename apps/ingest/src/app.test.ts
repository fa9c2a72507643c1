import { gzipSync } from 'node:zlib';
import type { EventsReport } from '@motcua/contract';
import { createDb, createDeskKey, type Database, GroupCommitWriter, revokeDeskKey } from '@motcua/db';
import { createLogger } from '@motcua/service';
import { createTestTree, openTestDb, type TestDb, type TestTree } from '@motcua/test-helpers/db';
import { dossierEvent, rating, received } from '@motcua/test-helpers/events';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from './app.ts';
import type { IngestDeps } from './env.ts';
import { RateLimiter } from './rate-limit.ts';

const BATCH = 'application/cloudevents-batch+json';
const STRUCTURED = 'application/cloudevents+json';
const RETRY_AFTER = 3;
/** Nothing listens on port 1: connecting is refused at once. */
const UNREACHABLE_PG = 'postgres://motcua@127.0.0.1:1/motcua';

/** Opening and migrating an in-memory PGlite takes seconds; the unit project's default is 10 s. */
const PGLITE_TIMEOUT = 60_000;

type App = ReturnType<typeof createApp>;
type Json = Record<string, unknown>;

function depsFor(db: Database, overrides: Partial<IngestDeps> = {}): IngestDeps {
  return {
    db,
    writer: new GroupCommitWriter(db),
    limiter: new RateLimiter(0, 1000),
    log: createLogger('silent'),
    retryAfterSeconds: RETRY_AFTER,
    ...overrides,
  };
}

async function send(
  app: App,
  key: string | null,
  body: string | Uint8Array,
  contentType: string | null = BATCH,
  extra: Record<string, string> = {},
) {
  const headers: Record<string, string> = { ...extra };
  if (contentType) headers['content-type'] = contentType;
  if (key) headers.authorization = `Bearer ${key}`;
  const res = await app.request('/v1/events', { method: 'POST', headers, body });
  return { status: res.status, headers: res.headers, body: (await res.json()) as Json };
}

const postBatch = (app: App, key: string | null, events: unknown[]) => send(app, key, JSON.stringify(events));
const postOne = (app: App, key: string | null, event: unknown) =>
  send(app, key, JSON.stringify(event), STRUCTURED);

/** The `{ error }` body every error has, with the request id of the response header. */
function expectErrorBody(res: Awaited<ReturnType<typeof send>>, code: string, message: string | RegExp) {
  const requestId = res.headers.get('x-request-id');
  expect(requestId).toBeTruthy();
  expect(res.body).toEqual({
    error: {
      code,
      message: typeof message === 'string' ? message : expect.stringMatching(message),
      requestId,
    },
  });
}

describe('createApp over PGlite', () => {
  let t: TestDb;
  let tree: TestTree;
  let app: App;
  let nextUnit = 0;

  /** A commune of the test tree no other test uses. */
  const ownUnit = () => {
    const unit = tree.communes[nextUnit++];
    if (!unit) throw new Error('the test tree has run out of communes: make it bigger');
    return unit;
  };
  const key = async (unit: string, desk?: string) =>
    (await createDeskKey(t.db, { unit, label: 'test', desk })).key;
  const storedIds = async (unit: string) =>
    (
      await t.db.query<{ id: string }>(
        sql`select id from events where unit_code = ${unit} order by stored_at, id`,
      )
    ).map((r) => r.id);

  beforeAll(async () => {
    t = await openTestDb('pglite');
    tree = await createTestTree(t.db, { districts: 4, communesPerDistrict: 10 });
    app = createApp(depsFor(t.db));
  }, PGLITE_TIMEOUT);
  afterAll(async () => {
    await t.drop();
  });

  describe('health', () => {
    it('answers /healthz with a request id', async () => {
      const res = await app.request('/healthz');
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ status: 'ok' });
      expect(res.headers.get('x-request-id')).toMatch(
        /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
      );
    });

    it('echoes a well-formed X-Request-Id and replaces a bad one', async () => {
      const echoed = await app.request('/healthz', { headers: { 'x-request-id': 'desk-42.req_7' } });
      expect(echoed.headers.get('x-request-id')).toBe('desk-42.req_7');
      const replaced = await app.request('/healthz', { headers: { 'x-request-id': 'two words<script>' } });
      expect(replaced.headers.get('x-request-id')).not.toBe('two words<script>');
      expect(replaced.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    });

    it('answers /readyz when the database answers', async () => {
      const res = await app.request('/readyz');
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ status: 'ready' });
    });

    it('answers an unknown endpoint with 404 in the error shape', async () => {
      const res = await app.request('/nope');
      expect(res.status).toBe(404);
      expect(await res.json()).toEqual({
        error: {
          code: 'not_found',
          message: 'GET /nope: no such endpoint',
          requestId: res.headers.get('x-request-id'),
        },
      });
    });
  });

  describe('authentication', () => {
    it('refuses a request without a key with 401', async () => {
      const unit = ownUnit();
      const res = await postBatch(app, null, [rating(unit, 'satisfied')]);
      expect(res.status).toBe(401);
      expectErrorBody(res, 'unauthorized', 'Authorization: expected "Bearer <desk key>"');
      expect(await storedIds(unit)).toEqual([]);
    });

    it('refuses another scheme with 401', async () => {
      const unit = ownUnit();
      const k = await key(unit);
      const res = await send(app, null, JSON.stringify([rating(unit, 'satisfied')]), BATCH, {
        authorization: `Basic ${k}`,
      });
      expect(res.status).toBe(401);
      expectErrorBody(res, 'unauthorized', 'Authorization: expected "Bearer <desk key>"');
    });

    it('refuses an unknown key and a key with a wrong secret with 401', async () => {
      const unit = ownUnit();
      const real = await key(unit);
      const wrongSecret = `${real.slice(0, -4)}${real.endsWith('AAAA') ? 'BBBB' : 'AAAA'}`;
      for (const k of ['mck_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', wrongSecret, 'not-a-desk-key']) {
        const res = await postBatch(app, k, [rating(unit, 'satisfied')]);
        expect(res.status).toBe(401);
        expectErrorBody(res, 'unauthorized', 'Authorization: unknown desk key');
      }
      expect(await storedIds(unit)).toEqual([]);
    });

    it('tells a key its unit and desk on /v1/whoami', async () => {
      const unit = ownUnit();
      const whole = await createDeskKey(t.db, { unit, label: 'unit' });
      const desk = await createDeskKey(t.db, { unit, label: 'desk', desk: 'Q01' });
      const a = await app.request('/v1/whoami', { headers: { authorization: `Bearer ${whole.key}` } });
      expect(a.status).toBe(200);
      expect(await a.json()).toEqual({ unit, desk: null, prefix: whole.prefix });
      const b = await app.request('/v1/whoami', { headers: { authorization: `bearer  ${desk.key}` } });
      expect(await b.json()).toEqual({ unit, desk: 'Q01', prefix: desk.prefix });
      expect((await app.request('/v1/whoami')).status).toBe(401);
    });

    it('refuses a revoked key with 403 from the next request on', async () => {
      const unit = ownUnit();
      const { key: k, prefix } = await createDeskKey(t.db, { unit, label: 'revoked' });
      const before = rating(unit, 'satisfied');
      expect((await postBatch(app, k, [before])).status).toBe(200);

      expect(await revokeDeskKey(t.db, prefix)).toBe(1);
      const res = await postBatch(app, k, [rating(unit, 'satisfied')]);
      expect(res.status).toBe(403);
      expectErrorBody(res, 'forbidden', 'Authorization: this key was revoked');
      const whoami = await app.request('/v1/whoami', { headers: { authorization: `Bearer ${k}` } });
      expect(whoami.status).toBe(403);
      expect(await storedIds(unit)).toEqual([before.id]);
    });
  });

  describe('sources', () => {
    it('refuses a single structured event outside the unit with 403 forbidden_source', async () => {
      const unit = ownUnit();
      const other = ownUnit();
      const res = await postOne(app, await key(unit), rating(other, 'satisfied'));
      expect(res.status).toBe(403);
      expectErrorBody(res, 'forbidden_source', `source: outside this key's unit ${unit}`);
      expect(await storedIds(other)).toEqual([]);
    });

    it('refuses a single binary event outside the unit with 403 forbidden_source', async () => {
      const unit = ownUnit();
      const other = ownUnit();
      const e = rating(other, 'satisfied');
      const res = await send(app, await key(unit), JSON.stringify(e.data), 'application/json', {
        'ce-specversion': '1.0',
        'ce-id': e.id,
        'ce-source': e.source,
        'ce-type': e.type,
        'ce-time': e.time,
      });
      expect(res.status).toBe(403);
      expectErrorBody(res, 'forbidden_source', `source: outside this key's unit ${unit}`);
      expect(await storedIds(other)).toEqual([]);
    });

    it('rejects only the outside events of a batch, with forbidden_source', async () => {
      const unit = ownUnit();
      const other = ownUnit();
      const inside = rating(unit, 'satisfied');
      const outside = rating(other, 'unsatisfied');
      const res = await postBatch(app, await key(unit), [inside, outside]);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        accepted: 1,
        duplicates: 0,
        rejected: 1,
        results: [
          { index: 0, id: inside.id, status: 'accepted' },
          {
            index: 1,
            id: outside.id,
            status: 'rejected',
            error: { code: 'forbidden_source', message: `source: outside this key's unit ${unit}` },
          },
        ],
      });
      expect(await storedIds(unit)).toEqual([inside.id]);
      expect(await storedIds(other)).toEqual([]);
    });

    it('answers 400 with the forbidden_source code when every event of a batch is outside the unit', async () => {
      const unit = ownUnit();
      const other = ownUnit();
      const events = [rating(other, 'satisfied'), rating(other, 'unsatisfied')];
      const res = await postBatch(app, await key(unit), events);
      expect(res.status).toBe(400);
      const message = `source: outside this key's unit ${unit}`;
      expect(res.body).toEqual({
        accepted: 0,
        duplicates: 0,
        rejected: 2,
        results: events.map((e, index) => ({
          index,
          id: e.id,
          status: 'rejected',
          error: { code: 'forbidden_source', message },
        })),
        error: { code: 'forbidden_source', message, requestId: res.headers.get('x-request-id') },
      });
    });

    it('holds a desk-limited key to its desk', async () => {
      const unit = ownUnit();
      const k = await key(unit, 'Q01');
      const single = await postOne(app, k, rating(unit, 'satisfied', { desk: 'Q02' }));
      expect(single.status).toBe(403);
      expectErrorBody(single, 'forbidden_source', `source: outside this key's desk ${unit}/Q01`);

      const mine = rating(unit, 'satisfied', { desk: 'Q01' });
      const theirs = rating(unit, 'satisfied', { desk: 'Q02' });
      const batch = await postBatch(app, k, [mine, theirs]);
      expect(batch.status).toBe(200);
      expect((batch.body as unknown as EventsReport).results).toEqual([
        { index: 0, id: mine.id, status: 'accepted' },
        {
          index: 1,
          id: theirs.id,
          status: 'rejected',
          error: { code: 'forbidden_source', message: `source: outside this key's desk ${unit}/Q01` },
        },
      ]);
      expect(await storedIds(unit)).toEqual([mine.id]);
    });
  });

  describe('request errors', () => {
    it('answers another content type with 415', async () => {
      const unit = ownUnit();
      const res = await send(app, await key(unit), JSON.stringify(rating(unit, 'satisfied')), 'text/plain');
      expect(res.status).toBe(415);
      expectErrorBody(res, 'unsupported_media_type', /^Content-Type: text\/plain is not accepted/);
    });

    it('answers a body over 1 MiB with 413', async () => {
      const unit = ownUnit();
      const body = `[${JSON.stringify(rating(unit, 'satisfied'))}${' '.repeat(1024 * 1024)}]`;
      const res = await send(app, await key(unit), body);
      expect(res.status).toBe(413);
      expectErrorBody(res, 'too_large', /^body: larger than 1048576 bytes/);
      expect(await storedIds(unit)).toEqual([]);
    });

    it('answers more than 1,000 events with 413 and stores none', async () => {
      const unit = ownUnit();
      const events = Array.from({ length: 1001 }, () => rating(unit, 'satisfied'));
      const res = await postBatch(app, await key(unit), events);
      expect(res.status).toBe(413);
      expectErrorBody(res, 'too_large', 'body: 1001 events; at most 1000 per request');
      expect(await storedIds(unit)).toEqual([]);
    });

    it('answers an unparseable body with 400 malformed in the error shape', async () => {
      const unit = ownUnit();
      const res = await send(app, await key(unit), '[{"specversion":"1.0",');
      expect(res.status).toBe(400);
      expectErrorBody(res, 'malformed', /^body: not valid JSON/);
    });

    it('answers 400 with the report when every event is rejected', async () => {
      const unit = ownUnit();
      const bad = rating(unit, 'happy');
      const noCode = dossierEvent(unit, 'resolved', '');
      const res = await postBatch(app, await key(unit), [bad, noCode]);
      expect(res.status).toBe(400);
      expect(res.body).toEqual({
        accepted: 0,
        duplicates: 0,
        rejected: 2,
        results: [
          {
            index: 0,
            id: bad.id,
            status: 'rejected',
            error: {
              code: 'invalid_event',
              message: 'data.level: expected one of very_satisfied, satisfied, unsatisfied',
            },
          },
          {
            index: 1,
            id: noCode.id,
            status: 'rejected',
            error: { code: 'invalid_event', message: 'data.dossierCode: must not be empty' },
          },
        ],
        error: {
          code: 'invalid_event',
          message: 'data.level: expected one of very_satisfied, satisfied, unsatisfied',
          requestId: res.headers.get('x-request-id'),
        },
      });
      expect(await storedIds(unit)).toEqual([]);
    });

    it('answers a single invalid structured event with 400 and its report', async () => {
      const unit = ownUnit();
      const e = { ...rating(unit, 'satisfied'), time: '2026-03-01T08:00:00' };
      const res = await postOne(app, await key(unit), e);
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({
        accepted: 0,
        rejected: 1,
        results: [{ index: 0, id: e.id, status: 'rejected', error: { code: 'invalid_event' } }],
        error: { code: 'invalid_event', message: 'time: expected an RFC 3339 timestamp with offset' },
      });
    });
  });

  describe('reports', () => {
    it('answers 200 with accepted, duplicate and rejected events in order', async () => {
      const unit = ownUnit();
      const k = await key(unit);
      const earlier = received(unit, 'HS-1', Date.now() + 86_400_000);
      expect((await postOne(app, k, earlier)).body).toEqual({
        accepted: 1,
        duplicates: 0,
        rejected: 0,
        results: [{ index: 0, id: earlier.id, status: 'accepted' }],
      });

      const a = rating(unit, 'very_satisfied');
      const bad = { ...rating(unit, 'satisfied'), source: `/units/${unit}/desks/Q 1` };
      const b = dossierEvent(unit, 'resolved', 'HS-1');
      const res = await postBatch(app, k, [a, earlier, bad, a, b]);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        accepted: 2,
        duplicates: 2,
        rejected: 1,
        results: [
          { index: 0, id: a.id, status: 'accepted' },
          { index: 1, id: earlier.id, status: 'duplicate' },
          {
            index: 2,
            id: bad.id,
            status: 'rejected',
            error: {
              code: 'invalid_event',
              message: 'source: expected /units/{5-digit unitCode}/desks/{deskCode}',
            },
          },
          { index: 3, id: a.id, status: 'duplicate' },
          { index: 4, id: b.id, status: 'accepted' },
        ],
      });
      expect((await storedIds(unit)).sort()).toEqual([earlier.id, a.id, b.id].sort());
    });

    it('stores a binary-mode event with its data and extensions', async () => {
      const unit = ownUnit();
      const e = rating(unit, 'satisfied', {}, { comment: 'Nhanh gọn' });
      const res = await send(app, await key(unit), JSON.stringify(e.data), 'application/json', {
        'ce-specversion': '1.0',
        'ce-id': e.id,
        'ce-source': encodeURIComponent(e.source),
        'ce-type': e.type,
        'ce-time': e.time,
        'ce-deskseq': '17',
      });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ accepted: 1 });
      const [row] = await t.db.query<{ data: unknown; attributes: unknown }>(
        sql`select data, attributes from events where source = ${e.source} and id = ${e.id}`,
      );
      expect(row).toEqual({
        data: { level: 'satisfied', comment: 'Nhanh gọn' },
        attributes: { deskseq: '17' },
      });
    });

    it('accepts a gzip-compressed batch', async () => {
      const unit = ownUnit();
      const events = [rating(unit, 'satisfied'), rating(unit, 'unsatisfied')];
      const res = await send(app, await key(unit), gzipSync(JSON.stringify(events)), BATCH, {
        'content-encoding': 'gzip',
      });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ accepted: 2 });
      expect((await storedIds(unit)).sort()).toEqual(events.map((e) => e.id).sort());
    });
  });

  describe('failures inside the database', () => {
    it('stores an event of year 0000 at its own time (backfill has no lower bound), with the rest of the batch', async () => {
      // The contract's one answer for year 0000: `0000-01-01T00:00:00Z` is a valid RFC 3339
      // timestamp (full-date is 4DIGIT; proleptic Gregorian, year 0 = 1 BC), and the only bound on
      // an event's time is that it lies at most 5 minutes in the future. So the event is accepted
      // and stored at its own instant, −62,167,219,200,000 ms (Postgres shows 0001-01-01 00:00:00+00
      // BC), and its rating counts in the buckets of that instant. No lower bound, on purpose:
      // a desk may backfill a history of any age.
      const YEAR_0000 = -62_167_219_200_000;
      const unit = ownUnit();
      const good = rating(unit, 'satisfied');
      const ancient = rating(unit, 'satisfied', { time: '0000-01-01T00:00:00Z' });
      const res = await postBatch(app, await key(unit), [good, ancient]);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ accepted: 2, duplicates: 0, rejected: 0 });
      expect((res.body as unknown as EventsReport).results).toEqual([
        { index: 0, id: good.id, status: 'accepted' },
        { index: 1, id: ancient.id, status: 'accepted' },
      ]);
      const stored = await t.db.query<{ id: string; ms: number }>(
        sql`select id, (extract(epoch from time) * 1000)::float8 as ms from events where unit_code = ${unit} order by time`,
      );
      expect(stored).toEqual([
        { id: ancient.id, ms: YEAR_0000 },
        { id: good.id, ms: Date.parse(good.time) },
      ]);
      // Its minute and hour start at that midnight UTC; its local (UTC+7) day began 7 h earlier.
      const buckets = await t.db.query<{ grain: string; start: number; satisfied: number }>(
        sql`select grain, bucket_start::float8 as start, satisfied from rollups
          where unit_code = ${unit} and bucket_start < 0 order by grain`,
      );
      expect(buckets).toEqual([
        { grain: 'd', start: YEAR_0000 - 7 * 3_600_000, satisfied: 1 },
        { grain: 'h', start: YEAR_0000, satisfied: 1 },
        { grain: 'm', start: YEAR_0000, satisfied: 1 },
      ]);
    });

    it('answers 500 without details and never logs a citizen comment when a statement fails', async () => {
      const unit = ownUnit();
      const lines: string[] = [];
      const logged = createApp(depsFor(t.db, { log: createLogger('debug', {}, (l) => lines.push(l)) }));
      const comment = 'Chị Lan ở quầy 2 nói số điện thoại của tôi là 0912 345 678';
      // A constraint that refuses this test's unit makes the insert fail the way a bad statement would.
      const constraint = sql.raw(`refuse_${unit}`);
      await t.db.query(
        sql`alter table events add constraint ${constraint} check (unit_code <> ${sql.raw(`'${unit}'`)}) not valid`,
      );
      try {
        const res = await postBatch(logged, await key(unit), [rating(unit, 'unsatisfied', {}, { comment })]);
        expect(res.status).toBe(500);
        expectErrorBody(res, 'internal', 'internal error');
      } finally {
        await t.db.query(sql`alter table events drop constraint ${constraint}`);
      }
      expect(lines.some((l) => l.includes('"level":"error"'))).toBe(true);
      for (const line of lines) expect(line).not.toContain('0912 345 678');
    });
  });

  describe('rate limit', () => {
    it('answers 429 with Retry-After over the key rate, per key, until tokens come back', async () => {
      let clock = 1_000_000;
      const limited = createApp(depsFor(t.db, { limiter: new RateLimiter(5, 5, () => clock) }));
      const unit = ownUnit();
      const k = await key(unit);
      const first = Array.from({ length: 5 }, () => rating(unit, 'satisfied'));
      expect((await postBatch(limited, k, first)).status).toBe(200);

      const over = rating(unit, 'satisfied');
      const res = await postBatch(limited, k, [over]);
      expect(res.status).toBe(429);
      expect(res.headers.get('retry-after')).toBe('1');
      expectErrorBody(res, 'rate_limited', "over this key's rate; retry in 1 s");

      expect((await postBatch(limited, await key(unit), [rating(unit, 'satisfied')])).status).toBe(200);

      clock += 200;
      expect((await postBatch(limited, k, [over])).status).toBe(200);
      expect(await storedIds(unit)).toHaveLength(7);
    });

    it('asks to wait as long as the missing tokens take', async () => {
      let clock = 0;
      const limited = createApp(depsFor(t.db, { limiter: new RateLimiter(1, 5, () => clock) }));
      const unit = ownUnit();
      const k = await key(unit);
      expect(
        (
          await postBatch(
            limited,
            k,
            [1, 2, 3, 4, 5].map(() => rating(unit, 'satisfied')),
          )
        ).status,
      ).toBe(200);
      clock += 1000;
      const res = await postBatch(
        limited,
        k,
        [1, 2, 3, 4].map(() => rating(unit, 'satisfied')),
      );
      expect(res.status).toBe(429);
      expect(res.headers.get('retry-after')).toBe('3');
    });
  });

  describe('database unavailable', () => {
    describe('with the embedded database closed', () => {
      let down: App;
      let unit: string;
      let k: string;

      beforeAll(async () => {
        const closed = await openTestDb('pglite');
        unit = (await createTestTree(closed.db, { city: '91' })).communes[0];
        k = (await createDeskKey(closed.db, { unit, label: 'test' })).key;
        down = createApp(depsFor(closed.db));
        await closed.drop();
      }, PGLITE_TIMEOUT);

      it('answers /readyz with 503 and Retry-After', async () => {
        const ready = await down.request('/readyz');
        expect(ready.status).toBe(503);
        expect(ready.headers.get('retry-after')).toBe(String(RETRY_AFTER));
        expect(await ready.json()).toEqual({
          error: {
            code: 'unavailable',
            message: 'database unreachable',
            requestId: ready.headers.get('x-request-id'),
          },
        });
      });

      it('answers /v1/events with 503 and Retry-After', async () => {
        const res = await postBatch(down, k, [rating(unit, 'satisfied')]);
        expect(res.status).toBe(503);
        expect(res.headers.get('retry-after')).toBe(String(RETRY_AFTER));
        expectErrorBody(res, 'unavailable', /^database unavailable/);
      });
    });

    it('answers 503 with Retry-After when a Postgres server refuses connections', async () => {
      const pg = await createDb({ url: UNREACHABLE_PG, max: 1 });
      try {
        const down = createApp(depsFor(pg));
        const ready = await down.request('/readyz');
        expect(ready.status).toBe(503);
        expect(ready.headers.get('retry-after')).toBe(String(RETRY_AFTER));

        const res = await postBatch(down, 'mck_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', [
          rating('00004', 'satisfied'),
        ]);
        expect(res.status).toBe(503);
        expect(res.headers.get('retry-after')).toBe(String(RETRY_AFTER));
        expectErrorBody(res, 'unavailable', 'database unavailable');
      } finally {
        await pg.close();
      }
    });

    it('answers 503 and stores nothing when the write cannot reach the database', async () => {
      const pg = await createDb({ url: UNREACHABLE_PG, max: 1 });
      try {
        const writeDown = createApp(depsFor(t.db, { writer: new GroupCommitWriter(pg) }));
        const unit = ownUnit();
        const res = await postBatch(writeDown, await key(unit), [rating(unit, 'satisfied')]);
        expect(res.status).toBe(503);
        expect(res.headers.get('retry-after')).toBe(String(RETRY_AFTER));
        expectErrorBody(res, 'unavailable', 'database unavailable; nothing of this request was stored');
      } finally {
        await pg.close();
      }
    });

    it('answers 503 once the writer is shutting down, storing nothing', async () => {
      const writer = new GroupCommitWriter(t.db);
      const closing = createApp(depsFor(t.db, { writer }));
      await writer.close();
      const unit = ownUnit();
      const res = await postBatch(closing, await key(unit), [rating(unit, 'satisfied')]);
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe(String(RETRY_AFTER));
      expectErrorBody(res, 'unavailable', 'the ingest is shutting down; nothing of this request was stored');
      expect(await storedIds(unit)).toEqual([]);
    });
  });
});
