import { createHmac, timingSafeEqual } from 'node:crypto';
import {
  claimDigestRun,
  type Database,
  finishDigestRun,
  listActiveSubscriptions,
  type Subscription,
  subscriptionViewer,
  type UnitTree,
} from '@motcua/db';
import type { Mail, MailAttachment, Mailer } from '@motcua/mail';
import { DAY } from '@motcua/metrics';
import { collectReport, type ReportData } from './collect.ts';
import { type Headline, headlines, localDateTimeText, reportFilename, windowText } from './headline.ts';
import { ChromiumMissingError, printUnitPdf } from './pdf.ts';
import { digestPeriodOf, slotsBetween } from './schedule.ts';
import { reportXlsx } from './xlsx.ts';

/** `12.3`, `75,0 %`: a figure as the mail writes it. */
function figure(kind: Headline['kind'], v: number | null, signed = false): string {
  if (v === null) return 'chưa đo được';
  const nf = (d: number) =>
    new Intl.NumberFormat('vi-VN', {
      minimumFractionDigits: d,
      maximumFractionDigits: d,
      signDisplay: signed ? 'exceptZero' : 'auto',
    });
  if (kind === 'rate') return `${nf(1).format(v * 100)}${signed ? ' điểm %' : ' %'}`;
  if (kind === 'count') return nf(0).format(v);
  if (kind === 'hours') return nf(1).format(v);
  return nf(2).format(v);
}

const escapeHtml = (s: string) =>
  s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string,
  );

/** The children with the lowest on-time rate (those with finished dossiers), worst first. */
export function worstUnits(r: ReportData, n = 3) {
  return r.snapshot.children
    .filter((c) => c.metrics.onTime.rate !== null)
    .sort((a, b) => (a.metrics.onTime.rate as number) - (b.metrics.onTime.rate as number))
    .slice(0, n);
}

/** The digest mail: a short Vietnamese summary (headline figures, change, worst units, overdue). */
export function digestMail(
  r: ReportData,
  opts: {
    to: string;
    period: 'weekly' | 'monthly';
    unsubscribeUrl: string;
    pageUrl: string;
    notes: string[];
  },
): Omit<Mail, 'attachments'> {
  // `Báo cáo tuần 48/2026 (23/11/2026 – 29/11/2026) · …`, `Báo cáo tháng 11/2026 · …`.
  const kind = opts.period === 'weekly' ? 'tuần' : 'tháng';
  const period = windowText(r.window);
  const subject = `Báo cáo ${period.charAt(0).toLocaleLowerCase('vi') + period.slice(1)} · ${r.unit.name}`;
  const figures = headlines(r);
  const worst = worstUnits(r);
  const rows = figures
    .map(
      (f) =>
        `<tr><td style="padding:3px 10px 3px 0">${escapeHtml(f.vi)}</td><td style="padding:3px 10px;text-align:right"><b>${figure(f.kind, f.value)}</b></td><td style="padding:3px 0;text-align:right;color:#566174">${f.change === null ? '' : figure(f.kind, f.change, true)}</td></tr>`,
    )
    .join('');
  const worstHtml = worst.length
    ? `<p><b>Đơn vị có tỷ lệ đúng hạn thấp nhất:</b></p><ol>${worst
        .map(
          (c) =>
            `<li>${escapeHtml(c.unit.name)}: ${figure('rate', c.metrics.onTime.rate)} (${figure('count', c.metrics.onTime.late)} hồ sơ trễ hạn)</li>`,
        )
        .join('')}</ol>`
    : '';
  const overdue = r.snapshot.metrics.open.overdue;
  const html = `<div style="font-family:Arial,sans-serif;font-size:14px;color:#14213d">
<h2 style="margin:0 0 4px">${escapeHtml(r.unit.name)}</h2>
<p style="margin:0 0 12px;color:#566174">Kỳ báo cáo: ${escapeHtml(windowText(r.window))} · so với ${escapeHtml(windowText(r.previous))} · số liệu đến ${escapeHtml(localDateTimeText(r.asOf))}</p>
<table style="border-collapse:collapse">${rows}</table>
<p><b>Hồ sơ đang quá hạn: ${figure('count', overdue)}</b></p>
${worstHtml}
${opts.notes.map((n) => `<p style="color:#9a5a06">${escapeHtml(n)}</p>`).join('')}
<p><a href="${escapeHtml(opts.pageUrl)}">Xem trên Một Cửa Live</a></p>
<p style="font-size:12px;color:#7d8799">Bạn nhận thư này vì đã được đăng ký nhận báo cáo ${kind}. <a href="${escapeHtml(opts.unsubscribeUrl)}">Hủy nhận báo cáo</a></p>
</div>`;
  const text = [
    `${r.unit.name} — ${windowText(r.window)} (so với ${windowText(r.previous)}), số liệu đến ${localDateTimeText(r.asOf)}`,
    '',
    ...figures.map(
      (f) =>
        `${f.vi}: ${figure(f.kind, f.value)}${f.change === null ? '' : ` (${figure(f.kind, f.change, true)})`}`,
    ),
    '',
    `Hồ sơ đang quá hạn: ${figure('count', overdue)}`,
    ...(worst.length
      ? [
          '',
          'Đơn vị có tỷ lệ đúng hạn thấp nhất:',
          ...worst.map((c, i) => `${i + 1}. ${c.unit.name}: ${figure('rate', c.metrics.onTime.rate)}`),
        ]
      : []),
    ...opts.notes.map((n) => `\n${n}`),
    '',
    `Xem: ${opts.pageUrl}`,
    `Hủy nhận báo cáo: ${opts.unsubscribeUrl}`,
  ].join('\n');
  return { to: opts.to, subject, html, text };
}

/** `12.<hmac>`: a link that ends subscription 12 and nothing else. */
export function unsubscribeToken(secret: string, id: number): string {
  return `${id}.${createHmac('sha256', secret).update(`unsubscribe:${id}`).digest('base64url')}`;
}

/** The subscription a token ends, or null when the token is not one of ours. */
export function verifyUnsubscribeToken(secret: string, token: string): number | null {
  const m = /^(\d{1,9})\.([\w-]{43})$/.exec(token);
  if (!m) return null;
  const expected = Buffer.from(unsubscribeToken(secret, Number(m[1])));
  const given = Buffer.from(token);
  return expected.length === given.length && timingSafeEqual(expected, given) ? Number(m[1]) : null;
}

export interface DigestSchedulerDeps {
  db: Database;
  tree: UnitTree;
  mailer: Mailer;
  /** Now, in epoch ms: the tests' clock. */
  clock: () => number;
  /** This process, in the run's `claimed_by`. */
  instance: string;
  /** The dashboard's address in links (PUBLIC_URL). */
  publicUrl: string;
  /** Signs unsubscribe links. */
  secret: string;
  /** For the PDF: the browser and the dashboard's own address. */
  chromiumPath: string;
  selfUrl: string;
  /** How far back missed digests are caught up (default 35 days). */
  catchUpMs?: number;
  /** A claim older than this is taken over: its process died while sending (default 15 min). */
  leaseMs?: number;
  log?: (msg: string, fields: Record<string, unknown>) => void;
}

/**
 * Sends each subscription's digest once per period: every `tick` looks for send times since the
 * subscription began (at most `catchUpMs` back), claims each (subscription, period) in
 * `report_runs` and sends the ones it won. Any number of processes may tick at once.
 */
export class DigestScheduler {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> | null = null;

  constructor(private readonly deps: DigestSchedulerDeps) {}

  /** One pass; resolves with what this process sent (subscription id and period key). */
  async tick(): Promise<{ sent: string[]; failed: string[] }> {
    const { db, clock } = this.deps;
    const now = clock();
    const sent: string[] = [];
    const failed: string[] = [];
    for (const sub of await listActiveSubscriptions(db)) {
      const since = Math.max(sub.createdAt.getTime(), now - (this.deps.catchUpMs ?? 35 * DAY));
      for (const slot of slotsBetween(sub.period, since, now)) {
        const period = digestPeriodOf(sub.period, slot);
        const won = await claimDigestRun(
          db,
          sub.id,
          period.key,
          this.deps.instance,
          now,
          this.deps.leaseMs ?? 15 * 60_000,
        );
        if (!won) continue;
        try {
          const messageId = await this.send(sub, period, now);
          await finishDigestRun(db, sub.id, period.key, { messageId, now: clock() });
          sent.push(`${sub.id}/${period.key}`);
        } catch (err) {
          await finishDigestRun(db, sub.id, period.key, { error: (err as Error).message });
          failed.push(`${sub.id}/${period.key}`);
          this.deps.log?.('digest failed', {
            subscription: sub.id,
            period: period.key,
            error: (err as Error).message,
          });
        }
      }
    }
    return { sent, failed };
  }

  private async send(
    sub: Subscription,
    period: ReturnType<typeof digestPeriodOf>,
    now: number,
  ): Promise<string> {
    const { db, tree } = this.deps;
    // Read with the rights of the viewer who set it up: a revoked viewer, or a unit no longer in
    // that viewer's subtree, sends nothing.
    const viewer = await subscriptionViewer(db, sub.viewerId);
    if (!viewer) throw new Error(`viewer ${sub.viewerId} is revoked`);
    if (!tree.isWithin(sub.unitCode, viewer.unitCode))
      throw new Error(`unit ${sub.unitCode} is outside the viewer's unit`);
    const report = await collectReport(db, tree, sub.unitCode, period.window, now);
    if (!report) throw new Error(`unit ${sub.unitCode}: unknown`);
    const attachments: MailAttachment[] = [];
    const notes: string[] = [];
    const wantXlsx = sub.format === 'xlsx' || sub.format === 'both';
    const wantPdf = sub.format === 'pdf' || sub.format === 'both';
    let pdfFailed = false;
    if (wantPdf) {
      try {
        const pdf = await printUnitPdf(db, {
          chromiumPath: this.deps.chromiumPath,
          selfUrl: this.deps.selfUrl,
          viewerId: viewer.id,
          code: sub.unitCode,
          window: period.label,
          orientation: 'portrait',
        });
        attachments.push({
          filename: reportFilename(sub.unitCode, period.label, 'pdf'),
          content: pdf,
          contentType: 'application/pdf',
        });
      } catch (err) {
        pdfFailed = true;
        notes.push(
          err instanceof ChromiumMissingError
            ? 'Bản PDF chưa gửi được: máy chủ chưa cài trình duyệt Chromium để in PDF. Báo cáo Excel đính kèm thay thế.'
            : `Bản PDF chưa gửi được (${(err as Error).message}). Báo cáo Excel đính kèm thay thế.`,
        );
      }
    }
    // The Excel report also stands in for a PDF that could not be printed.
    if (wantXlsx || pdfFailed) {
      attachments.push({
        filename: reportFilename(sub.unitCode, period.label, 'xlsx'),
        content: await reportXlsx(report),
        contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      });
    }
    const base = this.deps.publicUrl.replace(/\/$/, '');
    const mail = digestMail(report, {
      to: sub.email,
      period: sub.period,
      unsubscribeUrl: `${base}/reports/unsubscribe?token=${unsubscribeToken(this.deps.secret, sub.id)}`,
      pageUrl: `${base}/units/${sub.unitCode}?window=${period.label}`,
      notes,
    });
    return this.deps.mailer.send({ ...mail, attachments });
  }

  /** Ticks every `everyMs` (one pass at a time) until `stop`. */
  start(everyMs = 60_000): void {
    const run = () => {
      if (this.running) return;
      this.running = this.tick()
        .catch((err) => this.deps.log?.('digest tick failed', { error: (err as Error).message }))
        .finally(() => {
          this.running = null;
        });
    };
    run();
    this.timer = setInterval(run, everyMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }
}
