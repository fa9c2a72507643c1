/** How an alert reads in the inbox, on the wall and in the mail digest (one wording for all). */
import type { Alert } from '@motcua/contract';
import { fmtDateTime, fmtNum, fmtPct } from './format.ts';
import type { Lang, Translate } from './i18n.ts';

type Described = Pick<Alert, 'rule' | 'subject' | 'deskCode' | 'details'>;

const num = (x: unknown) => (typeof x === 'number' ? x : Number.NaN);
const time = (x: unknown, lang: Lang) => (typeof x === 'string' ? fmtDateTime(x, lang) : '—');

/** One sentence: what the rule saw, e.g. "Hồ sơ HS-1 quá hạn 26 giờ (hạn 17/11 17:00)". */
export function describeAlert(a: Described, t: Translate, lang: Lang): string {
  const d = a.details;
  switch (a.rule) {
    case 'dossier_deadline':
    case 'petition_deadline': {
      const hours = num(d.overdueHours);
      const kind = a.rule === 'dossier_deadline' ? 'dossier' : 'petition';
      const due = time(d.dueAt, lang);
      return hours >= 0
        ? t(`alerts.desc.${kind}Late`, { subject: a.subject, hours: fmtNum(hours, lang), due })
        : t(`alerts.desc.${kind}Soon`, { subject: a.subject, due });
    }
    case 'satisfaction_low':
      return t('alerts.desc.satisfaction', {
        rate: fmtPct(num(d.rate), lang),
        total: num(d.total),
        days: num(d.windowDays),
        high: fmtPct(num(d.wilsonHigh), lang),
        target: fmtPct(num(d.target), lang, 0),
      });
    case 'desk_silent':
      return t('alerts.desc.silent', {
        desk: a.deskCode ?? a.subject,
        minutes: num(d.silentMinutes),
        last: time(d.lastReceivedAt, lang),
      });
    case 'sync_lag':
      return t('alerts.desc.lag', { desk: a.deskCode ?? a.subject, hours: fmtNum(num(d.lagHours), lang) });
  }
}
