import { parseEnv } from '@motcua/service';
import { z } from 'zod';

/** Where mail goes out and whom it comes from. */
export interface MailConfig {
  /**
   * `smtp://user:pass@host:587` (plain, upgraded with STARTTLS when the server offers it) or
   * `smtps://user:pass@host:465` (TLS from the first byte). Nodemailer's URL options such as
   * `?requireTLS=true` pass through.
   */
  smtpUrl: string;
  /** The From header, e.g. `Một Cửa Live <canh-bao@hanoi.gov.vn>`. */
  from: string;
}

export const mailEnvSchema = z
  .object({
    MOTCUA_SMTP_URL: z
      .string()
      .regex(/^smtps?:\/\/[^/]+/, { error: 'expected smtp://[user:pass@]host[:port] or smtps://…' })
      .optional(),
    MOTCUA_MAIL_FROM: z
      .string()
      .regex(/@/, { error: 'expected an address, e.g. Một Cửa Live <canh-bao@example.gov.vn>' })
      .optional(),
  })
  .refine((c) => c.MOTCUA_SMTP_URL === undefined || c.MOTCUA_MAIL_FROM !== undefined, {
    path: ['MOTCUA_MAIL_FROM'],
    error: 'required when MOTCUA_SMTP_URL is set',
  });

/** The mail settings from the environment; undefined when MOTCUA_SMTP_URL is unset (no mail). */
export function loadMailConfig(env: NodeJS.ProcessEnv = process.env): MailConfig | undefined {
  const c = parseEnv(mailEnvSchema, env);
  if (c.MOTCUA_SMTP_URL === undefined || c.MOTCUA_MAIL_FROM === undefined) return undefined;
  return { smtpUrl: c.MOTCUA_SMTP_URL, from: c.MOTCUA_MAIL_FROM };
}
