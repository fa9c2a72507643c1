/**
 * A real SMTP server for tests (npm `smtp-server`), every received mail parsed back with
 * `mailparser`. Plain connection on 127.0.0.1 (no STARTTLS), with login accepted only for the
 * user and password it was started with, so a test also proves the credentials went out.
 */
import type { AddressInfo } from 'node:net';
import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  /** The RCPT TO addresses of the SMTP envelope. */
  envelopeTo: string[];
  parsed: ParsedMail;
}

export interface TestSmtpServer {
  port: number;
  /** `smtp://user:pass@127.0.0.1:port`, ready for MOTCUA_SMTP_URL. */
  url: string;
  /** Every mail received so far, in order. */
  messages: ReceivedMail[];
  /** Answers the next `n` mails with a temporary failure (451 after DATA), as a busy server does. */
  refuseNext(n: number): void;
  /** How many mails were refused so far. */
  refused: number;
  /** The next mail after the `messages.length` already received; rejects after `ms`. */
  nextMessage(ms?: number): Promise<ReceivedMail>;
  close(): Promise<void>;
}

export async function startSmtpServer(
  credentials: { user: string; pass: string } = { user: 'motcua', pass: 'mật-khẩu' },
): Promise<TestSmtpServer> {
  const messages: ReceivedMail[] = [];
  const waiting: Array<(m: ReceivedMail) => void> = [];
  let toRefuse = 0;
  let refused = 0;
  const server = new SMTPServer({
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    authOptional: false,
    logger: false,
    onAuth(auth, _session, callback) {
      if (auth.username === credentials.user && auth.password === credentials.pass) {
        callback(null, { user: auth.username });
      } else {
        callback(new Error('invalid user or password'));
      }
    },
    onData(stream, session, callback) {
      if (toRefuse > 0) {
        toRefuse--;
        refused++;
        stream.on('end', () => callback(Object.assign(new Error('Try again later'), { responseCode: 451 })));
        stream.resume();
        return;
      }
      simpleParser(stream).then(
        (parsed) => {
          const mail = {
            envelopeTo: session.envelope.rcptTo.map((r) => r.address),
            parsed,
          };
          messages.push(mail);
          for (const deliver of waiting.splice(0)) deliver(mail);
          callback();
        },
        (error: Error) => callback(error),
      );
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  const auth = `${encodeURIComponent(credentials.user)}:${encodeURIComponent(credentials.pass)}`;
  return {
    port,
    url: `smtp://${auth}@127.0.0.1:${port}`,
    messages,
    refuseNext(n) {
      toRefuse = n;
    },
    get refused() {
      return refused;
    },
    nextMessage(ms = 10_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          const i = waiting.indexOf(deliver);
          if (i >= 0) waiting.splice(i, 1);
          reject(new Error(`timed out after ${ms} ms waiting for a mail`));
        }, ms);
        const deliver = (mail: ReceivedMail) => {
          clearTimeout(timer);
          resolve(mail);
        };
        waiting.push(deliver);
      });
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
