import { validateEvent } from '@motcua/contract';
import { createTestTree, openTestDb, type TestDb, type TestTree } from '@motcua/test-helpers/db';
import { rating } from '@motcua/test-helpers/events';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GroupCommitWriter } from './writer.ts';

const PGLITE_TIMEOUT = 60_000;

describe('GroupCommitWriter on PGlite', () => {
  let t: TestDb;
  let tree: TestTree;

  beforeAll(async () => {
    t = await openTestDb('pglite');
    tree = await createTestTree(t.db);
  }, PGLITE_TIMEOUT);
  afterAll(async () => {
    await t?.drop();
  });

  const incoming = (n: number) =>
    Array.from({ length: n }, () => {
      const checked = validateEvent(rating(tree.communes[0], 'satisfied'), Date.now());
      if (!checked.ok) throw new Error(checked.message);
      return checked.event;
    });
  const stored = async (ids: string[]) =>
    (
      await t.db.query<{ n: number }>(
        sql`select count(*)::int as n from events where id in (${sql.join(
          ids.map((id) => sql`${id}`),
          sql`, `,
        )})`,
      )
    )[0].n;

  it('flushes a write made by a caller that awaited the previous write through a few async hops', async () => {
    // A writer that left a drain loop a few microtasks before marking itself idle used to strand
    // such a write in its queue until some other request came along.
    const writer = new GroupCommitWriter(t.db);
    const store = async (events: ReturnType<typeof incoming>) => {
      await writer.write(events);
    };
    const batches = [incoming(3), incoming(3), incoming(3)];
    for (const batch of batches) await store(batch);
    expect(await stored(batches.flat().map((e) => e.id))).toBe(9);
    await writer.close();
  });

  it('groups writes that wait behind a flush into one transaction, one flush at a time', async () => {
    const flushes: number[] = [];
    const writer = new GroupCommitWriter(t.db, { onFlush: (n) => flushes.push(n) });
    const batches = Array.from({ length: 5 }, () => incoming(2));
    const statuses = await Promise.all(batches.map((b) => writer.write(b)));
    expect(statuses.flat()).toEqual(Array(10).fill('accepted'));
    // The first write starts a flush at once; the four behind it go together.
    expect(flushes).toEqual([2, 8]);
    await writer.close();
  });

  it('answers every queued write before close resolves, and refuses writes after', async () => {
    const writer = new GroupCommitWriter(t.db);
    const batches = Array.from({ length: 4 }, () => incoming(5));
    let answered = 0;
    const pending = batches.map((b) => writer.write(b).then(() => answered++));
    await writer.close();
    expect(answered).toBe(4);
    await Promise.all(pending);
    expect(await stored(batches.flat().map((e) => e.id))).toBe(20);
    await expect(writer.write(incoming(1))).rejects.toThrow(/shutting down/);
  });
});
