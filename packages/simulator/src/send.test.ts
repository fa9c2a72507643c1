import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DeskEvent } from '@motcua/contract';
import { afterEach, describe, expect, it } from 'vitest';
import { createSender, MAX_BATCH_BYTES, parseRetryAfter, SendError } from './send.ts';

function rating(id: string, comment?: string): DeskEvent {
  return {
    specversion: '1.0',
    id,
    source: '/units/00004/desks/Q01',
    type: 'vn.motcua.rating.submitted',
    time: '2025-11-29T08:15:03+07:00',
    datacontenttype: 'application/json',
    data: comment === undefined ? { level: 'satisfied' } : { level: 'satisfied', comment },
  };
}

interface Seen {
  headers: IncomingHttpHeaders;
  url: string | undefined;
  ids: string[];
}

/** Answers 503 (Retry-After: 0) to the first request, then a per-event report like the ingest's. */
async function flakyIngest() {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const events = JSON.parse(Buffer.concat(chunks).toString('utf8')) as DeskEvent[];
      seen.push({ headers: req.headers, url: req.url, ids: events.map((e) => e.id) });
      if (seen.length === 1) {
        res.writeHead(503, { 'content-type': 'application/json', 'retry-after': '0' });
        res.end(
          JSON.stringify({
            error: { code: 'unavailable', message: 'database unavailable', requestId: 'r1' },
          }),
        );
        return;
      }
      const results = events.map((e, index) => {
        if (e.id.endsWith('dup')) return { index, id: e.id, status: 'duplicate' };
        if (e.id.endsWith('bad')) {
          return {
            index,
            id: e.id,
            status: 'rejected',
            error: { code: 'invalid_event', message: 'data.level: nope' },
          };
        }
        return { index, id: e.id, status: 'accepted' };
      });
      const count = (s: string) => results.filter((r) => r.status === s).length;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          accepted: count('accepted'),
          duplicates: count('duplicate'),
          rejected: count('rejected'),
          results,
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { seen, target: `http://127.0.0.1:${port}`, close: () => new Promise((r) => server.close(r)) };
}

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

describe('createSender', () => {
  it('retries a 503 with Retry-After and sums the per-event reports over batches', async () => {
    const ingest = await flakyIngest();
    cleanups.push(ingest.close);
    const sender = createSender({ target: `${ingest.target}/`, key: 'k-123', batchSize: 2 });
    const events = ['e1', 'e2-dup', 'e3', 'e4-bad', 'e5'].map((id) => rating(id));
    const result = await sender.send(events);

    expect(result).toMatchObject({ accepted: 3, duplicates: 1, rejected: 1, requests: 4, retries: 1 });
    expect(result.errors).toEqual(['e4-bad: invalid_event: data.level: nope']);
    // The refused first batch was sent again, then the other two.
    expect(ingest.seen.map((s) => s.ids)).toEqual([
      ['e1', 'e2-dup'],
      ['e1', 'e2-dup'],
      ['e3', 'e4-bad'],
      ['e5'],
    ]);
    for (const s of ingest.seen) {
      expect(s.url).toBe('/v1/events');
      expect(s.headers.authorization).toBe('Bearer k-123');
      expect(s.headers['content-type']).toBe('application/cloudevents-batch+json');
    }
  });

  it('retries network errors and gives up after the retry budget', async () => {
    let calls = 0;
    const flaky = (async () => {
      calls++;
      if (calls === 1) throw new TypeError('fetch failed');
      return Response.json({ accepted: 1, duplicates: 0, rejected: 0, results: [] });
    }) as typeof fetch;
    const ok = await createSender({ target: 'http://x', key: 'k', fetchImpl: flaky, baseDelayMs: 1 }).send([
      rating('a'),
    ]);
    expect(ok).toMatchObject({ accepted: 1, retries: 1 });

    const down = (async () =>
      new Response('busy', { status: 429, headers: { 'retry-after': '0' } })) as typeof fetch;
    const sender = createSender({
      target: 'http://x',
      key: 'k',
      fetchImpl: down,
      baseDelayMs: 5,
      maxRetryMs: 60,
    });
    await expect(sender.send([rating('a')])).rejects.toThrow(/gave up after \d+ attempts.*HTTP 429/);
  });

  it('does not retry a refused key', async () => {
    const refused = (async () =>
      Response.json(
        { error: { code: 'unauthorized', message: 'unknown key', requestId: 'r' } },
        { status: 401 },
      )) as typeof fetch;
    const sender = createSender({ target: 'http://x', key: 'k', fetchImpl: refused });
    const err = await sender.send([rating('a')]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SendError);
    expect((err as SendError).status).toBe(401);
    expect((err as SendError).message).toMatch(/401 \(unauthorized: unknown key\)/);
  });

  it('keeps requests under 1 MiB and 1000 events, and never sends an event over 32 KiB', async () => {
    const bodies: string[] = [];
    const capture = (async (_url: string | URL | Request, init?: RequestInit) => {
      const body = String(init?.body);
      bodies.push(body);
      const n = (JSON.parse(body) as unknown[]).length;
      return Response.json({ accepted: n, duplicates: 0, rejected: 0 });
    }) as typeof fetch;
    const comment = 'Cán bộ hướng dẫn tận tình, chu đáo. '.repeat(13).slice(0, 480);
    const events = Array.from({ length: 1500 }, (_, i) => rating(`r${i}`, comment));
    events.push(rating('huge', 'x'.repeat(40_000)));
    const result = await createSender({ target: 'http://x', key: 'k', fetchImpl: capture }).send(events);
    expect(result).toMatchObject({ accepted: 1500, rejected: 1 });
    expect(result.errors[0]).toMatch(/^huge: event larger than 32 KiB/);
    expect(bodies.length).toBeGreaterThanOrEqual(2);
    for (const b of bodies) {
      expect(Buffer.byteLength(b)).toBeLessThanOrEqual(MAX_BATCH_BYTES);
      expect((JSON.parse(b) as unknown[]).length).toBeLessThanOrEqual(1000);
    }
  });

  it('reads Retry-After as seconds or a date', () => {
    expect(parseRetryAfter('3')).toBe(3000);
    expect(parseRetryAfter(null)).toBeNull();
    expect(parseRetryAfter('Sat, 29 Nov 2025 01:00:10 GMT', Date.parse('2025-11-29T01:00:00Z'))).toBe(10_000);
    expect(parseRetryAfter('soon')).toBeNull();
  });
});
