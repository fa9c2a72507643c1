import { launchChromium } from '@motcua/test-helpers/browser';
import { recordScripts, weighScripts } from '@motcua/test-helpers/bundle';
import { dossierEvent, rating, received } from '@motcua/test-helpers/events';
import { postBatch } from '@motcua/test-helpers/ingest';
import { startTestSystem, type TestSystem } from '@motcua/test-helpers/system';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * The JavaScript a city's wall display downloads, gzip -9, may not pass this. Measured here on
 * 2026-12-02 at 266.5 KiB (22 files, the modular ECharts chunk 177 KiB of it; with the 766
 * scorecard slide); the bound is that + 10 %. The full `echarts` alone is 360 KiB gzip: importing
 * it instead of the chart types used adds about 180 KiB and fails here at once. A change that
 * must pass the bound says why in bench/README.md and moves it.
 */
export const DISPLAY_JS_GZIP_BOUND = 293 * 1024;

describe("the wall display's JavaScript", () => {
  let s: TestSystem;
  let browser: Browser;
  let token: string;

  beforeAll(async () => {
    s = await startTestSystem('pglite', { districts: 2, communesPerDistrict: 2 });
    browser = await launchChromium();
    token = await s.viewer('display', s.tree.city);
    // Something for every chart and the 766 tile to draw.
    const now = Date.now();
    for (const [i, commune] of s.tree.communes.entries()) {
      const events = [
        rating(commune, 'satisfied', { time: now - 120_000 }),
        rating(commune, i % 2 ? 'unsatisfied' : 'satisfied', { time: now - 60_000 }),
        received(commune, `B-${i}`, now + 86_400_000, { time: now - 120_000 }),
        dossierEvent(commune, 'resolved', `B-${i}`, { time: now - 60_000 }),
      ];
      expect((await postBatch(s.ingestUrl, await s.deskKey(commune), events)).body.rejected).toBe(0);
    }
  });
  afterAll(async () => {
    await browser?.close();
    await s?.close();
  });

  it('stays within its bound, weighed as benchmark 7 weighs it', async () => {
    const ctx = await browser.newContext({ viewport: { width: 1920, height: 1080 } });
    const page = await ctx.newPage();
    await page.goto(`${s.dashboardUrl}/?token=${token}`); // the session, before counting
    const scripts = recordScripts(page);
    await page.goto(`${s.dashboardUrl}/display/${s.tree.city}?window=today`);
    await page.getByRole('status').getByText('Trực tiếp').first().waitFor();
    await page.locator('.curve canvas').first().waitFor();
    await page.getByTestId('score-tile').getByText('/').first().waitFor();
    // Whatever the page loads later (lazy chunks) is in by the time the network is quiet.
    await page.waitForLoadState('networkidle');
    const weight = weighScripts(scripts);
    const kib = (n: number) => `${(n / 1024).toFixed(1)} KiB`;
    const detail = weight.each.map((f) => `${f.path}: ${kib(f.gzipBytes)}`).join('\n');
    expect(weight.files).toBeGreaterThan(0);
    expect(
      weight.gzipBytes,
      `${weight.files} files, ${kib(weight.gzipBytes)} gzip:\n${detail}`,
    ).toBeLessThanOrEqual(DISPLAY_JS_GZIP_BOUND);
    console.log(
      `display JavaScript: ${weight.files} files, ${kib(weight.gzipBytes)} gzip, ${kib(weight.brotliBytes)} brotli`,
    );
    await ctx.close();
  });
});
