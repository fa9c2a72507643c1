import type { ErrorCode } from '@motcua/contract';
import { createDb, createDeskKey, type Database, revokeDeskKey } from '@motcua/db';
import { createTestTree, openTestDb, type TestDb } from '@motcua/test-helpers/db';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IngestEnv } from '../env.ts';
import { onError } from '../errors.ts';
import { DeskKeyCache } from '../key-cache.ts';
import { bearerToken, deskKeyAuth } from './desk-key.ts';
import { requestId } from './request-id.ts';

/** Opening and migrating an in-memory PGlite takes seconds; the unit project's default is 10 s. */
const PGLITE_TIMEOUT = 60_000;
const RETRY_AFTER = 7;
/** Nothing listens on port 1: connecting is refused at once (ECONNREFUSED). */
const UNREACHABLE_PG = 'postgres://motcua@127.0.0.1:1/motcua';

/** A tiny app: request ids, the desk key check, the one error handler and a route that shows `deskKey`. */
function app(keys: DeskKeyCache, onUse?: (prefix: string) => void) {
  const a = new Hono<IngestEnv>();
  a.use(requestId());
  a.use('/v1/*', deskKeyAuth(keys, RETRY_AFTER, onUse));
  a.get('/v1/who', (c) => c.json(c.get('deskKey')));
  a.onError(onError);
  return a;
}

async function ask(keys: DeskKeyCache, authorization?: string) {
  const headers: Record<string, string> = { 'X-Request-Id': 'desk-42.req_7' };
  if (authorization !== undefined) headers.Authorization = authorization;
  const res = await app(keys).request('/v1/who', { headers });
  return { res, body: (await res.json()) as Record<string, unknown> };
}

function expectError(body: Record<string, unknown>, code: ErrorCode, message: string) {
  expect(body).toEqual({ error: { code, message, requestId: 'desk-42.req_7' } });
}

let t: TestDb;
let db: Database;
let keys: DeskKeyCache;
let commune: string;

beforeAll(async () => {
  t = await openTestDb('pglite');
  db = t.db;
  const tree = await createTestTree(db, { city: '92', districts: 1, communesPerDistrict: 1 });
  commune = tree.communes[0];
  keys = new DeskKeyCache(db);
}, PGLITE_TIMEOUT);

afterAll(async () => {
  await keys?.close();
  await t?.drop();
});

describe('deskKeyAuth middleware', () => {
  it.each([
    ['no Authorization header', undefined],
    ['an empty header', ''],
    ['another scheme', 'Basic bWNrOng='],
    ['Bearer without a key', 'Bearer '],
    ['two words after Bearer', 'Bearer mck_a mck_b'],
  ])('answers %s with 401 and the envelope', async (_name, header) => {
    const { res, body } = await ask(keys, header);
    expect(res.status).toBe(401);
    expectError(body, 'unauthorized', 'Authorization: expected "Bearer <desk key>"');
  });

  it('answers an unknown key with 401', async () => {
    for (const key of ['mck_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', 'not-a-desk-key']) {
      const { res, body } = await ask(keys, `Bearer ${key}`);
      expect(res.status).toBe(401);
      expectError(body, 'unauthorized', 'Authorization: unknown desk key');
    }
  });

  it('answers a key whose secret does not match with 401', async () => {
    const { key } = await createDeskKey(db, { unit: commune, label: 'wrong secret' });
    const last = key.at(-1) === 'A' ? 'B' : 'A';
    const { res, body } = await ask(keys, `Bearer ${key.slice(0, -1)}${last}`);
    expect(res.status).toBe(401);
    expectError(body, 'unauthorized', 'Authorization: unknown desk key');
  });

  it('sets deskKey for a valid key and lets the request through (any case of Bearer)', async () => {
    const { key, prefix } = await createDeskKey(db, { unit: commune, label: 'desk Q01', desk: 'Q01' });
    for (const header of [`Bearer ${key}`, `bearer  ${key} `]) {
      const { res, body } = await ask(keys, header);
      expect(res.status).toBe(200);
      expect(res.headers.get('x-request-id')).toBe('desk-42.req_7');
      expect(body).toEqual({ prefix, unitCode: commune, deskCode: 'Q01' });
    }
    const unitKey = await createDeskKey(db, { unit: commune, label: 'whole commune' });
    const { body } = await ask(keys, `Bearer ${unitKey.key}`);
    expect(body).toEqual({ prefix: unitKey.prefix, unitCode: commune, deskCode: null });
  });

  it('answers a revoked key with 403, even right after it was let through', async () => {
    const { key, prefix } = await createDeskKey(db, { unit: commune, label: 'to revoke' });
    expect((await ask(keys, `Bearer ${key}`)).res.status).toBe(200);
    expect(await revokeDeskKey(db, prefix)).toBe(1);
    const { res, body } = await ask(keys, `Bearer ${key}`);
    expect(res.status).toBe(403);
    expectError(body, 'forbidden', 'Authorization: this key was revoked');
  });

  it('answers 503 with Retry-After when the database refuses connections', async () => {
    const down = await createDb({ url: UNREACHABLE_PG, max: 1 });
    const downKeys = new DeskKeyCache(down);
    try {
      const { res, body } = await ask(downKeys, 'Bearer mck_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA');
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe(String(RETRY_AFTER));
      expectError(body, 'unavailable', 'database unavailable');
    } finally {
      await downKeys.close();
      await down.close();
    }
  });

  it('answers 503 for a connection error code from the key check, 500 without details for any other error', async () => {
    const failing = (err: Error) => ({ verify: () => Promise.reject(err) }) as unknown as DeskKeyCache;
    const refused = Object.assign(new Error('connect ECONNREFUSED 10.0.0.5:5432'), { code: 'ECONNREFUSED' });
    const down = await ask(failing(refused), 'Bearer mck_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA');
    expect(down.res.status).toBe(503);
    expect(down.res.headers.get('retry-after')).toBe(String(RETRY_AFTER));
    expectError(down.body, 'unavailable', 'database unavailable');

    const other = await ask(
      failing(new Error('column "hash" does not exist')),
      'Bearer mck_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
    );
    expect(other.res.status).toBe(500);
    expect(other.res.headers.get('retry-after')).toBeNull();
    expectError(other.body, 'internal', 'internal error');
  });
});

describe('last use of a key', () => {
  it('is reported for each authenticated request, and never for a refused one', async () => {
    const used: string[] = [];
    const { key, prefix } = await createDeskKey(db, { unit: commune, label: 'use' });
    const call = (authorization: string) =>
      app(keys, (p) => used.push(p)).request('/v1/who', { headers: { Authorization: authorization } });
    expect((await call(`Bearer ${key}`)).status).toBe(200);
    expect((await call(`Bearer ${key}`)).status).toBe(200);
    expect((await call('Bearer mck_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA')).status).toBe(401);
    await revokeDeskKey(db, prefix);
    expect((await call(`Bearer ${key}`)).status).toBe(403);
    expect(used).toEqual([prefix, prefix]);
  });
});

describe('bearerToken', () => {
  it('reads the token of a Bearer header and nothing else', () => {
    expect(bearerToken('Bearer mck_x')).toBe('mck_x');
    expect(bearerToken('bearer   mck_x  ')).toBe('mck_x');
    expect(bearerToken(undefined)).toBeNull();
    expect(bearerToken('Bearer')).toBeNull();
    expect(bearerToken('Token mck_x')).toBeNull();
    expect(bearerToken('Bearer a b')).toBeNull();
  });
});
