import { join } from 'node:path';
import type { AnnotationList, DossierList, ProcedureList, Snapshot } from '@motcua/contract';
import {
  canvasTexts,
  launchChromium,
  RECORD_CANVAS_TEXT,
  SCREENSHOT_DIR,
  screenshot,
} from '@motcua/test-helpers/browser';
import { dossierEvent, rating, received } from '@motcua/test-helpers/events';
import { postBatch } from '@motcua/test-helpers/ingest';
import { apiGet, startTestSystem, type TestSystem } from '@motcua/test-helpers/system';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const DAY = 86_400_000;
const norm = (s: string | null) => (s ?? '').replace(/\s+/g, ' ').trim();
/** The local month label (`2026-11`) of an instant, and of the month before. */
const monthOf = (ms: number) => new Date(ms + 7 * 3_600_000).toISOString().slice(0, 7);
/** An instant as a local time with its offset (`2026-11-30T09:12:00+07:00`), to the minute. */
const localMinute = (ms: number) => `${new Date(ms + 7 * 3_600_000).toISOString().slice(0, 16)}:00+07:00`;

/**
 * Issue 14 in Chromium, as in "done when": a district leader opens last month, sees each
 * commune's change against the month before and against its target, clicks the late figure of a
 * commune, sees the procedures and dossiers behind it, and leaves a note that the city sees on
 * its charts. Numbers on the pages are compared with the read API's answers.
 */
describe('compare, target and explain in Chromium', () => {
  let s: TestSystem;
  let browser: Browser;
  let districtToken: string;
  let cityToken: string;
  let d0: string;
  let c0: string;
  let last: string;

  beforeAll(async () => {
    s = await startTestSystem('pglite', { city: '96', districts: 2, communesPerDistrict: 3 });
    browser = await launchChromium();
    d0 = s.tree.districts[0];
    [c0] = s.tree.communes.filter((c) => s.tree.districtOf[c] === d0);
    const c1 = s.tree.communes.filter((c) => s.tree.districtOf[c] === d0)[1];
    districtToken = await s.viewer('district', d0);
    cityToken = await s.viewer('city', s.tree.city);
    // Last month and the month before, from local midnight of this month's first day.
    const now = Date.now();
    const local = new Date(now + 7 * 3_600_000);
    const thisMonth = Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), 1) - 7 * 3_600_000;
    const lastStart = Date.UTC(local.getUTCFullYear(), local.getUTCMonth() - 1, 1) - 7 * 3_600_000;
    const beforeStart = Date.UTC(local.getUTCFullYear(), local.getUTCMonth() - 2, 1) - 7 * 3_600_000;
    last = monthOf(lastStart);
    const events = [];
    const at = (base: number, days: number, hours = 9) => ({ time: base + days * DAY + hours * 3_600_000 });
    // The month before: 4 ratings, 3 satisfied; 2 dossiers on time.
    for (let i = 0; i < 4; i++)
      events.push(rating(c0, i < 3 ? 'satisfied' : 'unsatisfied', at(beforeStart, 3 + i)));
    for (let i = 0; i < 2; i++) {
      events.push(received(c0, `B-${i}`, beforeStart + (6 + i) * DAY, at(beforeStart, 4 + i)));
      events.push(dossierEvent(c0, 'resolved', `B-${i}`, at(beforeStart, 5 + i)));
    }
    // Last month: 5 ratings, 4 satisfied; 3 dossiers of two procedures, 2 of them late.
    for (let i = 0; i < 5; i++)
      events.push(rating(c0, i < 4 ? 'satisfied' : 'unsatisfied', at(lastStart, 3 + i)));
    const procs = [
      ['1.001612', 'Đăng ký khai sinh'],
      ['2.000794', 'Chứng thực bản sao'],
      ['2.000794', 'Chứng thực bản sao'],
    ];
    procs.forEach(([code, name], i) => {
      const r = received(c0, `L-${i}`, lastStart + (5 + i) * DAY, at(lastStart, 3 + i));
      Object.assign(r.data, { procedureCode: code, procedureName: name });
      events.push(r);
      events.push(dossierEvent(c0, 'resolved', `L-${i}`, at(lastStart, i === 0 ? 4 : 9 + i)));
    });
    // The other commune: last month only.
    const key0 = await s.deskKey(c0);
    expect((await postBatch(s.ingestUrl, key0, events)).body.accepted).toBe(events.length);
    const key1 = await s.deskKey(c1);
    const other = [rating(c1, 'satisfied', at(lastStart, 2)), rating(c1, 'satisfied', at(lastStart, 3))];
    expect((await postBatch(s.ingestUrl, key1, other)).body.accepted).toBe(2);
    expect(thisMonth).toBeGreaterThan(lastStart);
    // The city's target: satisfaction 95 %.
    const put = await fetch(`${s.dashboardUrl}/api/v1/units/${s.tree.city}/targets`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${cityToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ figure: 'satisfaction', value: 0.95 }),
    });
    expect(put.status).toBe(200);
  });
  afterAll(async () => {
    await browser?.close();
    await s?.close();
  });

  async function open(path: string, token: string, size = { width: 1280, height: 800 }): Promise<Page> {
    const context = await browser.newContext({ viewport: size, locale: 'vi-VN' });
    const page = await context.newPage();
    await page.goto(`${s.dashboardUrl}${path}${path.includes('?') ? '&' : '?'}token=${token}`);
    await page.waitForSelector('main#main');
    return page;
  }

  it('shows each commune of the district against the month before and against its target', async () => {
    const page = await open(`/units/${d0}?window=${last}`, districtToken);
    const snap = (await apiGet(s.dashboardUrl, `/api/v1/units/${d0}/metrics?window=${last}`, districtToken))
      .body as unknown as Snapshot;
    const a = snap.children.find((c) => c.unit.code === c0);
    expect(a?.metrics.satisfaction.total).toBe(5);
    // The district's tile: (4 + 2)/(5 + 2) = 85,7 % against 3/4 = 75 % the month before:
    // +10,7 points, with both samples; against the city's 95 % target, 9,3 points short.
    const tile = norm(await page.locator('.kpis article').first().textContent());
    expect(tile).toContain('▲ 10,7 điểm so với tháng');
    expect(tile).toContain('n = 7 / 4');
    expect(tile).toContain('Mục tiêu 95 % · Chưa đạt (−9,3 điểm)');
    // The league row of the commune: 4/5 = 80 % against 3/4 = 75 %, +5 points.
    const row = norm(
      await page
        .locator(`section[aria-labelledby="league-title"] tr:has(a[href^="/units/${c0}"])`)
        .first()
        .textContent(),
    );
    expect(row).toContain('▲ 5,0 điểm');
    await screenshot(page, 'issue14-district-month-1280');
    await page.setViewportSize({ width: 390, height: 844 });
    await screenshot(page, 'issue14-district-month-390');
    await page.context().close();
  });

  it('goes from the late figure of a commune to its procedures and dossiers, which add up to it', async () => {
    const page = await open(`/units/${d0}?window=${last}`, districtToken);
    await page.locator(`a[href^="/explain/${c0}?window=${last}&kind=late"]`).first().click();
    await page.waitForSelector('#dossiers-title');
    const procs = (
      await apiGet(s.dashboardUrl, `/api/v1/units/${c0}/procedures?window=${last}`, districtToken)
    ).body as unknown as ProcedureList;
    // Its ratings name no dossier: they count for no procedure ('').
    expect(procs.items.map((p) => [p.code, p.received, p.late, p.satisfaction.total])).toEqual([
      ['2.000794', 2, 2, 0],
      ['1.001612', 1, 0, 0],
      ['', 0, 0, 5],
    ]);
    const table = norm(
      await page
        .locator('#procedures-title ~ * table, section[aria-labelledby="procedures-title"] table')
        .first()
        .textContent(),
    );
    expect(table).toContain('Chứng thực bản sao');
    expect(table).toContain('Đăng ký khai sinh');
    const list = (
      await apiGet(s.dashboardUrl, `/api/v1/units/${c0}/dossiers?window=${last}&kind=late`, districtToken)
    ).body as unknown as DossierList;
    expect(list.total).toBe(2);
    const items = page.locator('ul.dossiers > li');
    expect(await items.count()).toBe(2);
    await items.first().locator('summary').click();
    expect(norm(await items.first().textContent())).toMatch(/Tiếp nhận.*Trả kết quả/);
    await screenshot(page, 'issue14-explain-1280');
    await page.setViewportSize({ width: 390, height: 844 });
    await screenshot(page, 'issue14-explain-390');
    await page.context().close();
  });

  it('takes a note from the district and shows it on the city’s 12-month chart', async () => {
    const page = await open(`/units/${d0}?window=${last}`, districtToken);
    const form = page.locator('form.note');
    await form.locator('input[type="datetime-local"]').first().fill(`${last}-15T09:00`);
    await form.locator('input:not([type])').fill('Mất điện toàn quận');
    await form.locator('button[type="submit"]').click();
    await page.waitForSelector('li[data-note]');
    expect(norm(await page.locator('li[data-note]').first().textContent())).toContain('Mất điện toàn quận');
    await page.context().close();

    const notes = (await apiGet(s.dashboardUrl, `/api/v1/units/${s.tree.city}/annotations`, cityToken))
      .body as unknown as AnnotationList;
    expect(notes.items.map((n) => [n.text, n.author])).toEqual([['Mất điện toàn quận', 'test district']]);

    const city = await open(`/units/${s.tree.city}`, cityToken);
    const chart = city.locator('section[aria-labelledby="months-title"] .chart');
    await chart.scrollIntoViewIfNeeded();
    const box = await chart.boundingBox();
    if (!box) throw new Error('no 12-month chart');
    // Point at each month until the tooltip of last month shows the note.
    let tooltip = '';
    for (let i = 0; i < 24 && !tooltip.includes('Mất điện toàn quận'); i++) {
      await city.mouse.move(box.x + 30 + ((box.width - 60) * (i + 0.5)) / 24, box.y + box.height / 2);
      // The tooltip is drawn on the next frame.
      await city.evaluate(
        () =>
          new Promise((done) =>
            (globalThis as unknown as { requestAnimationFrame(f: () => void): void }).requestAnimationFrame(
              () => done(null),
            ),
          ),
      );
      tooltip = norm(await city.locator('section[aria-labelledby="months-title"]').textContent());
    }
    expect(tooltip).toContain('✎ Mất điện toàn quận');
    await screenshot(city, 'issue14-city-notes-1280');
    await city.context().close();
  });

  it('draws a note and the target on the day trend of the unit page, and the target on the wall display', async () => {
    const now = Date.now();
    // Local midnight today: the day trend's first step.
    const midnight = Math.floor((now + 7 * 3_600_000) / DAY) * DAY - 7 * 3_600_000;
    const key0 = await s.deskKey(c0);
    expect(
      (await postBatch(s.ingestUrl, key0, [rating(c0, 'satisfied', { time: now - 1_000 })])).body.accepted,
    ).toBe(1);
    // A point in the current 15-minute step, and a range from midnight until after now.
    const notes = [
      { from: localMinute(now), text: 'Họp giao ban đầu giờ' },
      { from: localMinute(midnight), to: localMinute(now + 2 * 3_600_000), text: 'Tập huấn phần mềm' },
    ];
    for (const note of notes) {
      const res = await fetch(`${s.dashboardUrl}/api/v1/units/${c0}/annotations`, {
        method: 'POST',
        headers: { authorization: `Bearer ${districtToken}`, 'content-type': 'application/json' },
        body: JSON.stringify(note),
      });
      expect(res.status).toBe(201);
    }

    // The commune's page, today: the city's 95 % satisfaction target is in force for it.
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'vi-VN' });
    await context.addInitScript(RECORD_CANVAS_TEXT);
    const page = await context.newPage();
    await page.goto(`${s.dashboardUrl}/units/${c0}?token=${districtToken}`);
    const trend = 'section[aria-labelledby="trend-title"]';
    await page.locator(`${trend} .chart[data-rendered]`).waitFor();
    const drawn = async (p: Page, selector: string) => (await canvasTexts(p, selector)).map(norm);
    await expect
      .poll(() => drawn(page, trend), { timeout: 10_000 })
      .toEqual(
        expect.arrayContaining(['Mục tiêu hài lòng 95 %', '✎ Họp giao ban đầu giờ', '✎ Tập huấn phần mềm']),
      );
    // Last month's note (the test above) is not in today's steps.
    expect((await drawn(page, trend)).filter((x) => x.includes('Mất điện'))).toEqual([]);
    // The tooltip of the last step lists the notes over it.
    const chart = page.locator(`${trend} .chart`);
    await chart.scrollIntoViewIfNeeded();
    const box = await chart.boundingBox();
    if (!box) throw new Error('no trend chart');
    // Late in the day a step is only a few pixels wide, so walk in from the right edge until the
    // pointer is over the last step (the one holding now) and its tooltip is drawn.
    let tip = '';
    for (let dx = 8; dx < 200 && !tip.includes('✎ Họp giao ban đầu giờ'); dx += 4) {
      await page.mouse.move(box.x + box.width - dx, box.y + box.height / 2);
      await page.evaluate(
        () =>
          new Promise((done) =>
            (globalThis as unknown as { requestAnimationFrame(f: () => void): void }).requestAnimationFrame(
              () => done(null),
            ),
          ),
      );
      tip = norm(await page.locator(trend).textContent());
    }
    expect(tip).toContain('✎ Họp giao ban đầu giờ');
    expect(norm(await page.locator(trend).textContent())).toContain('✎ Tập huấn phần mềm');
    await screenshot(page, 'issue14-commune-day-notes-1280');
    await page.locator(trend).screenshot({ path: join(SCREENSHOT_DIR, 'issue14-commune-day-trend.png') });

    // The district's chart comparing its communes: each has the city's 95 %, so one target line.
    await page.goto(`${s.dashboardUrl}/units/${d0}`);
    const compare = 'section[aria-labelledby="compare-title"]';
    await page.locator(`${compare} .chart[data-rendered]`).waitFor();
    await expect
      .poll(() => drawn(page, compare), { timeout: 10_000 })
      .toEqual(expect.arrayContaining(['Mục tiêu hài lòng 95 %']));
    await context.close();

    // The city's wall display: the target on its curve, and the commune's notes, named.
    const displayToken = await s.viewer('display', s.tree.city);
    const wall = await browser.newContext({ viewport: { width: 1920, height: 1080 }, locale: 'vi-VN' });
    await wall.addInitScript(RECORD_CANVAS_TEXT);
    const screen = await wall.newPage();
    await screen.goto(`${s.dashboardUrl}/display/${s.tree.city}?token=${displayToken}`);
    await screen.locator('.curve .chart[data-rendered]').waitFor();
    await expect
      .poll(() => drawn(screen, '.curve'), { timeout: 10_000 })
      .toEqual(expect.arrayContaining(['Mục tiêu hài lòng 95 %']));
    const labels = (await drawn(screen, '.curve')).filter((x) => x.startsWith('✎'));
    expect(labels.some((x) => x.startsWith('✎ Họp giao ban đầu giờ ('))).toBe(true);
    expect(labels.some((x) => x.startsWith('✎ Tập huấn phần mềm ('))).toBe(true);
    await screenshot(screen, 'issue14-display-target-1920');
    await wall.close();
  });
});
