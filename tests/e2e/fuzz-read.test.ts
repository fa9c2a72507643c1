import type { ClientToServerEvents, ServerToClientEvents } from '@motcua/contract';
import { DB_KINDS } from '@motcua/test-helpers/db';
import { dossierEvent, rating, received } from '@motcua/test-helpers/events';
import { postBatch } from '@motcua/test-helpers/ingest';
import { startTestSystem, type TestSystem } from '@motcua/test-helpers/system';
import fc from 'fast-check';
import { io, type Socket } from 'socket.io-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

/**
 * Random parameters at the read API and random payloads at the socket `subscribe`: the
 * answers are 200 or the contract's 400/401/403/404 (errors of `subscribe`: bad_request,
 * not_found, forbidden), never a 5xx, and the dashboard stays up.
 */

type Client = Socket<ServerToClientEvents, ClientToServerEvents>;
type Json = Record<string, unknown>;

const HTTP_RUNS = 2500;
const SOCKET_RUNS = 1500;
const ENDPOINTS = [
  'metrics',
  'series',
  'export.csv',
  'ratings',
  'overdue',
  'heatmap',
  'info',
  'scorecard',
  'scorecard/league',
  'scorecard.csv',
];
const API_CODES: Record<number, string> = {
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
};

const printable = (max = 30) =>
  fc.string({
    unit: fc.integer({ min: 0x20, max: 0x7e }).map((n) => String.fromCharCode(n)),
    maxLength: max,
  });
const junkText = fc.oneof(
  printable(40),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.constantFrom(
    '__proto__',
    'constructor',
    'hasOwnProperty',
    'toString',
    'valueOf',
    '..',
    '.',
    'null',
    'undefined',
  ),
);
const rfc3339 = fc
  .tuple(fc.integer({ min: -3000, max: 3000 }), fc.constantFrom('Z', '+07:00', '-12:00', '+14:00'))
  .map(([days, off]) => new Date(Date.now() + days * 86_400_000).toISOString().replace('Z', off));
const time = fc.oneof(
  rfc3339,
  fc.constantFrom(
    '0000-01-01T00:00:00Z',
    '0001-01-01T00:00:00+07:00',
    '1970-01-01T00:00:00+07:00',
    '9999-12-31T23:59:59Z',
    '9999-12-31T23:59:59-12:00',
    '2025-02-30T00:00:00Z',
    '2025-01-01T00:00:00',
  ),
  junkText,
);

describe.each(DB_KINDS)('fuzz: read API and live subscribe on %s', (kind) => {
  let s: TestSystem;
  let tokens: Record<string, string | null>;
  let codes: string[];
  const tried = { http: 0, socket: 0 };
  const statuses: Record<string, number> = {};
  const acks: Record<string, number> = {};
  const clients: Client[] = [];

  const connect = (token: string): Client => {
    const c: Client = io(s.dashboardUrl, { auth: { token }, transports: ['websocket'], reconnection: false });
    clients.push(c);
    return c;
  };
  const connected = (c: Client) =>
    new Promise<void>((resolve, reject) => {
      if (c.connected) return resolve();
      c.once('connect', () => resolve());
      c.once('connect_error', reject);
    });

  beforeAll(async () => {
    s = await startTestSystem(kind, { city: '72' });
    const [c0, c1] = s.tree.communes;
    const [d0] = s.tree.districts;
    tokens = {
      city: await s.viewer('city', s.tree.city),
      district: await s.viewer('district', d0),
      commune: await s.viewer('commune', c0),
      display: await s.viewer('display', c0),
      none: null,
      bogus: 'mcv_bogusbogusbogusbogusbogusbogus',
      desk: await s.deskKey(c0),
    };
    codes = [s.tree.city, ...s.tree.districts, ...s.tree.communes, `${c0}/Q01`, `${c1}/Q02`, `${c0}/nope`];
    const key = await s.deskKey(c0);
    const now = Date.now();
    const res = await postBatch(s.ingestUrl, key, [
      rating(c0, 'satisfied', {}, { comment: 'ok' }),
      rating(c0, 'unsatisfied', { desk: 'Q02' }),
      received(c0, 'HS-F1', now - 3_600_000, { time: now - 7_200_000 }),
      dossierEvent(c0, 'supplement_requested', 'HS-F1', { time: now - 5_000_000 }),
    ]);
    expect(res.body.accepted).toBe(4);
  });
  afterEach(() => {
    for (const c of clients.splice(0)) c.disconnect();
  });
  afterAll(async () => {
    await s?.close();
    console.log(
      `fuzz read (${kind}): ${tried.http} read API requests, ${tried.socket} subscribe payloads; ` +
        `HTTP statuses ${JSON.stringify(statuses)}; acks ${JSON.stringify(acks)}`,
    );
  });

  it(`answers ${HTTP_RUNS} random read requests with 200/400/401/403/404 only`, async () => {
    const codePath = fc.oneof(
      {
        weight: 4,
        arbitrary: fc.constantFrom(...codes).map((c) => c.split('/').map(encodeURIComponent).join('/')),
      },
      { weight: 2, arbitrary: junkText.map(encodeURIComponent) },
      {
        weight: 1,
        arbitrary: fc.constantFrom(
          '%',
          '%E0%A4%A',
          '%00',
          '%2e%2e',
          '..%2F..',
          '72%2F..',
          '%C0%AF',
          '%FF',
          '72000//Q01',
          '72000/Q01/extra',
          '72000/Q%0A01',
          '%3Cscript%3E',
          encodeURIComponent('72000\u0000'),
        ),
      },
    );
    const endpoint = fc.oneof(
      { weight: 6, arbitrary: fc.constantFrom(...ENDPOINTS) },
      { weight: 1, arbitrary: junkText.map(encodeURIComponent) },
    );
    const param = (name: string, values: fc.Arbitrary<string>) =>
      fc.option(
        values.map((v) => `${name}=${encodeURIComponent(v)}`),
        { nil: null },
      );
    const query = fc
      .tuple(
        param(
          'window',
          fc.oneof(
            fc.constantFrom('1h', 'today', '7d', '30d', 'custom', '', '1H', 'forever'),
            fc.constantFrom(
              'month',
              'quarter',
              'year',
              '2025-10',
              '2026-Q3',
              '2025',
              '9999',
              '2026-13',
              '0000',
              '0001',
              '1969-12',
              '1970-01',
            ),
            junkText,
          ),
        ),
        param('from', time),
        param('to', time),
        param('step', fc.oneof(fc.constantFrom('1m', '5m', '15m', '1h', '1d', '', '2m', '1M'), junkText)),
        param(
          'limit',
          fc.oneof(
            fc.constantFrom('1', '50', '500', '0', '501', '-1', '1e2', '1.5', ' 5', '', '٣', '0x10', '0050'),
            fc.stringMatching(/^\d{1,12}$/),
            junkText,
          ),
        ),
        fc.option(fc.constantFrom('window=1h&window=7d', 'from=&to=', '%=%', '&&&', 'token=mcv_x'), {
          nil: null,
        }),
      )
      .map((ps) => ps.filter((p) => p !== null).join('&'));
    const who = fc.constantFrom(...Object.keys(tokens));

    await fc.assert(
      fc.asyncProperty(codePath, endpoint, query, who, async (code, ep, q, role) => {
        tried.http++;
        const path = `/api/v1/units/${code}/${ep}${q ? `?${q}` : ''}`;
        const token = tokens[role];
        const res = await fetch(`${s.dashboardUrl}${path}`, {
          headers: token ? { authorization: `Bearer ${token}` } : {},
          redirect: 'manual',
        });
        const text = await res.text();
        statuses[res.status] = (statuses[res.status] ?? 0) + 1;
        if (![200, 400, 401, 403, 404].includes(res.status)) {
          throw new Error(`${role} GET ${path}: status ${res.status} ${text.slice(0, 200)}`);
        }
        if (res.status !== 200 && res.headers.get('content-type')?.includes('application/json')) {
          const body = JSON.parse(text) as { error?: Json; message?: string };
          // SvelteKit's own 404 for paths no route matches is `{ message }`; ours is the error shape.
          if (body.error) {
            expect(body.error.code, path).toBe(API_CODES[res.status]);
            expect(body.error.requestId).toBe(res.headers.get('x-request-id'));
            expect(typeof body.error.message).toBe('string');
          }
        }
        if (res.status === 200 && (role === 'none' || role === 'bogus' || role === 'desk')) {
          throw new Error(`${role} GET ${path}: 200 without a viewer`);
        }
      }),
      { numRuns: HTTP_RUNS },
    );
    const health = await fetch(`${s.dashboardUrl}/readyz`);
    expect(health.status).toBe(200);
  });

  it(`acks ${SOCKET_RUNS} random subscribe payloads with a snapshot or bad_request/not_found/forbidden`, async () => {
    const c0 = s.tree.communes[0];
    const cityClient = connect(tokens.city as string);
    const communeClient = connect(tokens.commune as string);
    await Promise.all([connected(cityClient), connected(communeClient)]);
    const unit = fc.oneof(
      { weight: 6, arbitrary: fc.constantFrom(...codes) },
      { weight: 2, arbitrary: junkText },
      { weight: 1, arbitrary: fc.string({ minLength: 60, maxLength: 200 }) },
      { weight: 1, arbitrary: fc.anything({ maxDepth: 2 }) },
    );
    const windowArb = fc.oneof(
      { weight: 4, arbitrary: fc.constantFrom('1h', 'today', '7d', '30d', 'custom', undefined) },
      { weight: 1, arbitrary: junkText },
      { weight: 1, arbitrary: fc.anything({ maxDepth: 1 }) },
    );
    const rarely = <T>(arb: fc.Arbitrary<T>) =>
      fc.oneof({ weight: 3, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: arb });
    const payload = fc.oneof(
      {
        weight: 3,
        arbitrary: fc.record(
          {
            unit,
            window: windowArb,
            from: rarely(time),
            to: rarely(time),
          },
          { requiredKeys: ['unit'] },
        ),
      },
      { weight: 1, arbitrary: fc.anything({ maxDepth: 3 }) },
      {
        weight: 1,
        arbitrary: fc.constantFrom(null, undefined, 0, '', [], 'unit', [c0, 'today'], {
          unit: c0,
          window: '1h',
          __proto__: { admin: true },
        }),
      },
    );

    await fc.assert(
      fc.asyncProperty(payload, fc.boolean(), async (p, asCommune) => {
        tried.socket++;
        const client = asCommune ? communeClient : cityClient;
        const ack = (await client.timeout(10_000).emitWithAck('subscribe', p as never)) as Json;
        if (ack && typeof ack === 'object' && 'error' in ack) {
          const error = ack.error as { code: string; message: string };
          acks[error.code] = (acks[error.code] ?? 0) + 1;
          expect(['bad_request', 'not_found', 'forbidden']).toContain(error.code);
          expect(typeof error.message).toBe('string');
          return;
        }
        acks.snapshot = (acks.snapshot ?? 0) + 1;
        // A snapshot: only for a real unit inside the viewer's subtree.
        const req = p as { unit: string };
        expect(ack).toMatchObject({ unit: { code: req.unit }, metrics: expect.any(Object) });
        if (asCommune) expect(req.unit === c0 || req.unit.startsWith(`${c0}/`), req.unit).toBe(true);
        // Unsubscribe with the same payload is always answered.
        const un = (await client.timeout(10_000).emitWithAck('unsubscribe', p as never)) as Json;
        expect(un).toEqual({ ok: true });
      }),
      { numRuns: SOCKET_RUNS },
    );

    // No ack function, unknown events, extra arguments: ignored, the socket stays.
    const loose = cityClient as unknown as { emit(event: string, ...args: unknown[]): void };
    loose.emit('subscribe', { unit: c0, window: '1h' });
    loose.emit('subscribe', { unit: c0 }, 'not a function');
    loose.emit('no-such-event', { x: 1 });
    loose.emit('unsubscribe', 42);
    const still = (await cityClient
      .timeout(10_000)
      .emitWithAck('subscribe', { unit: c0, window: '1h' })) as Json;
    expect(still).toMatchObject({ unit: { code: c0 } });
    expect(cityClient.connected).toBe(true);
  });

  it('drops a client that sends an oversized payload, and serves the next one', async () => {
    const big = connect(tokens.city as string);
    await connected(big);
    const gone = new Promise<string>((resolve) => big.once('disconnect', resolve));
    big.emit('subscribe', { unit: 'x'.repeat(64 * 1024), window: '1h' } as never, () => {});
    // The server closes the connection on a packet over maxHttpBufferSize.
    expect(await gone).toBe('transport close');
    expect(big.connected).toBe(false);
    const next = connect(tokens.city as string);
    await connected(next);
    const ack = (await next
      .timeout(10_000)
      .emitWithAck('subscribe', { unit: s.tree.city, window: 'today' })) as Json;
    expect(ack).toMatchObject({ unit: { code: s.tree.city } });
    expect((await fetch(`${s.dashboardUrl}/healthz`)).status).toBe(200);
  });
});
