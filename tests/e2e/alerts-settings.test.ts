/**
 * The alert settings forms and the alert history, in Chromium: a district viewer changes a rule,
 * adds a webhook and a mail recipient through the forms (the API then shows them, and the
 * webhook receives the escalation the new rule causes); the history of that alert shows every
 * step with who and why; a commune viewer gets no form and its posts are refused, as are
 * cross-site posts and webhook addresses inside the network.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AlertList } from '@motcua/contract';
import { makeWorkCalendar, VN_CALENDAR } from '@motcua/metrics';
import { clippedTexts, launchChromium, SIZES, screenshot } from '@motcua/test-helpers/browser';
import { received } from '@motcua/test-helpers/events';
import { postBatch } from '@motcua/test-helpers/ingest';
import { startTestSystem, type TestSystem } from '@motcua/test-helpers/system';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const H = 3_600_000;
/** Evaluations by hand (`dashboard.alerts.evaluate()`); the webhook sender runs on its own timer. */
const ALERTS = {
  evaluateEveryMs: 3_600_000,
  digestEveryMs: 3_600_000,
  calendar: makeWorkCalendar(VN_CALENDAR),
};

describe('alert settings forms and alert history in Chromium', () => {
  let s: TestSystem;
  let browser: Browser;
  let receiver: Server;
  const hits: { event: string; body: { event: string; alert: { subject: string; level: string } } }[] = [];

  beforeAll(async () => {
    s = await startTestSystem('pglite', { districts: 2, communesPerDistrict: 2 }, { alerts: ALERTS });
    browser = await launchChromium();
    receiver = createServer((req, res) => {
      let raw = '';
      req.on('data', (c) => {
        raw += c;
      });
      req.on('end', () => {
        hits.push({ event: String(req.headers['x-motcua-event']), body: JSON.parse(raw) });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    await browser?.close();
    receiver?.closeAllConnections();
    await new Promise((resolve) => receiver?.close(resolve));
    await s?.close();
  });

  const evaluate = () => (s.dashboard.alerts as NonNullable<typeof s.dashboard.alerts>).evaluate();
  const api = async <T>(path: string, token: string) => {
    const res = await fetch(`${s.dashboardUrl}${path}`, { headers: { authorization: `Bearer ${token}` } });
    return { status: res.status, body: (await res.json()) as T };
  };
  const session = async (token: string) => {
    const res = await fetch(`${s.dashboardUrl}/?token=${token}`, { redirect: 'manual' });
    return (res.headers.getSetCookie().find((c) => c.startsWith('motcua_session=')) as string).split(';')[0];
  };
  /** A form post to a settings action, as a browser on `origin` sends it without JavaScript (an HTML answer). */
  const formPost = (path: string, fields: Record<string, string>, cookie: string, origin = s.dashboardUrl) =>
    fetch(`${s.dashboardUrl}${path}`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie, origin, accept: 'text/html', 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields),
    });
  const openPage = async (path: string, token: string): Promise<Page> => {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'vi-VN' });
    const page = await ctx.newPage();
    await page.goto(`${s.dashboardUrl}${path}${path.includes('?') ? '&' : '?'}token=${token}`);
    return page;
  };

  it('a district viewer changes a rule, adds a webhook and a recipient; the history shows every step', async () => {
    const d0 = s.tree.districts[0];
    const c00 = s.tree.communes.find((c) => s.tree.districtOf[c] === d0) as string;
    const key = await s.deskKey(c00);
    const now = Date.now();
    // Three hours overdue: a district-level alert (the city's turn comes after 48 hours).
    const res = await postBatch(s.ingestUrl, key, [
      received(c00, 'HS-H1', now - 3 * H, { time: now - 60_000 }),
    ]);
    expect(res.body.accepted).toBe(1);
    expect((await evaluate()).map((c) => c.kind)).toEqual(['opened']);

    const district = await s.viewer('district', d0);
    const page = await openPage(`/alerts/${d0}/settings`, district);
    const rule = page.locator('form[data-rule="dossier_deadline"]');
    await rule.waitFor();

    // The rule: the city is told after 2 hours overdue in this district, not 48.
    await rule.locator('input[name="cityAfterHours"]').fill('2');
    await rule.getByRole('button', { name: 'Lưu', exact: true }).click();
    await page.getByRole('status').filter({ hasText: 'Đã lưu.' }).waitFor();
    const rules = await api<{
      effective: { dossier_deadline: { cityAfterHours: number; dueSoonHours: number } };
      overrides: unknown;
    }>(`/api/v1/units/${d0}/alert-rules`, district);
    expect(rules.body.overrides).toEqual({ dossier_deadline: { cityAfterHours: 2 } });
    expect(rules.body.effective.dossier_deadline).toMatchObject({ cityAfterHours: 2, dueSoonHours: 24 });
    // Its communes inherit it.
    const inCommune = await api<{ effective: { dossier_deadline: { cityAfterHours: number } } }>(
      `/api/v1/units/${c00}/alert-rules`,
      district,
    );
    expect(inCommune.body.effective.dossier_deadline.cityAfterHours).toBe(2);

    // A webhook inside the network is refused by the form, with the reason; nothing is stored.
    const hookForm = page.locator('form[action="?/addWebhook"]');
    await hookForm.locator('input[name="url"]').fill('http://169.254.169.254/latest/meta-data/');
    await hookForm.locator('input[name="secret"]').fill('bí-mật-chung-0123456789');
    await hookForm.getByRole('button', { name: 'Thêm' }).click();
    await expect
      .poll(async () => (await page.getByRole('alert').textContent()) ?? '', { timeout: 10_000 })
      .toContain('url: a link-local address is not allowed');
    expect((await api<unknown[]>(`/api/v1/units/${d0}/webhooks`, district)).body).toEqual([]);

    // The receiver on 127.0.0.1 (allowed by name in the test system): stored, listed, visible over the API.
    const hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/motcua`;
    await hookForm.locator('input[name="url"]').fill(hookUrl);
    await hookForm.locator('input[name="secret"]').fill('bí-mật-chung-0123456789');
    await hookForm.locator('select[name="minLevel"]').selectOption('district');
    await hookForm.getByRole('button', { name: 'Thêm' }).click();
    await page.locator('ul.list code', { hasText: hookUrl }).waitFor();
    const hooks = await api<{ url: string; minLevel: string; active: boolean; createdBy: string }[]>(
      `/api/v1/units/${d0}/webhooks`,
      district,
    );
    expect(hooks.body).toEqual([
      expect.objectContaining({
        url: hookUrl,
        minLevel: 'district',
        active: true,
        createdBy: 'test district',
      }),
    ]);

    const mailForm = page.locator('form[action="?/addRecipient"]');
    await mailForm.locator('input[name="address"]').fill('lanh-dao@hanoi.gov.vn');
    await mailForm.locator('select[name="minLevel"]').selectOption('city');
    await mailForm.getByRole('button', { name: 'Thêm' }).click();
    await page.locator('ul.list li', { hasText: 'lanh-dao@hanoi.gov.vn' }).waitFor();
    const recipients = await api<{ address: string; minLevel: string; unitCode: string }[]>(
      `/api/v1/units/${d0}/email-recipients`,
      district,
    );
    expect(recipients.body).toEqual([
      expect.objectContaining({ address: 'lanh-dao@hanoi.gov.vn', minLevel: 'city', unitCode: d0 }),
    ]);
    await screenshot(page, 'alert-settings-saved');

    // The new rule escalates the alert to the city; the webhook receives it.
    expect((await evaluate()).map((c) => `${c.kind} ${c.level}`)).toEqual(['escalated city']);
    await expect.poll(() => hits.length, { timeout: 15_000 }).toBe(1);
    expect(hits[0]).toMatchObject({
      event: 'alert.escalated',
      body: { event: 'escalated', alert: { subject: 'HS-H1', level: 'city' } },
    });

    // Acknowledged, then closed by hand, from the inbox.
    const inbox = await openPage(`/alerts/${d0}`, district);
    const row = inbox.locator('[data-testid="alerts"] > li', { hasText: 'HS-H1' });
    await row.locator('input[name="comment"]').fill('Đã giao chị Lan, trả kết quả trước 16 giờ');
    await row.getByRole('button', { name: 'Tiếp nhận' }).click();
    await inbox.locator('[data-testid="alerts"] > li[data-state="acknowledged"]').waitFor();
    await row.locator('input[name="comment"]').fill('Đã trả kết quả cho công dân');
    await row.getByRole('button', { name: 'Đóng' }).click();
    await inbox.getByText('Không có cảnh báo nào theo bộ lọc này.').waitFor();

    // Closed alerts are one filter away, each with its history.
    await inbox.locator('select[name="state"]').selectOption('closed');
    await inbox.getByRole('button', { name: 'Lọc' }).click();
    await inbox.waitForURL(/state=closed/);
    const closed = inbox.locator('[data-testid="alerts"] > li[data-state="closed"]', { hasText: 'HS-H1' });
    await closed.locator('[data-testid="history"] summary').click();
    const steps = closed.locator('[data-testid="history"] li');
    await steps.nth(3).waitFor();
    const text = (await steps.allTextContents()).map((t) => t.replace(/\s+/g, ' ').trim());
    expect(text).toHaveLength(4);
    expect(await Promise.all((await steps.all()).map((l) => l.getAttribute('data-kind')))).toEqual([
      'opened',
      'escalated',
      'acknowledged',
      'closed',
    ]);
    expect(text[0]).toMatch(/Mở cảnh báo Cấp huyện Hệ thống$/);
    expect(text[1]).toMatch(/Nâng lên cấp trên Cấp thành phố Hệ thống$/);
    expect(text[2]).toMatch(
      /Đã tiếp nhận Cấp thành phố test district Đã giao chị Lan, trả kết quả trước 16 giờ$/,
    );
    expect(text[3]).toMatch(/Đóng thủ công Cấp thành phố test district Đã trả kết quả cho công dân$/);
    // Every step has its time, to the second (Hà Nội time).
    for (const t of text) expect(t).toMatch(/^\d\d:\d\d:\d\d \d\d\/\d\d\/\d{4} /);
    await screenshot(inbox, 'alert-history');
    // On a phone the steps wrap; none is cut.
    await inbox.setViewportSize(SIZES.mobile);
    expect(await clippedTexts(inbox, '[data-testid="history"] li')).toEqual([]);
    await screenshot(inbox, 'alert-history-mobile');

    // A display viewer of the same district sees the steps, never the comments.
    const display = await s.viewer('display', d0);
    const wall = await openPage(`/alerts/${d0}?state=closed`, display);
    const wallSteps = wall.locator('[data-testid="history"] li');
    await wallSteps.first().waitFor({ state: 'attached' });
    expect(await wallSteps.count()).toBe(4);
    const wallText = (await wall.locator('[data-testid="alerts"]').textContent()) ?? '';
    expect(wallText).toContain('test district');
    expect(wallText).not.toContain('Đã giao chị Lan');
    expect(wallText).not.toContain('Đã trả kết quả');

    // A commune viewer of the other district sees none of it; the API agrees.
    const d1 = s.tree.districts[1];
    const c10 = s.tree.communes.find((c) => s.tree.districtOf[c] === d1) as string;
    const other = await s.viewer('commune', c10);
    const denied = await openPage(`/alerts/${d0}?state=all`, other);
    expect(await denied.locator('[data-testid="alerts"]').count()).toBe(0);
    expect(await denied.content()).not.toContain('HS-H1');
    const own = await api<AlertList>(`/api/v1/units/${c10}/alerts?state=all`, other);
    expect(own.body.alerts).toEqual([]);
    const alertId = (await api<AlertList>(`/api/v1/units/${d0}/alerts?state=closed`, district)).body.alerts[0]
      .id;
    expect((await api(`/api/v1/alerts/${alertId}`, other)).status).toBe(404);
  });

  it('a commune viewer gets no settings form and its posts are refused; cross-site posts are refused', async () => {
    const d0 = s.tree.districts[0];
    const c00 = s.tree.communes.find((c) => s.tree.districtOf[c] === d0) as string;
    const communeToken = await s.viewer('commune', c00);
    const page = await openPage(`/alerts/${c00}/settings`, communeToken);
    expect(await page.locator('main .status').textContent()).toBe('403');
    expect(await page.locator('form[data-rule]').count()).toBe(0);
    expect(await page.locator('form[action="?/addWebhook"]').count()).toBe(0);
    const inbox = await openPage(`/alerts/${c00}`, communeToken);
    await inbox.locator('h1').waitFor();
    expect(await inbox.getByRole('link', { name: 'Cài đặt cảnh báo' }).count()).toBe(0);

    // Its posts from the dashboard's own origin: refused by the server, nothing stored.
    const commune = await session(communeToken);
    const before = await api<{ overrides: unknown }>(`/api/v1/units/${c00}/alert-rules`, communeToken);
    for (const [action, fields] of [
      ['rule', { rule: 'dossier_deadline', dueSoonHours: '1' }],
      ['addWebhook', { url: 'https://ops.example.vn/hook', secret: '0123456789abcdef', minLevel: 'commune' }],
      ['addRecipient', { address: 'xa@hanoi.gov.vn', minLevel: 'commune' }],
    ] as const) {
      const res = await formPost(`/alerts/${c00}/settings?/${action}`, fields, commune);
      expect(res.status, action).toBe(403);
    }
    const after = await api<{ overrides: unknown }>(`/api/v1/units/${c00}/alert-rules`, communeToken);
    expect(after.body.overrides).toEqual(before.body.overrides);

    // A district viewer's session, posting from another site: refused before the action runs.
    const districtToken = await s.viewer('district', d0);
    const district = await session(districtToken);
    const evil = await formPost(
      `/alerts/${d0}/settings?/rule`,
      { rule: 'dossier_deadline', dueSoonHours: '1' },
      district,
      'https://evil.example',
    );
    expect(evil.status).toBe(403);
    expect(await evil.text()).toMatch(/Cross-site POST form submissions are forbidden/);
    const noOrigin = await fetch(`${s.dashboardUrl}/alerts/${d0}/settings?/addRecipient`, {
      method: 'POST',
      headers: { cookie: district, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ address: 'csrf@evil.example', minLevel: 'commune' }),
    });
    expect(noOrigin.status).toBe(403);
    const rules = await api<{ overrides: { dossier_deadline?: Record<string, number> } }>(
      `/api/v1/units/${d0}/alert-rules`,
      districtToken,
    );
    expect(rules.body.overrides.dossier_deadline).toEqual({ cityAfterHours: 2 });
    const recipients = await api<{ address: string }[]>(
      `/api/v1/units/${d0}/email-recipients`,
      districtToken,
    );
    expect(recipients.body.map((r) => r.address)).toEqual(['lanh-dao@hanoi.gov.vn']);
    // The same post from the dashboard's own origin goes through (the refusals above were the Origin's).
    const ok = await formPost(
      `/alerts/${d0}/settings?/addRecipient`,
      { address: 'pho-chu-tich@hanoi.gov.vn', minLevel: 'district' },
      district,
    );
    expect(ok.status).toBe(200);
    const now = await api<{ address: string }[]>(`/api/v1/units/${d0}/email-recipients`, districtToken);
    expect(now.body.map((r) => r.address).sort()).toEqual([
      'lanh-dao@hanoi.gov.vn',
      'pho-chu-tich@hanoi.gov.vn',
    ]);
  });
});
