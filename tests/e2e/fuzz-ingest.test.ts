import { connect } from 'node:net';
import { gunzipSync, gzipSync } from 'node:zlib';
import { EVENT_TYPES, parseRfc3339 } from '@motcua/contract';
import { createDeskKey, type Database, GroupCommitWriter, revokeDeskKey } from '@motcua/db';
import { createApp, RateLimiter } from '@motcua/ingest';
import { createLogger } from '@motcua/service';
import { createTestTree, openTestDb, type TestDb, type TestTree } from '@motcua/test-helpers/db';
import { startTestIngest, type TestIngest } from '@motcua/test-helpers/ingest';
import { sql } from 'drizzle-orm';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * Malformed requests at POST /v1/events, generated with fast-check. Every one must get the
 * contract's 4xx with the one error shape, nothing of them may be stored, and the service
 * must go on accepting valid events. Most run through `app.request` (no socket, fast); a
 * sample of every kind, plus what only a raw socket can send, runs over real HTTP.
 */

const STRUCTURED = 'application/cloudevents+json';
const BATCH = 'application/cloudevents-batch+json';
const JSON_TYPE = 'application/json';
const ACCEPTED_TYPES = [STRUCTURED, BATCH, JSON_TYPE];
const SOURCE_RE = /^\/units\/(\d{5})\/desks\/([A-Za-z0-9_-]{1,32})$/;
const LEVELS = ['very_satisfied', 'satisfied', 'unsatisfied'];
const ERROR_STATUS: Record<string, number> = {
  malformed: 400,
  invalid_event: 400,
  unauthorized: 401,
  forbidden: 403,
  forbidden_source: 403,
  too_large: 413,
  unsupported_media_type: 415,
};

type Json = Record<string, unknown>;
type Event = Record<string, unknown>;

/** A request and what the contract says it gets. */
interface Case {
  kind: string;
  headers: Record<string, string>;
  body: string | Uint8Array;
  /** Allowed statuses; each with its allowed error codes. */
  expect: Partial<Record<number, readonly string[]>>;
}

const enc = new TextEncoder();

/** Checks one answer; returns what is wrong, or null. */
function problem(c: Case, status: number, headers: Headers, text: string): string | null {
  const codes = c.expect[status];
  if (!codes) return `status ${status}, expected one of ${Object.keys(c.expect).join('/')}`;
  if (!headers.get('content-type')?.includes('application/json')) return 'not JSON';
  let body: Json;
  try {
    body = JSON.parse(text) as Json;
  } catch {
    return `body is not JSON: ${text.slice(0, 80)}`;
  }
  const error = body.error as Json | undefined;
  const requestId = headers.get('x-request-id');
  if (!requestId || !/^[\w.-]{1,64}$/.test(requestId)) return `bad X-Request-Id ${requestId}`;
  if (!error || typeof error.message !== 'string' || error.message.length === 0) return 'no error.message';
  if (error.requestId !== requestId) return 'error.requestId differs from X-Request-Id';
  if (!codes.includes(error.code as string)) return `code ${error.code}, expected ${codes.join('/')}`;
  if (ERROR_STATUS[error.code as string] !== status && !('results' in body))
    return `code ${error.code} with status ${status}`;
  if ('results' in body) {
    // Every event refused: the per-event report with status 400.
    const results = body.results as { status: string; error?: { code: string; message: string } }[];
    if (status !== 400) return `report with status ${status}`;
    if (body.accepted !== 0 || body.duplicates !== 0) return 'something accepted';
    if (body.rejected !== results.length || results.length === 0) return 'rejected count';
    for (const r of results) {
      if (r.status !== 'rejected' || !r.error || !codes.includes(r.error.code) || !r.error.message)
        return `result ${JSON.stringify(r).slice(0, 200)}`;
    }
    if (error.code !== results[0].error?.code) return 'error.code is not the first result code';
  }
  for (const name of ['x-injected', 'set-cookie', 'location']) {
    if (headers.has(name)) return `response carries ${name}`;
  }
  return null;
}

// ---------------------------------------------------------------------------------------
// Generators
// ---------------------------------------------------------------------------------------

const printable = (min = 0, max = 40) =>
  fc.string({
    unit: fc.integer({ min: 0x20, max: 0x7e }).map((n) => String.fromCharCode(n)),
    minLength: min,
    maxLength: max,
  });
const jsonValue = fc.jsonValue({ maxDepth: 3 });
const notString = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.nat()),
  fc.object({ maxDepth: 1 }),
);
const longString = (min: number, max: number) =>
  fc
    .tuple(fc.string({ minLength: 1, maxLength: 8 }), fc.integer({ min, max }))
    .map(([s, n]) => s.repeat(Math.ceil(n / s.length)).slice(0, n));

/** Valid events of every type for `unit` (the base the mutations break). */
function validEvent(unit: string): fc.Arbitrary<Event> {
  const id = fc.stringMatching(/^[A-Za-z0-9._-]{1,40}$/);
  const dossierCode = fc.stringMatching(/^[0-9A-Z.-]{1,30}$/);
  const time = fc
    .integer({ min: -400 * 86_400_000, max: 0 })
    .map((d) => new Date(Date.now() + d).toISOString());
  const base = (type: string, data: fc.Arbitrary<Json>) =>
    fc.record({
      specversion: fc.constant('1.0'),
      id,
      source: fc.stringMatching(/^[A-Za-z0-9_-]{1,32}$/).map((d) => `/units/${unit}/desks/${d}`),
      type: fc.constant(type),
      time,
      data,
    });
  return fc.oneof(
    base('vn.motcua.rating.submitted', fc.record({ level: fc.constantFrom(...LEVELS) })),
    base(
      'vn.motcua.dossier.received',
      fc.record({
        dossierCode,
        procedureCode: fc.constantFrom('1.001612', '2.000889'),
        channel: fc.constantFrom('direct', 'online', 'postal'),
        dueAt: time,
      }),
    ),
    base('vn.motcua.dossier.resolved', fc.record({ dossierCode })),
    base('vn.motcua.dossier.supplement_requested', fc.record({ dossierCode })),
  );
}

const set = (field: string, value: fc.Arbitrary<unknown>) =>
  value.map(
    (v) =>
      (e: Event): Event => ({ ...e, [field]: v }),
  );
const setData = (field: string, value: fc.Arbitrary<unknown>) =>
  value.map(
    (v) =>
      (e: Event): Event => ({ ...e, data: { ...(e.data as Json), [field]: v } }),
  );
const asRating = (f: (e: Event) => Event) => (e: Event) =>
  f({ ...e, type: 'vn.motcua.rating.submitted', data: { level: 'satisfied' } });
const asDossier = (type: string, f: (e: Event) => Event) => (e: Event) =>
  f({ ...e, type: `vn.motcua.dossier.${type}`, data: { dossierCode: 'HS-1' } });

/** One change that makes any valid event invalid by the contract, whatever else it holds. */
function mutation(unit: string): fc.Arbitrary<(e: Event) => Event> {
  const notRfc3339 = fc
    .oneof(
      printable(0, 30),
      fc.constantFrom(
        '2025-01-01T00:00:00',
        '2025-13-01T00:00:00Z',
        '2025-02-30T00:00:00Z',
        '2025-01-01 00:00:00Z',
        'yesterday',
        '1735689600',
        '2025-01-01T24:00:00+07:00',
      ),
    )
    .filter((s) => parseRfc3339(s) === null);
  const badSource = fc
    .oneof(
      printable(0, 60),
      fc.constantFrom(
        `/units/${unit.slice(1)}/desks/Q01`,
        `/units/${unit}0/desks/Q01`,
        `/units/${unit}/desks/`,
        `/units/${unit}/desks/${'a'.repeat(33)}`,
        `/units/${unit}/desks/Q 1`,
        `/units/${unit}/desks/Q01/`,
        `units/${unit}/desks/Q01`,
        `/units/${unit}/desks/Q01\n`,
        `/units/${unit}/desks/Q%31`,
        `/units/../desks/Q01`,
        `/units/${unit}/desks/Q01?x=1`,
      ),
    )
    .filter((s) => !SOURCE_RE.test(s));
  const badLevel = jsonValue.filter((v) => !LEVELS.includes(v as string));
  const badDossierCode = fc.oneof(fc.constant(''), longString(65, 3000), notString);
  const field = fc.constantFrom('specversion', 'id', 'source', 'type', 'time', 'data');
  return fc.oneof(
    set(
      'specversion',
      jsonValue.filter((v) => v !== '1.0'),
    ),
    set('id', fc.oneof(fc.constant(''), longString(129, 2000), notString)),
    set('source', fc.oneof(badSource, notString)),
    set(
      'type',
      fc.oneof(
        printable(0, 50).filter((s) => !(EVENT_TYPES as readonly string[]).includes(s)),
        notString,
      ),
    ),
    set('time', fc.oneof(notRfc3339, notString)),
    set(
      'time',
      fc
        .integer({ min: 6 * 60_000, max: 10 * 365 * 86_400_000 })
        .map((d) => new Date(Date.now() + d).toISOString()),
    ),
    set('data', fc.oneof(fc.integer(), fc.string(), fc.boolean(), fc.constant(null), fc.array(jsonValue))),
    set(
      'datacontenttype',
      fc.oneof(
        printable(0, 40).filter((s) => s !== 'application/json'),
        notString,
      ),
    ),
    set('subject', fc.oneof(fc.constant(''), longString(65, 500), notString)),
    field.map((f) => (e: Event) => {
      const { [f]: _, ...rest } = e;
      return rest;
    }),
    // Personal data and anything else not in the contract is refused in data.
    fc
      .tuple(
        fc.oneof(
          fc.constantFrom('citizenName', 'phone', 'idNumber', 'name', '__proto__', 'constructor'),
          printable(0, 20),
        ),
        jsonValue,
      )
      .filter(
        ([k]) =>
          ![
            'level',
            'dossierCode',
            'procedureCode',
            'procedureName',
            'channel',
            'dueAt',
            'criteria',
            'officialId',
            'comment',
            'reason',
            'newDueAt',
          ].includes(k),
      )
      .map(([k, v]) => (e: Event) => ({ ...e, data: { ...(e.data as Json), [k]: v } })),
    setData('level', badLevel).map(asRating),
    setData('comment', fc.oneof(longString(501, 5000), notString)).map(asRating),
    setData('officialId', fc.oneof(fc.constant(''), longString(65, 500), notString)).map(asRating),
    setData(
      'criteria',
      fc.oneof(
        fc
          .tuple(
            printable(1, 15).filter(
              (k) => !['time', 'attitude', 'guidance', 'visits', 'transparency'].includes(k),
            ),
            fc.constantFrom(...LEVELS),
          )
          .map(([k, v]) => ({ [k]: v })),
        badLevel.map((v) => ({ attitude: v })),
        fc.constant(JSON.parse('{"time":"satisfied","__proto__":{"attitude":"satisfied"}}')),
        fc.oneof(fc.string(), fc.integer(), fc.array(fc.nat())),
      ),
    ).map(asRating),
    setData('dossierCode', badDossierCode).map((f) => asDossier('resolved', f)),
    setData('dossierCode', badDossierCode).map(asRating),
    setData('reason', fc.oneof(longString(501, 3000), notString)).map((f) => asDossier('rejected', f)),
    setData('newDueAt', fc.oneof(notRfc3339, notString)).map((f) => asDossier('rescheduled', f)),
    fc
      .oneof(
        setData(
          'channel',
          jsonValue.filter((v) => !['direct', 'online', 'postal'].includes(v as string)),
        ),
      )
      .map(
        (f) => (e: Event) =>
          f({
            ...e,
            type: 'vn.motcua.dossier.received',
            data: {
              dossierCode: 'HS-1',
              procedureCode: 'P',
              channel: 'direct',
              dueAt: new Date().toISOString(),
            },
          }),
      ),
    // subject must equal data.dossierCode
    fc.constant((e: Event) => asDossier('returned', (x) => ({ ...x, subject: 'HS-2' }))(e)),
    // Strings Postgres cannot hold: NUL, lone surrogates.
    fc.constantFrom('a\u0000b', '\ud800', 'x\udfffy').map((s) => (e: Event) => ({ ...e, id: s })),
    fc
      .constantFrom('\u0000', '\ud83d')
      .map((s) => asRating((e) => ({ ...e, data: { level: 'satisfied', comment: s } }))),
    // Extension attributes: names of a–z0–9 only, scalar values only.
    fc
      .tuple(
        fc.oneof(
          fc.constantFrom('X-Foo', 'has space', 'toolongextensionname123', 'UPPER', 'ünï', ''),
          printable(1, 25),
        ),
        fc.string(),
      )
      .filter(
        ([k]) =>
          !/^[a-z0-9]{1,20}$/.test(k) &&
          ![
            'specversion',
            'id',
            'source',
            'type',
            'time',
            'datacontenttype',
            'dataschema',
            'subject',
            'data',
          ].includes(k),
      )
      .map(([k, v]) => (e: Event) => ({ ...e, [k]: v })),
    fc
      .oneof(fc.array(fc.nat(), { minLength: 0 }), fc.object({ maxDepth: 1 }))
      .map((v) => (e: Event) => ({ ...e, ext: v })),
  );
}

/** An invalid event: a valid one with one or two breaking changes. */
const invalidEvent = (unit: string) =>
  fc
    .tuple(validEvent(unit), fc.array(mutation(unit), { minLength: 1, maxLength: 2 }))
    .map(([e, ms]) => ms.reduce((acc, m) => m(acc), e));

const INVALID_UTF8 = [
  [0xff],
  [0xfe],
  [0xc0, 0xaf],
  [0xe0, 0x80, 0xaf],
  [0xed, 0xa0, 0x80],
  [0xf8, 0x88, 0x80, 0x80, 0x80],
  [0xc3],
  [0x80],
  [0xf4, 0x90, 0x80, 0x80],
  [0xe2, 0x82],
];

function isValidUtf8(bytes: Uint8Array): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

function gunzips(bytes: Uint8Array): boolean {
  try {
    gunzipSync(bytes);
    return true;
  } catch {
    return false;
  }
}

const pctEncode = (s: string) => encodeURIComponent(s);

// ---------------------------------------------------------------------------------------

describe('fuzz: malformed requests at POST /v1/events', () => {
  let t: TestDb;
  let tree: TestTree;
  let app: ReturnType<typeof createApp>;
  let unit: string;
  let key: string;
  let otherKey: string;
  let deskKeyQ01: string;
  let revokedKey: string;
  let http: TestIngest;
  const tried: Record<string, number> = {};
  const httpTried: Record<string, number> = {};
  const statuses: Record<number, number> = {};
  const all: fc.Arbitrary<Case>[] = [];

  const count = async (db: Database) =>
    Number((await db.query<{ n: number }>(sql`select count(*)::int as n from events`))[0].n);

  beforeAll(async () => {
    t = await openTestDb('pglite');
    tree = await createTestTree(t.db, { city: '71' });
    unit = tree.communes[0];
    expect(unit).toBe('71000');
    app = createApp({
      db: t.db,
      writer: new GroupCommitWriter(t.db),
      limiter: new RateLimiter(0, 1000),
      log: createLogger('silent'),
      retryAfterSeconds: 1,
    });
    key = (await createDeskKey(t.db, { unit, label: 'fuzz' })).key;
    otherKey = (await createDeskKey(t.db, { unit: tree.communes[1], label: 'fuzz other' })).key;
    deskKeyQ01 = (await createDeskKey(t.db, { unit, label: 'fuzz Q01', desk: 'Q01' })).key;
    const revoked = await createDeskKey(t.db, { unit, label: 'fuzz revoked' });
    await revokeDeskKey(t.db, revoked.prefix);
    revokedKey = revoked.key;
    http = await startTestIngest(t.db);
  });
  afterAll(async () => {
    await http?.close();
    await t?.drop();
    const n = (o: Record<string, number>) => Object.values(o).reduce((a, b) => a + b, 0);
    console.log(
      `fuzz ingest: ${n(tried)} malformed requests via app.request, ${n(httpTried)} over HTTP; ` +
        `by kind ${JSON.stringify(tried)}; over HTTP ${JSON.stringify(httpTried)}; statuses ${JSON.stringify(statuses)}`,
    );
  });

  const auth = () => ({ authorization: `Bearer ${key}` });
  const bad400 = (...codes: string[]) => ({ 400: codes.length ? codes : ['malformed'] });

  /** Runs `runs` cases of one kind through app.request. */
  async function fuzz(kind: string, arb: fc.Arbitrary<Case>, runs: number) {
    all.push(arb);
    await fc.assert(
      fc.asyncProperty(arb, async (c) => {
        tried[kind] = (tried[kind] ?? 0) + 1;
        const res = await app.request('/v1/events', { method: 'POST', headers: c.headers, body: c.body });
        statuses[res.status] = (statuses[res.status] ?? 0) + 1;
        const wrong = problem(c, res.status, res.headers, await res.text());
        if (wrong) throw new Error(`${c.kind}: ${wrong}`);
      }),
      { numRuns: runs },
    );
  }

  it('broken JSON → 400 malformed', async () => {
    const valid = validEvent('71000').map((e) => JSON.stringify(e));
    const broken = fc.oneof(
      printable(0, 200),
      fc.string({ maxLength: 200 }),
      fc.tuple(valid, fc.nat()).map(([s, n]) => s.slice(0, n % s.length)),
      fc
        .tuple(
          valid,
          fc.nat(),
          fc.constantFrom('}', '{', ',', ':', '"', '[', "'", '\\', 'NaN', '//x', '/*', 'undefined'),
        )
        .map(([s, n, ins]) => s.slice(0, n % s.length) + ins + s.slice(n % s.length)),
      valid.map((s) => s.replaceAll('"', "'")),
      valid.map((s) => `${s.slice(0, -1)},}`),
      valid.map((s) => `[${s},]`),
      valid.map((s) => `${s}${s}`),
    );
    await fuzz(
      'broken-json',
      fc
        .tuple(
          broken.filter((s) => !s.startsWith('\ufeff') && !isJson(s)),
          fc.constantFrom(...ACCEPTED_TYPES),
        )
        .map(([body, type]) => ({
          kind: 'broken-json',
          headers: { ...auth(), 'content-type': type },
          body,
          expect: bad400(),
        })),
      1500,
    );
  });

  it('JSON that is not events → 400 (malformed, or every event rejected)', async () => {
    const nonEvent = fc.oneof(
      fc.tuple(
        fc.constant(STRUCTURED),
        fc.oneof(fc.integer(), fc.string(), fc.boolean(), fc.constant(null), fc.array(jsonValue)),
      ),
      fc.tuple(
        fc.constant(BATCH),
        fc.oneof(fc.integer(), fc.string(), fc.constant(null), fc.object({ maxDepth: 2 }), fc.constant([])),
      ),
      fc.tuple(fc.constant(BATCH), fc.array(jsonValue, { minLength: 1, maxLength: 20 })),
      fc.tuple(
        fc.constant(JSON_TYPE),
        fc.oneof(fc.integer(), fc.string(), fc.constant(null), fc.constant([])),
      ),
      fc.tuple(
        fc.constant(JSON_TYPE),
        fc.object({ maxDepth: 2 }).filter((o) => !('specversion' in o)),
      ),
      fc.tuple(fc.constant(JSON_TYPE), fc.array(fc.object({ maxDepth: 2 }), { minLength: 1, maxLength: 10 })),
    );
    await fuzz(
      'not-events',
      nonEvent.map(([type, value]) => ({
        kind: 'not-events',
        headers: { ...auth(), 'content-type': type },
        body: JSON.stringify(value),
        expect: bad400('malformed', 'invalid_event'),
      })),
      1000,
    );
  });

  it('events of the wrong shape or types → 400 with every event rejected', async () => {
    await fuzz(
      'invalid-events',
      fc
        .tuple(
          fc.array(
            invalidEvent('71000').map((e) => e),
            { minLength: 1, maxLength: 6 },
          ),
          fc.constantFrom('structured', 'batch', 'json-object', 'json-array', 'gzip-batch'),
        )
        .map(([events, mode]) => {
          const one = JSON.stringify(events[0]);
          const many = JSON.stringify(events);
          const [type, body]: [string, string | Uint8Array] =
            mode === 'structured'
              ? [STRUCTURED, one]
              : mode === 'batch'
                ? [BATCH, many]
                : mode === 'json-object'
                  ? [JSON_TYPE, one]
                  : mode === 'json-array'
                    ? [JSON_TYPE, many]
                    : [BATCH, gzipSync(many)];
          const headers: Record<string, string> = { ...auth(), 'content-type': type };
          if (mode === 'gzip-batch') headers['content-encoding'] = 'gzip';
          // Without specversion, an application/json object is not taken for an event at all.
          const noSpec = mode === 'json-object' && !('specversion' in events[0]);
          // One huge field can make the event larger than 32 KiB: 413 before validation.
          return {
            kind: 'invalid-events',
            headers,
            body,
            expect: { 400: noSpec ? ['malformed'] : ['invalid_event'], 413: ['too_large'] },
          };
        }),
      3000,
    );
  });

  it('binary mode with invalid ce-* attributes or data → 400', async () => {
    const attrs = fc.record({
      specversion: fc.constant('1.0'),
      id: fc.stringMatching(/^[a-z0-9-]{1,20}$/),
      source: fc.constant(`/units/71000/desks/Q01`),
      type: fc.constant('vn.motcua.rating.submitted'),
      time: fc.constant(new Date(Date.now() - 60_000).toISOString()),
    });
    const breakIt = fc.oneof(
      fc.tuple(
        fc.constant('specversion'),
        printable(0, 10).filter((s) => s.trim() !== '1.0'),
      ),
      fc.tuple(
        fc.constant('source'),
        printable(0, 60).filter((s) => !SOURCE_RE.test(s.trim())),
      ),
      fc.tuple(
        fc.constant('type'),
        printable(0, 40).filter((s) => !(EVENT_TYPES as readonly string[]).includes(s.trim())),
      ),
      fc.tuple(
        fc.constant('time'),
        printable(0, 30).filter((s) => parseRfc3339(s.trim()) === null),
      ),
      fc.tuple(
        fc.constant('id'),
        longString(129, 1000).filter((s) => s.trim().length > 128),
      ),
      fc.tuple(fc.constant('datacontenttype'), fc.constantFrom('text/plain', 'application/xml', 'json')),
    );
    const data = fc.oneof(
      fc.constant(JSON.stringify({ level: 'satisfied' })),
      fc.constant(JSON.stringify({ level: 'bad' })),
      fc.constant(JSON.stringify({ level: 'satisfied', phone: '0901234567' })),
      fc.constant(''),
      fc.constant('[1,2]'),
    );
    await fuzz(
      'binary-invalid',
      fc.tuple(attrs, fc.option(breakIt, { nil: null }), data).map(([a, brk, body]) => {
        const headers: Record<string, string> = { ...auth(), 'content-type': JSON_TYPE };
        const values: Record<string, string> = { ...a };
        let breaks = false;
        if (brk) {
          values[brk[0]] = brk[1];
          breaks = true;
        }
        for (const [k, v] of Object.entries(values)) headers[`ce-${k}`] = pctEncode(v);
        // Data that the rating schema refuses breaks it too.
        const dataBreaks = body !== JSON.stringify({ level: 'satisfied' });
        if (!breaks && !dataBreaks) headers['ce-type'] = 'vn.motcua.rating.nope';
        return { kind: 'binary-invalid', headers, body, expect: bad400('invalid_event') };
      }),
      800,
    );
  });

  it('huge strings → 400 or 413, never stored', async () => {
    const huge = longString(10_000, 200_000);
    await fuzz(
      'huge-strings',
      fc
        .tuple(
          validEvent('71000'),
          fc.constantFrom('id', 'comment', 'dossierCode', 'procedureName', 'ext', 'source', 'type'),
          huge,
        )
        .map(([e, where, s]) => {
          let ev: Event;
          if (where === 'comment')
            ev = { ...e, type: 'vn.motcua.rating.submitted', data: { level: 'satisfied', comment: s } };
          else if (where === 'procedureName' || where === 'dossierCode')
            ev = {
              ...e,
              type: 'vn.motcua.dossier.received',
              data: { dossierCode: 'A', procedureCode: 'P', channel: 'direct', dueAt: e.time, [where]: s },
            };
          // An extension attribute may be any string: only the 32 KiB event limit stops it.
          else if (where === 'ext') ev = { ...e, ext: s.padEnd(33 * 1024, 'x') };
          else ev = { ...e, [where]: s };
          return {
            kind: 'huge-strings',
            headers: { ...auth(), 'content-type': STRUCTURED },
            body: JSON.stringify(ev),
            expect: { 400: ['invalid_event'], 413: ['too_large'] },
          };
        }),
      300,
    );
  });

  it('deep nesting → 400 or 413, the stack survives', async () => {
    await fuzz(
      'deep-nesting',
      fc
        .tuple(
          fc.integer({ min: 5, max: 400_000 }),
          fc.constantFrom('[', '{"a":'),
          fc.constantFrom('data', 'top', 'batch', 'binary', 'ext'),
        )
        .map(([depth, open, where]) => {
          const close = open === '[' ? ']' : '}';
          const nested = `${open.repeat(depth)}${open === '[' ? '' : '1'}${close.repeat(depth)}`;
          const head = `"specversion":"1.0","id":"deep","source":"/units/71000/desks/Q01","type":"vn.motcua.rating.submitted","time":"${new Date(Date.now() - 60_000).toISOString()}"`;
          const headers: Record<string, string> = { ...auth(), 'content-type': STRUCTURED };
          let body: string;
          if (where === 'data') body = `{${head},"data":{"level":"satisfied","x":${nested}}}`;
          else if (where === 'ext') body = `{${head},"ext":${nested},"data":{"level":"satisfied"}}`;
          else if (where === 'top') body = nested;
          else if (where === 'batch') {
            headers['content-type'] = BATCH;
            body = `[${nested}]`;
          } else {
            Object.assign(headers, {
              'content-type': JSON_TYPE,
              'ce-specversion': '1.0',
              'ce-id': 'deep',
              'ce-source': '/units/71000/desks/Q01',
              'ce-type': 'vn.motcua.rating.submitted',
              'ce-time': new Date(Date.now() - 60_000).toISOString(),
            });
            body = nested;
          }
          return {
            kind: 'deep-nesting',
            headers,
            body,
            expect: { 400: ['malformed', 'invalid_event'], 413: ['too_large'] },
          };
        }),
      400,
    );
  });

  it('invalid UTF-8 → 400 malformed', async () => {
    const valid = validEvent('71000').map((e) => enc.encode(JSON.stringify(e)));
    const spliced = fc.tuple(valid, fc.nat(), fc.constantFrom(...INVALID_UTF8)).map(([bytes, at, bad]) => {
      const i = at % bytes.length;
      return Uint8Array.from([...bytes.subarray(0, i), ...bad, ...bytes.subarray(i)]);
    });
    const random = fc.uint8Array({ minLength: 1, maxLength: 300 });
    await fuzz(
      'invalid-utf8',
      fc
        .tuple(
          fc.oneof(spliced, random).filter((b) => !isValidUtf8(b)),
          fc.constantFrom(...ACCEPTED_TYPES),
          fc.boolean(),
        )
        .map(([bytes, type, gzip]) => {
          const headers: Record<string, string> = { ...auth(), 'content-type': type };
          if (gzip) headers['content-encoding'] = 'gzip';
          return { kind: 'invalid-utf8', headers, body: gzip ? gzipSync(bytes) : bytes, expect: bad400() };
        }),
      1000,
    );
  });

  it('bad gzip and unknown encodings → 400, 413 or 415', async () => {
    const bomb = gzipSync(Buffer.alloc(3 * 1024 * 1024, 0x20));
    const valid = validEvent('71000').map((e) => gzipSync(JSON.stringify(e)));
    const gz = fc.oneof(
      fc.uint8Array({ minLength: 0, maxLength: 400 }),
      fc
        .uint8Array({ minLength: 0, maxLength: 200 })
        .map((b) => Uint8Array.from([0x1f, 0x8b, 0x08, 0, ...b])),
      fc.tuple(valid, fc.nat()).map(([b, n]) => b.subarray(0, n % b.length)),
      fc.tuple(valid, fc.nat(), fc.nat({ max: 255 })).map(([b, n, x]) => {
        const c = Uint8Array.from(b);
        c[10 + (n % (c.length - 18))] ^= x || 1;
        return c;
      }),
    );
    await fuzz(
      'bad-encoding',
      fc.oneof(
        fc
          .tuple(
            gz.filter((b) => b.length === 0 || !gunzips(b)),
            fc.constantFrom('gzip', 'x-gzip', 'GZIP'),
          )
          .map(([body, encoding]) => ({
            kind: 'bad-encoding',
            headers: { ...auth(), 'content-type': BATCH, 'content-encoding': encoding },
            body,
            expect: { 400: ['malformed'] },
          })),
        fc.constant<Case>({
          kind: 'bad-encoding',
          headers: { ...auth(), 'content-type': BATCH, 'content-encoding': 'gzip' },
          body: bomb,
          expect: { 413: ['too_large'] },
        }),
        fc
          .tuple(
            fc.oneof(
              fc.constantFrom('br', 'deflate', 'compress', 'zstd', 'gzip, gzip', 'identity, gzip', '*'),
              printable(1, 20),
            ),
            valid,
          )
          .filter(([e]) => !['gzip', 'x-gzip', 'identity', ''].includes(e.trim().toLowerCase()))
          .map(([encoding, body]) => ({
            kind: 'bad-encoding',
            headers: { ...auth(), 'content-type': STRUCTURED, 'content-encoding': encoding },
            body,
            expect: { 415: ['unsupported_media_type'] },
          })),
      ),
      800,
    );
  });

  it('wrong content types and charsets → 415', async () => {
    const body = JSON.stringify({
      specversion: '1.0',
      id: 'ct',
      source: '/units/71000/desks/Q01',
      type: 'vn.motcua.rating.submitted',
      time: new Date(Date.now() - 60_000).toISOString(),
      data: { level: 'satisfied' },
    });
    const type = fc
      .oneof(
        printable(0, 60),
        fc.constantFrom(
          'text/plain',
          'application/xml',
          'application/x-www-form-urlencoded',
          'multipart/form-data; boundary=x',
          'application/cloudevents',
          'application/cloudevents+xml',
          'application/json-seq',
          'application/jsonx',
          'json',
          '*/*',
          '',
        ),
      )
      .filter((t) => !ACCEPTED_TYPES.includes(t.split(';')[0].trim().toLowerCase()));
    const badCharset = fc
      .tuple(
        fc.constantFrom(...ACCEPTED_TYPES),
        fc.oneof(
          fc.constantFrom('latin1', 'iso-8859-1', 'utf-16', 'windows-1258', 'ascii', 'utf-7', '"utf-16"'),
          fc.stringMatching(/^[a-z0-9-]{1,12}$/),
        ),
      )
      .filter(([, cs]) => !['utf-8', 'utf8'].includes(cs.replace(/"/g, '')))
      .map(([t, cs]) => `${t}; charset=${cs}`);
    await fuzz(
      'content-type',
      fc.oneof(type, badCharset).map((ct) => {
        const headers: Record<string, string> = { ...auth() };
        // Without a content type, Request gives a string body text/plain: still not ours.
        if (ct !== '') headers['content-type'] = ct;
        return { kind: 'content-type', headers, body, expect: { 415: ['unsupported_media_type'] } };
      }),
      1000,
    );
  });

  it('header injection attempts in ce-* headers and X-Request-Id → 400, nothing reflected', async () => {
    const payloads = fc.constantFrom(
      '\r\nX-Injected: 1',
      '\r\nSet-Cookie: a=b',
      '\nLocation: http://evil.example',
      '\u0000',
      '\u2028',
      '<script>alert(1)</script>',
      "'; drop table events; --",
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a log4shell-style payload, literally
      '${jndi:ldap://x}',
      '%0d%0aX-Injected:%201',
      '../../etc/passwd',
    );
    const target = fc.constantFrom('source', 'type', 'time', 'specversion', 'id-nul');
    await fuzz(
      'header-injection',
      fc.tuple(target, payloads, fc.boolean(), printable(0, 80)).map(([where, p, raw, rid]) => {
        const values: Record<string, string> = {
          specversion: '1.0',
          id: 'inj',
          source: '/units/71000/desks/Q01',
          type: 'vn.motcua.rating.submitted',
          time: new Date(Date.now() - 60_000).toISOString(),
        };
        if (where === 'id-nul') values.id = `inj\u0000${p}`;
        else values[where] = `${values[where]}${p}`;
        const headers: Record<string, string> = {
          ...auth(),
          'content-type': JSON_TYPE,
          'x-request-id': `${rid}${encodeURIComponent(p)}`,
        };
        // Percent-encoded per the binding; raw (unencoded) where the value is a legal header.
        for (const [k, v] of Object.entries(values))
          headers[`ce-${k}`] = raw && /^[\x20-\x7e]*$/.test(v) ? v : pctEncode(v);
        return {
          kind: 'header-injection',
          headers,
          body: JSON.stringify({ level: 'satisfied' }),
          expect: bad400('invalid_event'),
        };
      }),
      800,
    );
  });

  it('oversized bodies → 413', async () => {
    const small = (i: number) => ({
      specversion: '1.0',
      id: `o-${i}`,
      source: '/units/71000/desks/Q01',
      type: 'vn.motcua.rating.submitted',
      time: new Date(Date.now() - 60_000).toISOString(),
      data: { level: 'satisfied' },
    });
    const manyEvents = JSON.stringify(Array.from({ length: 1001 }, (_, i) => small(i)));
    await fuzz(
      'oversized',
      fc
        .tuple(fc.constantFrom('body', 'events', 'event', 'gzip'), fc.integer({ min: 1, max: 300_000 }))
        .map(([what, extra]) => {
          const headers: Record<string, string> = { ...auth(), 'content-type': BATCH };
          let body: string | Uint8Array;
          if (what === 'body') body = `[${JSON.stringify(small(0))},"${'x'.repeat(1024 * 1024 + extra)}"]`;
          else if (what === 'events') body = manyEvents;
          else if (what === 'event')
            body = JSON.stringify([
              { ...small(1), data: { level: 'satisfied', comment: 'y'.repeat(32 * 1024 + extra) } },
            ]);
          else {
            headers['content-encoding'] = 'gzip';
            body = gzipSync(`[${' '.repeat(1024 * 1024 + extra)}]`);
          }
          return { kind: 'oversized', headers, body, expect: { 413: ['too_large'] } };
        }),
      150,
    );
  });

  it('missing, unknown, revoked and out-of-scope keys → 401 / 403, nothing stored', async () => {
    const event = (desk = 'Q01', i = 0) => ({
      specversion: '1.0',
      id: `auth-${i}-${Math.random()}`,
      source: `/units/71000/desks/${desk}`,
      type: 'vn.motcua.rating.submitted',
      time: new Date(Date.now() - 60_000).toISOString(),
      data: { level: 'satisfied' },
    });
    await fuzz(
      'auth',
      fc.oneof(
        fc
          .oneof(
            fc.constant(null),
            printable(0, 80),
            printable(1, 60).map((s) => `Bearer ${s}`),
            fc.stringMatching(/^[A-Za-z0-9_-]{0,40}$/).map((s) => `Bearer mck_${s}`),
            fc.constant(`Basic ${Buffer.from('a:b').toString('base64')}`),
            fc.constant(`Bearer ${key} extra`),
            fc.constant(`Bearer ${key.slice(0, -1)}`),
            fc.constant(`Bearer ${key}x`),
          )
          .filter((a) => a !== `Bearer ${key}`)
          .map((a) => {
            const headers: Record<string, string> = { 'content-type': STRUCTURED };
            if (a !== null) headers.authorization = a;
            return {
              kind: 'auth',
              headers,
              body: JSON.stringify(event()),
              expect: { 401: ['unauthorized'] },
            };
          }),
        fc.constant(null).map(() => ({
          kind: 'auth',
          headers: { authorization: `Bearer ${revokedKey}`, 'content-type': STRUCTURED },
          body: JSON.stringify(event()),
          expect: { 403: ['forbidden'] },
        })),
        fc.tuple(fc.constantFrom('structured', 'batch'), fc.integer({ min: 1, max: 5 })).map(([mode, n]) => ({
          kind: 'auth',
          headers: {
            authorization: `Bearer ${otherKey}`,
            'content-type': mode === 'batch' ? BATCH : STRUCTURED,
          },
          body:
            mode === 'batch'
              ? JSON.stringify(Array.from({ length: n }, (_, i) => event('Q01', i)))
              : JSON.stringify(event()),
          expect: mode === 'batch' ? { 400: ['forbidden_source'] } : { 403: ['forbidden_source'] },
        })),
        fc
          .stringMatching(/^[A-Za-z0-9_-]{1,32}$/)
          .filter((d) => d !== 'Q01')
          .map((desk) => ({
            kind: 'auth',
            headers: { authorization: `Bearer ${deskKeyQ01}`, 'content-type': STRUCTURED },
            body: JSON.stringify(event(desk)),
            expect: { 403: ['forbidden_source'] },
          })),
      ),
      600,
    );
  });

  it('stored nothing of it, and still accepts a valid event (app and HTTP)', async () => {
    expect(await count(t.db)).toBe(0);
    const ok = (id: string) =>
      JSON.stringify({
        specversion: '1.0',
        id,
        source: `/units/${unit}/desks/Q01`,
        type: 'vn.motcua.rating.submitted',
        time: new Date(Date.now() - 60_000).toISOString(),
        data: { level: 'satisfied', comment: 'vẫn chạy' },
      });
    const res = await app.request('/v1/events', {
      method: 'POST',
      headers: { ...auth(), 'content-type': STRUCTURED },
      body: ok('after-fuzz-1'),
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as Json).accepted).toBe(1);
    expect(await count(t.db)).toBe(1);
    const total = Object.values(tried).reduce((a, b) => a + b, 0);
    expect(total).toBeGreaterThanOrEqual(10_000);
  });

  it('over real HTTP: a sample of every kind, then a valid event', async () => {
    const before = await count(t.db);
    const sample = fc.sample(fc.oneof(...all), { numRuns: 600 });
    for (const c of sample) {
      const res = await fetch(`${http.url}/v1/events`, {
        method: 'POST',
        headers: c.headers,
        body: c.body,
      });
      httpTried[c.kind] = (httpTried[c.kind] ?? 0) + 1;
      statuses[res.status] = (statuses[res.status] ?? 0) + 1;
      const wrong = problem(c, res.status, res.headers, await res.text());
      if (wrong)
        throw new Error(`over HTTP, ${c.kind}: ${wrong}\nheaders ${JSON.stringify(c.headers).slice(0, 300)}`);
    }
    expect(await count(t.db)).toBe(before);
  });

  it('over a raw socket: CR/LF and NUL in ce-* headers, oversized headers and bodies → 400/413/431', async () => {
    const before = await count(t.db);
    const port = Number(new URL(http.url).port);
    // Data the contract refuses: whichever way a parser reads the headers, the event is invalid.
    const body = JSON.stringify({ level: 'nope' });
    const head = (extra: string, opts: { length?: number; chunked?: boolean } = {}) =>
      `POST /v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nAuthorization: Bearer ${key}\r\n` +
      `Content-Type: application/json\r\nce-specversion: 1.0\r\nce-id: raw\r\nce-type: vn.motcua.rating.submitted\r\n` +
      `ce-time: ${new Date(Date.now() - 60_000).toISOString()}\r\n${extra}` +
      (opts.chunked
        ? 'Transfer-Encoding: chunked\r\n'
        : `Content-Length: ${opts.length ?? Buffer.byteLength(body)}\r\n`) +
      '\r\n';
    const src = '/units/71000/desks/Q01';
    const cases: { name: string; bytes: Buffer; status: number[] }[] = [
      {
        name: 'CR in value',
        bytes: Buffer.from(`${head(`ce-source: ${src}\rX-Injected: 1\r\n`)}${body}`),
        status: [400],
      },
      {
        name: 'bare LF splits',
        bytes: Buffer.from(`${head(`ce-source: ${src}\nX-Injected: 1\r\n`)}${body}`),
        status: [400],
      },
      {
        name: 'NUL in value',
        bytes: Buffer.from(`${head(`ce-source: ${src}\u0000x\r\n`)}${body}`),
        status: [400],
      },
      {
        name: 'obs-fold',
        bytes: Buffer.from(`${head(`ce-source: ${src}\r\n continued\r\n`)}${body}`),
        status: [400],
      },
      {
        name: 'space before colon',
        bytes: Buffer.from(`${head(`ce-source : ${src}\r\n`)}${body}`),
        status: [400],
      },
      {
        name: 'percent-encoded CRLF',
        bytes: Buffer.from(`${head(`ce-source: ${src}%0D%0AX-Injected:%201\r\n`)}${body}`),
        status: [400],
      },
      {
        name: 'header over 16 KiB',
        bytes: Buffer.from(`${head(`ce-source: ${'a'.repeat(70_000)}\r\n`)}${body}`),
        status: [431],
      },
      {
        name: 'declared 2 MiB',
        bytes: Buffer.from(`${head(`ce-source: ${src}\r\n`, { length: 2 * 1024 * 1024 })}${body}`),
        status: [413],
      },
      {
        name: 'chunked over 1 MiB',
        bytes: Buffer.concat([
          Buffer.from(head(`ce-source: ${src}\r\n`, { chunked: true })),
          ...Array.from({ length: 20 }, () => Buffer.from(`10000\r\n${'x'.repeat(0x10000)}\r\n`)),
          Buffer.from('0\r\n\r\n'),
        ]),
        status: [413],
      },
      {
        name: 'bad chunk size',
        bytes: Buffer.from(`${head(`ce-source: ${src}\r\n`, { chunked: true })}zz\r\n${body}\r\n0\r\n\r\n`),
        status: [400],
      },
      {
        name: 'invalid UTF-8 header value',
        bytes: Buffer.concat([
          Buffer.from(head(`ce-source: ${src}`)),
          Buffer.from([0xff, 0xfe, 0x0d, 0x0a]),
          Buffer.from(body),
        ]),
        status: [400],
      },
    ];
    for (const c of cases) {
      const answer = await rawRequest(port, c.bytes);
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1]);
      httpTried['raw-socket'] = (httpTried['raw-socket'] ?? 0) + 1;
      statuses[status] = (statuses[status] ?? 0) + 1;
      expect(c.status, `${c.name}: ${answer.slice(0, 200)}`).toContain(status);
      expect(answer.toLowerCase()).not.toMatch(/\r\nx-injected:|\r\nset-cookie:/);
    }
    expect(await count(t.db)).toBe(before);
    const health = await fetch(`${http.url}/healthz`);
    expect(health.status).toBe(200);
    const res = await fetch(`${http.url}/v1/events`, {
      method: 'POST',
      headers: { ...auth(), 'content-type': BATCH },
      body: JSON.stringify([
        {
          specversion: '1.0',
          id: 'after-raw',
          source: `/units/${unit}/desks/Q01`,
          type: 'vn.motcua.rating.submitted',
          time: new Date(Date.now() - 60_000).toISOString(),
          data: { level: 'very_satisfied' },
        },
      ]),
    });
    expect(res.status).toBe(200);
    expect(await count(t.db)).toBe(before + 1);
  });
});

/** Writes bytes to the port and returns everything the server sends back before closing. */
function rawRequest(port: number, bytes: Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      resolve(Buffer.concat(chunks).toString('latin1'));
    }, 5000);
    socket.on('data', (d) => chunks.push(d));
    socket.on('error', (err) => {
      // The server may close while we still write (it answered early): keep what it said.
      if (chunks.length) return;
      clearTimeout(timer);
      reject(err);
    });
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks).toString('latin1'));
    });
    socket.write(bytes);
  });
}
