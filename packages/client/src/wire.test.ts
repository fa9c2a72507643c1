import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { gzip, newEventId, parseRetryAfter, utf8Length } from './wire.ts';

describe('wire helpers', () => {
  it('reads Retry-After as seconds or an HTTP date', () => {
    const now = Date.parse('2026-11-29T01:00:00Z');
    expect(parseRetryAfter('3', now)).toBe(3000);
    expect(parseRetryAfter(' 2 ', now)).toBe(2000);
    expect(parseRetryAfter('Sun, 29 Nov 2026 01:00:10 GMT', now)).toBe(10_000);
    // A date already past means "now", never a negative wait.
    expect(parseRetryAfter('Sun, 29 Nov 2026 00:59:00 GMT', now)).toBe(0);
    expect(parseRetryAfter(null, now)).toBeNull();
    expect(parseRetryAfter('', now)).toBeNull();
    expect(parseRetryAfter('soon', now)).toBeNull();
  });

  it('counts UTF-8 bytes as Buffer does, for Vietnamese text, decomposed letters and astral characters', () => {
    for (const s of [
      '',
      'plain ascii',
      'Cán bộ hướng dẫn tận tình, chu đáo',
      'Đăng ký khai sinh',
      'Hà Nội'.normalize('NFD'),
      'rất hài lòng 👍🏽',
      JSON.stringify({ comment: 'a\u0000b\ud800' }),
    ]) {
      expect(utf8Length(s)).toBe(Buffer.byteLength(s));
    }
  });

  it('makes random UUID v4 ids', () => {
    const ids = Array.from({ length: 1000 }, newEventId);
    for (const id of ids)
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(new Set(ids).size).toBe(1000);
  });

  it('gzips UTF-8 text that gunzip reads back', async () => {
    const text = JSON.stringify([{ comment: 'Cán bộ hướng dẫn tận tình'.repeat(50) }]);
    const body = await gzip(text);
    expect([...body.subarray(0, 2)]).toEqual([0x1f, 0x8b]);
    expect(gunzipSync(body).toString('utf8')).toBe(text);
    expect(body.length).toBeLessThan(Buffer.byteLength(text) / 5);
  });
});
