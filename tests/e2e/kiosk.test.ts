import { networkInterfaces } from 'node:os';
import { createDeskKey, createKioskPairing, prefixOf } from '@motcua/db';
import { launchChromium, SIZES, screenshot } from '@motcua/test-helpers/browser';
import { startTestSystem, type TestSystem } from '@motcua/test-helpers/system';
import { sql } from 'drizzle-orm';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/** The kiosk pages the service worker keeps. */
const KEPT_PAGES = `(async () => {
  const out = [];
  for (const name of await caches.keys()) {
    if (!name.startsWith('display-pages-')) continue;
    for (const req of await (await caches.open(name)).keys()) out.push(new URL(req.url).pathname);
  }
  return out;
})()`;

/** This machine's LAN (non-internal IPv4) addresses: where a phone on the same network reaches it. */
const lanAddresses = () =>
  Object.values(networkInterfaces())
    .flat()
    .filter((a) => a?.family === 'IPv4' && !a.internal)
    .map((a) => a?.address as string);

describe('administration and the rating kiosk in a browser', () => {
  let s: TestSystem;
  let browser: Browser;
  let commune: string;

  /** Rating events stored for a desk: [id, level, comment, dossier] rows. */
  const stored = async (unit: string, desk: string) =>
    s.db.query<{ id: string; level: string; comment: string | null; dossier: string | null }>(
      sql`select id, data->>'level' as level, data->>'comment' as comment, dossier_code as dossier
          from events where source = ${`/units/${unit}/desks/${desk}`} and type = 'vn.motcua.rating.submitted'
          order by time, id`,
    );

  /** One rating on the kiosk: a level, optionally a comment and a dossier, then back to the start. */
  async function rate(page: Page, level: string, extra: { comment?: string; dossier?: string } = {}) {
    await page.getByTestId(`kiosk-level-${level}`).click();
    if (extra.comment) await page.locator('textarea').fill(extra.comment);
    if (extra.dossier) await page.getByTestId('kiosk-dossier').fill(extra.dossier);
    await page.getByTestId('kiosk-submit').click();
    await page.getByTestId('kiosk-thanks').click();
    await page.getByTestId(`kiosk-level-${level}`).waitFor();
  }
  const pending = (page: Page) => page.getByTestId('kiosk-pending').getAttribute('data-pending').then(Number);

  beforeAll(async () => {
    // On all interfaces, as HOST=0.0.0.0: a phone on the LAN reaches the kiosk (the last tests).
    s = await startTestSystem(
      'pglite',
      { districts: 2, communesPerDistrict: 2 },
      { dashboardHost: '0.0.0.0' },
    );
    browser = await launchChromium();
    commune = s.tree.communes[0];
  });
  afterAll(async () => {
    await browser?.close();
    await s?.close();
  });

  it('an admin makes a desk key, a kiosk pairs with the one-time code, rates 3 times, the commune page shows them; revoking stops the kiosk', async () => {
    const adminToken = await s.viewer('admin', s.tree.city);
    const admin = await browser.newContext({ viewport: SIZES.desktop });
    const page = await admin.newPage();
    page.on('dialog', (d) => void d.accept());
    await page.goto(`${s.dashboardUrl}/admin?token=${adminToken}`);
    expect(new URL(page.url()).pathname).toBe('/admin');
    await screenshot(page, 'admin-home');

    await page.getByRole('link', { name: 'Quầy và khoá quầy' }).first().click();
    await page.waitForURL('**/admin/keys');
    const form = page.locator('form[action="?/create"]');
    await form.locator('select[name=unit]').selectOption(commune);
    await form.locator('input[name=label]').fill('Quầy 1 – Tư pháp');
    await form.locator('input[name=desk]').fill('Q01');
    await form.locator('input[name=minInterval]').fill('0');
    await form.getByRole('button').click();
    const created = page.getByTestId('created-key');
    await created.waitFor();
    const key = (await page.getByTestId('new-key').textContent())?.trim() ?? '';
    expect(key).toMatch(/^mck_/);
    const code = (await page.getByTestId('pairing-code').textContent())?.trim() ?? '';
    expect(code).toMatch(/^[2-9A-Z]{4}-[2-9A-Z]{4}$/);
    expect(await created.locator('svg').count()).toBe(1); // the QR code
    await screenshot(page, 'admin-keys-created');
    // Opened on 127.0.0.1, which a phone cannot open: the page says so (and offers the LAN address).
    expect(await page.getByTestId('pairing-phone').textContent()).toContain('127.0.0.1');

    // The key is shown once: the list shows only its prefix, and a reload shows neither key nor code.
    await page.reload();
    const html = await page.content();
    expect(html).not.toContain(key);
    expect(html).not.toContain(code);
    expect(html).toContain(prefixOf(key));

    // The kiosk, on a phone-sized screen, types the code (the desk key is never typed).
    const kioskCtx = await browser.newContext({ viewport: SIZES.mobile, hasTouch: true });
    const kiosk = await kioskCtx.newPage();
    await kiosk.goto(`${s.dashboardUrl}/kiosk`);
    await screenshot(kiosk, 'kiosk-pair-mobile');
    await kiosk.getByTestId('kiosk-code').fill(code.toLowerCase());
    await kiosk.getByTestId('kiosk-pair').click();
    await kiosk.getByTestId('kiosk-level-very_satisfied').waitFor();
    expect(await kiosk.evaluate('JSON.stringify(localStorage)')).not.toContain(key);
    await screenshot(kiosk, 'kiosk-rate-mobile');

    await rate(kiosk, 'very_satisfied');
    await kiosk.getByTestId('kiosk-level-satisfied').click();
    await kiosk.locator('fieldset').first().getByRole('button').first().click();
    await kiosk.locator('textarea').fill('Cán bộ hướng dẫn tận tình');
    await kiosk.getByTestId('kiosk-dossier').fill('HS-2026-0042');
    await screenshot(kiosk, 'kiosk-details-mobile');
    await kiosk.getByTestId('kiosk-submit').click();
    await kiosk.getByTestId('kiosk-thanks').waitFor();
    await screenshot(kiosk, 'kiosk-thanks-mobile');
    await kiosk.getByTestId('kiosk-thanks').click();
    await rate(kiosk, 'unsatisfied');
    await expect.poll(() => pending(kiosk), { timeout: 15_000 }).toBe(0);

    const rows = await stored(commune, 'Q01');
    expect(rows.map((r) => r.level)).toEqual(['very_satisfied', 'satisfied', 'unsatisfied']);
    expect(rows[1]).toMatchObject({ comment: 'Cán bộ hướng dẫn tận tình', dossier: 'HS-2026-0042' });
    const [criteria] = await s.db.query<{ c: Record<string, string> }>(
      sql`select data->'criteria' as c from events where id = ${rows[1].id}`,
    );
    expect(criteria.c).toEqual({ time: 'very_satisfied' });

    // The admin sees them on the commune's page.
    await page.goto(`${s.dashboardUrl}/units/${commune}`);
    const list = page.locator('ul.ratings > li');
    await expect.poll(() => list.count(), { timeout: 15_000 }).toBe(3);
    expect(await page.locator('ul.ratings blockquote').textContent()).toContain('Cán bộ hướng dẫn tận tình');
    expect(await page.locator('ul.ratings').textContent()).toContain('HS-2026-0042');

    // Last use shows on the keys page.
    await page.goto(`${s.dashboardUrl}/admin/keys`);
    const row = page.locator(`tr[data-prefix="${prefixOf(key)}"]`);
    expect(await row.textContent()).not.toContain('Chưa dùng');
    expect(await row.textContent()).toContain('Đã ghép');

    // Revoked: the kiosk says so at its next rating, and after a reload.
    await row.getByTestId('revoke-key').click();
    await row.getByText('Đã thu hồi').first().waitFor();
    await kiosk.getByTestId('kiosk-level-satisfied').click();
    await kiosk.getByTestId('kiosk-submit').click();
    await kiosk.getByTestId('kiosk-revoked').waitFor({ timeout: 15_000 });
    expect(await kiosk.getByTestId('kiosk-revoked').textContent()).toContain(
      'Máy đánh giá này đã bị thu hồi',
    );
    await screenshot(kiosk, 'kiosk-revoked-mobile');
    await kiosk.reload();
    await kiosk.getByTestId('kiosk-revoked').waitFor({ timeout: 15_000 });
    expect(await stored(commune, 'Q01')).toHaveLength(3);

    // Every step is in the audit log, with where it came from.
    await page.goto(`${s.dashboardUrl}/admin/audit`);
    const audit = (await page.getByTestId('audit').textContent()) ?? '';
    for (const action of ['desk_key.create', 'kiosk.pairing_create', 'kiosk.pair', 'desk_key.revoke']) {
      expect(audit).toContain(action);
    }
    expect(audit).toContain('127.0.0.1');
    await screenshot(page, 'admin-audit');
    await page.goto(`${s.dashboardUrl}/admin/viewers`);
    await screenshot(page, 'admin-viewers');
    await admin.close();
    await kioskCtx.close();
  });

  it('offline: 20 ratings wait in IndexedDB, survive a reload, and are stored exactly once when the network returns', async () => {
    const unit = s.tree.communes[1];
    const { prefix } = await createDeskKey(s.db, { unit, label: 'Quầy 2', desk: 'Q02' });
    const { code } = await createKioskPairing(s.db, {
      deskKeyPrefix: prefix,
      label: 'Máy 2',
      minIntervalSeconds: 0,
    });
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const kiosk = await ctx.newPage();
    await kiosk.goto(`${s.dashboardUrl}/kiosk?pair=${code}`);
    await kiosk.getByTestId('kiosk-level-satisfied').waitFor();
    expect(new URL(kiosk.url()).search).toBe('');
    // The service worker has kept the kiosk page, so a reload without network finds it.
    await expect.poll(() => kiosk.evaluate(KEPT_PAGES), { timeout: 15_000 }).toContain('/kiosk');
    await screenshot(kiosk, 'kiosk-rate-tablet');

    await ctx.setOffline(true);
    const levels = ['very_satisfied', 'satisfied', 'unsatisfied'];
    for (let i = 0; i < 12; i++) await rate(kiosk, levels[i % 3]);
    await expect.poll(() => pending(kiosk)).toBe(12);
    expect(await kiosk.getByTestId('kiosk-pending').textContent()).toContain('Mất mạng');

    await kiosk.reload();
    await kiosk.getByTestId('kiosk-level-satisfied').waitFor();
    await expect.poll(() => pending(kiosk)).toBe(12);
    for (let i = 12; i < 20; i++) await rate(kiosk, levels[i % 3]);
    await expect.poll(() => pending(kiosk)).toBe(20);
    await screenshot(kiosk, 'kiosk-offline-tablet');
    expect(await stored(unit, 'Q02')).toHaveLength(0);

    await ctx.setOffline(false);
    await expect.poll(() => pending(kiosk), { timeout: 30_000 }).toBe(0);
    const rows = await stored(unit, 'Q02');
    expect(rows).toHaveLength(20);
    expect(new Set(rows.map((r) => r.id)).size).toBe(20);
    expect(rows.filter((r) => r.level === 'very_satisfied')).toHaveLength(7);
    await ctx.close();
  });

  it('keeps the minimum interval between ratings', async () => {
    const unit = s.tree.communes[2];
    const { prefix } = await createDeskKey(s.db, { unit, label: 'Quầy 3', desk: 'Q03' });
    const { code } = await createKioskPairing(s.db, {
      deskKeyPrefix: prefix,
      label: 'Máy 3',
      minIntervalSeconds: 30,
    });
    const ctx = await browser.newContext({ viewport: SIZES.mobile });
    const kiosk = await ctx.newPage();
    await kiosk.goto(`${s.dashboardUrl}/kiosk?pair=${code}`);
    await rate(kiosk, 'satisfied');
    expect(await kiosk.getByTestId('kiosk-level-satisfied').isDisabled()).toBe(true);
    expect(await kiosk.getByRole('status').textContent()).toMatch(/Vui lòng chờ \d+ giây/);
    await screenshot(kiosk, 'kiosk-wait-mobile');
    await expect.poll(() => stored(unit, 'Q03').then((r) => r.length)).toBe(1);
    await ctx.close();
  });

  it('pairs and rates from a phone on the LAN address the admin page offers', async () => {
    const unit = s.tree.communes[1];
    const admin = await browser.newContext({ viewport: SIZES.desktop });
    const page = await admin.newPage();
    await page.goto(`${s.dashboardUrl}/admin/keys?token=${await s.viewer('admin', s.tree.city)}`);
    const form = page.locator('form[action="?/create"]');
    await form.locator('select[name=unit]').selectOption(unit);
    await form.locator('input[name=label]').fill('Quầy điện thoại');
    await form.locator('input[name=desk]').fill('Q09');
    await form.locator('input[name=minInterval]').fill('0');
    await form.getByRole('button').click();
    const box = page.getByTestId('pairing');
    await box.waitFor();
    const link = ((await box.locator('code.secret').textContent()) ?? '').trim();
    const warning = (await page.getByTestId('pairing-phone').textContent()) ?? '';
    if (lanAddresses().length === 0) {
      // A machine without a network address: the page can only say how to make one reachable.
      expect(warning).toContain('HOST=0.0.0.0');
      await admin.close();
      return;
    }
    // The QR code's link is on one of this machine's LAN addresses, on the dashboard's port.
    const url = new URL(link);
    expect(lanAddresses()).toContain(url.hostname);
    expect(url.port).toBe(new URL(s.dashboardUrl).port);
    expect(`${url.pathname}${url.search}`).toMatch(/^\/kiosk\?pair=[2-9A-Z]{8}$/);
    expect(warning).toContain(url.origin);
    await screenshot(page, 'admin-keys-lan');
    await admin.close();

    // The phone opens the QR code's link: plain http on a LAN address, no secure context.
    const phone = await browser.newContext({ viewport: SIZES.mobile, hasTouch: true, isMobile: true });
    const kiosk = await phone.newPage();
    await kiosk.goto(link);
    await kiosk.getByTestId('kiosk-level-very_satisfied').waitFor();
    expect(await kiosk.evaluate('isSecureContext')).toBe(false);
    await rate(kiosk, 'very_satisfied');
    await expect.poll(() => pending(kiosk), { timeout: 15_000 }).toBe(0);
    expect((await stored(unit, 'Q09')).map((r) => r.level)).toEqual(['very_satisfied']);
    await screenshot(kiosk, 'kiosk-lan-phone');
    await phone.close();
  });

  it('records a double tap once, makes ids without crypto.randomUUID, and waits out Retry-After', async () => {
    const unit = s.tree.communes[3];
    const { prefix } = await createDeskKey(s.db, { unit, label: 'Quầy 4', desk: 'Q04' });
    const { code } = await createKioskPairing(s.db, {
      deskKeyPrefix: prefix,
      label: 'Máy 4',
      minIntervalSeconds: 0,
    });
    // No service worker: every request of the page passes the route below.
    const ctx = await browser.newContext({ viewport: SIZES.mobile, hasTouch: true, serviceWorkers: 'block' });
    // A phone on http://<LAN address> is no secure context: it has no crypto.randomUUID.
    await ctx.addInitScript(() => {
      delete (Object.getPrototypeOf(globalThis.crypto) as { randomUUID?: unknown }).randomUUID;
    });
    // The server is busy twice (503, then 429, each with Retry-After), then takes the ratings.
    const busy = [503, 429];
    const sent: { at: number; ids: string[]; status: number }[] = [];
    await ctx.route('**/api/v1/kiosk/ratings', async (route) => {
      const ids = (
        JSON.parse(route.request().postData() ?? '{}') as { ratings: { id: string }[] }
      ).ratings.map((r) => r.id);
      const status = busy.shift() ?? 200;
      sent.push({ at: Date.now(), ids, status });
      if (status === 200) return route.continue();
      return route.fulfill({
        status,
        headers: { 'retry-after': '2', 'content-type': 'application/json' },
        body: JSON.stringify({ error: { code: 'unavailable', message: 'busy' } }),
      });
    });
    const kiosk = await ctx.newPage();
    await kiosk.goto(`${s.dashboardUrl}/kiosk?pair=${code}`);
    // Two taps faster than the page can redraw, on a face and then on "send": one rating.
    const tapTwice = (testId: string) =>
      kiosk.getByTestId(testId).evaluate((b: { click(): void }) => {
        b.click();
        b.click();
      });
    await tapTwice('kiosk-level-satisfied');
    await tapTwice('kiosk-submit');
    await kiosk.getByTestId('kiosk-thanks').click();
    await expect.poll(() => sent.length).toBe(1);
    expect(sent[0]).toMatchObject({ status: 503, ids: [expect.any(String)] });

    // A second rating at once waits with the first until the server's Retry-After has passed.
    await rate(kiosk, 'very_satisfied');
    expect(await pending(kiosk)).toBe(2);
    await expect.poll(() => sent.length, { timeout: 10_000 }).toBe(2);
    expect(sent[1].at - sent[0].at).toBeGreaterThanOrEqual(2000);
    expect(sent[1]).toMatchObject({ status: 429, ids: [sent[0].ids[0], expect.any(String)] });
    await expect.poll(() => sent.length, { timeout: 10_000 }).toBe(3);
    expect(sent[2].at - sent[1].at).toBeGreaterThanOrEqual(2000);
    expect(sent[2].ids).toEqual(sent[1].ids);
    await expect.poll(() => pending(kiosk), { timeout: 15_000 }).toBe(0);

    const rows = await stored(unit, 'Q04');
    expect(rows.map((r) => r.level)).toEqual(['satisfied', 'very_satisfied']);
    // The ids the kiosk made before the first send are the ids stored: UUID v4, made once.
    expect(new Set(rows.map((r) => r.id))).toEqual(new Set(sent[2].ids));
    for (const r of rows)
      expect(r.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    await ctx.close();
  });
});
