import type { Scorecard, ScorecardCriterion, ScorecardLeague } from '@motcua/contract';
import { launchChromium, SIZES, screenshot } from '@motcua/test-helpers/browser';
import { dossierEvent, ev, rating, received } from '@motcua/test-helpers/events';
import { postBatch } from '@motcua/test-helpers/ingest';
import { apiGet, startTestSystem, type TestSystem } from '@motcua/test-helpers/system';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** The sub-criteria a desk feed cannot compute: always "not measured", with their reason. */
const EXTERNAL = ['1.1', '1.2', '1.3', '1.4', '3.1', '3.2', '3.5', '4.5a', 'ecopy'];

// The page's number formats, written out here rather than imported from the dashboard.
const nf = (digits: number) =>
  new Intl.NumberFormat('vi-VN', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const int = (n: number | null) => (n === null ? '—' : nf(0).format(n));
const dec = (n: number | null, digits: number) => (n === null ? '—' : nf(digits).format(n));
const pct = (r: number | null) => (r === null ? '—' : `${nf(1).format(r * 100)} %`);
/** A loss of points as the page writes it: `−2,22`, and `0,00` for none. */
const loss = (n: number) => (n > 0 ? `−${dec(n, 2)}` : dec(n, 2));
/** A panel of the unit page by its id (the id of its title is `${id}-title`). */
const panel = (id: string) => `section[aria-labelledby="${id}-title"]`;
/** Text content with every run of white space (no-break spaces too) as one space. */
const norm = (s: string | null) => (s ?? '').replace(/\s+/g, ' ').trim();

/**
 * The 766 pages in Chromium over the whole system. Commune c0 of district d0 reports every v1.1
 * fact (fees and payments, digitisation, reuse, data store, VNeID, e-results, petitions, ratings
 * of dossiers), has a late dossier, an open one already overdue and one due within 24 h; c1 has
 * a few dossiers without the new facts; c2 nothing. Numbers on the pages are compared with the
 * read API's answer for the same window, never with constants of the page's own making.
 */
describe('766 scorecard pages in Chromium', () => {
  let s: TestSystem;
  let browser: Browser;
  let cityToken: string;
  let displayToken: string;
  let d0: string;
  let c0: string;
  let c1: string;
  let key0: string;
  let key1: string;

  beforeAll(async () => {
    s = await startTestSystem('pglite', { districts: 2, communesPerDistrict: 3 });
    browser = await launchChromium();
    cityToken = await s.viewer('city', s.tree.city);
    displayToken = await s.viewer('display', s.tree.city);
    d0 = s.tree.districts[0];
    [c0, c1] = s.tree.communes.filter((c) => s.tree.districtOf[c] === d0);
    key0 = await s.deskKey(c0);
    key1 = await s.deskKey(c1);
    const now = Date.now();
    const at = (minutesAgo: number) => ({ time: now - minutesAgo * MINUTE });
    const facts = (i: number) => ({
      feeBearing: i % 3 !== 2,
      inputsDigitised: i % 4 !== 3,
      reusedData: i % 2 === 0,
      citizenStore: i % 3 === 0,
      populationData: i !== 1,
    });
    const events: ReturnType<typeof ev>[] = [];
    // Six dossiers, finished early or on time, the fee-bearing ones mostly paid online.
    for (let i = 0; i < 6; i++) {
      const code = `A-${i}`;
      const r = received(c0, code, now + 3 * 24 * HOUR, at(200 - i * 10), i % 2 ? 'online' : 'direct');
      Object.assign(r.data, facts(i));
      events.push(r);
      if (facts(i).feeBearing && i !== 4) {
        events.push(
          dossierEvent(c0, 'paid', code, at(190 - i * 10), { method: i === 2 ? 'desk' : 'online' }),
        );
      }
      events.push(
        dossierEvent(c0, 'resolved', code, at(120 - i * 10), {
          electronicResult: i !== 5,
          resultDigitised: i % 4 !== 3,
        }),
      );
      events.push(rating(c0, i === 3 ? 'unsatisfied' : 'satisfied', at(100 - i * 10), { dossierCode: code }));
    }
    // Late: due 2 h ago, resolved 1 h ago.
    events.push(received(c0, 'A-late', now - 2 * HOUR, at(300)));
    events.push(dossierEvent(c0, 'resolved', 'A-late', at(60)));
    // Open: one already overdue (lost points), one due within 24 h (points at risk).
    events.push(received(c0, 'A-overdue', now - 30 * MINUTE, at(240)));
    events.push(received(c0, 'A-soon', now + 10 * HOUR, at(230)));
    // Petitions: one answered and published, one open.
    events.push(ev(c0, 'petition.received', { petitionCode: 'P-1', category: 'procedure' }, at(180)));
    events.push(ev(c0, 'petition.answered', { petitionCode: 'P-1' }, at(90)));
    events.push(ev(c0, 'petition.published', { petitionCode: 'P-1' }, at(80)));
    events.push(ev(c0, 'petition.reacted', { petitionCode: 'P-1', reaction: 'like' }, at(70)));
    events.push(ev(c0, 'petition.received', { petitionCode: 'P-2', category: 'staff' }, at(50)));
    expect((await postBatch(s.ingestUrl, key0, events)).body.rejected).toBe(0);
    // c1: three dossiers without the new facts, one of them late.
    const other = [
      received(c1, 'B-0', now + 2 * 24 * HOUR, at(150)),
      dossierEvent(c1, 'resolved', 'B-0', at(100)),
      received(c1, 'B-1', now - HOUR, at(150)),
      dossierEvent(c1, 'resolved', 'B-1', at(30)),
      received(c1, 'B-2', now + 2 * 24 * HOUR, at(140), 'online'),
    ];
    expect((await postBatch(s.ingestUrl, key1, other)).body.rejected).toBe(0);
  });
  afterAll(async () => {
    await browser?.close();
    await s?.close();
  });

  async function signedIn(
    size: keyof typeof SIZES,
    token = cityToken,
  ): Promise<{ ctx: BrowserContext; page: Page; errors: string[] }> {
    const ctx = await browser.newContext({ viewport: SIZES[size], locale: 'vi-VN' });
    const page = await ctx.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    await page.goto(`${s.dashboardUrl}/?token=${token}`);
    await page.waitForURL((u) => !u.search.includes('token='));
    return { ctx, page, errors };
  }

  async function scorecard(code: string, window: string): Promise<Scorecard> {
    const res = await apiGet(s.dashboardUrl, `/api/v1/units/${code}/scorecard?window=${window}`, cityToken);
    expect(res.status).toBe(200);
    return res.body as unknown as Scorecard;
  }

  async function opened(page: Page, path: string): Promise<void> {
    await page.goto(`${s.dashboardUrl}${path}`);
    await page.getByRole('status').getByText('Trực tiếp').first().waitFor();
    await page.waitForLoadState('networkidle');
  }

  /** The texts of a sub-criterion's row: numerator / denominator, rate, points / max. */
  function expected(c: ScorecardCriterion): { nd: string; rate: string; pts: string } {
    if (c.code === '2.2') {
      return {
        nd: `${dec(c.numerator, 1)} / ${int(c.denominator)}`,
        rate: c.rate === null ? '—' : `${dec(c.rate, 1)} ngày`,
        pts: 'không tính điểm',
      };
    }
    return {
      nd: `${int(c.numerator)} / ${int(c.denominator)}`,
      rate: pct(c.rate),
      pts: `${dec(c.points, 2)} / ${int(c.max)}`,
    };
  }

  it("shows a commune's scorecard as the API gives it for the same window, and what is not measured", async () => {
    const { ctx, page, errors } = await signedIn('desktop');
    await opened(page, `/units/${c0}?window=30d`);
    const card = await scorecard(c0, '30d');
    // The fixture reports every computable fact: only the external sub-criteria are unmeasured.
    const all = card.score.groups.flatMap((g) => g.criteria);
    expect(all.filter((c) => !c.measured).map((c) => c.code)).toEqual(EXTERNAL);
    expect(card.atRisk?.lost.dossiers).toBe(1);
    expect(card.atRisk?.within24h.dossiers).toBe(1);
    expect(card.atRisk?.within24h.total).toBeGreaterThan(0);

    const total = page.getByTestId('score-total');
    expect(norm(await total.locator('.value').textContent())).toBe(
      `${dec(card.score.points, 2)} / ${int(card.score.max)}`,
    );
    expect(norm(await total.textContent())).toContain(
      `${int(card.score.fullMax - card.score.max)} điểm không đo được từ dữ liệu quầy`,
    );
    for (const g of card.score.groups) {
      const head = page.locator(`${panel('score')} li[data-group="${g.code}"] .gval`);
      const text = norm(await head.textContent());
      if (g.measuredMax > 0) expect(text).toContain(`${dec(g.points, 2)} / ${int(g.measuredMax)}`);
      else expect(text).toContain('không đo được');
    }
    for (const c of all) {
      const row = page.locator(`${panel('criteria')} tr[data-code="${c.code}"]`);
      if (!c.measured) {
        expect(norm(await row.locator('.nm').textContent())).toBe('⊘ Không đo được từ dữ liệu quầy');
        expect(norm(await row.locator('.name').textContent())).toContain(c.reason?.text.vi);
        // Never a number where there is none: only the max is shown.
        expect(norm(await row.locator('.pts').textContent())).toBe(`— / ${int(c.max)}`);
        continue;
      }
      const want = expected(c);
      expect(norm(await row.locator('.nd').textContent()), c.code).toBe(want.nd);
      expect(norm(await row.locator('.rate').textContent()), c.code).toBe(want.rate);
      expect(norm(await row.locator('.pts').textContent()), c.code).toBe(want.pts);
    }
    // Points lost now and at risk within 24 h / 48 h, with their counts.
    for (const [key, risk] of [
      ['lost', card.atRisk?.lost],
      ['24h', card.atRisk?.within24h],
      ['48h', card.atRisk?.within48h],
    ] as const) {
      const box = page.locator(`${panel('risk')} li[data-risk="${key}"]`);
      expect(norm(await box.locator('.points').textContent())).toBe(`${loss(risk?.total ?? -1)} điểm`);
      expect(norm(await box.locator('.items').textContent())).toBe(
        `${int(risk?.dossiers ?? -1)} hồ sơ · ${int(risk?.petitions ?? -1)} phản ánh`,
      );
    }
    await page.locator(panel('score')).getByText('không phải từ văn bản pháp lý', { exact: false }).waitFor();
    // The CSV of the same window.
    const csv = page.locator(panel('score')).getByRole('link', { name: 'Tải CSV' });
    expect(await csv.getAttribute('href')).toBe(`/api/v1/units/${c0}/scorecard.csv?window=30d`);
    // The monthly trend: this month has numbers, the eleven before it none ("—").
    const months = page.locator(`${panel('score')} li[data-month]`);
    await expect.poll(() => months.locator('.v').allTextContents(), { timeout: 10_000 }).not.toContain('…');
    const values = (await months.locator('.v').allTextContents()).map(norm);
    expect(values).toHaveLength(12);
    const thisMonth = await scorecard(c0, 'month');
    expect(values.slice(0, 11)).toEqual(Array(11).fill('—'));
    expect(values[11]).toBe(int(Math.round(thisMonth.score.points)));
    expect(errors).toEqual([]);
    await ctx.close();
  });

  it('switches to calendar windows and closed periods through the URL; a closed period has nothing at risk', async () => {
    const { ctx, page, errors } = await signedIn('desktop');
    await opened(page, `/units/${c0}?window=30d`);
    await page.getByRole('link', { name: 'Tháng này' }).click();
    await page.waitForURL(/window=month/);
    await page.getByRole('status').getByText('Trực tiếp').first().waitFor();
    const month = await scorecard(c0, 'month');
    await expect
      .poll(async () => norm(await page.getByTestId('score-total').locator('.value').textContent()))
      .toBe(`${dec(month.score.points, 2)} / ${int(month.score.max)}`);
    // The month before this one, from the list of closed periods.
    const previous = month.window.period === undefined ? '' : previousMonth(month.window.period);
    await page.getByRole('combobox', { name: 'Kỳ đã qua' }).selectOption(previous);
    await page.waitForURL(new RegExp(`window=${previous}$`));
    await page
      .locator(panel('score'))
      .getByText('Kỳ đã kết thúc: không còn điểm nào thay đổi được.')
      .waitFor();
    expect(await page.locator(panel('risk')).count()).toBe(0);
    // Nothing happened then: no total, rather than the points of the empty rules.
    expect(norm(await page.getByTestId('score-total').locator('.value').textContent())).toBe('—');
    expect(norm(await page.locator(`${panel('criteria')} tr[data-code="2.1"] .nd`).textContent())).toBe(
      '0 / 0',
    );
    // The rolling windows still work.
    await page.getByRole('link', { name: '7 ngày' }).click();
    await page.waitForURL(/window=7d/);
    expect(errors).toEqual([]);
    await ctx.close();
  });

  it("ranks a district's communes by 766 points, with points per group and sample sizes", async () => {
    const { ctx, page, errors } = await signedIn('desktop');
    await opened(page, `/units/${d0}?window=30d`);
    const res = await apiGet(s.dashboardUrl, `/api/v1/units/${d0}/scorecard/league?window=30d`, cityToken);
    const league = res.body as unknown as ScorecardLeague;
    const rows = page.locator(`${panel('league766')} tbody tr[data-unit]`);
    expect(
      await rows.evaluateAll((trs) =>
        trs.map((tr) => (tr as unknown as { dataset: { unit: string } }).dataset.unit),
      ),
    ).toEqual(league.children.map((c) => c.unit.code));
    const shown = (await rows.locator('td.pts strong').allTextContents()).map((t) =>
      Number(t.replace(/\./g, '').replace(',', '.')),
    );
    expect(shown).toEqual([...shown].sort((a, b) => b - a));
    expect(league.children[0].unit.code).toBe(c0);
    const first = rows.first();
    expect(norm(await first.locator('td.pts').textContent())).toBe(
      `${dec(league.children[0].points, 2)} / ${int(league.children[0].max)}`,
    );
    const groups = (await first.locator('td.group').allTextContents()).map(norm);
    expect(groups).toEqual(
      league.children[0].groups.map((g) => (g.measuredMax > 0 ? dec(g.points, 2) : '—')),
    );
    // The samples the points rest on, from the league row: 2.1 over c0's 7 finished dossiers (A-0…A-5,
    // A-late) and 2 open (A-overdue, A-soon) = 9; 5.2 over P-1 answered and P-2 open = 2.
    expect((await first.locator('td.sample').allTextContents()).map(norm)).toEqual(['9', '2']);
    // Each group's cell names what its sub-criteria rest on: 2.1 over the same 9, 2.2 over the 7 finished.
    expect(await first.locator('td.group').nth(1).getAttribute('title')).toBe(
      'Nhóm 2 — mẫu số: 2.1 9 · 2.2 7',
    );
    // Not a calendar window: no rank change column, and a note that says how to get one.
    expect(await page.locator(`${panel('league766')} th`, { hasText: 'Thay đổi' }).count()).toBe(0);
    await page.getByText('Chọn tháng, quý hoặc năm để xem thay đổi thứ hạng').waitFor();
    // A calendar window has it, in text: "mới" where there was no rank before, ▲/▼ with a number otherwise.
    await opened(page, `/units/${d0}?window=month`);
    const changes = (await page.locator(`${panel('league766')} tbody td.change`).allTextContents()).map(norm);
    expect(changes).toHaveLength(3);
    for (const c of changes)
      expect(c).toMatch(/^(▲ \d+ lên \d+ bậc|▼ \d+ xuống \d+ bậc|= giữ hạng|mới không có hạng kỳ trước)$/);
    expect(errors).toEqual([]);
    await ctx.close();
  });

  it('hides the scorecard CSV from display viewers', async () => {
    const { ctx, page } = await signedIn('desktop', displayToken);
    await opened(page, `/units/${c0}?window=30d`);
    await page.getByTestId('score-total').waitFor();
    expect(await page.locator(panel('score')).getByRole('link', { name: 'Tải CSV' }).count()).toBe(0);
    await ctx.close();
  });

  it("shows the 766 tile on the wall display and follows the month's points live", async () => {
    const { ctx, page, errors } = await signedIn('desktop', displayToken);
    await opened(page, `/display/${s.tree.city}?window=1h`);
    const tile = page.getByTestId('score-tile');
    const value = async () =>
      norm(await tile.locator('.value').textContent())
        .split(':')
        .at(-1)
        ?.trim();
    const want = async () => {
      const m = await scorecard(s.tree.city, 'month');
      return `${dec(m.score.points, 1)}/${int(m.score.max)}`;
    };
    await expect.poll(value, { timeout: 10_000 }).toBe(await want());
    expect(norm(await tile.locator('h2').textContent())).toMatch(/^Chỉ số 766 Tháng \d{1,2}\/\d{4}$/);
    // Last month had nothing: the tile says so instead of a difference.
    expect(norm(await tile.locator('.change').textContent())).toMatch(
      /^Tháng \d{1,2}\/\d{4}: chưa có dữ liệu$/,
    );
    // A late dossier in c1 costs the city points of 2.1 this month: the tile follows without a reload.
    const before = await value();
    let reloads = 0;
    page.on('load', () => {
      reloads++;
    });
    const now = Date.now();
    await postBatch(s.ingestUrl, key1, [
      received(c1, 'B-late', now - 3 * MINUTE, { time: now - 20 * MINUTE }),
      dossierEvent(c1, 'resolved', 'B-late', { time: now - MINUTE }),
    ]);
    const after = await want();
    expect(after).not.toBe(before);
    // Read again at most every 30 s.
    await expect.poll(value, { timeout: 40_000, interval: 500 }).toBe(after);
    expect(reloads).toBe(0);
    expect(errors).toEqual([]);
    await ctx.close();
  }, 60_000);

  it('renders the 766 panels at 1920×1080 and 390×844 (screenshots saved as artifacts)', async () => {
    const pages = [
      ['score-commune', `/units/${c0}?window=30d`],
      ['score-district', `/units/${d0}?window=month`],
      ['score-city', `/units/${s.tree.city}?window=30d`],
      ['score-display', `/display/${s.tree.city}?window=1h`],
    ] as const;
    for (const size of ['desktop', 'mobile'] as const) {
      const { ctx, page, errors } = await signedIn(size);
      for (const [name, path] of pages) {
        await opened(page, path);
        if (name !== 'score-display') {
          await expect
            .poll(() => page.locator(`${panel('score')} li[data-month] .v`).allTextContents())
            .not.toContain('…');
        }
        await screenshot(page, `${name}-${size}`);
        // Nothing of the 766 panels wider than the screen: their tables scroll inside them.
        const overflow = await page.evaluate(() => {
          const doc = (globalThis as unknown as { document: Doc }).document;
          const width = doc.documentElement.clientWidth;
          const wide = [...doc.querySelectorAll(':is(#scorecard, [data-testid="score-tile"]) *:not(svg *)')]
            .filter((el) => {
              if (el.getBoundingClientRect().right <= width + 1) return false;
              // Clipped by a scrolling box around it; an absolutely placed element only by one
              // at or above the box that places it.
              let a = el.parentElement;
              if (getComputedStyle(el).position === 'absolute') {
                while (a && getComputedStyle(a).position === 'static') a = a.parentElement;
              }
              for (; a; a = a.parentElement) if (getComputedStyle(a).overflowX !== 'visible') return false;
              return true;
            })
            .map((el) => {
              const path: string[] = [];
              for (let a: El | null = el; a && path.length < 5; a = a.parentElement) {
                path.push(`${a.tagName.toLowerCase()}.${String(a.className).replace(/ ?svelte-\w+/, '')}`);
              }
              return `${path.join(' < ')}: ${(el.textContent ?? '').slice(0, 30)}`;
            });
          return { wide };
        });
        expect(overflow.wide, name).toEqual([]);
      }
      expect(errors).toEqual([]);
      await ctx.close();
    }
  }, 90_000);
});

/** The few DOM shapes the overflow check uses (the tests are typed without the DOM library). */
interface El {
  tagName: string;
  id: string;
  className: string;
  textContent: string | null;
  children: { length: number };
  parentElement: El | null;
  getBoundingClientRect(): { right: number };
}
declare function getComputedStyle(el: El): { overflowX: string; position: string };
interface Doc {
  documentElement: { clientWidth: number };
  querySelectorAll(selector: string): Iterable<El>;
}

/** `2026-11` → `2026-10`. */
function previousMonth(label: string): string {
  const [y, m] = label.split('-').map(Number);
  return m === 1 ? `${y - 1}-12` : `${y}-${String(m - 1).padStart(2, '0')}`;
}

describe('766 league on a province of the July-2025 tree in Chromium', () => {
  let s: TestSystem;
  let browser: Browser;

  beforeAll(async () => {
    s = await startTestSystem('pglite', { city: '75', districts: 0, communesUnderCity: 3 });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await s?.close();
  });

  it("ranks the province's communes, which sit straight under it, by 766 points", async () => {
    const [first, second] = s.tree.communes;
    const now = Date.now();
    // The second commune finishes a dossier on time; the first one late: the second ranks first.
    await postBatch(s.ingestUrl, await s.deskKey(second), [
      received(second, 'X-1', now + 24 * HOUR, { time: now - 90 * MINUTE }),
      dossierEvent(second, 'resolved', 'X-1', { time: now - 60 * MINUTE }),
    ]);
    await postBatch(s.ingestUrl, await s.deskKey(first), [
      received(first, 'Y-1', now - 2 * HOUR, { time: now - 5 * HOUR }),
      dossierEvent(first, 'resolved', 'Y-1', { time: now - 60 * MINUTE }),
    ]);
    const token = await s.viewer('city', s.tree.city);
    const ctx = await browser.newContext({ viewport: SIZES.desktop, locale: 'vi-VN' });
    const page = await ctx.newPage();
    await page.goto(`${s.dashboardUrl}/?token=${token}`);
    await page.waitForURL((u) => !u.search.includes('token='));
    await page.goto(`${s.dashboardUrl}/units/${s.tree.city}?window=30d`);
    await page.getByRole('status').getByText('Trực tiếp').first().waitFor();
    const res = await apiGet(
      s.dashboardUrl,
      `/api/v1/units/${s.tree.city}/scorecard/league?window=30d`,
      token,
    );
    const league = res.body as unknown as ScorecardLeague;
    expect(league.children.map((c) => c.unit.code).slice(0, 2)).toEqual([second, first]);
    const rows = page.locator(`${panel('league766')} tbody tr[data-unit]`);
    expect(await rows.locator('th.name a').allTextContents()).toEqual(
      league.children.map((c) => c.unit.name),
    );
    expect((await rows.locator('td.pts').allTextContents()).map(norm)).toEqual(
      league.children.map((c) => `${dec(c.points, 2)} / ${int(c.max)}`),
    );
    await ctx.close();
  });
});
