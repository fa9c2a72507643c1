import { gzipSync } from 'node:zlib';
import { ApiError, type ErrorCode, LIMITS } from '@motcua/contract';
import { assert, describe, expect, it, vi } from 'vitest';
import { parseEvents, readBody } from './parse.ts';

const MiB = 1024 * 1024;
const STRUCTURED = 'application/cloudevents+json';
const BATCH = 'application/cloudevents-batch+json';
const TOO_LARGE = 'body: larger than 1048576 bytes (1 MiB) after decompression';

const encode = (text: string) => new TextEncoder().encode(text);
const json = (value: unknown) => encode(JSON.stringify(value));
const headers = (contentType: string | null, extra: Record<string, string> = {}) => {
  const h = new Headers(extra);
  if (contentType !== null) h.set('content-type', contentType);
  return h;
};

function rating(id: string, extra: Record<string, unknown> = {}) {
  return {
    specversion: '1.0',
    id,
    source: '/units/00004/desks/Q01',
    type: 'vn.motcua.rating.submitted',
    time: '2026-03-01T07:59:00+07:00',
    data: { level: 'satisfied' },
    ...extra,
  };
}

/** A JSON text of exactly `bytes` bytes: a one-event batch padded with whitespace. */
function paddedBatch(bytes: number): Uint8Array {
  const head = `[${JSON.stringify(rating('pad'))}`;
  return encode(`${head}${' '.repeat(bytes - head.length - 1)}]`);
}

function apiError(fn: () => unknown): ApiError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ApiError) return err;
    throw err;
  }
  assert.fail('expected an ApiError');
}

async function apiErrorOf(promise: Promise<unknown>): Promise<ApiError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof ApiError) return err;
    throw err;
  }
  assert.fail('expected an ApiError');
}

function expectError(fn: () => unknown, code: ErrorCode, message: string | RegExp) {
  const err = apiError(fn);
  expect(err.code).toBe(code);
  if (typeof message === 'string') expect(err.message).toBe(message);
  else expect(err.message).toMatch(message);
}

describe('parseEvents: structured mode', () => {
  it('returns the one event', () => {
    const e = rating('e-1');
    expect(parseEvents(headers(STRUCTURED), json(e))).toEqual({ mode: 'structured', events: [e] });
  });

  it('accepts parameters and any case in the media type', () => {
    const e = rating('e-1');
    expect(parseEvents(headers(`${STRUCTURED}; charset=utf-8`), json(e)).events).toEqual([e]);
    expect(parseEvents(headers('Application/CloudEvents+JSON; Charset="UTF-8"'), json(e)).events).toEqual([
      e,
    ]);
    expect(parseEvents(headers(`${STRUCTURED};charset=utf8`), json(e)).events).toEqual([e]);
  });

  it.each([
    ['an array', [rating('e-1')]],
    ['null', null],
    ['a string', 'event'],
  ])('refuses %s as malformed', (_what, body) => {
    expectError(
      () => parseEvents(headers(STRUCTURED), json(body)),
      'malformed',
      'body: a structured event must be a JSON object',
    );
  });
});

describe('parseEvents: batch mode', () => {
  it('returns the events in order, whatever they are', () => {
    const body = [rating('e-1'), rating('e-2'), 7, null];
    expect(parseEvents(headers(BATCH), json(body))).toEqual({ mode: 'batch', events: body });
  });

  it('refuses an object as malformed', () => {
    expectError(
      () => parseEvents(headers(BATCH), json(rating('e-1'))),
      'malformed',
      'body: a batch must be a JSON array of events',
    );
  });

  it('refuses an empty batch as malformed', () => {
    expectError(() => parseEvents(headers(BATCH), json([])), 'malformed', 'body: the batch is empty');
  });

  it('accepts 1,000 events and refuses 1,001 as too large', () => {
    const events = Array.from({ length: LIMITS.maxEvents }, (_, i) => rating(`e-${i}`));
    expect(parseEvents(headers(BATCH), json(events)).events).toHaveLength(1000);
    expectError(
      () => parseEvents(headers(BATCH), json([...events, rating('e-1000')])),
      'too_large',
      'body: 1001 events; at most 1000 per request',
    );
  });

  it('accepts an event of exactly 32 KiB and refuses one byte more, naming its index', () => {
    const base = JSON.stringify(rating('big', { pad: '' }));
    const fits = rating('big', { pad: 'x'.repeat(LIMITS.maxEventBytes - base.length) });
    expect(Buffer.byteLength(JSON.stringify(fits))).toBe(32 * 1024);
    expect(parseEvents(headers(BATCH), json([rating('e-0'), fits])).events).toHaveLength(2);

    const over = rating('big', { pad: 'x'.repeat(LIMITS.maxEventBytes - base.length + 1) });
    expectError(
      () => parseEvents(headers(BATCH), json([rating('e-0'), over])),
      'too_large',
      '[1]: event larger than 32768 bytes (32 KiB)',
    );
  });

  it('counts an event in UTF-8 bytes, not characters', () => {
    // 11,000 × 'ồ' is 11,000 characters but 33,000 bytes.
    const e = rating('vi', { data: { level: 'satisfied', comment: 'ồ'.repeat(11_000) } });
    expectError(() => parseEvents(headers(BATCH), json([e])), 'too_large', /^\[0\]: event larger than/);
  });
});

describe('parseEvents: application/json', () => {
  it('treats an object with specversion as structured', () => {
    const e = rating('e-1');
    expect(parseEvents(headers('application/json'), json(e))).toEqual({ mode: 'structured', events: [e] });
  });

  it('treats an array as a batch', () => {
    const body = [rating('e-1'), rating('e-2')];
    expect(parseEvents(headers('application/json; charset=utf-8'), json(body))).toEqual({
      mode: 'batch',
      events: body,
    });
  });

  it('refuses an empty array as an empty batch', () => {
    expectError(
      () => parseEvents(headers('application/json'), json([])),
      'malformed',
      'body: the batch is empty',
    );
  });

  it('refuses an object without specversion and without ce-* headers', () => {
    expectError(
      () => parseEvents(headers('application/json'), json({ level: 'satisfied' })),
      'malformed',
      /^body: application\/json needs ce-\* headers/,
    );
  });
});

describe('parseEvents: binary mode', () => {
  const ce = {
    'ce-specversion': '1.0',
    'ce-id': 'b-1',
    'ce-source': '/units/00004/desks/Q01',
    'ce-type': 'vn.motcua.rating.submitted',
    'ce-time': '2026-03-01T07:59:00+07:00',
  };

  it('takes the attributes from ce-* headers and data from the body', () => {
    const parsed = parseEvents(
      headers('application/json', { ...ce, 'ce-traceparent': '00-abc-01', authorization: 'Bearer mck_x' }),
      json({ level: 'very_satisfied' }),
    );
    expect(parsed).toEqual({
      mode: 'binary',
      events: [
        {
          specversion: '1.0',
          id: 'b-1',
          source: '/units/00004/desks/Q01',
          type: 'vn.motcua.rating.submitted',
          time: '2026-03-01T07:59:00+07:00',
          traceparent: '00-abc-01',
          datacontenttype: 'application/json',
          data: { level: 'very_satisfied' },
        },
      ],
    });
  });

  it('reads header names in any case', () => {
    const h = headers('application/json', { 'CE-SpecVersion': '1.0', 'Ce-Id': 'b-2' });
    expect(parseEvents(h, json({})).events[0]).toMatchObject({ specversion: '1.0', id: 'b-2' });
  });

  it('percent-decodes header values', () => {
    const h = headers('application/json', {
      ...ce,
      'ce-source': '%2Funits%2F00004%2Fdesks%2FQ01',
      'ce-subject': 'H%E1%BB%93%20s%C6%A1%20s%E1%BB%91%201',
    });
    expect(parseEvents(h, json({ level: 'satisfied' })).events[0]).toMatchObject({
      source: '/units/00004/desks/Q01',
      subject: 'Hồ sơ số 1',
    });
  });

  it('keeps a value that is not valid percent-encoding as sent', () => {
    const h = headers('application/json', { ...ce, 'ce-note': '100%' });
    expect(parseEvents(h, json({})).events[0]).toMatchObject({ note: '100%' });
  });

  it('defaults datacontenttype to application/json but keeps one that was sent', () => {
    expect(parseEvents(headers('application/json', ce), json({})).events[0]).toMatchObject({
      datacontenttype: 'application/json',
    });
    const sent = headers('application/json', { ...ce, 'ce-datacontenttype': 'text/plain' });
    expect(parseEvents(sent, json({})).events[0]).toMatchObject({ datacontenttype: 'text/plain' });
  });

  it('leaves data out when the body is empty', () => {
    const event = parseEvents(headers('application/json', ce), new Uint8Array(0)).events[0];
    expect(event).not.toHaveProperty('data');
  });

  it('refuses a body that is not JSON', () => {
    expectError(
      () => parseEvents(headers('application/json', ce), encode('level=satisfied')),
      'malformed',
      /^body: not valid JSON/,
    );
  });
});

describe('parseEvents: gzip', () => {
  it('decompresses gzip and x-gzip', () => {
    const e = rating('z-1');
    for (const encoding of ['gzip', 'x-gzip', 'GZIP']) {
      const h = headers(STRUCTURED, { 'content-encoding': encoding });
      expect(parseEvents(h, gzipSync(json(e))).events).toEqual([e]);
    }
  });

  it('accepts identity and no encoding', () => {
    const e = rating('z-2');
    expect(parseEvents(headers(STRUCTURED, { 'content-encoding': 'identity' }), json(e)).events).toEqual([e]);
  });

  it('refuses data that is not gzip as malformed', () => {
    expectError(
      () => parseEvents(headers(STRUCTURED, { 'content-encoding': 'gzip' }), json(rating('z-3'))),
      'malformed',
      'body: not valid gzip data',
    );
  });

  it('refuses truncated gzip as malformed', () => {
    const zipped = gzipSync(json([rating('z-4'), rating('z-5')]));
    expectError(
      () =>
        parseEvents(headers(BATCH, { 'content-encoding': 'gzip' }), zipped.subarray(0, zipped.length - 10)),
      'malformed',
      'body: not valid gzip data',
    );
  });

  it('accepts exactly 1 MiB after decompression', () => {
    const zipped = gzipSync(paddedBatch(MiB));
    expect(parseEvents(headers(BATCH, { 'content-encoding': 'gzip' }), zipped).events).toHaveLength(1);
  });

  it('refuses a gzip bomb over 1 MiB decompressed as too large', () => {
    const bomb = gzipSync(paddedBatch(MiB + 1));
    expect(bomb.length).toBeLessThan(10 * 1024);
    expectError(
      () => parseEvents(headers(BATCH, { 'content-encoding': 'gzip' }), bomb),
      'too_large',
      TOO_LARGE,
    );
    const big = gzipSync(paddedBatch(64 * MiB));
    expectError(
      () => parseEvents(headers(BATCH, { 'content-encoding': 'gzip' }), big),
      'too_large',
      TOO_LARGE,
    );
  });

  it.each(['br', 'deflate', 'compress'])('refuses Content-Encoding %s as unsupported', (encoding) => {
    expectError(
      () => parseEvents(headers(STRUCTURED, { 'content-encoding': encoding }), json(rating('z-6'))),
      'unsupported_media_type',
      `Content-Encoding: ${encoding} is not supported; use gzip or none`,
    );
  });
});

describe('parseEvents: text', () => {
  it('keeps Vietnamese text and skips a byte order mark', () => {
    const e = rating('vi', { data: { level: 'satisfied', comment: 'Cảm ơn chị Hằng ở quầy số 2' } });
    const withBom = new Uint8Array([0xef, 0xbb, 0xbf, ...json(e)]);
    expect(parseEvents(headers(STRUCTURED), withBom).events).toEqual([e]);
  });

  it.each([
    ['a stray 0xff byte', [0xff]],
    ['an overlong encoding', [0xc0, 0xaf]],
    ['an encoded surrogate', [0xed, 0xa0, 0x80]],
    ['a truncated sequence', [0xe1, 0xbb]],
  ])('refuses %s as malformed UTF-8', (_what, bytes) => {
    const body = new Uint8Array([...encode('{"specversion":"1.0","id":"'), ...bytes, ...encode('"}')]);
    expectError(() => parseEvents(headers(STRUCTURED), body), 'malformed', 'body: not valid UTF-8');
  });

  it('refuses invalid UTF-8 inside gzip', () => {
    const body = gzipSync(new Uint8Array([...encode('["'), 0xff, ...encode('"]')]));
    expectError(
      () => parseEvents(headers(BATCH, { 'content-encoding': 'gzip' }), body),
      'malformed',
      'body: not valid UTF-8',
    );
  });

  it.each([
    ['cut short', '{"specversion":"1.0","id":'],
    ['a trailing comma', '[{"specversion":"1.0"},]'],
    ['single quotes', "{'specversion':'1.0'}"],
    ['nothing', ''],
  ])('refuses JSON %s as malformed', (_what, text) => {
    expectError(
      () => parseEvents(headers(STRUCTURED), encode(text)),
      'malformed',
      /^body: not valid JSON \(.+\)$/,
    );
  });
});

describe('parseEvents: content types', () => {
  it.each([
    'text/plain',
    'application/xml',
    'application/cloudevents+xml',
    'multipart/form-data; boundary=x',
    'application/x-www-form-urlencoded',
  ])('refuses %s as unsupported', (type) => {
    const err = apiError(() => parseEvents(headers(type), json(rating('c-1'))));
    expect(err.code).toBe('unsupported_media_type');
    expect(err.message).toMatch(
      new RegExp(`^Content-Type: ${type.split(';')[0].replace('+', '\\+')} is not accepted`),
    );
  });

  it('refuses a missing Content-Type as unsupported', () => {
    expectError(
      () => parseEvents(headers(null), json(rating('c-2'))),
      'unsupported_media_type',
      /^Content-Type: missing/,
    );
  });

  it.each(['latin1', 'iso-8859-1', 'utf-16', 'windows-1258'])(
    'refuses charset %s as unsupported',
    (charset) => {
      expectError(
        () => parseEvents(headers(`${STRUCTURED}; charset=${charset}`), json(rating('c-3'))),
        'unsupported_media_type',
        `Content-Type: charset ${charset} is not supported; send UTF-8`,
      );
    },
  );

  it('checks the content type before the body', () => {
    expectError(
      () => parseEvents(headers('text/plain', { 'content-encoding': 'gzip' }), encode('not gzip')),
      'unsupported_media_type',
      /^Content-Type: text\/plain/,
    );
  });
});

describe('readBody', () => {
  const url = 'http://ingest.test/v1/events';

  /** A body that yields `chunk`-byte pieces up to `total` bytes and records how far it was read. */
  function chunked(total: number, chunk = 64 * 1024) {
    const state = { sent: 0, cancelled: false };
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (state.sent >= total) {
          controller.close();
          return;
        }
        const n = Math.min(chunk, total - state.sent);
        state.sent += n;
        controller.enqueue(new Uint8Array(n).fill(0x20));
      },
      cancel() {
        state.cancelled = true;
      },
    });
    return { stream, state };
  }

  const streamed = (stream: ReadableStream<Uint8Array>, extra: Record<string, string> = {}) =>
    new Request(url, { method: 'POST', body: stream, duplex: 'half', headers: extra });

  it('returns the bytes sent', async () => {
    const body = json([rating('r-1')]);
    expect(
      Buffer.from(await readBody(new Request(url, { method: 'POST', body }))).equals(Buffer.from(body)),
    ).toBe(true);
  });

  it('returns nothing for a request without a body', async () => {
    expect(await readBody(new Request(url, { method: 'POST' }))).toHaveLength(0);
  });

  it('accepts exactly 1 MiB', async () => {
    const { stream } = chunked(MiB);
    expect(await readBody(streamed(stream))).toHaveLength(MiB);
  });

  it('refuses a declared Content-Length over 1 MiB without reading the body', async () => {
    const req = new Request(url, {
      method: 'POST',
      body: 'small',
      headers: { 'content-length': String(MiB + 1) },
    });
    const err = await apiErrorOf(readBody(req));
    expect(err.code).toBe('too_large');
    expect(err.message).toBe(TOO_LARGE);
    expect(req.bodyUsed).toBe(false);
  });

  it('stops reading a body without Content-Length once it passes 1 MiB', async () => {
    const { stream, state } = chunked(64 * MiB);
    const err = await apiErrorOf(readBody(streamed(stream)));
    expect(err.code).toBe('too_large');
    expect(state.cancelled).toBe(true);
    expect(state.sent).toBeLessThan(2 * MiB);
  });

  it('reads a body of declared length whole when the server holds requests to it', async () => {
    const body = JSON.stringify([{ a: 'ấ' }]);
    const req = new Request(url, {
      method: 'POST',
      body,
      headers: { 'content-length': String(Buffer.byteLength(body)) },
    });
    const whole = vi.spyOn(req, 'arrayBuffer');
    expect(Buffer.from(await readBody(req, { lengthEnforced: true })).toString()).toBe(body);
    // Read in one piece (the Node adapter's direct path), not through the body stream.
    expect(whole).toHaveBeenCalledTimes(1);
    const over = new Request(url, {
      method: 'POST',
      body: 'small',
      headers: { 'content-length': String(MiB + 1) },
    });
    expect((await apiErrorOf(readBody(over, { lengthEnforced: true }))).code).toBe('too_large');
    expect(over.bodyUsed).toBe(false);
  });

  it('does not trust a small Content-Length', async () => {
    const { stream, state } = chunked(4 * MiB);
    const err = await apiErrorOf(readBody(streamed(stream, { 'content-length': '100' })));
    expect(err.code).toBe('too_large');
    expect(state.cancelled).toBe(true);
  });
});
