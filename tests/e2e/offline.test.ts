import { prefixOf, revokeViewer } from '@motcua/db';
import { launchChromium, SIZES } from '@motcua/test-helpers/browser';
import { rating } from '@motcua/test-helpers/events';
import { postBatch } from '@motcua/test-helpers/ingest';
import { startTestSystem, type TestSystem } from '@motcua/test-helpers/system';
import { sql } from 'drizzle-orm';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const DAY = 86_400_000;

/** The satisfaction totals a page keeps in IndexedDB (read in the page, as the page wrote them). */
const SAVED_TOTALS = `new Promise((resolve) => {
  const open = indexedDB.open('motcua-display');
  open.onerror = () => resolve([]);
  open.onsuccess = () => {
    const db = open.result;
    if (!db.objectStoreNames.contains('last')) return resolve([]);
    const all = db.transaction('last').objectStore('last').getAll();
    all.onsuccess = () => resolve(all.result.map((x) => x.snapshot.metrics.satisfaction.total));
    all.onerror = () => resolve([]);
  };
})`;

/** The display pages the service worker keeps. */
const KEPT_PAGES = `(async () => {
  const out = [];
  for (const name of await caches.keys()) {
    if (!name.startsWith('display-pages-')) continue;
    for (const req of await (await caches.open(name)).keys()) out.push(new URL(req.url).pathname);
  }
  return out;
})()`;

describe('a wall screen without network', () => {
  let s: TestSystem;
  let browser: Browser;
  let commune: string;
  let key: string;
  let total = 0;

  /** Posts `n` ratings to the commune and counts them. */
  async function rate(n: number) {
    const events = Array.from({ length: n }, () => rating(commune, 'satisfied'));
    expect((await postBatch(s.ingestUrl, key, events)).body.accepted).toBe(n);
    total += n;
  }

  const ratings = (page: Page, n: number) => page.locator('.tile').getByText(`${n} lượt đánh giá`);
  const live = (page: Page) => page.getByRole('status').getByText('Trực tiếp').first();

  async function openDisplay(): Promise<{ ctx: BrowserContext; page: Page; token: string }> {
    const token = await s.viewer('display', commune);
    const ctx = await browser.newContext({ viewport: SIZES.desktop });
    const page = await ctx.newPage();
    await page.goto(`${s.dashboardUrl}/display/${commune}?token=${token}&window=today`);
    await live(page).waitFor();
    await ratings(page, total).waitFor();
    // The service worker runs and has kept this display's page.
    await expect.poll(() => page.evaluate(KEPT_PAGES), { timeout: 15_000 }).toContain(`/display/${commune}`);
    return { ctx, page, token };
  }

  beforeAll(async () => {
    s = await startTestSystem('pglite', { districts: 1, communesPerDistrict: 2 });
    browser = await launchChromium();
    commune = s.tree.communes[0];
    key = await s.deskKey(commune);
    await rate(10);
  });
  afterAll(async () => {
    await browser?.close();
    await s?.close();
  });

  it('keeps the last numbers with a banner when the network goes, and catches up by itself', async () => {
    const { ctx, page } = await openDisplay();
    let loads = 0;
    page.on('load', () => loads++);
    const banner = page.getByText(/^Mất kết nối từ \d{2}:\d{2}$/);
    expect(await banner.count()).toBe(0);

    await ctx.setOffline(true);
    await banner.waitFor({ timeout: 30_000 });
    await expect
      .poll(() => page.locator('.offline .age').textContent())
      .toMatch(/^Số liệu lúc \d{2}:\d{2}, cách đây/);
    expect(await ratings(page, total).isVisible()).toBe(true);
    await rate(2); // while the screen is cut off

    await ctx.setOffline(false);
    await ratings(page, total).waitFor({ timeout: 30_000 });
    await live(page).waitFor();
    expect(await banner.count()).toBe(0);
    expect(loads).toBe(0);
    await ctx.close();
  });

  it('reboots without network from the numbers it kept, and recovers untouched', async () => {
    const { ctx, page } = await openDisplay();
    const url = page.url();
    // Newer numbers than the page the service worker kept: only IndexedDB has them.
    await rate(3);
    await ratings(page, total).waitFor();
    await expect.poll(() => page.evaluate(SAVED_TOTALS), { timeout: 15_000 }).toContain(total);

    // The screen reboots while the network is down: the server is unreachable too.
    await ctx.setOffline(true);
    const port = s.dashboard.port;
    await s.stopDashboard();
    try {
      await page.goto(url);
      await ratings(page, total).waitFor({ timeout: 30_000 });
      await page.getByText(/^Mất kết nối từ \d{2}:\d{2}$/).waitFor({ timeout: 30_000 });
    } finally {
      // The network comes back (also when the above failed: the next test needs the server).
      await s.restartDashboard();
    }
    expect(s.dashboard.port).toBe(port);
    // Nobody touches the screen.
    let loads = 0;
    page.on('load', () => loads++);
    await ctx.setOffline(false);
    await live(page).waitFor({ timeout: 30_000 });
    await rate(1);
    await ratings(page, total).waitFor({ timeout: 15_000 });
    expect(await page.getByText(/^Mất kết nối từ/).count()).toBe(0);
    expect(loads).toBe(0);
    await ctx.close();
  });

  it('keeps its session as long as the link is valid, and blanks when the link is revoked', async () => {
    const { ctx, page, token } = await openDisplay();
    // 29 days on: the session and its cookie have a day left.
    await s.db.query(sql`update sessions set expires_at = now() + interval '1 day'`);
    const [cookie] = (await ctx.cookies()).filter((c) => c.name === 'motcua_session');
    await ctx.addCookies([{ ...cookie, expires: Math.floor((Date.now() + DAY) / 1000) }]);
    // The display's own reads (here: the trend, after new ratings) renew both.
    await rate(1);
    await ratings(page, total).waitFor();
    await expect
      .poll(async () => (await ctx.cookies()).find((c) => c.name === 'motcua_session')?.expires ?? 0, {
        timeout: 20_000,
      })
      .toBeGreaterThan((Date.now() + 29 * DAY) / 1000);
    const [row] = await s.db.query<{ expires_at: Date | string }>(
      sql`select max(expires_at) as expires_at from sessions`,
    );
    expect(new Date(row.expires_at).getTime()).toBeGreaterThan(Date.now() + 29 * DAY);

    // Revoked: the screen goes blank with a message, and forgets what it kept.
    expect(await revokeViewer(s.db, prefixOf(token))).toBe(1);
    await page.getByText('Liên kết màn hình này đã bị thu hồi').waitFor({ timeout: 40_000 });
    expect(await page.locator('.tile').count()).toBe(0);
    await expect.poll(() => page.evaluate(SAVED_TOTALS)).toEqual([]);
    await expect.poll(() => page.evaluate(KEPT_PAGES)).toEqual([]);
    await ctx.close();
  });

  it('blanks and forgets its numbers when the link was revoked while it was offline, rebooted or not', async () => {
    const revoked = (page: Page) => page.getByText('Liên kết màn hình này đã bị thu hồi');
    // Revoked during a network cut, rebooted without network (the kept numbers, the banner),
    // then the network comes back: the screen blanks by itself.
    {
      const { ctx, page, token } = await openDisplay();
      const url = page.url();
      await expect.poll(() => page.evaluate(SAVED_TOTALS), { timeout: 15_000 }).toContain(total);
      await ctx.setOffline(true);
      expect(await revokeViewer(s.db, prefixOf(token))).toBe(1);
      await page.goto(url);
      await ratings(page, total).waitFor({ timeout: 30_000 });
      await page.getByText(/^Mất kết nối từ \d{2}:\d{2}$/).waitFor({ timeout: 30_000 });
      await ctx.setOffline(false);
      await revoked(page).waitFor({ timeout: 40_000 });
      expect(await page.locator('.tile').count()).toBe(0);
      await expect.poll(() => page.evaluate(SAVED_TOTALS)).toEqual([]);
      await expect.poll(() => page.evaluate(KEPT_PAGES)).toEqual([]);
      await ctx.close();
    }
    // Revoked while the screen was off; it starts with the network back, from its home page (the
    // link with the token) or from the display's own address: the message, not the sign-in page,
    // and nothing kept.
    for (const home of ['token', 'plain'] as const) {
      const { ctx, page, token } = await openDisplay();
      await expect.poll(() => page.evaluate(SAVED_TOTALS), { timeout: 15_000 }).toContain(total);
      await ctx.setOffline(true);
      expect(await revokeViewer(s.db, prefixOf(token))).toBe(1);
      await ctx.setOffline(false);
      const address = `${s.dashboardUrl}/display/${commune}?window=today${home === 'token' ? `&token=${token}` : ''}`;
      const res = await page.goto(address);
      expect(res?.status(), home).toBe(401);
      await revoked(page).waitFor({ timeout: 15_000 });
      expect(await page.locator('.tile').count()).toBe(0);
      await expect.poll(() => page.evaluate(SAVED_TOTALS)).toEqual([]);
      await expect.poll(() => page.evaluate(KEPT_PAGES)).toEqual([]);
      // Another reboot, now without network: nothing to start from, no old number.
      await ctx.setOffline(true);
      await page.goto(address).catch(() => null);
      expect(await page.locator('.tile').count()).toBe(0);
      await ctx.setOffline(false);
      await ctx.close();
    }
  });
});
