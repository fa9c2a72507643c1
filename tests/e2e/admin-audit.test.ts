/**
 * The audit log records every administrative action of the other features — targets, day notes,
 * alert rules, mail recipients, webhooks, playlists, report subscriptions — through their API
 * routes and their forms alike, with who, what, which unit and from where; a refused action
 * records nothing; no route changes the log. Real HTTP against a started dashboard, on PGlite
 * and Postgres.
 */
import {
  listAudit,
  listEmailRecipients,
  listPlaylists,
  listWebhookSubscriptions,
  prefixOf,
  readUnitTree,
  type UnitTree,
} from '@motcua/db';
import { unsubscribeToken } from '@motcua/reports';
import { DB_KINDS } from '@motcua/test-helpers/db';
import { startSmtpServer } from '@motcua/test-helpers/smtp';
import { startTestSystem, type TestSystem } from '@motcua/test-helpers/system';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const SECRET = 'a-secret-of-at-least-thirty-two-characters';
const UA = 'audit-test/1.0';
/** A receiver URL whose path and query are its own secret, as chat services' webhooks are. */
const HOOK_URL = 'http://127.0.0.1:9/hooks/T0-PATH-SECRET?token=QUERY-SECRET';

describe.each(DB_KINDS)('the audit log of every administrative action on %s', (kind) => {
  let s: TestSystem;
  let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
  let d0: string;
  let c0: string;
  let c1: string;
  let token: string;
  let cookie: string;
  let tree: UnitTree;

  /** A JSON API call with the district viewer's bearer token. */
  const api = async (method: string, path: string, body?: unknown, bearer = token) => {
    const res = await fetch(`${s.dashboardUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${bearer}`,
        'user-agent': UA,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null };
  };
  /** A form post as the browser sends it from the dashboard's own pages. */
  const form = async (path: string, fields: Record<string, string>) => {
    const res = await fetch(`${s.dashboardUrl}${path}`, {
      method: 'POST',
      redirect: 'manual',
      headers: {
        cookie,
        origin: s.dashboardUrl,
        'content-type': 'application/x-www-form-urlencoded',
        'user-agent': UA,
      },
      body: new URLSearchParams(fields),
    });
    await res.arrayBuffer();
    return res.status;
  };
  const auditCount = async () =>
    Number((await s.db.query<{ n: number }>(sql`select count(*)::int as n from audit_log`))[0].n);

  beforeAll(async () => {
    smtp = await startSmtpServer();
    s = await startTestSystem(
      kind,
      { city: '83', districts: 2, communesPerDistrict: 2 },
      {
        // The unsubscribe link needs the digests' secret; a clock at 0 sends no digest meanwhile.
        digests: {
          mail: { smtpUrl: smtp.url, from: 'Một Cửa Live <bao-cao@example.vn>' },
          secret: SECRET,
          clock: () => 0,
        },
      },
    );
    tree = await readUnitTree(s.db);
    d0 = s.tree.districts[0];
    c0 = s.tree.communes.find((c) => s.tree.districtOf[c] === d0) as string;
    c1 = s.tree.communes.find((c) => s.tree.districtOf[c] !== d0) as string;
    token = await s.viewer('district', d0);
    const res = await fetch(`${s.dashboardUrl}/?token=${token}`, { redirect: 'manual' });
    cookie = (res.headers.getSetCookie().find((c) => c.startsWith('motcua_session=')) as string).split(
      ';',
    )[0];
  });
  afterAll(async () => {
    await s?.close();
    await smtp?.close();
  });

  it('records each action of the API and of the forms with actor, action, unit and origin', async () => {
    const start = await auditCount();
    // Targets.
    expect(
      (await api('PUT', `/api/v1/units/${c0}/targets`, { figure: 'satisfaction', value: 0.9 })).status,
    ).toBe(200);
    expect(
      (await api('PUT', `/api/v1/units/${c0}/targets`, { figure: 'satisfaction', value: null })).status,
    ).toBe(200);
    // Day notes.
    const note = await api('POST', `/api/v1/units/${d0}/annotations`, {
      from: '2026-11-30T08:00:00+07:00',
      text: 'Mất điện cả buổi sáng',
    });
    expect(note.status).toBe(201);
    const noteId = note.body.id as number;
    expect(
      (
        await api('PATCH', `/api/v1/units/${d0}/annotations/${noteId}`, {
          from: '2026-11-30T08:00:00+07:00',
          to: '2026-11-30T12:00:00+07:00',
          text: 'Mất điện buổi sáng',
        })
      ).status,
    ).toBe(200);
    expect((await api('DELETE', `/api/v1/units/${d0}/annotations/${noteId}`)).status).toBe(204);
    // Alert rules: saved, then back to inherited.
    const rule = (settings: Record<string, unknown>) =>
      api('PUT', `/api/v1/units/${c0}/alert-rules`, { rule: 'dossier_deadline', settings });
    expect((await rule({ cityAfterHours: 2 })).status).toBe(200);
    expect((await rule({})).status).toBe(200);
    // Mail recipients.
    const recipient = await api('POST', `/api/v1/units/${d0}/email-recipients`, {
      address: 'api@motcua.example',
      minLevel: 'district',
    });
    expect(recipient.status).toBe(201);
    expect((await api('DELETE', `/api/v1/email-recipients/${recipient.body.id}`)).status).toBe(200);
    // Webhooks.
    const hook = await api('POST', `/api/v1/units/${d0}/webhooks`, {
      url: HOOK_URL,
      secret: 'khoa-ky-webhook-16+',
      minLevel: 'commune',
      giveUpAfterHours: 24,
    });
    expect(hook.status).toBe(201);
    expect((await api('DELETE', `/api/v1/webhooks/${hook.body.id}`)).status).toBe(200);
    // Report subscriptions.
    const sub = await api('POST', '/api/v1/report-subscriptions', {
      email: 'api-bao-cao@motcua.example',
      unit: c0,
      period: 'weekly',
      format: 'xlsx',
    });
    expect(sub.status).toBe(201);
    expect((await api('DELETE', `/api/v1/report-subscriptions/${sub.body.id}`)).status).toBe(204);

    // The same kinds of change through the pages' forms.
    expect(
      await form(`/alerts/${c0}/settings?/rule`, { rule: 'dossier_deadline', cityAfterHours: '3' }),
    ).toBe(200);
    expect(
      await form(`/alerts/${c0}/settings?/addRecipient`, {
        address: 'form@motcua.example',
        minLevel: 'commune',
      }),
    ).toBe(200);
    const formRecipient = (await listEmailRecipients(s.db, tree, c0)).find(
      (r) => r.address === 'form@motcua.example',
    );
    expect(await form(`/alerts/${c0}/settings?/removeRecipient`, { id: String(formRecipient?.id) })).toBe(
      200,
    );
    expect(
      await form(`/alerts/${c0}/settings?/addWebhook`, {
        url: HOOK_URL,
        secret: 'khoa-ky-webhook-16+',
        minLevel: 'commune',
        giveUpAfterHours: '12',
      }),
    ).toBe(200);
    const formHook = (await listWebhookSubscriptions(s.db, tree, c0)).find((w) => w.active);
    expect(await form(`/alerts/${c0}/settings?/stopWebhook`, { id: String(formHook?.id) })).toBe(200);
    expect(
      await form(`/playlists/${d0}?/create`, { name: 'Sảnh', 'on-overview': 'on', 'sec-overview': '20' }),
    ).toBe(200);
    const playlist = (await listPlaylists(s.db, [d0]))[0];
    expect(
      await form(`/playlists/${d0}?/update`, {
        id: String(playlist.id),
        name: 'Sảnh chính',
        'on-overview': 'on',
        'sec-overview': '30',
      }),
    ).toBe(200);
    expect(await form(`/playlists/${d0}?/delete`, { id: String(playlist.id) })).toBe(200);
    expect(
      await form('/reports?/add', {
        email: 'form-bao-cao@motcua.example',
        unit: d0,
        period: 'monthly',
        format: 'pdf',
      }),
    ).toBe(200);
    const formSub = await api('GET', '/api/v1/report-subscriptions');
    const formSubId = (formSub.body.items as { id: number; email: string }[]).find(
      (x) => x.email === 'form-bao-cao@motcua.example',
    )?.id as number;
    expect(await form('/reports?/remove', { id: String(formSubId) })).toBe(200);
    // A recipient's own unsubscribe link, without any viewer.
    const linked = await api('POST', '/api/v1/report-subscriptions', {
      email: 'nguoi-nhan@motcua.example',
      unit: c0,
      period: 'weekly',
      format: 'both',
    });
    const unsub = await fetch(
      `${s.dashboardUrl}/reports/unsubscribe?token=${unsubscribeToken(SECRET, linked.body.id)}`,
      {
        method: 'POST',
        headers: {
          origin: s.dashboardUrl,
          'content-type': 'application/x-www-form-urlencoded',
          'user-agent': UA,
        },
        body: '',
      },
    );
    expect(unsub.status).toBe(200);

    const actor = prefixOf(token);
    const entries = (await listAudit(s.db, { unitCodes: null })).reverse().slice(start);
    expect(entries.map((e) => [e.actor, e.action, e.unitCode, e.subject])).toEqual([
      [actor, 'target.set', c0, 'satisfaction'],
      [actor, 'target.clear', c0, 'satisfaction'],
      [actor, 'note.create', d0, String(noteId)],
      [actor, 'note.update', d0, String(noteId)],
      [actor, 'note.delete', d0, String(noteId)],
      [actor, 'alert_rule.save', c0, 'dossier_deadline'],
      [actor, 'alert_rule.reset', c0, 'dossier_deadline'],
      [actor, 'mail_recipient.add', d0, 'api@motcua.example'],
      [actor, 'mail_recipient.remove', d0, 'api@motcua.example'],
      [actor, 'webhook.create', d0, `#${hook.body.id}`],
      [actor, 'webhook.deactivate', d0, `#${hook.body.id}`],
      [actor, 'report_subscription.create', c0, 'api-bao-cao@motcua.example'],
      [actor, 'report_subscription.remove', c0, 'api-bao-cao@motcua.example'],
      [actor, 'alert_rule.save', c0, 'dossier_deadline'],
      [actor, 'mail_recipient.add', c0, 'form@motcua.example'],
      [actor, 'mail_recipient.remove', c0, 'form@motcua.example'],
      [actor, 'webhook.create', c0, `#${formHook?.id}`],
      [actor, 'webhook.deactivate', c0, `#${formHook?.id}`],
      [actor, 'playlist.create', d0, `#${playlist.id}`],
      [actor, 'playlist.update', d0, `#${playlist.id}`],
      [actor, 'playlist.delete', d0, `#${playlist.id}`],
      [actor, 'report_subscription.create', d0, 'form-bao-cao@motcua.example'],
      [actor, 'report_subscription.remove', d0, 'form-bao-cao@motcua.example'],
      [actor, 'report_subscription.create', c0, 'nguoi-nhan@motcua.example'],
      ['unsubscribe_link', 'report_subscription.remove', c0, 'nguoi-nhan@motcua.example'],
    ]);
    for (const e of entries) {
      expect(e.userAgent).toBe(UA);
      expect(e.ip).toMatch(/127\.0\.0\.1/);
      if (e.actor === actor) expect(e).toMatchObject({ actorRole: 'district', actorUnit: d0 });
      // The webhook's URL path and query (its own secret) and its signing secret stay out of the log.
      expect(JSON.stringify(e)).not.toMatch(/PATH-SECRET|QUERY-SECRET|khoa-ky/);
    }
    expect(entries[0].detail).toEqual({ value: 0.9 });
    expect(entries[5].detail).toEqual({ cityAfterHours: 2 });
    expect(entries[9].detail).toMatchObject({
      host: '127.0.0.1:9',
      minLevel: 'commune',
      giveUpAfterHours: 24,
    });
    expect(entries[19].detail).toMatchObject({ name: 'Sảnh chính' });

    // The audit page shows them to the district viewer, in words.
    const page = await (await fetch(`${s.dashboardUrl}/admin/audit`, { headers: { cookie } })).text();
    expect(page).toContain('Đặt chỉ tiêu');
    expect(page).toContain('Dừng webhook');
  });

  it('a refused change records nothing', async () => {
    const before = await auditCount();
    // Another district's commune: outside the viewer's subtree.
    expect((await api('PUT', `/api/v1/units/${c1}/targets`, { figure: 'onTime', value: 0.8 })).status).toBe(
      403,
    );
    expect(
      (await api('POST', `/api/v1/units/${c1}/email-recipients`, { address: 'x@motcua.example' })).status,
    ).toBe(403);
    // A commune viewer configures nothing.
    const commune = await s.viewer('commune', c0);
    expect(
      (
        await api(
          'PUT',
          `/api/v1/units/${c0}/alert-rules`,
          { rule: 'dossier_deadline', settings: {} },
          commune,
        )
      ).status,
    ).toBe(403);
    // Bad input names the field and records nothing.
    const bad = await api('PUT', `/api/v1/units/${c0}/targets`, { figure: 'satisfaction', value: 2 });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/^value:/);
    // A recipient that does not exist: the form answers its failure; nothing is logged.
    await form(`/alerts/${c0}/settings?/removeRecipient`, { id: '999999' });
    expect(await auditCount()).toBe(before);
  });

  it('no route edits or deletes the log, and the database refuses it too', async () => {
    const before = await auditCount();
    expect(before).toBeGreaterThan(0);
    for (const path of ['/admin/audit', '/admin/audit.csv', '/api/v1/audit', '/api/v1/audit/1']) {
      for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) {
        const res = await fetch(`${s.dashboardUrl}${path}`, {
          method,
          headers: { cookie, origin: s.dashboardUrl, 'content-type': 'application/x-www-form-urlencoded' },
          body: 'id=1',
        });
        await res.arrayBuffer();
        expect([403, 404, 405]).toContain(res.status);
      }
    }
    await expect(s.db.query(sql`update audit_log set action = 'x'`)).rejects.toThrow();
    await expect(s.db.query(sql`delete from audit_log`)).rejects.toThrow();
    expect(await auditCount()).toBe(before);
  });
});
