import { createTestTree, DB_KINDS, openTestDb, type TestDb, type TestTree } from '@motcua/test-helpers/db';
import { deskKey, startTestIngest, type TestIngest } from '@motcua/test-helpers/ingest';
import { CloudEvent, emitterFor, httpTransport, Mode } from 'cloudevents';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/** What the SDK's HTTP transport resolves with: it does not expose the status code. */
interface SdkResponse {
  body: string;
  headers: Record<string, string | string[] | undefined>;
}

interface StoredEvent {
  type: string;
  ms: number;
  unit_code: string;
  desk_code: string;
  dossier_code: string | null;
  data: unknown;
  attributes: unknown;
}

let seq = 0;
const newId = (label: string) => `sdk-${label}-${process.pid}-${++seq}`;

describe.each(DB_KINDS)('the official CloudEvents SDK against the ingest on %s', (kind) => {
  let t: TestDb;
  let tree: TestTree;
  let ingest: TestIngest;

  beforeAll(async () => {
    t = await openTestDb(kind);
    tree = await createTestTree(t.db, { communesPerDistrict: 4 });
    ingest = await startTestIngest(t.db);
  });
  afterAll(async () => {
    await ingest.close();
    await t.drop();
  });

  /** Sends one event with the SDK's emitter and HTTP transport, with the desk key as a header. */
  async function emit(mode: Mode, event: CloudEvent<unknown>, key: string | null) {
    const emitter = emitterFor(httpTransport(`${ingest.url}/v1/events`), { mode });
    const headers = key ? { authorization: `Bearer ${key}` } : {};
    const res = (await emitter(event, { headers })) as SdkResponse;
    return JSON.parse(res.body) as Record<string, unknown>;
  }

  async function stored(source: string, id: string): Promise<StoredEvent[]> {
    const rows = await t.db.query<
      Omit<StoredEvent, 'data' | 'attributes'> & { data: string; attributes: string | null }
    >(
      sql`select type, (extract(epoch from time) * 1000)::float8 as ms, unit_code, desk_code, dossier_code,
            data::text as data, attributes::text as attributes
          from events where source = ${source} and id = ${id}`,
    );
    return rows.map((r) => ({
      ...r,
      ms: Number(r.ms),
      data: JSON.parse(r.data),
      attributes: r.attributes === null ? null : JSON.parse(r.attributes),
    }));
  }

  it('stores a rating sent in structured mode', async () => {
    const unit = tree.communes[0];
    const key = await deskKey(t.db, unit);
    const time = '2026-03-01T08:15:30+07:00';
    const data = {
      level: 'very_satisfied',
      criteria: {
        attitude: 'very_satisfied',
        guidance: 'satisfied',
        time: 'satisfied',
        visits: 'satisfied',
        transparency: 'satisfied',
      },
      officialId: 'CB-07',
      comment: 'Chị cán bộ hướng dẫn rất tận tình',
    };
    const event = new CloudEvent({
      id: newId('s'),
      source: `/units/${unit}/desks/Q01`,
      type: 'vn.motcua.rating.submitted',
      time,
      datacontenttype: 'application/json',
      deskseq: 17,
      data,
    });

    const report = await emit(Mode.STRUCTURED, event, key);
    expect(report).toEqual({
      accepted: 1,
      duplicates: 0,
      rejected: 0,
      results: [{ index: 0, id: event.id, status: 'accepted' }],
    });
    expect(await stored(event.source, event.id)).toEqual([
      {
        type: 'vn.motcua.rating.submitted',
        ms: Date.parse(time),
        unit_code: unit,
        desk_code: 'Q01',
        dossier_code: null,
        data,
        attributes: { deskseq: 17 },
      },
    ]);
  });

  it('stores a dossier event sent in binary mode, with subject and extensions', async () => {
    const unit = tree.communes[1];
    const key = await deskKey(t.db, unit);
    const dossierCode = '000.00.04.H26-260301-0001';
    const data = {
      dossierCode,
      procedureCode: '1.001612',
      procedureName: 'Đăng ký khai sinh',
      channel: 'online',
      dueAt: '2026-03-06T17:00:00+07:00',
    };
    const event = new CloudEvent({
      id: newId('b'),
      source: `/units/${unit}/desks/Mot-cua_1`,
      type: 'vn.motcua.dossier.received',
      time: '2026-03-01T01:02:03.456Z',
      subject: dossierCode,
      deskseq: 18,
      data,
    });

    const report = await emit(Mode.BINARY, event, key);
    expect(report).toMatchObject({ accepted: 1, rejected: 0 });
    expect(await stored(event.source, event.id)).toEqual([
      {
        type: 'vn.motcua.dossier.received',
        ms: Date.parse('2026-03-01T01:02:03.456Z'),
        unit_code: unit,
        desk_code: 'Mot-cua_1',
        dossier_code: dossierCode,
        data,
        // Binary mode carries extensions as header text.
        attributes: { subject: dossierCode, deskseq: '18' },
      },
    ]);
  });

  it('takes a dossier lifecycle in binary mode and stores each event once, whichever mode repeats it', async () => {
    const unit = tree.communes[2];
    const key = await deskKey(t.db, unit);
    const source = `/units/${unit}/desks/Q02`;
    const dossierCode = 'HS-SDK-LIFE';
    const base = Date.parse('2026-03-02T01:00:00Z');
    const steps: [string, Record<string, unknown>][] = [
      [
        'received',
        {
          procedureCode: '2.000488',
          channel: 'direct',
          dueAt: new Date(base + 3 * 86_400_000).toISOString(),
        },
      ],
      ['supplement_requested', { reason: 'Thiếu bản sao giấy chứng sinh' }],
      ['supplement_received', {}],
      ['rescheduled', { newDueAt: new Date(base + 5 * 86_400_000).toISOString() }],
      ['resolved', {}],
      ['returned', {}],
    ];
    const events = steps.map(
      ([step, extra], i) =>
        new CloudEvent({
          id: newId(step),
          source,
          type: `vn.motcua.dossier.${step}`,
          time: new Date(base + i * 3_600_000).toISOString(),
          data: { dossierCode, ...extra },
        }),
    );
    for (const event of events) {
      expect(await emit(Mode.BINARY, event, key)).toMatchObject({ accepted: 1, duplicates: 0, rejected: 0 });
    }
    for (const event of events) {
      expect(await emit(Mode.STRUCTURED, event, key)).toMatchObject({
        accepted: 0,
        duplicates: 1,
        rejected: 0,
      });
    }
    const rows = await t.db.query<{ n: number }>(
      sql`select count(*)::int as n from events where source = ${source} and dossier_code = ${dossierCode}`,
    );
    expect(rows[0].n).toBe(steps.length);
    const dossier = await t.db.query<{
      outcome: string | null;
      supplement_requests: number;
      rescheduled: boolean;
    }>(
      sql`select outcome, supplement_requests, rescheduled from dossiers where unit_code = ${unit} and dossier_code = ${dossierCode}`,
    );
    // Resolved 4 h after receipt, well before either due date, but rescheduled: the contract says late.
    expect(dossier).toEqual([{ outcome: 'late', supplement_requests: 1, rescheduled: true }]);
  });

  it('refuses an SDK event without the key, and one outside the key unit, storing neither', async () => {
    const unit = tree.communes[3];
    const other = tree.communes[4];
    const key = await deskKey(t.db, unit);
    const anonymous = new CloudEvent({
      id: newId('anon'),
      source: `/units/${unit}/desks/Q01`,
      type: 'vn.motcua.rating.submitted',
      data: { level: 'satisfied' },
    });
    expect(await emit(Mode.STRUCTURED, anonymous, null)).toMatchObject({ error: { code: 'unauthorized' } });

    const outside = new CloudEvent({
      id: newId('out'),
      source: `/units/${other}/desks/Q01`,
      type: 'vn.motcua.rating.submitted',
      data: { level: 'satisfied' },
    });
    for (const mode of [Mode.STRUCTURED, Mode.BINARY]) {
      expect(await emit(mode, outside, key)).toMatchObject({
        error: { code: 'forbidden_source', message: `source: outside this key's unit ${unit}` },
      });
    }
    expect(await stored(anonymous.source, anonymous.id)).toEqual([]);
    expect(await stored(outside.source, outside.id)).toEqual([]);
  });
});
