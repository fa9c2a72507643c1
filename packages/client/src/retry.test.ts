/**
 * The retry policy on its own, with a scripted fetch: the schedule of backoff delays, what is
 * retried and what is not, giving up, timeouts and a discarding close. (What the real ingest
 * answers is in client.test.ts.)
 */
import type { DeskEvent } from '@motcua/contract';
import { describe, expect, it } from 'vitest';
import { createClient } from './client.ts';
import { ClientClosedError, IngestError, QueueFullError } from './errors.ts';

function rating(id: string): DeskEvent {
  return {
    specversion: '1.0',
    id,
    source: '/units/00004/desks/Q01',
    type: 'vn.motcua.rating.submitted',
    time: '2026-11-29T09:15:00+07:00',
    data: { level: 'satisfied' },
  };
}

const envelope = (status: number, code: string, headers: Record<string, string> = {}) =>
  Response.json({ error: { code, message: `${code} here`, requestId: 'req-1' } }, { status, headers });

/** Accepts every event of the request. */
const ok = (init?: RequestInit) => {
  const events = JSON.parse(String(init?.body)) as DeskEvent[];
  return Response.json({
    accepted: events.length,
    duplicates: 0,
    rejected: 0,
    results: events.map((e, index) => ({ index, id: e.id, status: 'accepted' })),
  });
};

/** A fetch that plays `script` in order (a Response, an Error to throw, or 'ok'), then answers ok. */
function scripted(script: (Response | Error | 'ok')[]) {
  const bodies: string[] = [];
  const fetch = (async (_url: string | URL | Request, init?: RequestInit) => {
    bodies.push(String(init?.body));
    const next = script.shift() ?? 'ok';
    if (next instanceof Error) throw next;
    return next === 'ok' ? ok(init) : next;
  }) as typeof globalThis.fetch;
  return { fetch, bodies };
}

const base = { url: 'http://ingest.test/', key: 'mck_k', gzip: false, flushIntervalMs: 0 };

describe('retry policy', () => {
  it('backs off with full jitter under a doubling ceiling, capped at maxDelayMs, resending the same body', async () => {
    const { fetch, bodies } = scripted([
      new TypeError('fetch failed'),
      envelope(502, 'internal'),
      envelope(504, 'internal'),
      envelope(503, 'unavailable'),
      envelope(429, 'rate_limited'),
    ]);
    const delays: number[] = [];
    const client = createClient({
      ...base,
      fetch,
      baseDelayMs: 100,
      maxDelayMs: 500,
      random: () => 0.5,
      sleep: async (ms) => void delays.push(ms),
    });
    await expect(client.send(rating('e-1'))).resolves.toEqual({ id: 'e-1', status: 'accepted', attempts: 6 });
    // Ceilings 100, 200, 400, 500, 500; half of each (random() = 0.5); no Retry-After was given.
    expect(delays).toEqual([50, 100, 200, 250, 250]);
    expect(new Set(bodies)).toEqual(new Set([JSON.stringify([rating('e-1')])]));
  });

  it('never waits less than Retry-After, in seconds or as an HTTP date', async () => {
    const now = Date.parse('2026-11-29T02:00:00Z');
    const { fetch } = scripted([
      envelope(503, 'unavailable', { 'retry-after': '3' }),
      envelope(429, 'rate_limited', { 'retry-after': 'Sun, 29 Nov 2026 02:00:10 GMT' }),
      envelope(503, 'unavailable', { 'retry-after': '0' }),
    ]);
    const delays: number[] = [];
    const client = createClient({
      ...base,
      fetch,
      random: () => 0.999,
      now: () => now,
      sleep: async (ms) => void delays.push(ms),
    });
    await client.send(rating('e-1'));
    expect(delays).toEqual([3000, 10_000, 0.999 * 1000]);
  });

  it('does not retry 400, 413, 415 or 500: every event of the request rejects with the code and request id', async () => {
    for (const [status, code] of [
      [400, 'malformed'],
      [413, 'too_large'],
      [415, 'unsupported_media_type'],
      [500, 'internal'],
      [404, 'not_found'],
    ] as const) {
      const { fetch, bodies } = scripted([envelope(status, code)]);
      const client = createClient({ ...base, fetch, sleep: async () => expect.fail('no retry') });
      const results = await Promise.allSettled([client.send(rating('a')), client.send(rating('b'))]);
      expect(bodies).toHaveLength(1);
      for (const r of results) {
        const err = (r as PromiseRejectedResult).reason as IngestError;
        expect(err).toBeInstanceOf(IngestError);
        expect(err).toMatchObject({ status, code, requestId: 'req-1', attempts: 1, gaveUp: false });
        expect(err.message).toBe(
          `POST http://ingest.test/v1/events answered ${status} (${code}: ${code} here)`,
        );
      }
    }
  });

  it('gives up after maxAttempts with the last failure', async () => {
    const { fetch, bodies } = scripted(Array.from({ length: 5 }, () => envelope(503, 'unavailable')));
    const client = createClient({ ...base, fetch, maxAttempts: 3, sleep: async () => {} });
    const err = (await client.send(rating('a')).catch((e: unknown) => e)) as IngestError;
    expect(bodies).toHaveLength(3);
    expect(err).toMatchObject({ status: 503, code: 'unavailable', attempts: 3, gaveUp: true });
    expect(err.message).toMatch(/^gave up after 3 attempts in 0 s: HTTP 503 \(unavailable: /);
  });

  it('gives up on each event giveUpAfterMs after its own send(), keeping the younger ones of the batch', async () => {
    let clock = 0;
    const { fetch, bodies } = scripted([
      envelope(503, 'unavailable', { 'retry-after': '30' }),
      envelope(503, 'unavailable', { 'retry-after': '30' }),
      new TypeError('fetch failed'),
    ]);
    const client = createClient({
      ...base,
      flushIntervalMs: 1000,
      fetch,
      giveUpAfterMs: 60_000,
      random: () => 0.5,
      now: () => clock,
      sleep: async (ms) => {
        clock += ms;
      },
    });
    const old = client.send(rating('old')).catch((e: unknown) => e);
    clock = 50_000;
    const young = client.send(rating('young')).catch((e: unknown) => e);
    await client.flush();
    // At 50 s the retry would be at 80 s: past old's 60 s, while young's 110 s is not. At 80 s the
    // retry would be at 110 s, still in time for young; at 110 s the next (0.5 × 1 s later) is not.
    expect(await old).toMatchObject({ gaveUp: true, attempts: 1, status: 503 });
    expect(await young).toMatchObject({ gaveUp: true, attempts: 3, status: null });
    expect(((await young) as Error).message).toMatch(
      /gave up after 3 attempts in 60 s: network error: fetch failed$/,
    );
    expect(bodies.map((b) => (JSON.parse(b) as DeskEvent[]).map((e) => e.id))).toEqual([
      ['old', 'young'],
      ['young'],
      ['young'],
    ]);
  });

  it('counts an attempt with no answer within timeoutMs as a network error, and retries it', async () => {
    let calls = 0;
    const hanging = (async (_url: string | URL | Request, init?: RequestInit) => {
      if (++calls > 1) return ok(init);
      return new Promise<Response>((_, reject) =>
        init?.signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError'))),
      );
    }) as typeof fetch;
    const client = createClient({ ...base, fetch: hanging, timeoutMs: 50, sleep: async () => {} });
    await expect(client.send(rating('a'))).resolves.toMatchObject({ status: 'accepted', attempts: 2 });
  });

  it('a 200 whose body is not a report of every event is refused, not guessed at', async () => {
    const { fetch } = scripted([Response.json({ accepted: 1, duplicates: 0, rejected: 0, results: [] })]);
    const client = createClient({ ...base, fetch });
    await expect(client.send(rating('a'))).rejects.toMatchObject({ status: 200, code: null, gaveUp: false });
  });

  it('throws QueueFullError synchronously at maxQueue, and ClientClosedError after close()', async () => {
    const client = createClient({ ...base, flushIntervalMs: 60_000, maxQueue: 2, fetch: scripted([]).fetch });
    const taken = [client.send(rating('a')), client.send(rating('b'))];
    let thrown: unknown;
    try {
      void client.send(rating('c'));
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(QueueFullError);
    expect(thrown).toMatchObject({ maxQueue: 2, name: 'QueueFullError' });
    await client.close();
    expect((await Promise.all(taken)).map((r) => r.status)).toEqual(['accepted', 'accepted']);
    expect(() => client.send(rating('d'))).toThrow(ClientClosedError);
  });

  it('close({ discard: true }) rejects what is queued and stops a retry in progress', async () => {
    let wake: () => void = () => {};
    const { fetch, bodies } = scripted([envelope(503, 'unavailable')]);
    const client = createClient({
      ...base,
      batchSize: 1,
      fetch,
      sleep: (_ms, signal) =>
        new Promise<void>((resolve) => {
          wake = resolve;
          signal.addEventListener('abort', () => resolve());
        }),
    });
    const first = client.send(rating('a')).catch((e: unknown) => e);
    const second = client.send(rating('b')).catch((e: unknown) => e);
    await turnsUntil(() => bodies.length === 1);
    await client.close({ discard: true });
    wake();
    expect(await first).toBeInstanceOf(ClientClosedError);
    expect(await second).toBeInstanceOf(ClientClosedError);
    expect(bodies).toHaveLength(1);
    expect(client.pending).toBe(0);
  });

  it('checks its options', () => {
    expect(() => createClient({ ...base, batchSize: 1001 })).toThrow(
      '@motcua/client: batchSize must be an integer from 1 to 1000, got 1001',
    );
    expect(() => createClient({ ...base, maxBatchBytes: 2 * 1024 * 1024 })).toThrow(/maxBatchBytes/);
    expect(() => createClient({ ...base, maxQueue: 0 })).toThrow(/maxQueue/);
  });
});

/** Polls a condition on the next turns (the scripted fetch answers within a few microtasks). */
async function turnsUntil(test: () => boolean): Promise<void> {
  for (let i = 0; i < 100 && !test(); i++) await new Promise((r) => setTimeout(r, 1));
  expect(test()).toBe(true);
}
