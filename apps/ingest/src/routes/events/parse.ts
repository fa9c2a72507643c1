import { gunzipSync } from 'node:zlib';
import { ApiError, LIMITS } from '@motcua/contract';

export type ContentMode = 'structured' | 'batch' | 'binary';

/** Raw events as sent, before validation, and how they were sent. */
export interface ParsedRequest {
  mode: ContentMode;
  events: unknown[];
}

const STRUCTURED = 'application/cloudevents+json';
const BATCH = 'application/cloudevents-batch+json';
const JSON_TYPE = 'application/json';

/** Media type without parameters, lower-cased; rejects charsets other than UTF-8. */
function mediaType(header: string | undefined): string {
  if (!header)
    throw new ApiError('unsupported_media_type', 'Content-Type: missing; use application/cloudevents+json');
  const [type, ...params] = header.split(';').map((s) => s.trim().toLowerCase());
  for (const p of params) {
    const [k, v] = p.split('=').map((s) => s.trim().replace(/^"|"$/g, ''));
    if (k === 'charset' && v !== 'utf-8' && v !== 'utf8') {
      throw new ApiError('unsupported_media_type', `Content-Type: charset ${v} is not supported; send UTF-8`);
    }
  }
  return type;
}

/** Reads the body with a byte cap so an oversized upload is refused without buffering it all. */
export async function readBody(req: Request, opts: { lengthEnforced?: boolean } = {}): Promise<Uint8Array> {
  const length = req.headers.get('content-length');
  const declared = Number(length ?? '0');
  if (declared > LIMITS.maxBodyBytes) throw tooLarge();
  if (opts.lengthEnforced && length !== null && Number.isSafeInteger(declared) && declared >= 0) {
    // Node's HTTP parser holds a request to its declared length, so the body can be read whole:
    // the Node adapter then reads the socket directly, without building a web Request and stream.
    const whole = new Uint8Array(await req.arrayBuffer());
    if (whole.byteLength > LIMITS.maxBodyBytes) throw tooLarge();
    return whole;
  }
  if (!req.body) return new Uint8Array(0);
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > LIMITS.maxBodyBytes) {
      await reader.cancel();
      throw tooLarge();
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

const tooLarge = () =>
  new ApiError('too_large', `body: larger than ${LIMITS.maxBodyBytes} bytes (1 MiB) after decompression`);

function decode(body: Uint8Array, encoding: string | undefined): string {
  let bytes = body;
  const enc = (encoding ?? 'identity').trim().toLowerCase();
  if (enc === 'gzip' || enc === 'x-gzip') {
    try {
      bytes = gunzipSync(body, { maxOutputLength: LIMITS.maxBodyBytes });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw tooLarge();
      throw new ApiError('malformed', 'body: not valid gzip data');
    }
  } else if (enc !== 'identity' && enc !== '') {
    throw new ApiError(
      'unsupported_media_type',
      `Content-Encoding: ${enc} is not supported; use gzip or none`,
    );
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new ApiError('malformed', 'body: not valid UTF-8');
  }
}

/** Whether `text` nests arrays/objects deeper than `max`; skips string contents (linear, ~1 ms per MiB). */
function nestsDeeperThan(text: string, max: number): boolean {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (ch === 0x22) {
      // To the closing quote: one preceded by an even number of backslashes.
      for (;;) {
        i = text.indexOf('"', i + 1);
        if (i < 0) return false;
        let backslashes = 0;
        while (text.charCodeAt(i - 1 - backslashes) === 0x5c) backslashes++;
        if (backslashes % 2 === 0) break;
      }
    } else if (ch === 0x5b || ch === 0x7b) {
      if (++depth > max) return true;
    } else if (ch === 0x5d || ch === 0x7d) {
      depth--;
    }
  }
  return false;
}

function parseJson(text: string): unknown {
  if (nestsDeeperThan(text, LIMITS.maxDepth)) {
    throw new ApiError('malformed', `body: JSON nested deeper than ${LIMITS.maxDepth} levels`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new ApiError('malformed', `body: not valid JSON (${(err as Error).message})`);
  }
}

/** Percent-decoding of binary-mode header values (CloudEvents HTTP binding §3.1.3.2). */
function headerValue(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

function binaryEvent(headers: Headers, text: string): Record<string, unknown> {
  const event: Record<string, unknown> = {};
  headers.forEach((value, name) => {
    if (name.startsWith('ce-')) event[name.slice(3)] = headerValue(value);
  });
  event.datacontenttype ??= JSON_TYPE;
  if (text.trim() !== '') event.data = parseJson(text);
  return event;
}

/** Turns a request into the list of events it carries, per the three CloudEvents HTTP modes. */
export function parseEvents(headers: Headers, body: Uint8Array): ParsedRequest {
  const type = mediaType(headers.get('content-type') ?? undefined);
  if (type !== STRUCTURED && type !== BATCH && type !== JSON_TYPE) {
    throw new ApiError(
      'unsupported_media_type',
      `Content-Type: ${type} is not accepted; use ${STRUCTURED}, ${BATCH} or ${JSON_TYPE}`,
    );
  }
  const text = decode(body, headers.get('content-encoding') ?? undefined);
  let parsed: ParsedRequest;
  if (type === JSON_TYPE && headers.has('ce-specversion')) {
    parsed = { mode: 'binary', events: [binaryEvent(headers, text)] };
  } else {
    const json = parseJson(text);
    if (type === BATCH || (type === JSON_TYPE && Array.isArray(json))) {
      if (!Array.isArray(json))
        throw new ApiError('malformed', 'body: a batch must be a JSON array of events');
      if (json.length === 0) throw new ApiError('malformed', 'body: the batch is empty');
      parsed = { mode: 'batch', events: json };
    } else if (type === STRUCTURED || (json !== null && typeof json === 'object' && 'specversion' in json)) {
      if (json === null || typeof json !== 'object' || Array.isArray(json)) {
        throw new ApiError('malformed', 'body: a structured event must be a JSON object');
      }
      parsed = { mode: 'structured', events: [json] };
    } else {
      throw new ApiError(
        'malformed',
        'body: application/json needs ce-* headers (binary mode) or an event object with specversion',
      );
    }
  }
  if (parsed.events.length > LIMITS.maxEvents) {
    throw new ApiError(
      'too_large',
      `body: ${parsed.events.length} events; at most ${LIMITS.maxEvents} per request`,
    );
  }
  // A body under the per-event limit cannot hold an event over it: skip re-serialising.
  if (text.length * 3 <= LIMITS.maxEventBytes) return parsed;
  parsed.events.forEach((e, i) => {
    if (Buffer.byteLength(JSON.stringify(e) ?? '') > LIMITS.maxEventBytes) {
      throw new ApiError('too_large', `[${i}]: event larger than ${LIMITS.maxEventBytes} bytes (32 KiB)`);
    }
  });
  return parsed;
}
