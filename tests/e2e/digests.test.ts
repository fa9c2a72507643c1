import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Snapshot } from '@motcua/contract';
import { DAY, formatLocal, MINUTE, periodContaining, previousPeriod } from '@motcua/metrics';
import { digestPeriodOf, lastSlotAtOrBefore } from '@motcua/reports';
import { launchChromium, SCREENSHOT_DIR, screenshot } from '@motcua/test-helpers/browser';
import { dossierEvent, rating, received } from '@motcua/test-helpers/events';
import { postBatch } from '@motcua/test-helpers/ingest';
import { startSmtpServer, type TestSmtpServer } from '@motcua/test-helpers/smtp';
import { apiGet, startTestSystem, type TestSystem } from '@motcua/test-helpers/system';
import ExcelJS from 'exceljs';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * The "done when": a district leader, in Chromium, downloads last month's Excel and PDF
 * and subscribes to the Monday digest; on the Monday the digest arrives once (not again after a
 * restart), with the numbers of the read API for that week, and its unsubscribe link works.
 */
/** A PDF's text (`pdftotext`); the file and its first page as an image kept under test-results. */
function pdfText(pdf: Buffer, name: string): string {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const file = join(SCREENSHOT_DIR, `${name}.pdf`);
  writeFileSync(file, pdf);
  execFileSync('pdftoppm', ['-png', '-r', '50', '-f', '1', '-l', '1', file, join(SCREENSHOT_DIR, name)]);
  return execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ');
}

describe('digests from the web UI', () => {
  let s: TestSystem;
  let smtp: TestSmtpServer;
  let browser: Browser;
  let now = Date.now();
  let district: string;
  let d0: string;
  const nextMonday = lastSlotAtOrBefore('weekly', Date.now()) + 7 * DAY;
  const week = digestPeriodOf('weekly', nextMonday);

  beforeAll(async () => {
    smtp = await startSmtpServer();
    s = await startTestSystem(
      'pglite',
      { districts: 2, communesPerDistrict: 2 },
      {
        digests: {
          mail: { smtpUrl: smtp.url, from: 'Một Cửa Live <bao-cao@example.vn>' },
          secret: 'a-secret-of-at-least-thirty-two-characters',
          clock: () => now,
        },
      },
    );
    browser = await launchChromium();
    d0 = s.tree.districts[0];
    district = await s.viewer('district', d0);
    // Events this week, before now: the week the next Monday's digest reports on.
    const c0 = s.tree.communes[0];
    const span = Date.now() - week.window.from;
    const at = (f: number) => ({ time: week.window.from + Math.floor(span * f) });
    const events = [
      received(c0, 'W-1', week.window.from + 30 * DAY, at(0.1)),
      dossierEvent(c0, 'resolved', 'W-1', at(0.5)),
      received(c0, 'W-2', week.window.from + 1, at(0.2)),
      dossierEvent(c0, 'resolved', 'W-2', at(0.6)),
      rating(c0, 'satisfied', at(0.7)),
    ];
    expect((await postBatch(s.ingestUrl, await s.deskKey(c0), events)).body.rejected).toBe(0);
  });
  afterAll(async () => {
    await browser?.close();
    await s?.close();
    await smtp?.close();
  });

  it('a district viewer subscribes in the web UI; the Monday digest arrives once with the API numbers', async () => {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'vi-VN' });
    const page = await ctx.newPage();
    await page.goto(`${s.dashboardUrl}/?token=${district}`);
    await page.waitForURL((u) => !u.search.includes('token='));
    // The unit page over last month: its Excel and PDF buttons download files that open.
    const lastMonth = previousPeriod(periodContaining('month', Date.now())).label;
    const monthText = `Tháng ${Number(lastMonth.slice(5))}/${lastMonth.slice(0, 4)}`;
    await page.goto(`${s.dashboardUrl}/units/${d0}?window=${lastMonth}`);
    await page.getByRole('link', { name: 'Excel' }).waitFor();
    await screenshot(page, 'digest-unit-page-buttons');
    const download = async (name: string) => {
      const [file] = await Promise.all([
        page.waitForEvent('download'),
        page.getByRole('link', { name }).click(),
      ]);
      expect(file.suggestedFilename()).toMatch(new RegExp(`^motcua-${d0}-${lastMonth}\\.(xlsx|pdf)$`));
      return readFileSync(await file.path());
    };
    const monthXlsx = new ExcelJS.Workbook();
    await monthXlsx.xlsx.load((await download('Excel')) as unknown as ArrayBuffer);
    expect(String(monthXlsx.getWorksheet('Tổng hợp')?.getCell(1, 1).value)).toContain('Quận Thử Nghiệm 0');
    expect(String(monthXlsx.getWorksheet('Tổng hợp')?.getCell(2, 1).value)).toContain(monthText);
    const monthPdf = pdfText(await download('PDF'), 'digest-month');
    expect(monthPdf).toContain('Quận Thử Nghiệm 0');
    expect(monthPdf).toContain(monthText);
    await page.getByRole('link', { name: 'Báo cáo định kỳ' }).click();
    await page.waitForURL((u) => u.pathname === '/reports');
    await page.getByLabel('Thư điện tử người nhận').fill('lanh-dao@example.vn');
    await page.getByLabel('Định kỳ').selectOption('weekly');
    await page.getByLabel('Tệp đính kèm').selectOption('both');
    await page.getByRole('button', { name: 'Đăng ký' }).click();
    await page.getByText('Đã đăng ký cho lanh-dao@example.vn.').waitFor();
    await page.getByRole('cell', { name: 'lanh-dao@example.vn' }).waitFor();
    await screenshot(page, 'digest-subscriptions');
    await ctx.close();

    expect(smtp.messages).toHaveLength(0);
    now = nextMonday + MINUTE;
    const digests = s.dashboard.digests;
    if (!digests) throw new Error('digests are not running');
    await digests.tick();
    expect(smtp.messages).toHaveLength(1);
    await digests.tick();
    const mail = smtp.messages[0];
    expect(mail.envelopeTo).toEqual(['lanh-dao@example.vn']);
    // The screen's numbers for the week: the read API over the same from/to.
    const q = `from=${encodeURIComponent(formatLocal(week.window.from))}&to=${encodeURIComponent(formatLocal(week.window.to))}`;
    const snap = (await apiGet(s.dashboardUrl, `/api/v1/units/${d0}/metrics?${q}`, district))
      .body as unknown as Snapshot;
    const pct = (r: number) =>
      `${new Intl.NumberFormat('vi-VN', { minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(r * 100)} %`;
    expect(snap.metrics.onTime.rate).toBe(0.5);
    expect(mail.parsed.text).toContain(`Tỷ lệ đúng hạn: ${pct(0.5)}`);
    expect(mail.parsed.text).toContain(`Hồ sơ tiếp nhận: ${snap.metrics.received.total}`);
    // Format "both": the PDF and the Excel file, both of which open.
    expect(mail.parsed.attachments.map((a) => a.filename)).toEqual([
      `motcua-${d0}-${week.label}.pdf`,
      `motcua-${d0}-${week.label}.xlsx`,
    ]);
    const [pdfAttachment, attachment] = mail.parsed.attachments;
    // An ISO week, named as Vietnamese offices write it: `Báo cáo tuần 48/2026 (23/11/2026 – …`.
    const [isoYear, isoWeek] = week.label.split('-W');
    expect(mail.parsed.subject).toContain(`Báo cáo tuần ${Number(isoWeek)}/${isoYear} (`);
    expect(mail.parsed.text).toContain(`?window=${week.label}`);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(attachment.content as unknown as ArrayBuffer);
    expect(wb.getWorksheet('Tổng hợp')?.getCell(5, 2).value).toBe(snap.metrics.received.total);
    const weekPdf = pdfText(pdfAttachment.content, 'digest-week');
    expect(weekPdf).toContain('Quận Thử Nghiệm 0');
    expect(weekPdf).toContain(`Tuần ${Number(isoWeek)}/${isoYear}`);
    expect(weekPdf).toMatch(new RegExp(`${pct(0.5).replace(' %', '')}\\s*%`));
    // The numbers equal the screen's: the KPI tiles of the unit page over the same ISO week.
    const tilesPage = await browser.newPage({ locale: 'vi-VN' });
    await tilesPage.goto(`${s.dashboardUrl}/?token=${district}`);
    await tilesPage.waitForURL((u) => !u.search.includes('token='));
    await tilesPage.goto(`${s.dashboardUrl}/units/${d0}?window=${week.label}`);
    await tilesPage.locator('.kpis .value').first().waitFor();
    // Each tile: its label (read to screen readers), then its number and unit as shown.
    const tiles = new Map<string, string>();
    for (const tile of await tilesPage.locator('.kpis .value').all()) {
      const label = (await tile.locator('.visually-hidden').first().textContent())?.replace(':', '').trim();
      const shown = `${await tile.locator('.main').textContent()}${(await tile.locator('.unit').allTextContents()).join('')}`;
      tiles.set(label ?? '', shown.replace(/\s+/g, ' ').trim());
    }
    await tilesPage.close();
    expect(tiles.get('Giải quyết đúng hạn')).toBe(pct(0.5));
    expect(mail.parsed.text).toContain(`Tỷ lệ đúng hạn: ${tiles.get('Giải quyết đúng hạn')}`);
    expect(mail.parsed.text).toContain(`Tỷ lệ hài lòng: ${tiles.get('Mức độ hài lòng')}`);
    expect(mail.parsed.text).toContain(`Hồ sơ tiếp nhận: ${tiles.get('Hồ sơ tiếp nhận')}`);

    // A restart (a new process): that week is not sent again.
    await s.restartDashboard();
    const after = await s.dashboard.digests?.tick();
    expect(after?.sent).toEqual([]);
    expect(smtp.messages).toHaveLength(1);

    // The unsubscribe link: a GET only asks; the button ends it.
    const link = /https?:\/\/\S+\/reports\/unsubscribe\?token=[\w.-]+/.exec(
      mail.parsed.text ?? '',
    )?.[0] as string;
    expect(link).toBeDefined();
    const page2 = await browser.newPage();
    await page2.goto(`${s.dashboardUrl}${new URL(link).pathname}${new URL(link).search}`);
    await page2.getByRole('button', { name: 'Hủy nhận' }).click();
    await page2
      .getByText('sẽ không nhận báo cáo')
      .waitFor({ timeout: 10_000 })
      .catch(async (err) => {
        await screenshot(page2, 'digest-unsubscribe-failed');
        throw new Error(`${(err as Error).message}\n${(await page2.textContent('body'))?.slice(0, 500)}`);
      });
    await page2.close();
    const list = await apiGet(s.dashboardUrl, '/api/v1/report-subscriptions', district);
    expect((list.body as { items: unknown[] }).items).toEqual([]);
  });

  it('the API keeps each viewer to its subtree and takes changes only with the bearer token', async () => {
    const other = s.tree.districts[1];
    const post = (token: string, body: unknown, headers: Record<string, string> = {}) =>
      fetch(`${s.dashboardUrl}/api/v1/report-subscriptions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, ...headers },
        body: JSON.stringify(body),
      });
    const ok = await post(district, {
      email: 'a@example.vn',
      unit: s.tree.communes[0],
      period: 'monthly',
      format: 'both',
    });
    expect(ok.status).toBe(201);
    const outside = await post(district, {
      email: 'a@example.vn',
      unit: other,
      period: 'monthly',
      format: 'both',
    });
    expect(outside.status).toBe(403);
    const bad = await post(district, {
      email: 'not-an-address',
      unit: d0,
      period: 'monthly',
      format: 'both',
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toMatch(/^email:/);
    const badPeriod = await post(district, {
      email: 'a@example.vn',
      unit: d0,
      period: 'daily',
      format: 'both',
    });
    expect(((await badPeriod.json()) as { error: { message: string } }).error.message).toMatch(/^period:/);
    const display = await s.viewer('display', d0);
    expect(
      (await post(display, { email: 'a@example.vn', unit: d0, period: 'weekly', format: 'xlsx' })).status,
    ).toBe(403);
    const city = await s.viewer('city', s.tree.city);
    const cityOwn = await post(city, {
      email: 'b@example.vn',
      unit: other,
      period: 'weekly',
      format: 'xlsx',
    });
    expect(cityOwn.status).toBe(201);
    const id = ((await cityOwn.json()) as { id: number }).id;
    // The district does not see, nor delete, the other district's digest.
    const list = (await apiGet(s.dashboardUrl, '/api/v1/report-subscriptions', district)).body as {
      items: { unit: { code: string } }[];
    };
    expect(list.items.map((i) => i.unit.code)).toEqual([s.tree.communes[0]]);
    const del = await fetch(`${s.dashboardUrl}/api/v1/report-subscriptions/${id}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${district}` },
    });
    expect(del.status).toBe(404);
    // A session cookie alone cannot change anything: another site's request carries cookies, never our header.
    const signIn = await fetch(`${s.dashboardUrl}/?token=${district}`, { redirect: 'manual' });
    const cookie = (signIn.headers.get('set-cookie') ?? '').split(';')[0];
    expect(cookie).toMatch(/^motcua_session=/);
    expect(
      (await fetch(`${s.dashboardUrl}/api/v1/report-subscriptions`, { headers: { cookie } })).status,
    ).toBe(200);
    const cookieOnly = await fetch(`${s.dashboardUrl}/api/v1/report-subscriptions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie },
      body: JSON.stringify({ email: 'c@example.vn', unit: d0, period: 'weekly', format: 'xlsx' }),
    });
    expect(cookieOnly.status).toBe(401);
  });
});
