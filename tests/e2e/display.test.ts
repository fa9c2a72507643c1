import {
  canvasTexts,
  clippedTexts,
  launchChromium,
  lineCount,
  pixelsLike,
  RECORD_CANVAS_TEXT,
  SIZES,
} from '@motcua/test-helpers/browser';
import { rating } from '@motcua/test-helpers/events';
import { postBatch } from '@motcua/test-helpers/ingest';
import { startTestSystem, type TestSystem } from '@motcua/test-helpers/system';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const SLOT_MS = 15 * 60_000;

/** Hà Nội as the tree before July 2025 has it: a huyện, a thị xã and a quận, each with its kinds. */
const DAN_PHUONG = [
  'Thị trấn Phùng',
  ...[
    'Đồng Tháp',
    'Song Phượng',
    'Thượng Mỗ',
    'Đan Phượng',
    'Tân Hội',
    'Liên Hà',
    'Liên Hồng',
    'Liên Trung',
    'Hạ Mỗ',
    'Tân Lập',
    'Hồng Hà',
    'Phương Đình',
    'Thọ An',
    'Thọ Xuân',
    'Trung Châu',
  ].map((n) => `Xã ${n}`),
];
const SON_TAY = [
  ...[
    'Lê Lợi',
    'Phú Thịnh',
    'Ngô Quyền',
    'Quang Trung',
    'Sơn Lộc',
    'Xuân Khanh',
    'Trung Hưng',
    'Viên Sơn',
  ].map((n) => `Phường ${n}`),
  ...['Đường Lâm', 'Thanh Mỹ', 'Xuân Sơn', 'Kim Sơn', 'Sơn Đông', 'Cổ Đông', 'Trung Sơn Trầm'].map(
    (n) => `Xã ${n}`,
  ),
  // Not in Sơn Tây: here so that one district has all three kinds and the longest league title.
  'Thị trấn Tây Đằng',
];

function names(): Record<string, string> {
  const out: Record<string, string> = {
    '90': 'Thành phố Hà Nội',
    '900': 'Huyện Đan Phượng',
    '901': 'Thị xã Sơn Tây',
    '902': 'Quận Ba Đình',
  };
  DAN_PHUONG.forEach((n, i) => {
    out[`900${String(i).padStart(2, '0')}`] = n;
  });
  SON_TAY.forEach((n, i) => {
    out[`901${String(i).padStart(2, '0')}`] = n;
  });
  return out;
}

describe('the wall display in Chromium', () => {
  let s: TestSystem;
  let browser: Browser;
  let token: string;
  const phung = '90000';
  const dongThap = '90001';
  const quiet = '90202';

  beforeAll(async () => {
    s = await startTestSystem('pglite', { districts: 3, communesPerDistrict: 16, names: names() });
    browser = await launchChromium();
    token = await s.viewer('display', s.tree.city);
    // Thị trấn Phùng: the morning's first ratings, all in the 15-minute step now running.
    const slot = Math.floor(Date.now() / SLOT_MS) * SLOT_MS;
    const early = (i: number) => ({ time: Math.min(Date.now() - 1000, slot + i * 1000) });
    const phungEvents = [0, 1, 2, 3, 4].map((i) => rating(phung, i ? 'satisfied' : 'unsatisfied', early(i)));
    expect((await postBatch(s.ingestUrl, await s.deskKey(phung), phungEvents)).body.rejected).toBe(0);
    // Xã Đồng Tháp: desk Q01 has 3 of 3 satisfied (100 %), Q02 8 of 9 (88.9 %), which ranks first.
    const dongThapEvents = [
      ...[0, 1, 2].map(() => rating(dongThap, 'satisfied', { desk: 'Q01' })),
      ...[0, 1, 2, 3, 4, 5, 6, 7, 8].map((i) =>
        rating(dongThap, i ? 'satisfied' : 'unsatisfied', { desk: 'Q02' }),
      ),
    ];
    expect((await postBatch(s.ingestUrl, await s.deskKey(dongThap), dongThapEvents)).body.rejected).toBe(0);
    // Sơn Tây: every commune at 90 % of 10 ratings (the comparison chart's bars all between 80 and 100 %).
    for (const commune of s.tree.communes.filter((c) => c.startsWith('901'))) {
      const events = Array.from({ length: 10 }, (_, i) => rating(commune, i ? 'satisfied' : 'unsatisfied'));
      expect((await postBatch(s.ingestUrl, await s.deskKey(commune), events)).body.rejected).toBe(0);
    }
  });
  afterAll(async () => {
    await browser?.close();
    await s?.close();
  });

  async function open(
    path: string,
    opts: { init?: string; viewport?: { width: number; height: number } } = {},
  ) {
    const ctx = await browser.newContext({ viewport: opts.viewport ?? SIZES.desktop });
    if (opts.init) await ctx.addInitScript(opts.init);
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

  /** Pixels of the satisfaction line's colour (from the trend's legend) in the plot. */
  async function satisfactionDrawn(page: Page): Promise<number> {
    const color = await page.locator('.curve .legend [data-series="sat"] line').getAttribute('stroke');
    expect(color).toMatch(/^#[0-9a-f]{6}$/i);
    return pixelsLike(page, '.curve', color as string);
  }

  it('draws the day trend when all of its ratings fall in one 15-minute step', async () => {
    const { ctx, page } = await open(`/display/${phung}?window=today`);
    // Polled: the chart draws its first frame after an animation, later on a loaded machine.
    await expect.poll(() => satisfactionDrawn(page), { timeout: 15_000 }).toBeGreaterThan(50);
    expect(await page.locator('.curve').getByText('Chưa có dữ liệu').count()).toBe(0);
    await ctx.close();
  });

  it('says "no data yet" on the trend of a unit without any', async () => {
    const { ctx, page } = await open(`/display/${quiet}?window=today`);
    await expect.poll(() => page.locator('.curve').getByText('Chưa có dữ liệu').isVisible()).toBe(true);
    await ctx.close();
  });

  it('names every unit by its own kind, in Vietnamese and English', async () => {
    const { ctx, page } = await open(`/display/${phung}?window=today`);
    const sub = page.locator('header .sub');
    await expect.poll(() => sub.textContent()).toMatch(/^Thị trấn\s*·\s*Huyện Đan Phượng/);
    await page.goto(`${s.dashboardUrl}/display/900?window=today`);
    await expect.poll(() => sub.textContent()).toMatch(/^Huyện\s*·\s*Thành phố Hà Nội/);
    await expect
      .poll(() => page.locator('.top-league h2 .title').textContent())
      .toBe('Xếp hạng xã, thị trấn');
    await page.goto(`${s.dashboardUrl}/display/90?window=today`);
    await expect.poll(() => sub.textContent()).toMatch(/^Thành phố trực thuộc Trung ương/);
    await expect
      .poll(() => page.locator('.top-league h2 .title').textContent())
      .toBe('Xếp hạng quận, huyện, thị xã');
    await page.goto(`${s.dashboardUrl}/display/${phung}?window=today&lang=en`);
    await expect.poll(() => sub.textContent()).toMatch(/^Township\s*·\s*Huyện Đan Phượng/);
    // The unit page's chip, too.
    await page.goto(`${s.dashboardUrl}/units/${phung}?lang=vi`);
    await expect.poll(() => page.locator('.name-row .level').textContent()).toBe('Thị trấn');
    await ctx.close();
  });

  it('cuts no text off and keeps the league title on one line at 1920×1080', async () => {
    for (const lang of ['vi', 'en']) {
      const { ctx, page } = await open(`/display/901?window=today&lang=${lang}`);
      await page.locator('.top-league tbody tr').first().waitFor();
      // Polled until the layout settles (the screen's scale is set once the page has measured it).
      await expect.poll(() => lineCount(page, '.top-league h2')).toBe(1);
      const texts =
        '.tile h2, .tile .sub, .top-league h2 .title, .top-league h2 .count, .top-league .legend, .top-league th, .top-league td';
      await expect.poll(() => clippedTexts(page, texts), { message: lang }).toEqual([]);
      // A commune with ratings and nothing finished: the on-time tile says so in full.
      await page.goto(`${s.dashboardUrl}/display/${phung}?window=today&lang=${lang}`);
      await page
        .locator('.tile .hint')
        .first()
        .getByText(lang === 'vi' ? 'chưa có hồ sơ giải quyết xong' : 'no dossier finished yet')
        .waitFor();
      expect(await clippedTexts(page, '.tile h2, .tile .sub'), lang).toEqual([]);
      await ctx.close();
    }
  });

  it('shows the whole "below the thresholds" list on the unit page', async () => {
    // Every commune of Sơn Tây is at 90 % satisfaction but nothing is finished: none is below.
    // Đan Phượng's Phùng (80 % of 5) is not below either; make ten communes of Ba Đình below.
    const ba = s.tree.communes.filter((c) => c.startsWith('902')).slice(0, 10);
    for (const commune of ba) {
      const events = Array.from({ length: 4 }, (_, i) => rating(commune, i ? 'unsatisfied' : 'satisfied'));
      expect((await postBatch(s.ingestUrl, await s.deskKey(commune), events)).body.rejected).toBe(0);
    }
    const { ctx, page } = await open('/units/902?window=today');
    const items = page.locator('.attention li');
    await expect.poll(() => items.count()).toBeGreaterThan(0);
    expect(await clippedTexts(page, '.attention li, .attention li a, .attention .tag')).toEqual([]);
    // Those not listed are counted, with the way to see them all.
    const listed = await items.count();
    if (listed < 10) await page.getByText(`và ${10 - listed} đơn vị khác dưới ngưỡng`).waitFor();
    await ctx.close();
  });

  it('shows on the screen why 100 % of 3 ranks below 88.9 % of 9', async () => {
    const { ctx, page } = await open(`/display/${dongThap}?window=today`);
    const rows = page.locator('.top-league tbody tr');
    await expect.poll(() => rows.count()).toBe(2);
    const row = async (i: number) => ({
      name: await rows.nth(i).locator('th.name').textContent(),
      rate: (await rows.nth(i).locator('td.sat').textContent())?.replace(/\s+/g, ' '),
      n: await rows.nth(i).locator('td.sat .n').textContent(),
    });
    expect(await row(0)).toMatchObject({ name: 'Quầy Q02', rate: expect.stringContaining('88,9 %'), n: '9' });
    expect(await row(1)).toMatchObject({
      name: 'Quầy Q01',
      rate: expect.stringContaining('100,0 %'),
      n: '3',
    });
    const legend = page.locator('.top-league .legend');
    expect(await legend.textContent()).toContain('cận dưới Wilson');
    expect(await clippedTexts(page, '.top-league .legend')).toEqual([]);
    await ctx.close();
  });

  it("starts the comparison chart's value axis at 0 %", async () => {
    const { ctx, page } = await open('/units/901?window=today', { init: RECORD_CANVAS_TEXT });
    const chart = 'section[aria-labelledby="compare-title"] .chart';
    await page.locator(chart).first().waitFor();
    const labels = async () => (await canvasTexts(page, chart)).map((x) => x.replace(/\u00a0/g, ' '));
    await expect.poll(labels).toContain('0 %');
    expect(await labels()).toEqual(expect.arrayContaining(['0 %', '25 %', '50 %', '75 %', '100 %']));
    await ctx.close();
  });
});

describe('the wall display on the tree in force from July 2025', () => {
  let s: TestSystem;
  let browser: Browser;

  beforeAll(async () => {
    s = await startTestSystem('pglite', {
      city: '22',
      districts: 0,
      communesUnderCity: 3,
      names: {
        '22': 'Tỉnh Quảng Ninh',
        '22900': 'Phường Hạ Long',
        '22901': 'Xã Quảng Tân',
        '22902': 'Đặc khu Vân Đồn',
      },
    });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await s?.close();
  });

  it('names a province, its communes, wards and special zones', async () => {
    const token = await s.viewer('display', '22');
    const ctx = await browser.newContext({ viewport: SIZES.desktop });
    const page = await ctx.newPage();
    await page.goto(`${s.dashboardUrl}/display/22?token=${token}&window=today`);
    await page.getByRole('status').getByText('Trực tiếp').first().waitFor();
    await expect.poll(() => page.locator('header .sub').textContent()).toMatch(/^Tỉnh\s*·\s*Hôm nay/);
    await expect
      .poll(() => page.locator('.top-league h2 .title').textContent())
      .toBe('Xếp hạng xã, phường, đặc khu');
    await page.goto(`${s.dashboardUrl}/display/22902?window=today`);
    await expect
      .poll(() => page.locator('header .sub').textContent())
      .toMatch(/^Đặc khu\s*·\s*Tỉnh Quảng Ninh/);
    await ctx.close();
  });
});
