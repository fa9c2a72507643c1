import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { requestId } from './request-id.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** A tiny app: the middleware and one route that says which id it was given. */
function app() {
  const a = new Hono<{ Variables: { requestId: string } }>();
  a.use(requestId());
  a.get('/', (c) => c.json({ requestId: c.get('requestId') }));
  return a;
}

async function ask(header?: string) {
  const res = await app().request('/', header === undefined ? {} : { headers: { 'X-Request-Id': header } });
  const body = (await res.json()) as { requestId: string };
  return { sent: res.headers.get('x-request-id'), seen: body.requestId };
}

describe('requestId middleware', () => {
  it.each([
    ['a desk id with dots', 'desk-42.req_7'],
    ['a UUID', '0b6b4c58-8a54-4c3e-9a43-3f2f3c1f7d10'],
    ['one character', 'a'],
    ['64 characters', 'x'.repeat(64)],
  ])('echoes %s and hands it to the handlers', async (_name, id) => {
    expect(await ask(id)).toEqual({ sent: id, seen: id });
  });

  it.each([
    ['no header', undefined],
    ['an empty header', ''],
    ['65 characters', 'x'.repeat(65)],
    ['a space', 'desk 42'],
    ['a slash', 'desk/42'],
    ['a colon', 'a:b'],
    ['markup', '<script>'],
    ['a non-ASCII letter', 'bàn-42'],
  ])('replaces %s with a new UUID, the same one sent back and handed on', async (_name, id) => {
    const { sent, seen } = await ask(id);
    expect(sent).toMatch(UUID);
    expect(seen).toBe(sent);
  });

  it('gives every request without an id a fresh one', async () => {
    const a = await ask();
    const b = await ask();
    expect(a.sent).not.toBe(b.sent);
  });
});
