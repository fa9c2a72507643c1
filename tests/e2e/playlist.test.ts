import { launchChromium, SIZES } from '@motcua/test-helpers/browser';
import { rating } from '@motcua/test-helpers/events';
import { postBatch } from '@motcua/test-helpers/ingest';
import { startTestSystem, type TestSystem } from '@motcua/test-helpers/system';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/** Starts recording, in the page, each change of the rotation's label with its time (ms). */
const RECORD_LABELS = `(() => {
  const seen = (window.__labels = []);
  const t0 = performance.now();
  setInterval(() => {
    const text = document.querySelector('.rotation .label')?.textContent ?? '';
    if (seen.length === 0 || seen[seen.length - 1].text !== text) seen.push({ text, at: performance.now() - t0 });
  }, 100);
})()`;

type Change = { text: string; at: number };
const labels = (page: Page) => page.evaluate('window.__labels') as Promise<Change[]>;

describe('wall display playlists', () => {
  let s: TestSystem;
  let browser: Browser;
  let token: string;
  let district: string;

  beforeAll(async () => {
    s = await startTestSystem('pglite', { districts: 1, communesPerDistrict: 2 });
    browser = await launchChromium();
    district = s.tree.districts[0];
    token = await s.viewer('display', district);
    // One commune on target, one below the satisfaction threshold (the alerts slide shows it).
    for (const [commune, satisfied] of [
      [s.tree.communes[0], 10],
      [s.tree.communes[1], 3],
    ] as const) {
      const events = Array.from({ length: 10 }, (_, i) =>
        rating(commune, i < satisfied ? 'satisfied' : 'unsatisfied'),
      );
      expect((await postBatch(s.ingestUrl, await s.deskKey(commune), events)).body.rejected).toBe(0);
    }
  });
  afterAll(async () => {
    await browser?.close();
    await s?.close();
  });

  it('rotates through the slides of ?playlist=, each for its own time, and starts over', async () => {
    const ctx = await browser.newContext({ viewport: SIZES.desktop });
    const page = await ctx.newPage();
    const playlist = 'overview:8,league:5,children:5,alerts:5';
    await page.goto(`${s.dashboardUrl}/display/${district}?token=${token}&window=today&playlist=${playlist}`);
    await page.getByRole('status').getByText('Trực tiếp').first().waitFor();
    expect(new URL(page.url()).searchParams.get('playlist')).toBe(playlist);
    await page.evaluate(RECORD_LABELS);
    // A whole cycle (8 + 5 + 2 × 5 + 5 = 28 s) from wherever it is, and the start of the next.
    await expect
      .poll(async () => (await labels(page)).filter((c) => c.text === 'Tổng quan').length, {
        timeout: 70_000,
        interval: 1000,
      })
      .toBeGreaterThanOrEqual(2);
    const seen = await labels(page);
    const first = seen.findIndex((c) => c.text === 'Tổng quan');
    const cycle = seen.slice(first, first + 6);
    expect(cycle.map((c) => c.text.replace(/\s+/g, ' '))).toEqual([
      'Tổng quan',
      'Xếp hạng phường',
      'Phường Đông Hà 0.0 · 1/2',
      'Phường Đông Hà 0.1 · 2/2',
      'Dưới ngưỡng',
      'Tổng quan',
    ]);
    const held = cycle.slice(1).map((c, i) => (c.at - cycle[i].at) / 1000);
    for (const [i, want] of [8, 5, 5, 5, 5].entries()) {
      expect(held[i], cycle[i].text).toBeGreaterThan(want - 0.8);
      expect(held[i], cycle[i].text).toBeLessThan(want + 1.5);
    }
    await ctx.close();
  });

  it('keeps the older ?rotate= links working', async () => {
    const ctx = await browser.newContext({ viewport: SIZES.desktop });
    const page = await ctx.newPage();
    await page.goto(`${s.dashboardUrl}/display/${district}?token=${token}&window=today&rotate=5`);
    await page.locator('.rotation .label').getByText('Chỉ số chính').waitFor();
    await page.locator('.rotation .label').getByText('Xếp hạng phường').waitFor({ timeout: 10_000 });
    await ctx.close();
  });
});
