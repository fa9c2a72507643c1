import { ConfigError } from '@motcua/service';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadMailConfig } from './config.ts';
import { createMailer } from './mailer.ts';
import { startSmtpServer, type TestSmtpServer } from './testing.ts';

describe('createMailer against a real SMTP server', () => {
  let smtp: TestSmtpServer;
  beforeAll(async () => {
    smtp = await startSmtpServer({ user: 'canh-bao', pass: 'mật khẩu:@/' });
  });
  afterAll(() => smtp.close());

  it('sends a Vietnamese mail with an attachment that parses back unchanged', async () => {
    const config = loadMailConfig({
      MOTCUA_SMTP_URL: smtp.url,
      MOTCUA_MAIL_FROM: 'Một Cửa Live <canh-bao@motcua.example>',
    });
    if (!config) throw new Error('expected a mail config');
    const mailer = createMailer(config);
    const subject = 'Cảnh báo: 3 hồ sơ quá hạn tại Phường Điện Biên';
    const text = 'Kính gửi Ủy ban nhân dân phường,\nHồ sơ HS-001 đã quá hạn 26 giờ làm việc.';
    const csv = 'mã hồ sơ,đơn vị\nHS-001,Phường Điện Biên\n';
    const received = smtp.nextMessage();
    const messageId = await mailer.send({
      to: ['lanh-dao@motcua.example', 'cntt@motcua.example'],
      subject,
      text,
      html: '<p>Hồ sơ <b>HS-001</b> đã quá hạn.</p>',
      attachments: [{ filename: 'báo-cáo.csv', content: csv, contentType: 'text/csv' }],
    });
    mailer.close();
    const { parsed, envelopeTo } = await received;
    expect(parsed.messageId).toBe(messageId);
    expect(envelopeTo).toEqual(['lanh-dao@motcua.example', 'cntt@motcua.example']);
    expect(parsed.subject).toBe(subject);
    expect(parsed.from?.value[0]).toEqual({ name: 'Một Cửa Live', address: 'canh-bao@motcua.example' });
    expect(parsed.text?.trim()).toBe(text);
    expect(parsed.html).toContain('Hồ sơ <b>HS-001</b> đã quá hạn.');
    expect(parsed.attachments).toHaveLength(1);
    expect(parsed.attachments[0].filename).toBe('báo-cáo.csv');
    expect(parsed.attachments[0].content.toString('utf8')).toBe(csv);
  });

  it('fails when the server refuses the login', async () => {
    const mailer = createMailer({
      smtpUrl: `smtp://canh-bao:sai@127.0.0.1:${smtp.port}`,
      from: 'canh-bao@motcua.example',
    });
    await expect(mailer.send({ to: 'a@motcua.example', subject: 'x', text: 'x' })).rejects.toThrow(
      /invalid user or password/,
    );
    mailer.close();
  });
});

describe('loadMailConfig', () => {
  it('is off without MOTCUA_SMTP_URL', () => {
    expect(loadMailConfig({})).toBeUndefined();
  });
  it('names the variable that is wrong', () => {
    expect(() => loadMailConfig({ MOTCUA_SMTP_URL: 'http://x' })).toThrow(ConfigError);
    expect(() => loadMailConfig({ MOTCUA_SMTP_URL: 'http://x' })).toThrow(/^MOTCUA_SMTP_URL: /);
    expect(() => loadMailConfig({ MOTCUA_SMTP_URL: 'smtps://mail.example:465' })).toThrow(
      /^MOTCUA_MAIL_FROM: required when MOTCUA_SMTP_URL is set/,
    );
  });
});
