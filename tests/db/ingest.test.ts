import { schema } from '@motcua/db';
import { createTestTree, DB_KINDS, openTestDb, type TestDb, type TestTree } from '@motcua/test-helpers/db';
import { dossierEvent, rating, received } from '@motcua/test-helpers/events';
import { deskKey, postBatch, startTestIngest, type TestIngest } from '@motcua/test-helpers/ingest';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

describe.each(DB_KINDS)('ingest over HTTP on %s', (kind) => {
  let t: TestDb;
  let tree: TestTree;
  let ingest: TestIngest;
  let key: string;

  beforeAll(async () => {
    t = await openTestDb(kind);
    tree = await createTestTree(t.db);
    ingest = await startTestIngest(t.db);
    key = await deskKey(t.db, tree.communes[0]);
  });
  afterAll(async () => {
    await ingest.close();
    await t.drop();
  });

  it('accepts a batch, reports duplicates and stores each event once', async () => {
    const unit = tree.communes[0];
    const a = rating(unit, 'satisfied');
    const b = received(unit, 'HS-1', Date.now() + 86_400_000);
    const first = await postBatch(ingest.url, key, [a, b, a]);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ accepted: 2, duplicates: 1, rejected: 0 });
    const again = await postBatch(ingest.url, key, [b]);
    expect(again.body).toMatchObject({ accepted: 0, duplicates: 1 });
    const rows = await t.db.query<{ n: number }>(
      sql`select count(*)::int as n from ${schema.events} where unit_code = ${unit}`,
    );
    expect(rows[0].n).toBe(2);
  });

  it('rejects a bad event by field and keeps the good ones', async () => {
    const unit = tree.communes[0];
    const bad = rating(unit, 'happy');
    const good = dossierEvent(unit, 'resolved', 'HS-2');
    const res = await postBatch(ingest.url, key, [bad, good]);
    expect(res.status).toBe(200);
    expect(res.body.results).toEqual([
      {
        index: 0,
        id: bad.id,
        status: 'rejected',
        error: {
          code: 'invalid_event',
          message: 'data.level: expected one of very_satisfied, satisfied, unsatisfied',
        },
      },
      { index: 1, id: good.id, status: 'accepted' },
    ]);
  });

  it('refuses events outside the key unit', async () => {
    const other = tree.communes[1];
    const res = await postBatch(ingest.url, key, [rating(other, 'satisfied')]);
    expect(res.status).toBe(400);
    expect((res.body.results as { error: { code: string } }[])[0].error.code).toBe('forbidden_source');
  });
});
