/**
 * The client against the real ingest (Hono app, desk-key check, rate limiter, group-commit writer)
 * over PGlite, with the TCP fault proxy between them where a connection has to be cut or held.
 * Backoff waits go through an injected `sleep` that records what the client asked for.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import type { DeskEvent } from '@motcua/contract';
import { type Database, revokeDeskKey, schema } from '@motcua/db';
import { createTestTree, openTestDb, type TestDb, type TestTree } from '@motcua/test-helpers/db';
import { deskKey, startTestIngest } from '@motcua/test-helpers/ingest';
import { startTcpProxy } from '@motcua/test-helpers/tcp-proxy';
import { until } from '@motcua/test-helpers/wait';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createClient, type SendResult } from './client.ts';
import { IngestError, QueueFullError } from './errors.ts';
import { newEventId } from './wire.ts';

let t: TestDb;
let tree: TestTree;
let nextCommune = 0;
const cleanups: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  t = await openTestDb('pglite');
  tree = await createTestTree(t.db, { districts: 2, communesPerDistrict: 6 });
}, 60_000);
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});
afterAll(async () => {
  await t?.drop();
});

/** A commune and a commune key of this test's own. */
async function desk() {
  const unit = tree.communes[nextCommune++];
  return { unit, key: await deskKey(t.db, unit) };
}

function rating(unit: string, extra: Record<string, unknown> = {}): DeskEvent {
  return {
    specversion: '1.0',
    id: newEventId(),
    source: `/units/${unit}/desks/Q01`,
    type: 'vn.motcua.rating.submitted',
    time: new Date(Date.now() - 60_000).toISOString(),
    data: { level: 'satisfied' },
    ...extra,
  } as DeskEvent;
}

/** Ids of the events stored for a commune, sorted, read from the events table. */
async function storedIds(db: Database, unit: string): Promise<string[]> {
  const rows = await db.orm
    .select({ id: schema.events.id, unit: schema.events.unitCode })
    .from(schema.events);
  return rows
    .filter((r) => r.unit === unit)
    .map((r) => r.id)
    .sort();
}
const idsOf = (events: DeskEvent[]) => events.map((e) => e.id).sort();

interface Call {
  status: number | 'network';
  retryAfter: string | null;
  encoding: string | null;
  /** Events in the request body (decompressed), and its size in bytes before compression. */
  events: number;
  bytes: number;
}

/** fetch that records every request and its answer. */
function recordingFetch(calls: Call[]): typeof fetch {
  return async (input, init) => {
    const headers = new Headers(init?.headers);
    const encoding = headers.get('content-encoding');
    const raw = init?.body as string | Uint8Array;
    const text = typeof raw === 'string' ? raw : gunzipSync(raw).toString('utf8');
    const call: Call = {
      status: 'network',
      retryAfter: null,
      encoding,
      events: (JSON.parse(text) as unknown[]).length,
      bytes: Buffer.byteLength(text),
    };
    calls.push(call);
    const res = await fetch(input, init);
    call.status = res.status;
    call.retryAfter = res.headers.get('retry-after');
    return res;
  };
}

const all = (events: DeskEvent[], status: 'accepted' | 'duplicate', attempts: number): SendResult[] =>
  events.map((e) => ({ id: e.id, status, attempts }));

// Each test writes up to 2,500 events through PGlite: more than the unit project's 5 s on a busy machine.
describe('@motcua/client against the real ingest', { timeout: 30_000 }, () => {
  it('waits out a 503 with Retry-After: 2 (the ingest shutting down), then its retry reaches the restarted ingest', async () => {
    const { unit, key } = await desk();
    let ingest = await startTestIngest(t.db, { retryAfterSeconds: 2 });
    cleanups.push(() => ingest.close());
    const port = Number(new URL(ingest.url).port);
    // A closed writer is the ingest's shutdown path: every write is answered 503 with Retry-After.
    await ingest.writer.close();
    const calls: Call[] = [];
    const delays: number[] = [];
    const client = createClient({
      url: ingest.url,
      key,
      fetch: recordingFetch(calls),
      random: () => 0.5,
      sleep: async (ms) => {
        delays.push(ms);
        await ingest.close();
        ingest = await startTestIngest(t.db, { port, retryAfterSeconds: 2 });
        // One turn of the event loop's I/O phase, so fetch's pool sees that the old ingest closed
        // its keep-alive connection (else the retry may go out on it and meet "other side closed").
        await new Promise((r) => setImmediate(r));
      },
    });
    const events = [rating(unit), rating(unit), rating(unit)];
    const results = Promise.all(events.map((e) => client.send(e)));
    await client.flush();

    expect(await results).toEqual(all(events, 'accepted', 2));
    expect(calls.map((c) => [c.status, c.retryAfter])).toEqual([
      [503, '2'],
      [200, null],
    ]);
    // The jittered backoff alone would have been 0.5 × 250 ms: Retry-After is the floor.
    expect(delays).toEqual([2000]);
    expect(await storedIds(t.db, unit)).toEqual(idsOf(events));
  });

  it('waits out a 429 with Retry-After from the rate limiter, then the same request fits', async () => {
    const { unit, key } = await desk();
    let clock = Date.now();
    // 100 events/s, a bucket of 1,000: after a full batch the next 200 events need 2 s.
    const ingest = await startTestIngest(t.db, { rate: 100, burst: 1000, now: () => clock });
    cleanups.push(() => ingest.close());
    const calls: Call[] = [];
    const delays: number[] = [];
    const client = createClient({
      url: ingest.url,
      key,
      fetch: recordingFetch(calls),
      random: () => 0.5,
      now: () => clock,
      sleep: async (ms) => {
        delays.push(ms);
        clock += ms;
      },
    });
    const events = Array.from({ length: 1200 }, () => rating(unit));
    const results = Promise.all(events.map((e) => client.send(e)));
    await client.flush();

    const settled = await results;
    expect(settled.slice(0, 1000)).toEqual(all(events.slice(0, 1000), 'accepted', 1));
    expect(settled.slice(1000)).toEqual(all(events.slice(1000), 'accepted', 2));
    expect(calls.map((c) => [c.status, c.retryAfter, c.events])).toEqual([
      [200, null, 1000],
      [429, '2', 200],
      [200, null, 200],
    ]);
    expect(delays).toEqual([2000]);
    expect(await storedIds(t.db, unit)).toEqual(idsOf(events));
  });

  it('a connection cut after the commit, before the answer: the retry gets duplicate, each event stored once', async () => {
    const { unit, key } = await desk();
    const ingest = await startTestIngest(t.db);
    cleanups.push(() => ingest.close());
    const proxy = await startTcpProxy({ host: '127.0.0.1', port: Number(new URL(ingest.url).port) });
    cleanups.push(() => proxy.close());
    // The ingest answers only after its commit; the proxy drops that answer and the connection.
    const cut = proxy.cutWhen('client', 'HTTP/1.1 200');
    const calls: Call[] = [];
    let storedBeforeRetry: string[] = [];
    const client = createClient({
      url: `http://127.0.0.1:${proxy.port}`,
      key,
      fetch: recordingFetch(calls),
      sleep: async () => {
        await cut;
        storedBeforeRetry = await storedIds(t.db, unit);
        proxy.restore();
      },
    });
    const events = Array.from({ length: 5 }, () => rating(unit));
    const results = Promise.all(events.map((e) => client.send(e)));
    await client.flush();

    expect(calls.map((c) => c.status)).toEqual(['network', 200]);
    expect(storedBeforeRetry).toEqual(idsOf(events));
    expect(await results).toEqual(all(events, 'duplicate', 2));
    // (source, id) is the table's key, so this counts each event's one row.
    expect(await storedIds(t.db, unit)).toEqual(idsOf(events));
  });

  it('with the ingest held, the send past maxQueue throws QueueFullError and every event taken is delivered', async () => {
    const { unit, key } = await desk();
    const ingest = await startTestIngest(t.db);
    cleanups.push(() => ingest.close());
    const proxy = await startTcpProxy({ host: '127.0.0.1', port: Number(new URL(ingest.url).port) });
    cleanups.push(() => proxy.close());
    proxy.cut('blackhole');
    const calls: Call[] = [];
    const client = createClient({
      url: `http://127.0.0.1:${proxy.port}`,
      key,
      maxQueue: 5,
      batchSize: 2,
      fetch: recordingFetch(calls),
      sleep: async () => {},
    });
    const events = Array.from({ length: 5 }, () => rating(unit));
    const results = Promise.all(events.map((e) => client.send(e)));
    const extra = rating(unit);
    expect(client.pending).toBe(5);
    expect(() => client.send(extra)).toThrow(QueueFullError);
    expect(() => client.send(extra)).toThrow('queue full, 5 events are waiting');
    // The first batch is on a connection the proxy holds open without an answer.
    await until(async () => (proxy.stats.heldOrRefused === 1 ? true : undefined), 5000, 'a held request');
    expect(client.pending).toBe(5);

    proxy.restore();
    const settled = await results;
    expect(settled.map((r) => r.status)).toEqual(Array(5).fill('accepted'));
    expect(calls.map((c) => [c.status, c.events])).toEqual([
      ['network', 2],
      [200, 2],
      [200, 2],
      [200, 1],
    ]);
    expect(await storedIds(t.db, unit)).toEqual(idsOf(events));
    // Room again once the queue has drained.
    expect(client.pending).toBe(0);
    await expect(client.send(extra)).resolves.toEqual({ id: extra.id, status: 'accepted', attempts: 1 });
  });

  it('gzips bodies on the wire (as a server sees them) and the ingest stores them', async () => {
    const { unit, key } = await desk();
    const ingest = await startTestIngest(t.db);
    cleanups.push(() => ingest.close());
    // A plain HTTP server in front of the ingest: records each request as received, passes it on.
    const seen: { encoding: string | undefined; body: Buffer }[] = [];
    const front = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', async () => {
        const body = Buffer.concat(chunks);
        seen.push({ encoding: req.headers['content-encoding'], body });
        const answer = await fetch(`${ingest.url}${req.url}`, {
          method: 'POST',
          headers: Object.entries(req.headers).filter(
            ([name]) => name !== 'host' && name !== 'content-length',
          ) as [string, string][],
          body,
        });
        res.writeHead(answer.status, { 'content-type': 'application/json' });
        res.end(await answer.text());
      });
    });
    await new Promise<void>((resolve) => front.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise((r) => front.close(r)));
    const url = `http://127.0.0.1:${(front.address() as AddressInfo).port}`;

    const zipped = createClient({ url, key });
    const many = Array.from({ length: 20 }, () => rating(unit));
    const one = rating(unit);
    const results = Promise.all([...many.map((e) => zipped.send(e))]);
    await zipped.flush();
    const single = zipped.send(one);
    await zipped.flush();
    const plain = createClient({ url, key, gzip: false });
    const unzipped = Array.from({ length: 20 }, () => rating(unit));
    const plainResults = Promise.all(unzipped.map((e) => plain.send(e)));
    await plain.flush();

    expect((await results).map((r) => r.status)).toEqual(Array(20).fill('accepted'));
    expect((await single).status).toBe('accepted');
    expect((await plainResults).map((r) => r.status)).toEqual(Array(20).fill('accepted'));
    expect(seen.map((s) => s.encoding)).toEqual(['gzip', undefined, undefined]);
    // The gzip magic number, and the batch inside it.
    expect([...seen[0].body.subarray(0, 2)]).toEqual([0x1f, 0x8b]);
    expect(JSON.parse(gunzipSync(seen[0].body).toString('utf8'))).toEqual(many);
    expect(seen[0].body.length).toBeLessThan(Buffer.byteLength(JSON.stringify(many)) / 2);
    // One event is under gzipMinBytes (1 KiB): not worth compressing.
    expect(JSON.parse(seen[1].body.toString('utf8'))).toEqual([one]);
    expect(JSON.parse(seen[2].body.toString('utf8'))).toEqual(unzipped);
    expect(await storedIds(t.db, unit)).toEqual(idsOf([...many, one, ...unzipped]));
  });

  it('splits batches at 1,000 events and at 1 MiB, and refuses an event over 32 KiB locally', async () => {
    const { unit, key } = await desk();
    const ingest = await startTestIngest(t.db);
    cleanups.push(() => ingest.close());
    const calls: Call[] = [];
    const client = createClient({ url: ingest.url, key, fetch: recordingFetch(calls) });

    const small = Array.from({ length: 2500 }, () => rating(unit));
    const smallResults = Promise.all(small.map((e) => client.send(e)));
    await client.flush();
    expect((await smallResults).every((r) => r.status === 'accepted')).toBe(true);
    expect(calls.map((c) => [c.status, c.events])).toEqual([
      [200, 1000],
      [200, 1000],
      [200, 500],
    ]);

    // 40 events of about 30 KB (an extension attribute pads them): 34 fit in 1 MiB.
    calls.length = 0;
    const big = Array.from({ length: 40 }, () => rating(unit, { pad: 'x'.repeat(30_000) }));
    const huge = rating(unit, { pad: 'x'.repeat(33_000) });
    const bigResults = Promise.all([...big, huge].map((e) => client.send(e)));
    await client.flush();
    const settled = await bigResults;
    expect(settled.slice(0, 40).every((r) => r.status === 'accepted')).toBe(true);
    expect(settled[40]).toEqual({
      id: huge.id,
      status: 'rejected',
      error: {
        code: 'too_large',
        message: expect.stringMatching(/^event: 33\d{3} bytes, over the 32768-byte limit/),
      },
      attempts: 0,
    });
    const size = Buffer.byteLength(JSON.stringify(big[0]));
    expect(calls.map((c) => [c.status, c.events, c.encoding])).toEqual([
      [200, 34, 'gzip'],
      [200, 6, 'gzip'],
    ]);
    expect(calls[0].bytes).toBe(34 * size + 35);
    expect(calls[0].bytes + size + 1).toBeGreaterThan(1024 * 1024);
    expect(await storedIds(t.db, unit)).toEqual(idsOf([...small, ...big]));
  });

  it("gives each event the ingest's own verdict: accepted, duplicate, rejected with its code and message", async () => {
    const { unit, key } = await desk();
    const other = tree.communes[nextCommune++];
    const ingest = await startTestIngest(t.db);
    cleanups.push(() => ingest.close());
    const client = createClient({ url: ingest.url, key });
    const first = rating(unit);
    await client.send(first);
    const bad = { ...rating(unit), data: { level: 'great' } } as unknown as DeskEvent;
    const results = await Promise.all([first, rating(unit), bad, rating(other)].map((e) => client.send(e)));
    expect(results.map((r) => r.status)).toEqual(['duplicate', 'accepted', 'rejected', 'rejected']);
    expect(results[2]).toMatchObject({
      error: {
        code: 'invalid_event',
        message: 'data.level: expected one of very_satisfied, satisfied, unsatisfied',
      },
    });
    expect(results[3]).toMatchObject({
      error: { code: 'forbidden_source', message: `source: outside this key's unit ${unit}` },
    });
    // A batch of only rejected events (the ingest answers 400 with the report) settles the same way.
    await expect(client.send(bad)).resolves.toMatchObject({ status: 'rejected', attempts: 1 });
  });

  it('an unknown key (401) or a revoked one (403) rejects every event of the request, without retrying', async () => {
    const { unit, key } = await desk();
    const ingest = await startTestIngest(t.db);
    cleanups.push(() => ingest.close());
    const calls: Call[] = [];
    const sleeps: number[] = [];
    const options = {
      url: ingest.url,
      fetch: recordingFetch(calls),
      sleep: async (ms: number) => void sleeps.push(ms),
    };
    const unknown = createClient({ ...options, key: 'mck_00000000000000000000000000000000' });
    const events = [rating(unit), rating(unit)];
    const refused = await Promise.allSettled(events.map((e) => unknown.send(e)));
    for (const r of refused) {
      expect(r.status).toBe('rejected');
      const err = (r as PromiseRejectedResult).reason as IngestError;
      expect(err).toBeInstanceOf(IngestError);
      expect(err).toMatchObject({ status: 401, code: 'unauthorized', attempts: 1, gaveUp: false });
      expect(err.message).toBe(
        `POST ${ingest.url}/v1/events answered 401 (unauthorized: Authorization: unknown desk key)`,
      );
      expect(err.requestId).toMatch(/^[0-9a-f-]{36}$/);
    }

    await revokeDeskKey(t.db, key.slice(0, 14));
    const revoked = createClient({ ...options, key });
    const err = await revoked.send(rating(unit)).catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 403, code: 'forbidden', attempts: 1 });
    expect((err as Error).message).toMatch(
      /answered 403 \(forbidden: Authorization: this key was revoked\)$/,
    );
    expect(calls.map((c) => c.status)).toEqual([401, 403]);
    expect(sleeps).toEqual([]);
    expect(await storedIds(t.db, unit)).toEqual([]);
  });
});
