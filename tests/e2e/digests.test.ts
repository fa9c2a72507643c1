import type { Snapshot } from '@motcua/contract';
import { DAY, formatLocal, MINUTE } from '@motcua/metrics';
import { digestPeriodOf, lastSlotAtOrBefore } from '@motcua/reports';
import { launchChromium, screenshot } from '@motcua/test-helpers/browser';
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
    // The unit page offers the reports.
    await page.goto(`${s.dashboardUrl}/units/${d0}`);
    await page.getByRole('link', { name: 'Excel' }).waitFor();
    const xlsxHref = await page.getByRole('link', { name: 'Excel' }).getAttribute('href');
    expect(xlsxHref).toBe(`/api/v1/units/${d0}/report.xlsx?window=today`);
    await screenshot(page, 'digest-unit-page-buttons');
    await page.getByRole('link', { name: 'Báo cáo định kỳ' }).click();
    await page.waitForURL((u) => u.pathname === '/reports');
    await page.getByLabel('Thư điện tử người nhận').fill('lanh-dao@example.vn');
    await page.getByLabel('Định kỳ').selectOption('weekly');
    await page.getByLabel('Tệp đính kèm').selectOption('xlsx');
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
    const attachment = mail.parsed.attachments[0];
    expect(attachment.filename).toBe(`motcua-${d0}-${week.label}.xlsx`);
    // An ISO week, named as Vietnamese offices write it: `Báo cáo tuần 48/2026 (23/11/2026 – …`.
    const [isoYear, isoWeek] = week.label.split('-W');
    expect(mail.parsed.subject).toContain(`Báo cáo tuần ${Number(isoWeek)}/${isoYear} (`);
    expect(mail.parsed.text).toContain(`?window=${week.label}`);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(attachment.content as unknown as ArrayBuffer);
    expect(wb.getWorksheet('Tổng hợp')?.getCell(5, 2).value).toBe(snap.metrics.received.total);

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
