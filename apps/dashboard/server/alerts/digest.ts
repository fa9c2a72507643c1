/**
 * The mail digest: every few minutes, one mail per recipient with the alerts opened or
 * escalated in its unit's subtree since its last mail (not one mail per alert), in Vietnamese.
 */
import { type AlertLevel, levelRank } from '@motcua/contract';
import {
  advanceDigestCursor,
  type Database,
  type PendingDigest,
  readPendingDigests,
  type UnitTree,
  withAlertLock,
} from '@motcua/db';
import type { Mail, Mailer } from '@motcua/mail';
import { describeAlert } from '../../src/lib/alerts.ts';
import { type Lang, translator } from '../../src/lib/i18n.ts';

const escapeHtml = (s: string) =>
  s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string,
  );

/** The mail of one digest; `inboxUrl` is where the recipient acknowledges (absent without PUBLIC_URL). */
export function composeDigest(
  d: PendingDigest,
  tree: UnitTree,
  opts: { inboxUrl?: string; lang?: Lang } = {},
): Mail {
  const lang = opts.lang ?? 'vi';
  const t = translator(lang);
  const unit = tree.get(d.recipient.unitCode)?.name ?? d.recipient.unitCode;
  const items = [...d.items].sort(
    (a, b) => levelRank(b.alert.level) - levelRank(a.alert.level) || a.eventId - b.eventId,
  );
  const lines = items.map((item) => {
    const a = item.alert;
    const what = describeAlert(a, t, lang);
    const level = t(`alerts.level.${item.alert.level}` as `alerts.level.${AlertLevel}`);
    const escalated =
      item.kind === 'escalated' ? ` (${t('alerts.digest.escalated', { level: level.toLowerCase() })})` : '';
    return { level, where: a.unitName, text: `${what}${escalated}` };
  });
  const more = d.total - items.length;
  const intro = t('alerts.digest.intro', { unit, n: d.total });
  const link = opts.inboxUrl ? t('alerts.digest.link', { url: opts.inboxUrl }) : null;
  const text = [
    intro,
    '',
    ...lines.map((l) => `• [${l.level}] ${l.where} — ${l.text}`),
    ...(more > 0 ? [t('alerts.digest.more', { n: more })] : []),
    '',
    ...(link ? [link, ''] : []),
    t('alerts.digest.footer'),
  ].join('\n');
  const html = [
    `<p>${escapeHtml(intro)}</p>`,
    '<ul>',
    ...lines.map(
      (l) =>
        `<li><strong>${escapeHtml(l.level)}</strong> · ${escapeHtml(l.where)} — ${escapeHtml(l.text)}</li>`,
    ),
    '</ul>',
    ...(more > 0 ? [`<p>${escapeHtml(t('alerts.digest.more', { n: more }))}</p>`] : []),
    ...(opts.inboxUrl
      ? [`<p><a href="${escapeHtml(opts.inboxUrl)}">${escapeHtml(link as string)}</a></p>`]
      : []),
    `<p style="color:#555">${escapeHtml(t('alerts.digest.footer'))}</p>`,
  ].join('\n');
  return {
    to: d.recipient.address,
    subject: t('alerts.digest.subject', { n: d.total, unit }),
    text,
    html,
  };
}

/**
 * One round of digests: read under the evaluator's lock (so no change id is skipped), then one
 * mail per recipient with something new; a recipient's cursor moves only once its mail went out.
 * Returns the number of mails sent.
 */
export async function sendDigests(
  db: Database,
  tree: UnitTree,
  mailer: Mailer,
  opts: { publicUrl?: string; onError?: (address: string, err: unknown) => void } = {},
): Promise<number> {
  const pending = await withAlertLock(db, () => readPendingDigests(db, tree));
  let sent = 0;
  for (const d of pending) {
    if (d.items.length > 0) {
      const inboxUrl = opts.publicUrl
        ? `${opts.publicUrl.replace(/\/$/, '')}/alerts/${d.recipient.unitCode}`
        : undefined;
      try {
        await mailer.send(composeDigest(d, tree, { inboxUrl }));
        sent++;
      } catch (err) {
        opts.onError?.(d.recipient.address, err);
        continue;
      }
    }
    await advanceDigestCursor(db, d.recipient.id, d.cursor);
  }
  return sent;
}
