import { loadMailConfig, type MailConfig } from '@motcua/mail';
import type { WorkCalendar } from '@motcua/metrics';
import {
  ConfigError,
  loadSharedConfig,
  loadWorkCalendar,
  parseEnv,
  port,
  type SharedConfig,
} from '@motcua/service';
import { z } from 'zod';
import { type WebhookUrlPolicy, webhookPolicyFrom } from '../src/lib/server/webhook-url.ts';

/** The dashboard's own variables; HOST, DATABASE_URL and the rest are shared (@motcua/service). */
const schema = z.object({
  DASHBOARD_PORT: port(3000),
  PUBLIC_URL: z
    .string()
    .regex(/^https?:\/\//, { error: 'expected an http(s) URL' })
    .optional(),
  COOKIE_SECURE: z.string().optional(),
  // Checked where it is used (startDashboard), which tests call directly.
  FRAME_ANCESTORS: z.string().default("'none'"),
  ALERTS: z.enum(['0', '1'], { error: 'expected 0 (off) or 1 (on)' }).default('1'),
  ALERT_EVALUATE_SECONDS: z.coerce.number({ error: 'expected seconds' }).min(1).max(3600).default(30),
  ALERT_DIGEST_MINUTES: z.coerce.number({ error: 'expected minutes' }).min(0.1).max(1440).default(5),
  // Webhooks go to public addresses only unless these allow more (docs/alerts.md#webhook-addresses).
  WEBHOOK_ALLOW_PRIVATE: z
    .enum(['0', '1'], { error: 'expected 0 (public addresses only) or 1' })
    .default('0'),
  WEBHOOK_ALLOW_HOSTS: z
    .string()
    .regex(/^\s*[\w.\-:[\]]+(\s*,\s*[\w.\-:[\]]+)*\s*$/, {
      error: 'expected host names or IP addresses separated by commas (no scheme, no port)',
    })
    .optional(),
  MOTCUA_CHROMIUM_PATH: z.string().min(1).default('/usr/bin/chromium'),
  MOTCUA_REPORT_SECRET: z
    .string()
    .min(32, { error: 'at least 32 characters (it signs unsubscribe links)' })
    .optional(),
});

/** The alert evaluator, webhook sender and mail digest (docs/alerts.md); absent: off. */
export interface AlertsConfig {
  evaluateEveryMs: number;
  digestEveryMs: number;
  calendar: WorkCalendar;
  /** Absent: no mail (MOTCUA_SMTP_URL unset). */
  mail?: MailConfig;
}

export interface DashboardConfig extends SharedConfig {
  port: number;
  /** The address people reach the dashboard at, for printed links. */
  publicUrl?: string;
  /** `Secure` session cookies: COOKIE_SECURE=1, or a PUBLIC_URL on https. */
  secureCookies: boolean;
  /** CSP frame-ancestors, for embedding the dashboard in a portal. */
  frameAncestors: string;
  alerts?: AlertsConfig;
  /** Which addresses webhooks may be created for and sent to (WEBHOOK_ALLOW_PRIVATE, WEBHOOK_ALLOW_HOSTS). */
  webhookPolicy: WebhookUrlPolicy;
  /** Headless Chromium that prints PDF reports; when it is absent, PDFs answer 503 and say why. */
  chromiumPath: string;
  /** Scheduled digests: mail settings (MOTCUA_SMTP_URL, MOTCUA_MAIL_FROM) and the link-signing secret. */
  mail?: MailConfig;
  reportSecret?: string;
}

/** Reads the dashboard's settings from the environment once; throws a ConfigError naming the variable. */
export function loadDashboardConfig(env: NodeJS.ProcessEnv = process.env): DashboardConfig {
  const shared = loadSharedConfig(env);
  const c = parseEnv(schema, env);
  const mail = loadMailConfig(env);
  if (mail && !c.MOTCUA_REPORT_SECRET) {
    throw new ConfigError(
      "MOTCUA_REPORT_SECRET: required when MOTCUA_SMTP_URL is set (it signs the digests' unsubscribe links)",
    );
  }
  return {
    ...shared,
    port: c.DASHBOARD_PORT,
    publicUrl: c.PUBLIC_URL,
    secureCookies: c.COOKIE_SECURE
      ? c.COOKIE_SECURE === '1'
      : (c.PUBLIC_URL?.startsWith('https://') ?? false),
    frameAncestors: c.FRAME_ANCESTORS,
    alerts:
      c.ALERTS === '1'
        ? {
            evaluateEveryMs: c.ALERT_EVALUATE_SECONDS * 1000,
            digestEveryMs: c.ALERT_DIGEST_MINUTES * 60_000,
            calendar: loadWorkCalendar(env),
            mail,
          }
        : undefined,
    webhookPolicy: webhookPolicyFrom(c.WEBHOOK_ALLOW_PRIVATE === '1', c.WEBHOOK_ALLOW_HOSTS),
    chromiumPath: c.MOTCUA_CHROMIUM_PATH,
    mail,
    reportSecret: c.MOTCUA_REPORT_SECRET,
  };
}
