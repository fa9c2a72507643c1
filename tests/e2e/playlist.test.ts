import type { Scorecard } from '@motcua/contract';
import { createPlaylist } from '@motcua/db';
import { launchChromium, SIZES } from '@motcua/test-helpers/browser';
import { dossierEvent, rating, received } from '@motcua/test-helpers/events';
import { postBatch } from '@motcua/test-helpers/ingest';
import { apiGet, startTestSystem, type TestSystem } from '@motcua/test-helpers/system';
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
      const events: ReturnType<typeof rating>[] = Array.from({ length: 10 }, (_, i) =>
        rating(commune, i < satisfied ? 'satisfied' : 'unsatisfied'),
      );
      // Two dossiers this month (one finished, one open in time): the district's 766 has data,
      // so the scorecard slide plays. Within the last minutes: still this month at 00:05 on the 1st.
      const now = Date.now();
      events.push(
        received(commune, `D-${commune}-1`, now + 86_400_000, { time: now - 120_000 }),
        dossierEvent(commune, 'resolved', `D-${commune}-1`, { time: now - 60_000 }),
        received(commune, `D-${commune}-2`, now + 86_400_000, { time: now - 90_000 }),
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
    const playlist = 'overview:8,league:5,children:5,scorecard:5,alerts:5';
    await page.goto(`${s.dashboardUrl}/display/${district}?token=${token}&window=today&playlist=${playlist}`);
    await page.getByRole('status').getByText('Trực tiếp').first().waitFor();
    expect(new URL(page.url()).searchParams.get('playlist')).toBe(playlist);
    await page.evaluate(RECORD_LABELS);
    // A whole cycle (8 + 5 + 2 × 5 + 5 + 5 = 33 s) from wherever it is, and the start of the next.
    await expect
      .poll(async () => (await labels(page)).filter((c) => c.text === 'Tổng quan').length, {
        timeout: 80_000,
        interval: 1000,
      })
      .toBeGreaterThanOrEqual(2);
    const seen = await labels(page);
    const first = seen.findIndex((c) => c.text === 'Tổng quan');
    const cycle = seen.slice(first, first + 7);
    const card = (await apiGet(s.dashboardUrl, `/api/v1/units/${district}/scorecard?window=month`, token))
      .body as unknown as Scorecard;
    const [y, m] = card.asOf.slice(0, 7).split('-');
    expect(cycle.map((c) => c.text.replace(/\s+/g, ' '))).toEqual([
      'Tổng quan',
      'Xếp hạng phường',
      'Phường Đông Hà 0.0 · 1/2',
      'Phường Đông Hà 0.1 · 2/2',
      `Chỉ số 766 · Tháng ${m}/${y}`,
      'Dưới ngưỡng',
      'Tổng quan',
    ]);
    const held = cycle.slice(1).map((c, i) => (c.at - cycle[i].at) / 1000);
    for (const [i, want] of [8, 5, 5, 5, 5, 5].entries()) {
      expect(held[i], cycle[i].text).toBeGreaterThan(want - 0.8);
      expect(held[i], cycle[i].text).toBeLessThan(want + 1.5);
    }
    await ctx.close();
  });

  it("shows the unit's 766 scorecard as a slide: the API's points, its five groups, nothing cut at 1080p and 4K", async () => {
    const card = (await apiGet(s.dashboardUrl, `/api/v1/units/${district}/scorecard?window=month`, token))
      .body as unknown as Scorecard;
    for (const viewport of [SIZES.desktop, { width: 3840, height: 2160 }]) {
      const ctx = await browser.newContext({ viewport });
      const page = await ctx.newPage();
      await page.goto(`${s.dashboardUrl}/display/${district}?token=${token}&playlist=scorecard:60`);
      const slide = page.getByTestId('score-slide');
      await slide.waitFor();
      const points = card.score.points.toFixed(1).replace('.', ',');
      const [y, m] = card.asOf.slice(0, 7).split('-');
      // The number as read aloud says what it is: "Chỉ số 766 · Tháng 12/2026: 38,0/44".
      expect((await slide.locator('.value').innerText()).replace(/\s+/g, ' ')).toBe(
        `Chỉ số 766 · Tháng ${m}/${y}: ${points}/${card.score.max}`,
      );
      expect(await slide.locator('[data-group]').count()).toBe(5);
      expect(await slide.locator('[data-risk]').count()).toBe(2);
      // Every text of the slide inside its box and the screen, no row over another.
      const cut = (await page.evaluate(`(() => {
        const out = [];
        const root = document.querySelector('[data-testid="score-slide"]');
        for (const list of root.querySelectorAll('ul')) {
          const rows = [...list.children].map((li) => li.getBoundingClientRect());
          for (let i = 1; i < rows.length; i++) {
            if (rows[i].top < rows[i - 1].bottom - 0.5) out.push('overlap: ' + list.children[i].textContent.trim());
          }
        }
        for (const el of root.querySelectorAll('h2, p, li, .gname, .gval')) {
          if (el.closest('.visually-hidden')) continue;
          const r = el.getBoundingClientRect();
          if (el.scrollWidth > el.clientWidth + 1 || r.right > innerWidth || r.bottom > innerHeight) {
            out.push(el.textContent.trim());
          }
        }
        return out;
      })()`)) as string[];
      expect(cut).toEqual([]);
      const font = Number(
        await page.evaluate(
          `parseFloat(getComputedStyle(document.querySelector('[data-testid="score-slide"] .gname')).fontSize)`,
        ),
      );
      // Names at ≥ 2.5 % of the screen's height (docs/display.md: read from 5 m).
      expect(font / viewport.height).toBeGreaterThanOrEqual(0.025);
      await ctx.close();
    }
  });

  it('keeps the older ?rotate= links working', async () => {
    const ctx = await browser.newContext({ viewport: SIZES.desktop });
    const page = await ctx.newPage();
    await page.goto(`${s.dashboardUrl}/display/${district}?token=${token}&window=today&rotate=5`);
    await page.locator('.rotation .label').getByText('Chỉ số chính').waitFor();
    await page.locator('.rotation .label').getByText('Xếp hạng phường').waitFor({ timeout: 10_000 });
    await ctx.close();
  });

  it('a district viewer makes a playlist in the web UI; the screen plays it and picks up a change by itself', async () => {
    const maker = await browser.newContext({ viewport: SIZES.desktop });
    const ui = await maker.newPage();
    await ui.goto(`${s.dashboardUrl}/?token=${await s.viewer('district', district)}`);
    await ui.goto(`${s.dashboardUrl}/units/${district}`);
    await ui.getByRole('link', { name: 'Trình chiếu' }).click();
    await ui.waitForURL(`**/playlists/${district}`);
    const create = ui.locator('section.new');
    await create.getByLabel('Tên').fill('Sảnh chính');
    await create.getByRole('spinbutton', { name: /^Tổng quan.*số giây/ }).fill('6');
    await create.getByRole('spinbutton', { name: /^Bảng xếp hạng.*số giây/ }).fill('5');
    await create.getByRole('checkbox', { name: 'Từng đơn vị trực thuộc' }).uncheck();
    await create.getByRole('button', { name: 'Tạo danh sách' }).click();
    await ui.getByRole('status').getByText('Đã lưu.').waitFor();
    const card = ui.locator('section.card', { has: ui.getByRole('heading', { name: 'Sảnh chính' }) });
    const href = (await card.getByRole('link').getAttribute('href')) as string;
    expect(href).toMatch(new RegExp(`^/display/${district}\\?playlist=\\d+$`));

    const screen = await browser.newContext({ viewport: SIZES.desktop });
    const page = await screen.newPage();
    await page.goto(`${s.dashboardUrl}/?token=${token}`);
    await page.goto(`${s.dashboardUrl}${href}`);
    await page.getByRole('status').getByText('Trực tiếp').first().waitFor();
    await page.locator('.rotation .label').getByText('Xếp hạng phường').waitFor({ timeout: 15_000 });
    let loads = 0;
    page.on('load', () => loads++);
    await page.evaluate(RECORD_LABELS);

    // Changed in the web UI: the screen plays the alerts slide too, without a reload.
    await card.locator('summary').click();
    await card.getByRole('checkbox', { name: 'Đơn vị dưới ngưỡng (khi có)' }).check();
    await card.getByRole('spinbutton', { name: /^Đơn vị dưới ngưỡng.*số giây/ }).fill('5');
    await card.getByRole('checkbox', { name: 'Chỉ số 766 (khi có số liệu)' }).check();
    await card.getByRole('spinbutton', { name: /^Chỉ số 766.*số giây/ }).fill('5');
    await card.getByRole('button', { name: 'Lưu thay đổi' }).click();
    await ui.getByRole('status').getByText('Đã lưu.').waitFor();
    await page.locator('.rotation .label').getByText('Dưới ngưỡng').waitFor({ timeout: 45_000 });
    expect((await labels(page)).some((c) => c.text === 'Dưới ngưỡng')).toBe(true);
    expect((await labels(page)).some((c) => c.text.startsWith('Chỉ số 766 · Tháng'))).toBe(true);
    expect(
      await ui.locator('section.card', { hasText: 'Sảnh chính' }).locator('.summary').innerText(),
    ).toContain('Chỉ số 766 (khi có số liệu) 5 s');
    expect(loads).toBe(0);
    await screen.close();
    await maker.close();
  });

  it('keeps playlists to their makers: city and district viewers, their own subtree, same origin', async () => {
    const get = (path: string, cookie: string, init: RequestInit = {}) =>
      fetch(`${s.dashboardUrl}${path}`, {
        ...init,
        redirect: 'manual',
        headers: { cookie, ...init.headers },
      });
    const login = async (t: string) => {
      const res = await fetch(`${s.dashboardUrl}/?token=${t}`, { redirect: 'manual' });
      return (res.headers.getSetCookie().find((c) => c.startsWith('motcua_session=')) as string).split(
        ';',
      )[0];
    };
    const districtCookie = await login(await s.viewer('district', district));
    const communeCookie = await login(await s.viewer('commune', s.tree.communes[0]));
    expect((await get(`/playlists/${district}`, districtCookie)).status).toBe(200);
    // Above its own unit, or not a maker of playlists at all.
    expect((await get(`/playlists/${s.tree.city}`, districtCookie)).status).toBe(403);
    expect((await get(`/playlists/${s.tree.communes[0]}`, communeCookie)).status).toBe(403);
    // A form posted from another site is refused before it is read.
    const body = new URLSearchParams({ name: 'x', 'on-curve': 'on', 'sec-curve': '10' });
    const forged = await get(`/playlists/${district}?/create`, districtCookie, {
      method: 'POST',
      body,
      headers: { origin: 'https://evil.example', 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(forged.status).toBe(403);
    // A screen plays playlists of its own subtree (or above it), not a neighbour's.
    const neighbour = await createPlaylist(s.db, {
      unitCode: s.tree.communes[1],
      name: 'bên cạnh',
      slides: 'curve:10',
      createdBy: 1,
    });
    const screenCookie = await login(await s.viewer('display', s.tree.communes[0]));
    expect((await get(`/display/playlist/${neighbour.id}`, screenCookie)).status).toBe(403);
    expect((await get(`/display/playlist/${neighbour.id}`, districtCookie)).status).toBe(200);
    expect((await get('/display/playlist/999999', districtCookie)).status).toBe(404);
  });
});
