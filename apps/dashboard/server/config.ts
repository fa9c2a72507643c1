import { loadMailConfig, type MailConfig } from '@motcua/mail';
import type { WorkCalendar } from '@motcua/metrics';
import { loadSharedConfig, loadWorkCalendar, parseEnv, port, type SharedConfig } from '@motcua/service';
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
  ALERTS: z.enum(['0', '1'], { error: 'expected 0 (off) or 1 (on)' }).default('1'),
  ALERT_EVALUATE_SECONDS: z.coerce.number({ error: 'expected seconds' }).min(1).max(3600).default(30),
  ALERT_DIGEST_MINUTES: z.coerce.number({ error: 'expected minutes' }).min(0.1).max(1440).default(5),
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
}

/** Reads the dashboard's settings from the environment once; throws a ConfigError naming the variable. */
export function loadDashboardConfig(env: NodeJS.ProcessEnv = process.env): DashboardConfig {
  const shared = loadSharedConfig(env);
  const c = parseEnv(schema, env);
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
            mail: loadMailConfig(env),
          }
        : undefined,
  };
}
