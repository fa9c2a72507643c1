import nodemailer from 'nodemailer';
import type { MailConfig } from './config.ts';

export interface MailAttachment {
  filename: string;
  content: string | Buffer;
  contentType?: string;
}

export interface Mail {
  to: string | string[];
  subject: string;
  text: string;
  html?: string;
  attachments?: MailAttachment[];
}

export interface Mailer {
  /** Sends one mail; resolves with its Message-ID once the SMTP server has accepted it. */
  send(mail: Mail): Promise<string>;
  close(): void;
}

/** A mailer over one SMTP transport. Subjects, bodies and file names go out as UTF-8. */
export function createMailer(config: MailConfig): Mailer {
  const transport = nodemailer.createTransport(config.smtpUrl);
  return {
    async send(mail) {
      const info = await transport.sendMail({
        from: config.from,
        to: mail.to,
        subject: mail.subject,
        text: mail.text,
        html: mail.html,
        textEncoding: 'base64',
        attachments: mail.attachments,
      });
      return info.messageId;
    },
    close() {
      transport.close();
    },
  };
}
