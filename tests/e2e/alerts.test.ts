import type { AlertList, ClientToServerEvents, LiveError, ServerToClientEvents } from '@motcua/contract';
import { makeWorkCalendar, VN_CALENDAR } from '@motcua/metrics';
import { launchChromium, screenshot } from '@motcua/test-helpers/browser';
import { DB_KINDS } from '@motcua/test-helpers/db';
import { received } from '@motcua/test-helpers/events';
import { postBatch } from '@motcua/test-helpers/ingest';
import { startTestSystem, type TestSystem } from '@motcua/test-helpers/system';
import { waitFor } from '@motcua/test-helpers/wait';
import type { Browser } from 'playwright-core';
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

type Client = Socket<ServerToClientEvents, ClientToServerEvents>;
const H = 3_600_000;
/** Timers far away: the tests evaluate by hand (`dashboard.alerts.evaluate()`), on the real clock. */
const ALERTS = {
  evaluateEveryMs: 3_600_000,
  digestEveryMs: 3_600_000,
  calendar: makeWorkCalendar(VN_CALENDAR),
};

async function overdue(s: TestSystem, unit: string, code: string, hoursLate = 2) {
  const key = await s.deskKey(unit);
  const now = Date.now();
  const res = await postBatch(s.ingestUrl, key, [
    received(unit, code, now - hoursLate * H, { time: now - 60_000 }),
  ]);
  expect(res.body.accepted).toBe(1);
}

const evaluate = (s: TestSystem) => (s.dashboard.alerts as NonNullable<typeof s.dashboard.alerts>).evaluate();

async function list(s: TestSystem, unit: string, token: string, query = '') {
  const res = await fetch(`${s.dashboardUrl}/api/v1/units/${unit}/alerts${query}`, {
    headers: { authorization: `Bearer ${token}` },
  });
  return { status: res.status, body: (await res.json()) as AlertList & { error?: { message: string } } };
}

function post(
  s: TestSystem,
  path: string,
  body: unknown,
  auth: { token?: string; cookie?: string; origin?: string },
) {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (auth.token) headers.authorization = `Bearer ${auth.token}`;
  if (auth.cookie) headers.cookie = auth.cookie;
  if (auth.origin) headers.origin = auth.origin;
  return fetch(`${s.dashboardUrl}${path}`, { method: 'POST', headers, body: JSON.stringify(body) });
}

describe.each(DB_KINDS)('alerts over HTTP and Socket.IO on %s', (kind) => {
  let s: TestSystem;
  let c00: string;
  let c01: string;
  let d0: string;
  const clients: Client[] = [];

  beforeAll(async () => {
    s = await startTestSystem(kind, { districts: 2, communesPerDistrict: 2 }, { alerts: ALERTS });
    [c00, c01] = s.tree.communes.filter((c) => s.tree.districtOf[c] === s.tree.districts[0]);
    d0 = s.tree.districts[0];
  });
  afterAll(async () => {
    for (const c of clients) c.close();
    await s?.close();
  });

  const connect = (token: string) => {
    const c: Client = io(s.dashboardUrl, { auth: { token }, transports: ['websocket'], reconnection: false });
    clients.push(c);
    return c;
  };

  it('a commune sees and acts on its own alerts only; a display sees no comments and cannot act', async () => {
    await overdue(s, c00, 'HS-S1');
    await overdue(s, c01, 'HS-S2');
    const changes = await evaluate(s);
    expect(
      changes
        .filter((c) => c.kind === 'opened')
        .map((c) => c.unitCode)
        .sort(),
    ).toEqual([c00, c01].sort());

    const commune = await s.viewer('commune', c00);
    const mine = await list(s, c00, commune);
    expect(mine.status).toBe(200);
    expect(mine.body.alerts.map((a) => a.subject)).toEqual(['HS-S1']);
    expect(mine.body.counts).toEqual({
      open: 1,
      acknowledged: 0,
      byLevel: { commune: 0, district: 1, city: 0 },
    });
    expect((await list(s, c01, commune)).status).toBe(403);
    expect((await list(s, c00, commune, '?state=maybe')).body.error?.message).toBe(
      'state: expected one of live, all, open, acknowledged, resolved, closed',
    );

    const district = await s.viewer('district', d0);
    const all = await list(s, d0, district);
    const other = all.body.alerts.find((a) => a.subject === 'HS-S2');
    const own = all.body.alerts.find((a) => a.subject === 'HS-S1');
    if (!other || !own) throw new Error('expected both alerts in the district');
    // The commune viewer cannot act on the other commune's alert: it does not exist for it.
    const outside = await post(
      s,
      `/api/v1/alerts/${other.id}/acknowledge`,
      { comment: 'x' },
      { token: commune },
    );
    expect(outside.status).toBe(404);
    const empty = await post(
      s,
      `/api/v1/alerts/${own.id}/acknowledge`,
      { comment: '  ' },
      { token: commune },
    );
    expect(empty.status).toBe(400);
    expect(((await empty.json()) as { error: { message: string } }).error.message).toBe(
      'comment: a comment is required',
    );

    const display = await s.viewer('display', c00);
    const byDisplay = await post(
      s,
      `/api/v1/alerts/${own.id}/acknowledge`,
      { comment: 'x' },
      { token: display },
    );
    expect(byDisplay.status).toBe(403);

    // With a session cookie the request must come from the dashboard's own origin.
    const session = await fetch(`${s.dashboardUrl}/?token=${commune}`, { redirect: 'manual' });
    const cookie = (
      session.headers.getSetCookie().find((c) => c.startsWith('motcua_session=')) as string
    ).split(';')[0];
    const crossSite = await post(
      s,
      `/api/v1/alerts/${own.id}/acknowledge`,
      { comment: 'x' },
      {
        cookie,
        origin: 'https://evil.example',
      },
    );
    expect(crossSite.status).toBe(403);
    const ack = await post(
      s,
      `/api/v1/alerts/${own.id}/acknowledge`,
      { comment: 'Đã gọi cán bộ Q01' },
      {
        cookie,
        origin: s.dashboardUrl,
      },
    );
    expect(ack.status).toBe(200);
    const again = await post(
      s,
      `/api/v1/alerts/${own.id}/acknowledge`,
      { comment: 'lần nữa' },
      { token: commune },
    );
    expect(again.status).toBe(409);

    const seenByDisplay = (await list(s, c00, display)).body.alerts[0];
    expect(seenByDisplay).toMatchObject({ state: 'acknowledged', acknowledgedBy: 'test commune' });
    expect('acknowledgedComment' in seenByDisplay).toBe(false);
    const detail = await fetch(`${s.dashboardUrl}/api/v1/alerts/${own.id}`, {
      headers: { authorization: `Bearer ${display}` },
    });
    const history = ((await detail.json()) as { history: Record<string, unknown>[] }).history;
    expect(history.map((h) => h.kind)).toEqual(['opened', 'acknowledged']);
    expect(history.every((h) => !('comment' in h))).toBe(true);
    const seenByCommune = (await list(s, c00, commune)).body.alerts[0];
    expect(seenByCommune.acknowledgedComment).toBe('Đã gọi cán bộ Q01');
  });

  it('rules and webhooks are configured by district and city viewers only, in their subtree', async () => {
    const commune = await s.viewer('commune', c00);
    const district = await s.viewer('district', d0);
    const put = (token: string, unit: string, body: unknown) =>
      fetch(`${s.dashboardUrl}/api/v1/units/${unit}/alert-rules`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    expect(
      (await put(commune, c00, { rule: 'dossier_deadline', settings: { dueSoonHours: 12 } })).status,
    ).toBe(403);
    expect(
      (await put(district, s.tree.districts[1], { rule: 'dossier_deadline', settings: {} })).status,
    ).toBe(403);
    const bad = await put(district, d0, { rule: 'dossier_deadline', settings: { dueSoonHours: -1 } });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toMatch(
      /^settings\.dueSoonHours: /,
    );
    const ok = await put(district, d0, { rule: 'dossier_deadline', settings: { dueSoonHours: 12 } });
    expect(ok.status).toBe(200);
    expect(
      ((await ok.json()) as { effective: { dossier_deadline: { dueSoonHours: number } } }).effective,
    ).toMatchObject({
      dossier_deadline: { dueSoonHours: 12, cityAfterHours: 48 },
    });

    const hook = await post(
      s,
      `/api/v1/units/${d0}/webhooks`,
      { url: 'ftp://x', secret: 'short' },
      { token: district },
    );
    expect(hook.status).toBe(400);
    expect(((await hook.json()) as { error: { message: string } }).error.message).toBe(
      'url: expected an http:// or https:// address',
    );
    // Where the server would be made to call inside its own network: refused, naming the field.
    const refusedUrl = async (url: string) => {
      const res = await post(
        s,
        `/api/v1/units/${d0}/webhooks`,
        { url, secret: '0123456789abcdef' },
        { token: district },
      );
      const body = (await res.json()) as { error: { code: string; message: string } };
      return `${res.status} ${body.error?.code} ${body.error?.message}`;
    };
    expect(await refusedUrl('http://169.254.169.254/latest/meta-data/')).toBe(
      '400 bad_request url: a link-local address is not allowed; webhooks go to public addresses unless the operator allows the host (WEBHOOK_ALLOW_HOSTS)',
    );
    expect(await refusedUrl('http://localhost:8080/hook')).toMatch(
      /^400 bad_request url: a loopback address \(localhost resolves to (127\.0\.0\.1|::1)\) is not allowed/,
    );
    expect(await refusedUrl('http://[::ffff:10.0.0.1]/hook')).toMatch(
      /^400 bad_request url: a private address/,
    );
    expect(await refusedUrl('http://0.0.0.0:3000/hook')).toMatch(
      /^400 bad_request url: an unspecified address/,
    );
    expect(await refusedUrl('https://ops:pw@127.0.0.1/hook')).toMatch(
      /^400 bad_request url: must not hold a user name or password/,
    );
    // 127.0.0.1 is what the test system allows by name (as an operator would, WEBHOOK_ALLOW_HOSTS).
    const allowed = await post(
      s,
      `/api/v1/units/${d0}/webhooks`,
      { url: 'http://127.0.0.1:9/hook', secret: '0123456789abcdef' },
      { token: district },
    );
    expect(allowed.status).toBe(201);
    const { id: allowedId } = (await allowed.json()) as { id: number };
    const stop = await fetch(`${s.dashboardUrl}/api/v1/webhooks/${allowedId}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${district}` },
    });
    expect(stop.status).toBe(200);

    const byCommune = await post(
      s,
      `/api/v1/units/${c00}/webhooks`,
      { url: 'https://ops.example/hook', secret: '0123456789abcdef' },
      { token: commune },
    );
    expect(byCommune.status).toBe(403);
  });

  it('a socket watches only units of its subtree and hears only their changes', async () => {
    const commune = await s.viewer('commune', c00);
    const district = await s.viewer('district', d0);
    const mine = connect(commune);
    const refused = (await mine.timeout(10_000).emitWithAck('watchAlerts', { unit: c01 })) as LiveError;
    expect(refused.error.code).toBe('forbidden');
    expect(await mine.timeout(10_000).emitWithAck('watchAlerts', { unit: c00 })).toEqual({ ok: true });
    const heard: string[] = [];
    mine.on('alerts', (c) => heard.push(c.unit));

    // A change in the other commune, then one in this commune: only the second reaches this socket.
    const all = (await list(s, d0, district)).body.alerts;
    const other = all.find((a) => a.unitCode === c01 && a.state === 'open');
    if (!other) throw new Error('expected an open alert in the other commune');
    expect(
      (await post(s, `/api/v1/alerts/${other.id}/close`, { comment: 'đã chuyển' }, { token: district }))
        .status,
    ).toBe(200);
    const next = waitFor<{ unit: string }>((deliver) => {
      mine.on('alerts', deliver);
      return () => mine.off('alerts', deliver);
    });
    await overdue(s, c00, 'HS-S3');
    await evaluate(s);
    expect(await next).toEqual({ unit: c00 });
    expect(heard).toEqual([c00]);
  });
});

describe('the alert inbox in Chromium', () => {
  let s: TestSystem;
  let browser: Browser;

  beforeAll(async () => {
    s = await startTestSystem('pglite', { districts: 2, communesPerDistrict: 2 }, { alerts: ALERTS });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await s?.close();
  });

  it('updates live, and an acknowledgement in one browser shows in another', async () => {
    const d0 = s.tree.districts[0];
    const c00 = s.tree.communes[0];
    await overdue(s, c00, 'HS-B1', 60);
    await evaluate(s);
    const token = await s.viewer('district', d0);
    const open = async () => {
      const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'vi-VN' });
      const page = await ctx.newPage();
      await page.goto(`${s.dashboardUrl}/alerts/${d0}?token=${token}`);
      await page.waitForSelector('[data-testid="alerts"] > li');
      return page;
    };
    const a = await open();
    const b = await open();
    expect(await a.locator('[data-testid="alerts"] > li').count()).toBe(1);
    await b.waitForSelector('[data-testid="alerts-link-count"]');

    // A new overdue dossier: both inboxes show it without a reload.
    await overdue(s, c00, 'HS-B2', 3);
    await evaluate(s);
    for (const page of [a, b]) await page.locator('[data-testid="alerts"] > li').nth(1).waitFor();
    await expect
      .poll(async () => (await b.locator('[data-testid="alerts-link-count"]').textContent())?.trim(), {
        timeout: 10_000,
      })
      .toBe('2');

    // Acknowledge the city-level one in browser A; browser B sees who and why.
    const first = a.locator('[data-testid="alerts"] > li').first();
    await expect(first.textContent()).resolves.toContain('HS-B1');
    await first.locator('input[name="comment"]').fill('Chủ tịch phường đã nhận, xử lý trong ngày');
    await first.getByRole('button', { name: 'Tiếp nhận' }).click();
    await b.waitForSelector('[data-testid="alerts"] > li[data-state="acknowledged"]');
    const ackText = await b
      .locator('[data-testid="alerts"] > li[data-state="acknowledged"] [data-testid="ack"]')
      .textContent();
    expect(ackText).toContain('test district');
    expect(ackText).toContain('Chủ tịch phường đã nhận, xử lý trong ngày');
    await screenshot(b, 'alerts-inbox');

    // `/alerts` alone opens the viewer's own inbox.
    await b.goto(`${s.dashboardUrl}/alerts`);
    expect(new URL(b.url()).pathname).toBe(`/alerts/${d0}`);
    await b.waitForSelector('[data-testid="alerts"] > li');

    await b.goto(`${s.dashboardUrl}/desks/${d0}`);
    await b.waitForSelector('[data-testid="desk-health"]');
    await screenshot(b, 'desk-health');
    await b.goto(`${s.dashboardUrl}/alerts/${d0}/settings`);
    await b.waitForSelector('form[data-rule="dossier_deadline"]');
    await screenshot(b, 'alert-settings');
    const display = await s.viewer('display', d0);
    await b.setViewportSize({ width: 1920, height: 1080 });
    await b.goto(`${s.dashboardUrl}/display/${d0}?token=${display}&alerts=1`);
    await b.waitForSelector('[data-testid="red-alerts"]');
    expect(await b.locator('[data-testid="red-alerts"]').textContent()).toContain('HS-B1');
    await screenshot(b, 'display-red-alerts');
  });
});
