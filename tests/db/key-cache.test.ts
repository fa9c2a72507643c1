import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { createDeskKey, revokeDeskKey } from '@motcua/db';
import { DeskKeyCache } from '@motcua/ingest';
import { createTestTree, DB_KINDS, openTestDb, type TestDb, type TestTree } from '@motcua/test-helpers/db';
import { until } from '@motcua/test-helpers/wait';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);

/** Revokes a key the way another process (the CLI, a second server) does: its own connection and module state. */
async function revokeInAnotherProcess(url: string, prefix: string): Promise<string> {
  const script = `
    const db = await import('@motcua/db');
    const conn = await db.createDb({ url: ${JSON.stringify(url)} });
    console.log(await db.revokeDeskKey(conn, ${JSON.stringify(prefix)}));
    await conn.close();`;
  const { stdout } = await run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script]);
  return stdout.trim();
}

describe.each(DB_KINDS)('the desk key cache on %s', (kind) => {
  let t: TestDb;
  let tree: TestTree;
  beforeAll(async () => {
    t = await openTestDb(kind);
    tree = await createTestTree(t.db, { city: '82' });
  });
  afterAll(() => t.drop());

  it('answers a valid key from memory after the first lookup, and never holds an unknown one', async () => {
    const cache = new DeskKeyCache(t.db);
    await cache.listen();
    const { key, prefix } = await createDeskKey(t.db, { unit: tree.communes[0], label: 'cache' });
    const first = await cache.verify(key);
    expect(first).toMatchObject({ ok: true, key: { prefix, unitCode: tree.communes[0] } });
    expect(cache.size).toBe(1);
    expect(await cache.verify(key)).toEqual(first);
    expect(await cache.verify(`${prefix}${'x'.repeat(key.length - prefix.length)}`)).toEqual({
      ok: false,
      reason: 'unknown',
    });
    expect(cache.size).toBe(1);
    await cache.close();
  });

  it('stops a key revoked in this process before revokeDeskKey returns', async () => {
    const cache = new DeskKeyCache(t.db);
    await cache.listen();
    const { key, prefix } = await createDeskKey(t.db, { unit: tree.communes[0], label: 'cache' });
    expect((await cache.verify(key)).ok).toBe(true);
    expect(await revokeDeskKey(t.db, prefix)).toBe(1);
    expect(cache.size).toBe(0);
    expect(await cache.verify(key)).toEqual({ ok: false, reason: 'revoked' });
    await cache.close();
  });

  it.runIf(kind === 'postgres')(
    'drops a key revoked by another process when its NOTIFY arrives, and refuses it from then on',
    async () => {
      const cache = new DeskKeyCache(t.db);
      await cache.listen();
      const { key, prefix } = await createDeskKey(t.db, { unit: tree.communes[0], label: 'cache' });
      expect((await cache.verify(key)).ok).toBe(true);
      expect(cache.size).toBe(1);
      expect(await revokeInAnotherProcess(t.url as string, prefix)).toBe('1');
      await until(async () => (cache.size === 0 ? true : undefined), 5000, 'the revocation NOTIFY');
      expect(await cache.verify(key)).toEqual({ ok: false, reason: 'revoked' });
      await cache.close();
    },
  );

  it.runIf(kind === 'postgres')(
    'holds nothing until it listens, so a revocation it cannot hear of is never missed',
    async () => {
      const cache = new DeskKeyCache(t.db);
      const { key, prefix } = await createDeskKey(t.db, { unit: tree.communes[0], label: 'cache' });
      expect((await cache.verify(key)).ok).toBe(true);
      expect(cache.size).toBe(0);
      expect(await revokeInAnotherProcess(t.url as string, prefix)).toBe('1');
      expect(await cache.verify(key)).toEqual({ ok: false, reason: 'revoked' });
      await cache.close();
    },
  );
});
