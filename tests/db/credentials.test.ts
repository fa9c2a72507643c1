import * as crypto from 'node:crypto';
import {
  createDeskKey,
  createSession,
  createViewer,
  GroupCommitWriter,
  hashSecret,
  isRevokedCredential,
  prefixOf,
  revokeViewer,
  secretMatches,
  verifyDeskKey,
  verifyViewerToken,
} from '@motcua/db';
import { createApp, RateLimiter } from '@motcua/ingest';
import { createLogger } from '@motcua/service';
import { createTestTree, DB_KINDS, openTestDb, type TestDb, type TestTree } from '@motcua/test-helpers/db';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';

// The real comparison, watched: every secret check must go through it.
vi.mock('node:crypto', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:crypto')>();
  return { ...real, timingSafeEqual: vi.fn(real.timingSafeEqual) };
});
const timingSafeEqual = vi.mocked(crypto.timingSafeEqual);

describe('secretMatches', () => {
  const secret = 'mck_0123456789abcdefghijklmnopqrstuv';
  const stored = hashSecret(secret);
  beforeEach(() => {
    timingSafeEqual.mockClear();
  });

  it('accepts the secret of the stored hash, in constant time', () => {
    expect(secretMatches(secret, stored)).toBe(true);
    expect(timingSafeEqual).toHaveBeenCalledTimes(1);
    const [a, b] = timingSafeEqual.mock.calls[0] as [Buffer, Buffer];
    expect(a.length).toBe(32);
    expect(b.length).toBe(32);
  });

  it('refuses any other secret through the same comparison, whatever the first differing byte', () => {
    for (const other of [`${secret}x`, secret.slice(0, -1), `X${secret.slice(1)}`, '', 'mck_']) {
      expect(secretMatches(other, stored)).toBe(false);
    }
    // Every candidate hashes to 32 bytes, so every one reaches timingSafeEqual: no early exit
    // on length or prefix that would time differently.
    expect(timingSafeEqual).toHaveBeenCalledTimes(5);
  });

  it('refuses a malformed stored hash without throwing', () => {
    expect(secretMatches(secret, 'not-hex')).toBe(false);
    expect(secretMatches(secret, '')).toBe(false);
  });
});

describe.each(DB_KINDS)('credential checks on %s', (kind) => {
  let t: TestDb;
  let tree: TestTree;
  beforeAll(async () => {
    t = await openTestDb(kind);
    tree = await createTestTree(t.db, { city: '81' });
  });
  afterAll(() => t.drop());
  beforeEach(() => {
    timingSafeEqual.mockClear();
  });

  it('compares a desk key with timingSafeEqual, also when only its secret part is wrong', async () => {
    const { key } = await createDeskKey(t.db, { unit: tree.communes[0], label: 'ct' });
    expect((await verifyDeskKey(t.db, key)).ok).toBe(true);
    expect(timingSafeEqual).toHaveBeenCalledTimes(1);
    // Same prefix (so the row is found), different secret.
    const forged = `${prefixOf(key)}${'A'.repeat(key.length - prefixOf(key).length)}`;
    expect(await verifyDeskKey(t.db, forged)).toEqual({ ok: false, reason: 'unknown' });
    expect(timingSafeEqual).toHaveBeenCalledTimes(2);
  });

  it('compares a viewer token with timingSafeEqual', async () => {
    const { token } = await createViewer(t.db, { role: 'city', unit: tree.city, label: 'ct' });
    expect(await verifyViewerToken(t.db, token)).not.toBeNull();
    const forged = `${prefixOf(token)}${'B'.repeat(token.length - prefixOf(token).length)}`;
    expect(await verifyViewerToken(t.db, forged)).toBeNull();
    expect(timingSafeEqual).toHaveBeenCalledTimes(2);
  });

  it("tells a revoked viewer's token or session from one never valid (a wall screen says it was revoked)", async () => {
    const { token } = await createViewer(t.db, { role: 'display', unit: tree.city, label: 'screen' });
    const viewer = await verifyViewerToken(t.db, token);
    const { cookie } = await createSession(t.db, viewer?.id as number);
    expect(await isRevokedCredential(t.db, { token, cookie })).toBe(false);
    expect(await revokeViewer(t.db, prefixOf(token))).toBe(1);
    expect(await isRevokedCredential(t.db, { token })).toBe(true);
    expect(await isRevokedCredential(t.db, { cookie })).toBe(true);
    // The same prefix with another secret, an unknown session, nothing at all: not revoked.
    const forged = `${prefixOf(token)}${'C'.repeat(token.length - prefixOf(token).length)}`;
    expect(await isRevokedCredential(t.db, { token: forged })).toBe(false);
    expect(await isRevokedCredential(t.db, { cookie: `mcs_${'D'.repeat(32)}` })).toBe(false);
    expect(await isRevokedCredential(t.db, {})).toBe(false);
  });

  it('compares the admin token of the embedded CLI endpoint with timingSafeEqual', async () => {
    const app = createApp({
      db: t.db,
      writer: new GroupCommitWriter(t.db),
      limiter: new RateLimiter(0, 1000),
      log: createLogger('silent'),
      retryAfterSeconds: 1,
      admin: { token: 'admin-secret-0123456789', run: async () => ({ code: 0, output: 'ran' }) },
    });
    const call = (token: string) =>
      app.request('/admin/cli', {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ argv: ['keys', 'list'] }),
      });
    expect((await call('admin-secret-0123456789')).status).toBe(200);
    expect((await call('admin-secret-0123456788')).status).toBe(401);
    expect(timingSafeEqual).toHaveBeenCalledTimes(2);
  });
});
