import { launchChromium, SIZES, screenshot } from '@motcua/test-helpers/browser';
import { dossierEvent, rating, received } from '@motcua/test-helpers/events';
import { postBatch } from '@motcua/test-helpers/ingest';
import { startTestSystem, type TestSystem } from '@motcua/test-helpers/system';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

describe('dashboard pages in Chromium', () => {
  let s: TestSystem;
  let browser: Browser;
  let cityToken: string;
  let commune: string;
  let key: string;

  beforeAll(async () => {
    s = await startTestSystem('pglite', { districts: 3, communesPerDistrict: 3 });
    browser = await launchChromium();
    cityToken = await s.viewer('city', s.tree.city);
    commune = s.tree.communes[0];
    key = await s.deskKey(commune);
    const now = Date.now();
    // A little history so charts and tables have something to show.
    const events = [];
    for (let i = 0; i < 12; i++) {
      const code = `HS-${i}`;
      const t = now - (i + 1) * 4 * 60_000;
      events.push(
        received(
          commune,
          code,
          now + 86_400_000,
          { time: t, desk: i % 2 ? 'Q01' : 'Q02' },
          i % 3 ? 'online' : 'direct',
        ),
      );
      if (i % 2) events.push(dossierEvent(commune, 'resolved', code, { time: t + 60_000 }));
      events.push(
        rating(
          commune,
          i % 5 ? 'satisfied' : 'unsatisfied',
          { time: t + 90_000 },
          { comment: 'Cán bộ hướng dẫn tận tình' },
        ),
      );
    }
    expect((await postBatch(s.ingestUrl, key, events)).body.rejected).toBe(0);
  });
  afterAll(async () => {
    await browser?.close();
    await s?.close();
  });

  async function signedIn(
    size: keyof typeof SIZES,
    token = cityToken,
  ): Promise<{ ctx: BrowserContext; page: Page }> {
    const ctx = await browser.newContext({ viewport: SIZES[size], locale: 'vi-VN' });
    const page = await ctx.newPage();
    await page.goto(`${s.dashboardUrl}/?token=${token}`);
    return { ctx, page };
  }

  it('exchanges the token for a session, hides it, and updates the city page live', async () => {
    const { ctx, page } = await signedIn('desktop');
    await page.waitForURL(`**/units/${s.tree.city}**`);
    expect(page.url()).not.toContain('token=');
    const cookies = await ctx.cookies();
    expect(cookies.find((c) => c.name === 'motcua_session')).toMatchObject({
      httpOnly: true,
      sameSite: 'Lax',
    });
    await page.goto(`${s.dashboardUrl}/units/${s.tree.city}?window=1h`);
    await page.getByRole('status').getByText('Trực tiếp').waitFor();
    await page.getByText('12 lượt đánh giá').waitFor();
    let reloaded = false;
    page.on('load', () => {
      reloaded = true;
    });
    await postBatch(s.ingestUrl, key, [rating(commune, 'very_satisfied'), rating(commune, 'very_satisfied')]);
    await page.getByText('14 lượt đánh giá').waitFor({ timeout: 10_000 });
    expect(reloaded).toBe(false);
    expect(page.url()).toContain('window=1h');
    await ctx.close();
  });

  it('keeps the window in the URL when switching', async () => {
    const { ctx, page } = await signedIn('desktop');
    await page.goto(`${s.dashboardUrl}/units/${s.tree.city}?window=today`);
    await page.getByRole('status').getByText('Trực tiếp').waitFor();
    await page
      .getByRole('button', { name: '7 ngày' })
      .or(page.getByRole('link', { name: '7 ngày' }))
      .first()
      .click();
    await page.waitForURL(/window=7d/);
    await ctx.close();
  });

  it('recovers a wall display after the dashboard server restarts, without a reload', async () => {
    const display = await s.viewer('display', s.tree.city);
    const ctx = await browser.newContext({ viewport: SIZES.desktop });
    const page = await ctx.newPage();
    await page.goto(`${s.dashboardUrl}/display/${s.tree.city}?token=${display}&window=1h`);
    await page.waitForURL((u) => !u.search.includes('token='));
    const badge = page.getByRole('status').first();
    await badge.getByText('Trực tiếp').waitFor();
    let reloads = 0;
    page.on('load', () => {
      reloads++;
    });
    // The "received in the last hour" tile: its number, without the label read out to screen readers.
    const receivedTile = page
      .locator('main article')
      .filter({ has: page.getByRole('heading', { name: 'Tiếp nhận · 1 giờ qua', exact: true }) })
      .locator('.value');
    const receivedShown = async () => (await receivedTile.textContent())?.split(':').at(-1)?.trim();
    // The 12 dossiers of the history, all received in the last hour.
    expect(await receivedShown()).toBe('12');
    await s.restartDashboard();
    await badge.getByText('Trực tiếp').waitFor({ timeout: 30_000 });
    await postBatch(s.ingestUrl, key, [received(commune, 'HS-after', Date.now() + 86_400_000, {}, 'postal')]);
    // The receipt posted after the restart is counted: pushed over the new connection, no reload.
    await expect.poll(receivedShown, { timeout: 10_000, interval: 100 }).toBe('13');
    expect(reloads).toBe(0);
    await ctx.close();
  });

  it('renders every page at 1920×1080 and 390×844, none wider than a phone (screenshots saved as artifacts)', async () => {
    const pages = [
      ['city', `/units/${s.tree.city}?window=1h`],
      ['district', `/units/${s.tree.districtOf[commune]}?window=1h`],
      ['commune', `/units/${commune}?window=1h`],
      ['desk', `/units/${commune}/Q01?window=1h`],
      ['explain', `/explain/${commune}?window=1h&kind=received`],
      ['display', `/display/${s.tree.city}?window=1h`],
    ] as const;
    for (const size of ['desktop', 'mobile'] as const) {
      const { ctx, page } = await signedIn(size);
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      page.on('console', (m) => {
        if (m.type() === 'error') errors.push(m.text());
      });
      // Pages that scroll sideways on a phone, with their width: a table's far columns belong in
      // the table's own scroller, the header's links on a second line.
      const wide: [string, number][] = [];
      for (const [name, path] of pages) {
        await page.goto(`${s.dashboardUrl}${path}`);
        // The drill-down has no live badge: its dossier list is the last thing it draws.
        if (name === 'explain') await page.locator('#dossiers-title').waitFor();
        else await page.getByRole('status').getByText('Trực tiếp').first().waitFor();
        await page.waitForLoadState('networkidle');
        await screenshot(page, `${name}-${size}`);
        const width = await page.evaluate(() => {
          const doc = (globalThis as unknown as { document: { scrollingElement: { scrollWidth: number } } })
            .document;
          return doc.scrollingElement.scrollWidth;
        });
        if (width > SIZES[size].width) wide.push([name, width]);
      }
      expect(errors).toEqual([]);
      expect(wide).toEqual([]);
      await ctx.close();
    }
  });

  it('shows citizen comments as text, and none to a display token', async () => {
    await postBatch(s.ingestUrl, key, [
      rating(commune, 'unsatisfied', {}, { comment: '<img src=x onerror=alert(1)>' }),
    ]);
    const { ctx, page } = await signedIn('desktop');
    await page.goto(`${s.dashboardUrl}/units/${commune}?window=1h`);
    await page.getByText('<img src=x onerror=alert(1)>').waitFor();
    expect(await page.locator('img[src="x"]').count()).toBe(0);
    await ctx.close();
    const display = await s.viewer('display', commune);
    const d = await signedIn('desktop', display);
    await d.page.goto(`${s.dashboardUrl}/units/${commune}?window=1h`);
    await d.page.getByRole('status').getByText('Trực tiếp').first().waitFor();
    expect(await d.page.getByText('Cán bộ hướng dẫn tận tình').count()).toBe(0);
    await d.ctx.close();
  });
});
