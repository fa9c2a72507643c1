import {
  ALERT_RULES,
  type AlertRule,
  DEFAULT_RULE_SETTINGS,
  emailRecipientRequestSchema,
  mayConfigure,
  ruleOverrideSchema,
  webhookRequestSchema,
} from '@motcua/contract';
import {
  createEmailRecipient,
  createWebhookSubscription,
  deactivateWebhookSubscription,
  deleteEmailRecipient,
  listEmailRecipients,
  listWebhookSubscriptions,
  readRuleSettings,
  readUnitRuleOverrides,
  writeRuleOverride,
} from '@motcua/db';
import { error, fail, redirect } from '@sveltejs/kit';
import { audit, ruleAudit, webhookAudit } from '$lib/server/admin.ts';
import { mayRead } from '$lib/server/auth.ts';
import { getRuntime } from '$lib/server/runtime.ts';
import { checkWebhookUrl, PUBLIC_ONLY, WebhookUrlError } from '$lib/server/webhook-url.ts';
import type { Actions, PageServerLoad } from './$types';

/** The page and every action: a city or district viewer, on a unit of its subtree (not a desk). */
function guard(locals: App.Locals, code: string) {
  const viewer = locals.viewer;
  if (!viewer) return { ok: false, status: 401 } as const;
  const runtime = getRuntime();
  if (!runtime.tree.get(code)) return { ok: false, status: 404 } as const;
  if (!mayRead(runtime.tree, viewer, code) || !mayConfigure(viewer.role)) {
    return { ok: false, status: 403 } as const;
  }
  return { ok: true, viewer, runtime } as const;
}

export const load: PageServerLoad = async ({ params, locals, url }) => {
  const g = guard(locals, params.code);
  if (!g.ok) {
    if (g.status === 401) redirect(303, `/?next=${encodeURIComponent(url.pathname)}`);
    error(g.status, {
      message: `unit ${params.code}: ${g.status === 404 ? 'unknown' : 'not yours to configure'}`,
      code: 'forbidden',
    });
  }
  const { db, tree } = g.runtime;
  const unit = tree.get(params.code);
  const parent = unit?.parentCode ?? null;
  const settings = await readRuleSettings(db, tree);
  // What the unit would have without its own changes: its parent's settings (the defaults at the top).
  const inherited = parent ? settings(parent) : DEFAULT_RULE_SETTINGS;
  return {
    unit: { code: params.code, name: unit?.name ?? params.code, level: unit?.level ?? 'city' },
    inherited,
    overrides: await readUnitRuleOverrides(db, params.code),
    recipients: await listEmailRecipients(db, tree, params.code),
    webhooks: await listWebhookSubscriptions(db, tree, params.code),
    mailConfigured: g.runtime.mailConfigured ?? false,
  };
};

const messageOf = (issues: { path: PropertyKey[]; message: string }[]) =>
  `${issues[0].path.join('.')}: ${issues[0].message}`;

export const actions: Actions = {
  rule: async (event) => {
    const { params, locals, request } = event;
    const g = guard(locals, params.code);
    if (!g.ok) return fail(g.status, { message: 'forbidden' });
    const form = await request.formData();
    const rule = String(form.get('rule'));
    if (!(ALERT_RULES as readonly string[]).includes(rule)) return fail(400, { message: 'rule: unknown' });
    const override: Record<string, unknown> = {};
    if (form.get('reset') === null) {
      for (const [key, value] of Object.entries(DEFAULT_RULE_SETTINGS[rule as AlertRule])) {
        if (typeof value === 'boolean') {
          const v = form.get(key);
          if (v !== null && v !== 'inherit') override[key] = v === 'on';
        } else {
          const v = String(form.get(key) ?? '').trim();
          if (v !== '') override[key] = Number(v.replace(',', '.'));
        }
      }
    }
    const parsed = ruleOverrideSchema(rule as AlertRule).safeParse(override);
    if (!parsed.success) return fail(400, { message: messageOf(parsed.error.issues), rule });
    await writeRuleOverride(
      g.runtime.db,
      params.code,
      rule as AlertRule,
      parsed.data,
      g.viewer.label,
      Date.now(),
    );
    await audit(event, { ...ruleAudit(rule, parsed.data), unitCode: params.code });
    return { saved: rule };
  },
  addRecipient: async (event) => {
    const { params, locals, request } = event;
    const g = guard(locals, params.code);
    if (!g.ok) return fail(g.status, { message: 'forbidden' });
    const form = await request.formData();
    const parsed = emailRecipientRequestSchema.safeParse({
      address: String(form.get('address') ?? '').trim(),
      minLevel: String(form.get('minLevel') ?? 'commune'),
    });
    if (!parsed.success) return fail(400, { message: messageOf(parsed.error.issues), form: 'recipient' });
    await createEmailRecipient(g.runtime.db, {
      unitCode: params.code,
      ...parsed.data,
      by: g.viewer.label,
      now: Date.now(),
    });
    await audit(event, {
      action: 'mail_recipient.add',
      subject: parsed.data.address,
      unitCode: params.code,
      detail: { minLevel: parsed.data.minLevel },
    });
    return { saved: 'recipient' };
  },
  removeRecipient: async (event) => {
    const { params, locals, request } = event;
    const g = guard(locals, params.code);
    if (!g.ok) return fail(g.status, { message: 'forbidden' });
    const id = Number((await request.formData()).get('id'));
    const removed = await deleteEmailRecipient(g.runtime.db, g.runtime.tree, id, g.viewer.unitCode);
    if (!removed) return fail(404, { message: 'id: not found', form: 'recipient' });
    await audit(event, {
      action: 'mail_recipient.remove',
      subject: removed.address,
      unitCode: removed.unitCode,
    });
    return { saved: 'recipient' };
  },
  addWebhook: async (event) => {
    const { params, locals, request } = event;
    const g = guard(locals, params.code);
    if (!g.ok) return fail(g.status, { message: 'forbidden' });
    const form = await request.formData();
    const parsed = webhookRequestSchema.safeParse({
      url: String(form.get('url') ?? '').trim(),
      secret: String(form.get('secret') ?? ''),
      minLevel: String(form.get('minLevel') ?? 'commune'),
      giveUpAfterHours: Number(String(form.get('giveUpAfterHours') ?? '24').replace(',', '.')),
    });
    if (!parsed.success) return fail(400, { message: messageOf(parsed.error.issues), form: 'webhook' });
    // The same rule as the API: the server makes these requests, so public addresses only by default.
    try {
      await checkWebhookUrl(parsed.data.url, g.runtime.webhookPolicy ?? PUBLIC_ONLY);
    } catch (err) {
      if (err instanceof WebhookUrlError) return fail(400, { message: err.message, form: 'webhook' });
      throw err;
    }
    const id = await createWebhookSubscription(g.runtime.db, {
      unitCode: params.code,
      url: parsed.data.url,
      secret: parsed.data.secret,
      minLevel: parsed.data.minLevel,
      giveUpAfterMs: parsed.data.giveUpAfterHours * 3_600_000,
      by: g.viewer.label,
      now: Date.now(),
    });
    const { subject, detail } = webhookAudit(id, parsed.data.url);
    await audit(event, {
      action: 'webhook.create',
      subject,
      unitCode: params.code,
      detail: { ...detail, minLevel: parsed.data.minLevel, giveUpAfterHours: parsed.data.giveUpAfterHours },
    });
    return { saved: 'webhook' };
  },
  stopWebhook: async (event) => {
    const { params, locals, request } = event;
    const g = guard(locals, params.code);
    if (!g.ok) return fail(g.status, { message: 'forbidden' });
    const id = Number((await request.formData()).get('id'));
    const stopped = await deactivateWebhookSubscription(g.runtime.db, g.runtime.tree, id, g.viewer.unitCode);
    if (!stopped) return fail(404, { message: 'id: not found', form: 'webhook' });
    await audit(event, {
      action: 'webhook.deactivate',
      ...webhookAudit(id, stopped.url),
      unitCode: stopped.unitCode,
    });
    return { saved: 'webhook' };
  },
};
