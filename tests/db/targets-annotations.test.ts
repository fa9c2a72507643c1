import type { Annotation, AnnotationList, UnitTargets } from '@motcua/contract';
import { DB_KINDS } from '@motcua/test-helpers/db';
import { apiGet, startTestSystem, type TestSystem } from '@motcua/test-helpers/system';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/** A JSON write with a bearer token (or a cookie and an Origin), as a client sends it. */
async function send(
  base: string,
  method: string,
  path: string,
  body: unknown,
  auth: { token?: string; cookie?: string; origin?: string },
) {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (auth.token) headers.authorization = `Bearer ${auth.token}`;
  if (auth.cookie) headers.cookie = auth.cookie;
  if (auth.origin) headers.origin = auth.origin;
  const res = await fetch(`${base}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

const errorMessage = (r: { body: Record<string, unknown> }) => (r.body.error as { message: string }).message;

describe.each(DB_KINDS)('targets and annotations over HTTP on %s', (kind) => {
  let s: TestSystem;
  let city: string;
  let d0: string;
  let d1: string;
  let c00: string;
  let c01: string;
  let c10: string;
  const tok: Record<string, string> = {};

  beforeAll(async () => {
    s = await startTestSystem(kind, { city: '94' });
    city = s.tree.city;
    [d0, d1] = s.tree.districts;
    [c00, c01] = s.tree.communes.filter((c) => s.tree.districtOf[c] === d0);
    [c10] = s.tree.communes.filter((c) => s.tree.districtOf[c] === d1);
    tok.city = await s.viewer('city', city);
    tok.d0 = await s.viewer('district', d0);
    tok.d1 = await s.viewer('district', d1);
    tok.c00 = await s.viewer('commune', c00);
    tok.display = await s.viewer('display', city);
  });
  afterAll(() => s?.close());

  const targetsOf = async (code: string, token = tok.city) =>
    (await apiGet(s.dashboardUrl, `/api/v1/units/${code}/targets`, token)).body as unknown as UnitTargets;
  const put = (code: string, body: unknown, token: string) =>
    send(s.dashboardUrl, 'PUT', `/api/v1/units/${code}/targets`, body, { token });

  it('inherits the city target down the tree until a district overrides it for a commune', async () => {
    expect((await put(city, { figure: 'satisfaction', value: 0.95 }, tok.city)).status).toBe(200);
    expect((await put(city, { figure: 'score766', value: 80 }, tok.city)).status).toBe(200);
    const before = await targetsOf(`${c00}`, tok.d0);
    expect(before.targets.find((x) => x.figure === 'satisfaction')).toMatchObject({
      value: 0.95,
      inherited: true,
      setOn: { code: city },
      setBy: 'test city',
    });
    expect(before.mayEdit).toBe(true);

    expect((await put(c00, { figure: 'satisfaction', value: 0.9 }, tok.d0)).status).toBe(200);
    const district = await targetsOf(d0, tok.d0);
    expect(district.mayEdit).toBe(false); // a district sets its communes' targets, not its own
    const byChild = new Map(district.children.map((c) => [c.unit.code, c.targets]));
    expect(byChild.get(c00)?.find((x) => x.figure === 'satisfaction')).toMatchObject({
      value: 0.9,
      inherited: false,
    });
    expect(byChild.get(c01)?.find((x) => x.figure === 'satisfaction')).toMatchObject({
      value: 0.95,
      inherited: true,
    });
    // The 766 target is still the city's everywhere; a desk inherits its commune's.
    expect(byChild.get(c00)?.find((x) => x.figure === 'score766')).toMatchObject({
      value: 80,
      setOn: { code: city },
    });
    const desk = await targetsOf(`${c00}/Q01`, tok.d0);
    expect(desk.targets.find((x) => x.figure === 'satisfaction')).toMatchObject({
      value: 0.9,
      setOn: { code: c00 },
    });
    expect(desk.mayEdit).toBe(false);

    // Removing the override inherits again.
    expect((await put(c00, { figure: 'satisfaction', value: null }, tok.d0)).status).toBe(200);
    expect((await targetsOf(c00)).targets.find((x) => x.figure === 'satisfaction')).toMatchObject({
      value: 0.95,
      inherited: true,
    });
  });

  it('lets a district set only its own communes, and nobody else below the city write', async () => {
    expect((await put(d0, { figure: 'onTime', value: 0.9 }, tok.d0)).status).toBe(403);
    expect((await put(city, { figure: 'onTime', value: 0.9 }, tok.d0)).status).toBe(403);
    expect((await put(c10, { figure: 'onTime', value: 0.9 }, tok.d0)).status).toBe(403);
    expect((await put(c00, { figure: 'onTime', value: 0.9 }, tok.c00)).status).toBe(403);
    const display = await put(c00, { figure: 'onTime', value: 0.9 }, tok.display);
    expect(display.status).toBe(403);
    expect(errorMessage(display)).toMatch(/display/);
    expect((await targetsOf(c00)).targets.some((x) => x.figure === 'onTime')).toBe(false);
  });

  it('names the wrong field of a bad target', async () => {
    const over = await put(c00, { figure: 'onTime', value: 95 }, tok.city);
    expect(over.status).toBe(400);
    expect(errorMessage(over)).toMatch(/^value: at most 1/);
    const figure = await put(c00, { figure: 'speed', value: 0.5 }, tok.city);
    expect(figure.status).toBe(400);
    expect(errorMessage(figure)).toMatch(/^figure: /);
    const body = await send(s.dashboardUrl, 'PUT', `/api/v1/units/${c00}/targets`, undefined, {
      token: tok.city,
    });
    expect(body.status).toBe(400);
  });

  it('refuses a cookie write from another origin, and takes it from this one', async () => {
    const open = await fetch(`${s.dashboardUrl}/units/${city}?token=${tok.city}`, { redirect: 'manual' });
    const cookie = (open.headers.get('set-cookie') ?? '').split(';')[0];
    expect(cookie).toMatch(/^motcua_session=/);
    const body = { figure: 'onTime', value: 0.92 };
    const path = `/api/v1/units/${c01}/targets`;
    expect((await send(s.dashboardUrl, 'PUT', path, body, { cookie })).status).toBe(403);
    expect(
      (await send(s.dashboardUrl, 'PUT', path, body, { cookie, origin: 'https://evil.example' })).status,
    ).toBe(403);
    expect((await send(s.dashboardUrl, 'PUT', path, body, { cookie, origin: s.dashboardUrl })).status).toBe(
      200,
    );
  });

  const note = (code: string, body: unknown, token: string) =>
    send(s.dashboardUrl, 'POST', `/api/v1/units/${code}/annotations`, body, { token });
  const notesOf = async (code: string, token = tok.city, q = '') =>
    (await apiGet(s.dashboardUrl, `/api/v1/units/${code}/annotations${q}`, token))
      .body as unknown as AnnotationList;

  it('lets a district annotate its subtree but not the city or a sibling; display tokens never write', async () => {
    const own = await note(
      d0,
      { from: '2025-07-01T00:00:00+07:00', text: 'Chính quyền địa phương hai cấp' },
      tok.d0,
    );
    expect(own.status).toBe(201);
    expect(own.body).toMatchObject({ unit: { code: d0 }, author: 'test district', to: null, mayEdit: true });
    const commune = await note(
      c00,
      { from: '2025-11-03T09:00:00+07:00', to: '2025-11-03T11:00:00+07:00', text: 'Mất kết nối 09:00–11:00' },
      tok.d0,
    );
    expect(commune.status).toBe(201);
    expect((await note(city, { from: '2025-07-01T00:00:00+07:00', text: 'x' }, tok.d0)).status).toBe(403);
    expect((await note(d1, { from: '2025-07-01T00:00:00+07:00', text: 'x' }, tok.d0)).status).toBe(403);
    expect((await note(c00, { from: '2025-07-01T00:00:00+07:00', text: 'x' }, tok.c00)).status).toBe(403);
    expect((await note(city, { from: '2025-07-01T00:00:00+07:00', text: 'x' }, tok.display)).status).toBe(
      403,
    );
    const bad = await note(
      d0,
      { from: '2025-07-02T00:00:00+07:00', to: '2025-07-01T00:00:00+07:00', text: 'x' },
      tok.d0,
    );
    expect(bad.status).toBe(400);
    expect(errorMessage(bad)).toMatch(/^to: /);
    const empty = await note(d0, { from: '2025-07-01T00:00:00+07:00', text: '   ' }, tok.d0);
    expect(errorMessage(empty)).toMatch(/^text: /);
    const time = await note(d0, { from: '1/7/2025', text: 'x' }, tok.d0);
    expect(errorMessage(time)).toMatch(/^from: /);
  });

  it('shows a note on its unit, on every unit below it and to the units above it, with its author', async () => {
    const atCity = await notesOf(city);
    expect(atCity.items.map((n) => n.text)).toEqual([
      'Chính quyền địa phương hai cấp',
      'Mất kết nối 09:00–11:00',
    ]);
    expect(atCity.items.every((n) => n.author === 'test district' && n.mayEdit)).toBe(true);
    // The sibling commune sees its district's note, not the other commune's.
    expect((await notesOf(c01)).items.map((n) => n.unit.code)).toEqual([d0]);
    // The other district sees neither; a window keeps only the notes that meet it.
    expect((await notesOf(d1)).items).toEqual([]);
    const november = await notesOf(c00, tok.city, '?window=2025-11');
    expect(november.items.map((n) => n.text)).toEqual(['Mất kết nối 09:00–11:00']);
    // A display token reads them (they are no citizen comments) but may change none.
    const forDisplay = await notesOf(c00, tok.display);
    expect(forDisplay.mayWrite).toBe(false);
    expect(forDisplay.items.every((n) => !n.mayEdit)).toBe(true);
  });

  it('puts the notes that cover each row into the CSV export', async () => {
    const csv = await apiGet(s.dashboardUrl, `/api/v1/units/${city}/export.csv?window=2025-11`, tok.city);
    const lines = csv.text
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n');
    expect(lines[0].endsWith(',notes')).toBe(true);
    const line = (code: string) => lines.find((l) => l.startsWith(`${code},`)) ?? '';
    expect(line(d0).endsWith(',2025-11-03 09:00–11:00: Mất kết nối 09:00–11:00 (test district)')).toBe(true);
    expect(line(d1).endsWith(',')).toBe(true);
    // The city row: the November note below it; July's is outside the window.
    expect(lines.at(-1)).toContain('Mất kết nối');
    expect(lines.at(-1)).not.toContain('hai cấp');
  });

  it('lets the city and the district edit and delete the note; not the other district', async () => {
    const [first] = (await notesOf(d0)).items as Annotation[];
    const path = `/api/v1/units/${d0}/annotations/${first.id}`;
    const input = { from: '2025-07-01T00:00:00+07:00', text: 'Từ 1/7/2025: chính quyền hai cấp' };
    expect((await send(s.dashboardUrl, 'PATCH', path, input, { token: tok.d1 })).status).toBe(403);
    expect((await send(s.dashboardUrl, 'DELETE', path, undefined, { token: tok.display })).status).toBe(403);
    const edited = await send(s.dashboardUrl, 'PATCH', path, input, { token: tok.city });
    expect(edited.status).toBe(200);
    expect(edited.body.text).toBe('Từ 1/7/2025: chính quyền hai cấp');
    // The note is d0's: asked through another unit's path it is not found.
    expect(
      (
        await send(s.dashboardUrl, 'DELETE', `/api/v1/units/${c00}/annotations/${first.id}`, undefined, {
          token: tok.city,
        })
      ).status,
    ).toBe(404);
    expect((await send(s.dashboardUrl, 'DELETE', path, undefined, { token: tok.d0 })).status).toBe(204);
    expect((await notesOf(d0)).items.map((n) => n.id)).not.toContain(first.id);
  });
});
