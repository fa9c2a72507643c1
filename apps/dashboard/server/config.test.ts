import { ConfigError } from '@motcua/service';
import { describe, expect, it } from 'vitest';
import { loadDashboardConfig } from './config.ts';

const base = { DATABASE_URL: 'postgres://u@127.0.0.1:5432/x' };

describe('dashboard config: reports', () => {
  it('defaults the PDF browser and leaves digests off without mail', () => {
    const c = loadDashboardConfig({ ...base });
    expect(c.chromiumPath).toBe('/usr/bin/chromium');
    expect(c.mail).toBeUndefined();
    expect(loadDashboardConfig({ ...base, MOTCUA_CHROMIUM_PATH: '/opt/chrome' }).chromiumPath).toBe(
      '/opt/chrome',
    );
  });

  it('wants the unsubscribe secret once mail is set, and a long one', () => {
    const mail = { MOTCUA_SMTP_URL: 'smtp://127.0.0.1:25', MOTCUA_MAIL_FROM: 'Một Cửa <a@example.vn>' };
    expect(() => loadDashboardConfig({ ...base, ...mail })).toThrow(
      /MOTCUA_REPORT_SECRET: required when MOTCUA_SMTP_URL is set/,
    );
    expect(() => loadDashboardConfig({ ...base, ...mail, MOTCUA_REPORT_SECRET: 'short' })).toThrow(
      ConfigError,
    );
    const c = loadDashboardConfig({ ...base, ...mail, MOTCUA_REPORT_SECRET: 'x'.repeat(32) });
    expect(c.mail?.from).toBe('Một Cửa <a@example.vn>');
    expect(c.reportSecret).toHaveLength(32);
  });
});

describe('dashboard config: webhook addresses', () => {
  it('allows public addresses only by default', () => {
    expect(loadDashboardConfig({ ...base }).webhookPolicy).toEqual({ allowPrivate: false, allowHosts: [] });
  });

  it('reads WEBHOOK_ALLOW_PRIVATE and WEBHOOK_ALLOW_HOSTS', () => {
    expect(loadDashboardConfig({ ...base, WEBHOOK_ALLOW_PRIVATE: '1' }).webhookPolicy.allowPrivate).toBe(
      true,
    );
    expect(
      loadDashboardConfig({ ...base, WEBHOOK_ALLOW_HOSTS: 'hooks.internal.hanoi.vn, 10.0.0.5,[fd00::5]' })
        .webhookPolicy,
    ).toEqual({ allowPrivate: false, allowHosts: ['hooks.internal.hanoi.vn', '10.0.0.5', 'fd00::5'] });
    expect(() => loadDashboardConfig({ ...base, WEBHOOK_ALLOW_PRIVATE: 'yes' })).toThrow(
      /WEBHOOK_ALLOW_PRIVATE/,
    );
    expect(() => loadDashboardConfig({ ...base, WEBHOOK_ALLOW_HOSTS: 'https://hooks.example/' })).toThrow(
      /WEBHOOK_ALLOW_HOSTS: expected host names or IP addresses/,
    );
  });
});
