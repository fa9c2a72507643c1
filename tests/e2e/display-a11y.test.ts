import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { clippedTexts, launchChromium } from '@motcua/test-helpers/browser';
import { dossierEvent, rating, received } from '@motcua/test-helpers/events';
import { postBatch } from '@motcua/test-helpers/ingest';
import { startTestSystem, type TestSystem } from '@motcua/test-helpers/system';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/** axe-core's browser build; evaluated through the DevTools protocol, which the page's CSP does not govern. */
const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** Resolves once every running animation or transition that ends has ended (a pulsing dot never does). */
const FINITE_ANIMATIONS_FINISHED = `Promise.all(document.getAnimations()
  .filter((a) => Number.isFinite(a.effect?.getComputedTiming().endTime ?? Infinity))
  .map((a) => a.finished.catch(() => undefined)))`;

interface AxeViolation {
  id: string;
  nodes: { target: string[]; failureSummary: string }[];
}

/** The violations of axe's color-contrast rule (WCAG AA: 4.5:1, 3:1 for large text) on the page. */
async function contrastViolations(page: Page): Promise<string[]> {
  await page.evaluate(AXE);
  const result = (await page.evaluate(
    `axe.run(document, { runOnly: { type: 'rule', values: ['color-contrast', 'html-lang-valid'] } })`,
  )) as { violations: AxeViolation[]; passes: { id: string; nodes: unknown[] }[] };
  // Not vacuous: axe found text to measure (a page it cannot see has no violations either).
  const measured = result.passes.find((p) => p.id === 'color-contrast')?.nodes.length ?? 0;
  if (measured < 10) return [`color-contrast measured only ${measured} elements`];
  return result.violations.flatMap((v) =>
    v.nodes.map((n) => `${n.target.join(' ')}: ${n.failureSummary.replace(/\s+/g, ' ')}`),
  );
}

/** Font sizes (px) of the visible text under each selector, and the smallest text on the page. */
async function fontSizes(
  page: Page,
  selectors: string[],
): Promise<{ each: number[]; smallest: number; where: string }> {
  return page.evaluate(
    `(() => {
      const size = (el) => parseFloat(getComputedStyle(el).fontSize);
      const each = ${JSON.stringify(selectors)}.map((s) => size(document.querySelector(s)));
      let smallest = Infinity, where = '';
      const walk = document.createTreeWalker(document.querySelector('.display'), NodeFilter.SHOW_TEXT);
      for (let n = walk.nextNode(); n; n = walk.nextNode()) {
        const el = n.parentElement;
        if (!n.textContent.trim() || !el.getClientRects().length || el.closest('.visually-hidden')) continue;
        const s = size(el);
        if (s < smallest) { smallest = s; where = el.className + ': ' + n.textContent.trim().slice(0, 30); }
      }
      return { each, smallest, where };
    })()`,
  );
}

describe('the wall display is legible and accessible', () => {
  let s: TestSystem;
  let browser: Browser;
  let token: string;
  const good = '90000';
  const low = '90001';

  beforeAll(async () => {
    s = await startTestSystem('pglite', { districts: 2, communesPerDistrict: 8 });
    browser = await launchChromium();
    token = await s.viewer('display', s.tree.city);
    const now = Date.now();
    // Every tone on screen: a commune on target, one below the thresholds, overdue dossiers.
    for (const [commune, satisfied] of [
      [good, 19],
      [low, 6],
    ] as const) {
      const events = [];
      for (let i = 0; i < 20; i++) {
        events.push(rating(commune, i < satisfied ? 'satisfied' : 'unsatisfied'));
        const code = `A11Y-${commune}-${i}`;
        events.push(
          received(commune, code, now - (i % 4) * 3_600_000 + 86_400_000, { time: now - 7_200_000 }),
        );
        if (i % 2) events.push(dossierEvent(commune, 'resolved', code, { time: now - 60_000 }));
      }
      events.push(received(commune, `LATE-${commune}`, now - 3_600_000, { time: now - 7_200_000 }));
      expect((await postBatch(s.ingestUrl, await s.deskKey(commune), events)).body.rejected).toBe(0);
    }
  });
  afterAll(async () => {
    await browser?.close();
    await s?.close();
  });

  async function open(path: string, viewport = { width: 1920, height: 1080 }) {
    // Reduced motion ends the pages' transitions at once: axe reads the colours as they settle.
    const ctx = await browser.newContext({ viewport, reducedMotion: 'reduce' });
    const page = await ctx.newPage();
    await page.goto(`${s.dashboardUrl}/?token=${token}`);
    await page.goto(`${s.dashboardUrl}${path}`);
    await page
      .getByRole('status')
      .getByText(/Trực tiếp|Live/)
      .first()
      .waitFor();
    return { ctx, page };
  }

  it('has text contrast of at least 4.5:1 (3:1 large) in both themes, checked by axe', async () => {
    const views = [
      `/display/${s.tree.city}?window=today`,
      `/display/${s.tree.districts[0]}?window=today`,
      `/display/${low}?window=today`,
      // A rotation's slides, each alone for ten minutes: axe reads one view from start to end (a
      // rotation of 5 s moved on to the curve mid-check on a loaded machine, leaving 8 texts).
      `/display/${s.tree.districts[0]}?window=today&playlist=tiles:600`,
      `/display/${s.tree.districts[0]}?window=today&playlist=league:600`,
      `/display/${s.tree.districts[0]}?window=today&playlist=scorecard:600`, // the 766 scorecard slide
    ];
    const failures: string[] = [];
    // The checker works in this page (CSP and all): a grey-on-grey line is caught.
    const probe = await open(views[0]);
    await probe.page.evaluate(
      `document.querySelector('header .names').insertAdjacentHTML('beforeend', '<p id="axe-probe" style="color:#777;background:#888">probe</p>')`,
    );
    expect((await contrastViolations(probe.page)).some((v) => v.includes('#axe-probe'))).toBe(true);
    await probe.ctx.close();
    for (const theme of ['dark', 'light']) {
      for (const path of views) {
        const { ctx, page } = await open(`${path}&theme=${theme}`);
        if (path.includes('scorecard')) await page.getByTestId('score-slide').waitFor();
        if (path.includes('league'))
          await page
            .locator('.rotation .label')
            .getByText(/Xếp hạng/)
            .waitFor();
        let found = await contrastViolations(page);
        // Too few texts measured most likely means axe read the view while it still changed (seen once
        // in CI on the scorecard slide under load: 8 texts); read it again, a bounded number of
        // times, so a view that stays unmeasurable still fails.
        for (let i = 0; i < 3 && found.some((v) => v.startsWith('color-contrast measured only')); i++) {
          await page.evaluate(FINITE_ANIMATIONS_FINISHED);
          found = await contrastViolations(page);
        }
        for (const v of found) failures.push(`${theme} ${path}: ${v}`);
        await ctx.close();
      }
    }
    expect(failures).toEqual([]);
  });

  it('keeps that contrast offline: the banner and its age, and the numbers gone grey, in both themes', async () => {
    const failures: string[] = [];
    for (const theme of ['dark', 'light']) {
      for (const path of [`/display/${s.tree.districts[0]}?window=today`, `/display/${low}?window=today`]) {
        const { ctx, page } = await open(`${path}&theme=${theme}`);
        await ctx.setOffline(true);
        await page.getByText(/^Mất kết nối từ \d{2}:\d{2}$/).waitFor({ timeout: 30_000 });
        await page
          .locator('.offline .age')
          .getByText(/^Số liệu lúc/)
          .waitFor();
        expect(await page.locator('.display.frozen').count()).toBe(1);
        // Frozen numbers go grey, never transparent: axe does not see a filter, but greyscale keeps
        // each colour's luminance (their contrast is in docs/display.md); an opacity would lower it.
        await expect
          .poll(() =>
            page.evaluate(
              `(() => { const s = getComputedStyle(document.querySelector('.stage')); return s.opacity + ' ' + s.filter; })()`,
            ),
          )
          .toBe('1 grayscale(1)');
        for (const v of await contrastViolations(page)) failures.push(`${theme} ${path} offline: ${v}`);
        await ctx.close();
      }
    }
    expect(failures).toEqual([]);
  });

  it('says good, attention and below threshold with shapes and words, not colour alone', async () => {
    const { ctx, page } = await open(`/display/${low}?window=today`);
    // The tiles: a word and a shape beside the label.
    const sat = page.locator('.tile').filter({ hasText: 'Hài lòng' }).first();
    await expect.poll(() => sat.locator('.mark .word').textContent()).toBe('Dưới ngưỡng');
    expect(await sat.locator('.mark svg rect').count()).toBe(1);
    await page.goto(`${s.dashboardUrl}/display/${s.tree.districts[0]}?window=today`);
    const rows = page.locator('.top-league tbody tr');
    await expect.poll(() => rows.count()).toBeGreaterThan(1);
    // In the league, the commune below the threshold has the square; the one on target none.
    const lowRow = rows.filter({ hasText: '30,0 %' });
    expect(await lowRow.locator('td.sat .mark svg rect').count()).toBe(1);
    expect(await lowRow.locator('td.sat .mark').textContent()).toContain('Dưới ngưỡng');
    const goodRow = rows.filter({ hasText: '95,0 %' });
    expect(await goodRow.locator('td.sat .mark').count()).toBe(0);
    await ctx.close();
  });

  it('scales with the screen: 4K shows the 1080p layout at twice the size, nothing cut off', async () => {
    const path = `/display/${s.tree.districts[0]}?window=today`;
    const selectors = [
      'h1',
      '.tile .value',
      '.tile h2',
      '.top-league td.sat',
      '.curve .legend',
      '.clock time',
    ];
    const hd = await open(path);
    const a = await fontSizes(hd.page, selectors);
    await hd.ctx.close();
    const uhd = await open(path, { width: 3840, height: 2160 });
    const b = await fontSizes(uhd.page, selectors);
    expect(
      await clippedTexts(
        uhd.page,
        '.tile h2, .tile .sub, .top-league h2 span, .top-league th, .top-league td',
      ),
    ).toEqual([]);
    await uhd.ctx.close();
    for (const [i, sel] of selectors.entries()) {
      expect(b.each[i] / a.each[i], sel).toBeGreaterThan(1.9);
      expect(b.each[i] / a.each[i], sel).toBeLessThan(2.1);
    }
    // From 5 m on a 55" screen (68 cm high), 1 % of its height is about 3.3′ of arc for a
    // capital letter: headline numbers ≥ 10 % (≥ 33′, comfortable), labels and names ≥ 2.5 %
    // (≥ 8′, legible), and no text under 1.5 % (5′, the limit of normal sight).
    for (const [sizes, height] of [
      [a, 1080],
      [b, 2160],
    ] as const) {
      expect(sizes.each[1] / height, 'numbers').toBeGreaterThanOrEqual(0.1);
      for (const i of [0, 2, 3]) expect(sizes.each[i] / height, selectors[i]).toBeGreaterThanOrEqual(0.025);
      expect(sizes.smallest / height, sizes.where).toBeGreaterThanOrEqual(0.015);
    }
  });
});
