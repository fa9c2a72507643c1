import { randomUUID } from 'node:crypto';
import {
  createDeskKey,
  createKioskPairing,
  listAudit,
  listDeskKeys,
  listViewers,
  prefixOf,
} from '@motcua/db';
import { DB_KINDS } from '@motcua/test-helpers/db';
import { startTestSystem, type TestSystem } from '@motcua/test-helpers/system';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ADMIN_PAGES = ['/admin', '/admin/keys', '/admin/viewers', '/admin/audit', '/admin/audit.csv'];

describe.each(DB_KINDS)('administration scope and security on %s', (kind) => {
  let s: TestSystem;
  /** city 82 → districts 820, 821 → communes 8200, 8201, 8210, 8211 (test tree codes) */
  let d0: string;
  let c0: string;
  let c1: string;

  /** Opens a dashboard session as a browser does: GET /?token=… → Set-Cookie. */
  const session = async (token: string) => {
    const res = await fetch(`${s.dashboardUrl}/?token=${token}`, { redirect: 'manual' });
    expect(res.status).toBe(303);
    return (res.headers.getSetCookie().find((c) => c.startsWith('motcua_session=')) as string).split(';')[0];
  };
  /** A form post to an admin action, as a browser on `origin` sends it. */
  const post = (path: string, fields: Record<string, string>, cookie: string, origin = s.dashboardUrl) =>
    fetch(`${s.dashboardUrl}${path}`, {
      method: 'POST',
      redirect: 'manual',
      headers: {
        cookie,
        origin,
        'content-type': 'application/x-www-form-urlencoded',
        'user-agent': 'scope-test/1.0',
      },
      body: new URLSearchParams(fields),
    });
  const auditCount = async () =>
    Number((await s.db.query<{ n: number }>(sql`select count(*)::int as n from audit_log`))[0].n);
  const keysOf = async (unit: string) => (await listDeskKeys(s.db)).filter((k) => k.unitCode === unit);

  beforeAll(async () => {
    s = await startTestSystem(kind, { city: '82', districts: 2, communesPerDistrict: 2 });
    d0 = s.tree.districts[0];
    c0 = s.tree.communes.find((c) => s.tree.districtOf[c] === d0) as string;
    c1 = s.tree.communes.find((c) => s.tree.districtOf[c] !== d0) as string;
  });
  afterAll(() => s?.close());

  it('a district viewer manages keys in its district only, and makes no admins', async () => {
    const cookie = await session(await s.viewer('district', d0));
    const own = await post('/admin/keys?/create', { unit: c0, label: 'Quầy A', desk: 'Q01' }, cookie);
    expect(own.status).toBe(200);
    const html = await own.text();
    expect(html).toContain('mck_');
    expect(await keysOf(c0)).toHaveLength(1);

    const before = await auditCount();
    const other = await post('/admin/keys?/create', { unit: c1, label: 'Quầy B' }, cookie);
    expect(other.status).toBe(403);
    expect(await keysOf(c1)).toHaveLength(0);
    expect(await auditCount()).toBe(before);

    // Another district's key cannot be revoked or paired either: it does not exist for this viewer.
    const { prefix } = await createDeskKey(s.db, { unit: c1, label: 'khác', desk: 'Q9' });
    expect((await post('/admin/keys?/revoke', { prefix }, cookie)).status).toBe(404);
    expect((await post('/admin/keys?/pair', { prefix }, cookie)).status).toBe(404);
    expect((await keysOf(c1)).every((k) => k.revokedAt === null)).toBe(true);
    // Nor does its key list show that key.
    const list = await (await fetch(`${s.dashboardUrl}/admin/keys`, { headers: { cookie } })).text();
    expect(list).toContain(prefixOf((await keysOf(c0))[0].prefix));
    expect(list).not.toContain(prefix);

    expect(
      (await post('/admin/viewers?/create', { role: 'admin', unit: s.tree.city, label: 'x' }, cookie)).status,
    ).toBe(403);
    expect(
      (await post('/admin/viewers?/create', { role: 'admin', unit: d0, label: 'x' }, cookie)).status,
    ).toBe(403);
    expect(
      (await post('/admin/viewers?/create', { role: 'city', unit: s.tree.city, label: 'x' }, cookie)).status,
    ).toBe(403);
    const display = await post(
      '/admin/viewers?/create',
      { role: 'display', unit: c0, label: 'TV sảnh' },
      cookie,
    );
    expect(display.status).toBe(200);
    expect(await display.text()).toContain(`/display/${c0}?token=mcv_`);
    // An admin of the city cannot be revoked by a district viewer (it is outside its subtree).
    const adminToken = await s.viewer('admin', s.tree.city);
    expect((await post('/admin/viewers?/revoke', { prefix: prefixOf(adminToken) }, cookie)).status).toBe(404);
  });

  it('display links, commune viewers and kiosks reach no admin page or action', async () => {
    const displayToken = await s.viewer('display', s.tree.city);
    const displayCookie = await session(displayToken);
    const communeCookie = await session(await s.viewer('commune', c0));
    const { prefix } = await createDeskKey(s.db, { unit: c0, label: 'k', desk: 'Q2' });
    const { code } = await createKioskPairing(s.db, {
      deskKeyPrefix: prefix,
      label: 'm',
      minIntervalSeconds: 0,
    });
    const paired = (await (
      await fetch(`${s.dashboardUrl}/api/v1/kiosk/pair`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ code }),
      })
    ).json()) as { token: string };
    for (const path of ADMIN_PAGES) {
      expect(
        (await fetch(`${s.dashboardUrl}${path}`, { headers: { authorization: `Bearer ${displayToken}` } }))
          .status,
      ).toBe(403);
      expect((await fetch(`${s.dashboardUrl}${path}`, { headers: { cookie: displayCookie } })).status).toBe(
        403,
      );
      expect((await fetch(`${s.dashboardUrl}${path}`, { headers: { cookie: communeCookie } })).status).toBe(
        403,
      );
      expect(
        (await fetch(`${s.dashboardUrl}${path}`, { headers: { authorization: `Bearer ${paired.token}` } }))
          .status,
      ).toBe(401);
      expect((await fetch(`${s.dashboardUrl}${path}`)).status).toBe(401);
    }
    const before = await auditCount();
    const keysBefore = (await listDeskKeys(s.db)).length;
    for (const cookie of [displayCookie, communeCookie]) {
      expect((await post('/admin/keys?/create', { unit: c0, label: 'x', desk: 'Q3' }, cookie)).status).toBe(
        403,
      );
      expect((await post('/admin/keys?/revoke', { prefix }, cookie)).status).toBe(403);
      expect(
        (await post('/admin/viewers?/create', { role: 'display', unit: c0, label: 'x' }, cookie)).status,
      ).toBe(403);
    }
    expect((await listDeskKeys(s.db)).length).toBe(keysBefore);
    expect(await auditCount()).toBe(before);
    // A viewer token is no kiosk token: the kiosk API refuses it.
    const asViewer = await fetch(`${s.dashboardUrl}/api/v1/kiosk/ratings`, {
      method: 'POST',
      headers: { authorization: `Bearer ${displayToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        ratings: [{ id: randomUUID(), time: new Date().toISOString(), data: { level: 'satisfied' } }],
      }),
    });
    expect(asViewer.status).toBe(401);
    expect(((await asViewer.json()) as { error: { code: string } }).error.code).toBe('unauthorized');
  });

  it('refuses a cross-origin form post (CSRF) and one without Origin', async () => {
    const cookie = await session(await s.viewer('admin', s.tree.city));
    const before = (await keysOf(c1)).length;
    const evil = await post(
      '/admin/keys?/create',
      { unit: c1, label: 'csrf' },
      cookie,
      'http://evil.example',
    );
    expect(evil.status).toBe(403);
    expect(await evil.text()).toMatch(/Cross-site POST form submissions are forbidden/);
    const none = await fetch(`${s.dashboardUrl}/admin/keys?/create`, {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ unit: c1, label: 'csrf' }),
    });
    expect(none.status).toBe(403);
    expect((await keysOf(c1)).length).toBe(before);
    // The same post from the dashboard's own origin goes through.
    expect((await post('/admin/keys?/create', { unit: c1, label: 'ok' }, cookie)).status).toBe(200);
    expect((await keysOf(c1)).length).toBe(before + 1);
  });

  it('records every action with who, what, where from; shows no secret again; no route edits the log', async () => {
    const adminToken = await s.viewer('admin', s.tree.city);
    const cookie = await session(adminToken);
    const actor = prefixOf(adminToken);
    const created = await (
      await post('/admin/keys?/create', { unit: c0, label: 'Quầy audit', desk: 'QA' }, cookie)
    ).text();
    const key = /mck_[A-Za-z0-9_-]{32}/.exec(created)?.[0] as string;
    expect(key).toBeTruthy();
    // Opened on 127.0.0.1 of a server listening there only: no phone can use the pairing QR
    // code, and the page (as a browser without JavaScript gets it) says what to change.
    const page = await fetch(`${s.dashboardUrl}/admin/keys?/pair`, {
      method: 'POST',
      headers: {
        cookie,
        origin: s.dashboardUrl,
        accept: 'text/html',
        'content-type': 'application/x-www-form-urlencoded',
        'user-agent': 'scope-test/1.0',
      },
      body: new URLSearchParams({ prefix: prefixOf(key) }),
    });
    expect(await page.text()).toContain('HOST=0.0.0.0');
    const keyPrefix = prefixOf(key);
    expect((await post('/admin/keys?/pair', { prefix: keyPrefix }, cookie)).status).toBe(200);
    const viewerHtml = await (
      await post('/admin/viewers?/create', { role: 'commune', unit: c0, label: 'Cán bộ' }, cookie)
    ).text();
    const viewerToken = /mcv_[A-Za-z0-9_-]{32}/.exec(viewerHtml)?.[0] as string;
    expect(viewerToken).toBeTruthy();
    expect((await post('/admin/viewers?/revoke', { prefix: prefixOf(viewerToken) }, cookie)).status).toBe(
      200,
    );
    expect((await post('/admin/keys?/revoke', { prefix: keyPrefix }, cookie)).status).toBe(200);
    expect(
      (await listViewers(s.db)).find((v) => v.prefix === prefixOf(viewerToken))?.revokedAt,
    ).not.toBeNull();

    const mine = (await listAudit(s.db, { unitCodes: null })).filter((e) => e.actor === actor).reverse();
    expect(mine.map((e) => [e.action, e.subject?.split('#')[0]])).toEqual([
      ['desk_key.create', keyPrefix],
      ['kiosk.pairing_create', keyPrefix],
      ['kiosk.pairing_create', keyPrefix],
      ['kiosk.pairing_create', keyPrefix],
      ['viewer.create', prefixOf(viewerToken)],
      ['viewer.revoke', prefixOf(viewerToken)],
      ['desk_key.revoke', keyPrefix],
    ]);
    for (const e of mine) {
      expect(e).toMatchObject({
        actorRole: 'admin',
        actorUnit: s.tree.city,
        unitCode: c0,
        userAgent: 'scope-test/1.0',
      });
      expect(e.ip).toMatch(/127\.0\.0\.1/);
      expect(JSON.stringify(e)).not.toContain(key);
      expect(JSON.stringify(e)).not.toContain(viewerToken);
    }

    // The pages show prefixes only, never the secrets.
    for (const path of ['/admin/keys', '/admin/viewers', '/admin/audit', '/admin/audit.csv']) {
      const text = await (await fetch(`${s.dashboardUrl}${path}`, { headers: { cookie } })).text();
      expect(text).not.toContain(key);
      expect(text).not.toContain(viewerToken);
      if (path !== '/admin/viewers') expect(text).toContain(keyPrefix);
    }
    const csv = await fetch(`${s.dashboardUrl}/admin/audit.csv`, { headers: { cookie } });
    expect(csv.headers.get('content-type')).toContain('text/csv');
    const lines = (await csv.text())
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n');
    expect(lines[0]).toBe('id,at,actor,actor_role,actor_unit,action,subject,unit,detail,ip,user_agent');
    expect(lines.length - 1).toBe(await auditCount());

    // No route changes the log: every other method on its pages, and any action name, is refused.
    const count = await auditCount();
    for (const path of ['/admin/audit', '/admin/audit.csv']) {
      for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) {
        const res = await fetch(`${s.dashboardUrl}${path}`, {
          method,
          headers: { cookie, origin: s.dashboardUrl, 'content-type': 'application/x-www-form-urlencoded' },
          body: 'id=1',
        });
        expect([403, 404, 405]).toContain(res.status);
      }
    }
    for (const action of ['delete', 'update', 'clear']) {
      expect([404, 405]).toContain((await post(`/admin/audit?/${action}`, { id: '1' }, cookie)).status);
    }
    expect(await auditCount()).toBe(count);
  });

  it('the kiosk API stores each rating once, always for its own desk, and refuses a used code', async () => {
    const { prefix } = await createDeskKey(s.db, { unit: c0, label: 'k', desk: 'Q7' });
    const { code } = await createKioskPairing(s.db, {
      deskKeyPrefix: prefix,
      label: 'm',
      minIntervalSeconds: 0,
    });
    const pair = () =>
      fetch(`${s.dashboardUrl}/api/v1/kiosk/pair`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ code }),
      });
    const first = await pair();
    expect(first.status).toBe(200);
    const { token, kiosk } = (await first.json()) as { token: string; kiosk: Record<string, unknown> };
    expect(kiosk).toMatchObject({ deskCode: 'Q7', unit: { code: c0 }, minIntervalSeconds: 0 });
    expect(JSON.stringify(kiosk)).not.toContain('mck_');
    expect((await pair()).status).toBe(401);

    const ratings = Array.from({ length: 3 }, (_, i) => ({
      id: randomUUID(),
      time: new Date().toISOString(),
      // A source of another commune is not the kiosk's to give: it is ignored.
      source: `/units/${c1}/desks/Q1`,
      data: { level: 'satisfied', ...(i === 0 ? { dossierCode: 'HS-1' } : {}) },
    }));
    const send = (body: unknown) =>
      fetch(`${s.dashboardUrl}/api/v1/kiosk/ratings`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const r1 = (await (await send({ ratings })).json()) as { results: { status: string }[] };
    expect(r1.results.map((r) => r.status)).toEqual(['accepted', 'accepted', 'accepted']);
    const r2 = (await (await send({ ratings })).json()) as { results: { status: string }[] };
    expect(r2.results.map((r) => r.status)).toEqual(['duplicate', 'duplicate', 'duplicate']);
    const rows = await s.db.query<{ source: string; dossier: string | null }>(
      sql`select source, dossier_code as dossier from events where id in ${sql.raw(`(${ratings.map((r) => `'${r.id}'`).join(',')})`)}`,
    );
    expect(rows).toHaveLength(3);
    expect(new Set(rows.map((r) => r.source))).toEqual(new Set([`/units/${c0}/desks/Q7`]));
    expect(rows.filter((r) => r.dossier === 'HS-1')).toHaveLength(1);

    const bad = (await (
      await send({
        ratings: [{ id: randomUUID(), time: new Date().toISOString(), data: { level: 'great' } }],
      })
    ).json()) as {
      results: { status: string; error?: { message: string } }[];
    };
    expect(bad.results[0]).toMatchObject({
      status: 'rejected',
      error: { message: expect.stringMatching(/^data\.level/) },
    });
    const empty = await send({ ratings: [] });
    expect(empty.status).toBe(400);
    expect(((await empty.json()) as { error: { message: string } }).error.message).toMatch(/^ratings:/);
    // Its key's last use is recorded.
    await expect
      .poll(async () => (await listDeskKeys(s.db)).find((k) => k.prefix === prefix)?.lastUsedAt ?? null)
      .not.toBeNull();
  });
});
