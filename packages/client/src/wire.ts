/**
 * Small pieces of the wire format that run the same in Node 20 and in browsers: no `Buffer`,
 * no `node:` imports, so a page can bundle this package as it is.
 */

/** `Retry-After` in milliseconds: delta-seconds or an HTTP date; null when absent or unreadable. */
export function parseRetryAfter(value: string | null, now: number): number | null {
  if (value === null) return null;
  const v = value.trim();
  if (v === '') return null;
  if (/^\d+(\.\d+)?$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

/** Bytes of `s` in UTF-8, without encoding it (JSON.stringify never leaves a lone surrogate). */
export function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

/**
 * A new random event id (a UUID v4). Store it with the event before the first send and reuse it
 * on every re-send: (`source`, `id`) is what makes a re-send a harmless `duplicate`.
 * Uses `crypto.getRandomValues`, which browsers offer on plain-HTTP pages too
 * (`crypto.randomUUID` needs a secure context; a kiosk on a LAN address may not have one).
 */
export function newEventId(): string {
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/**
 * Whether this runtime can gzip a body. Node 20 and current browsers have `CompressionStream`,
 * so one code path serves both and the package needs no `node:zlib` (which a page could not
 * bundle); where it is missing (Safari before 16.4) bodies go uncompressed.
 */
export const canGzip: boolean = typeof CompressionStream === 'function';

/** `text` as UTF-8, gzip-compressed. */
export async function gzip(text: string): Promise<Uint8Array<ArrayBuffer>> {
  const stream = new Blob([text]).stream().pipeThrough(new CompressionStream('gzip'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}
