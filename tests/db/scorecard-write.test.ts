import { readWindowCounts, schema } from '@motcua/db';
import { createTestTree, DB_KINDS, openTestDb, type TestDb, type TestTree } from '@motcua/test-helpers/db';
import { dossierEvent, ev, rating, received } from '@motcua/test-helpers/events';
import { deskKey, postBatch, startTestIngest, type TestIngest } from '@motcua/test-helpers/ingest';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const at = (local: string) => Date.parse(`${local}:00+07:00`);
/** Monday 3 November 2025, an ordinary week: petitions are due 15 working days later. */
const MON = '2025-11-03';

/** The window's summed counters of one commune (every desk), as the read path sums them. */
async function counts(t: TestDb, unit: string) {
  const rows = await readWindowCounts(
    t.db,
    [unit],
    at('2025-11-01T00:00'),
    at('2025-12-31T00:00'),
    'commune',
  );
  return rows[0] ?? null;
}

describe.each(DB_KINDS)('event contract v1.1 through the ingest on %s', (kind) => {
  let t: TestDb;
  let tree: TestTree;
  let ingest: TestIngest;

  beforeAll(async () => {
    t = await openTestDb(kind);
    tree = await createTestTree(t.db);
    ingest = await startTestIngest(t.db);
  });
  afterAll(async () => {
    await ingest.close();
    await t.drop();
  });

  it('counts each dossier once: reception facts, payment, result facts and a dislike, whatever the order', async () => {
    const unit = tree.communes[0];
    const key = await deskKey(t.db, unit);
    const due = at(`${MON}T17:00`) + 5 * 86_400_000;
    const facts = { feeBearing: true, inputsDigitised: true, reusedData: false, citizenStore: true };
    const hs1 = received(unit, 'HS-1', due, { time: `${MON}T08:00:00+07:00` });
    Object.assign(hs1.data, facts);
    const events = [
      // HS-1: the resolution and the payment arrive before the reception, then a dislike names it.
      dossierEvent(
        unit,
        'resolved',
        'HS-1',
        { time: `${MON}T15:00:00+07:00` },
        {
          electronicResult: true,
          resultDigitised: true,
        },
      ),
      dossierEvent(unit, 'paid', 'HS-1', { time: `${MON}T09:00:00+07:00` }, { method: 'online' }),
      hs1,
      rating(unit, 'unsatisfied', { time: `${MON}T15:30:00+07:00` }, { dossierCode: 'HS-1' }),
      // HS-2: a v1 dossier, received and resolved with no v1.1 fact.
      received(unit, 'HS-2', due, { time: `${MON}T08:30:00+07:00` }),
      dossierEvent(unit, 'resolved', 'HS-2', { time: `${MON}T16:00:00+07:00` }),
    ];
    // One request at a time, so every later event finds the dossier already stored.
    for (const e of events) expect((await postBatch(ingest.url, key, [e])).status).toBe(200);
    expect(await counts(t, unit)).toMatchObject({
      receivedDirect: 2,
      early: 2,
      feeReported: 1,
      feeBearing: 1,
      feePaidOnline: 1,
      digitisedReported: 1,
      inputsDigitised: 1,
      reuseReported: 1,
      reusedData: 0,
      storeReported: 1,
      citizenStore: 1,
      populationReported: 0,
      eResultReported: 1,
      eResult: 1,
      digitisationReported: 1,
      fullyDigitised: 1,
      onTimeComplained: 1,
      unsatisfied: 1,
    });
  });

  it('keeps a petition in its own state: handled on time, closed, repeated by a later one', async () => {
    const unit = tree.communes[1];
    const key = await deskKey(t.db, unit);
    const p = (type: string, data: Record<string, unknown>, local: string) =>
      ev(unit, `petition.${type}`, data, { time: `${local}:00+07:00` });
    const first = [
      p('received', { petitionCode: 'PA-1', category: 'procedure', dossierCode: 'HS-9' }, `${MON}T09:00`),
      p('answered', { petitionCode: 'PA-1' }, '2025-11-07T10:00'),
      p('reacted', { petitionCode: 'PA-1', reaction: 'like' }, '2025-11-08T10:00'),
    ];
    expect((await postBatch(ingest.url, key, first)).status).toBe(200);
    expect(await counts(t, unit)).toMatchObject({
      petitionsReceived: 1,
      petitionsHandled: 1,
      petitionsHandledOnTime: 1,
      petitionsClosed: 1,
      petitionsUnsatisfied: 0,
    });
    // A later petition repeats PA-1: PA-1 now counts as unsatisfied; PA-2 is open.
    const again = p(
      'received',
      { petitionCode: 'PA-2', category: 'other', repeatOf: 'PA-1' },
      '2025-11-20T09:00',
    );
    expect((await postBatch(ingest.url, key, [again])).status).toBe(200);
    expect(await counts(t, unit)).toMatchObject({
      petitionsReceived: 2,
      petitionsClosed: 1,
      petitionsUnsatisfied: 1,
    });
    const rows = await t.db.query<{ petition_code: string; due_at: string | number; repeated: boolean }>(
      sql`select petition_code, due_at, repeated from ${schema.petitions} where unit_code = ${unit} order by 1`,
    );
    // PA-2 received Thursday 20/11: 15 working days (21/11 … 11/12) end Thursday 11/12 → due 12/12 00:00.
    expect(rows.map((r) => [r.petition_code, Number(r.due_at), r.repeated])).toEqual([
      ['PA-1', at('2025-11-25T00:00'), true],
      ['PA-2', at('2025-12-12T00:00'), false],
    ]);
    // The dossier the first petition named drew a complaint (counted once it finishes on time).
    const dossier = await t.db.query<{ history: unknown }>(
      sql`select history from ${schema.dossiers} where unit_code = ${unit} and dossier_code = 'HS-9'`,
    );
    expect(JSON.stringify(dossier[0].history)).toContain('"y":"petitioned"');
  });
});
