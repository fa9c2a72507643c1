import { loadMailConfig, type MailConfig } from '@motcua/mail';
import { ConfigError, loadSharedConfig, parseEnv, port, type SharedConfig } from '@motcua/service';
import { z } from 'zod';

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
  MOTCUA_CHROMIUM_PATH: z.string().min(1).default('/usr/bin/chromium'),
  MOTCUA_REPORT_SECRET: z
    .string()
    .min(32, { error: 'at least 32 characters (it signs unsubscribe links)' })
    .optional(),
});

export interface DashboardConfig extends SharedConfig {
  port: number;
  /** The address people reach the dashboard at, for printed links. */
  publicUrl?: string;
  /** `Secure` session cookies: COOKIE_SECURE=1, or a PUBLIC_URL on https. */
  secureCookies: boolean;
  /** CSP frame-ancestors, for embedding the dashboard in a portal. */
  frameAncestors: string;
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
    chromiumPath: c.MOTCUA_CHROMIUM_PATH,
    mail,
    reportSecret: c.MOTCUA_REPORT_SECRET,
  };
}
