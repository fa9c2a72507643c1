/** Number and time formatting for both UI languages; all times in Asia/Ho_Chi_Minh. */
import type { Lang } from './i18n.ts';

export const TIME_ZONE = 'Asia/Ho_Chi_Minh';

const LOCALE: Record<Lang, string> = { vi: 'vi-VN', en: 'en-GB' };
/** Shown wherever a value is unknown (a null rate); never a 0 that is not there. */
export const DASH = '—';

const cache = new Map<string, Intl.NumberFormat | Intl.DateTimeFormat>();

function numberFormat(lang: Lang, digits: number): Intl.NumberFormat {
  const key = `n|${lang}|${digits}`;
  let f = cache.get(key) as Intl.NumberFormat | undefined;
  if (!f) {
    f = new Intl.NumberFormat(lang === 'vi' ? 'vi-VN' : 'en-US', {
      minimumFractionDigits: digits,
      maximumFractionDigits: digits,
    });
    cache.set(key, f);
  }
  return f;
}

function dateFormat(lang: Lang, opts: Intl.DateTimeFormatOptions, id: string): Intl.DateTimeFormat {
  const key = `d|${lang}|${id}`;
  let f = cache.get(key) as Intl.DateTimeFormat | undefined;
  if (!f) {
    f = new Intl.DateTimeFormat(LOCALE[lang], { timeZone: TIME_ZONE, hourCycle: 'h23', ...opts });
    cache.set(key, f);
  }
  return f;
}

/** An integer count: vi `1.234`, en `1,234`. */
export function fmtInt(n: number | null | undefined, lang: Lang): string {
  return n == null ? DASH : numberFormat(lang, 0).format(n);
}

/** A plain number with fixed decimals. */
export function fmtNum(n: number | null | undefined, lang: Lang, digits = 1): string {
  return n == null ? DASH : numberFormat(lang, digits).format(n);
}

/** The number part of a rate in percent, without the sign: vi `84,3`, en `84.3`. */
export function fmtPctValue(rate: number | null | undefined, lang: Lang, digits = 1): string {
  return rate == null ? DASH : numberFormat(lang, digits).format(rate * 100);
}

/** The percent sign as each language writes it after a number: vi ` %` (no break), en `%`. */
export function pctSign(lang: Lang): string {
  return lang === 'vi' ? '\u00a0%' : '%';
}

/** A rate (0–1) as a percentage: vi `84,3 %`, en `84.3%`; `—` for null. */
export function fmtPct(rate: number | null | undefined, lang: Lang, digits = 1): string {
  return rate == null ? DASH : `${fmtPctValue(rate, lang, digits)}${pctSign(lang)}`;
}

function toDate(t: string | number | Date): Date {
  return t instanceof Date ? t : new Date(t);
}

/** `14:03:11` in Hà Nội time. */
export function fmtTime(t: string | number | Date, lang: Lang): string {
  return dateFormat(lang, { hour: '2-digit', minute: '2-digit', second: '2-digit' }, 'hms').format(toDate(t));
}

/** `14:03` in Hà Nội time. */
export function fmtHm(t: string | number | Date, lang: Lang): string {
  return dateFormat(lang, { hour: '2-digit', minute: '2-digit' }, 'hm').format(toDate(t));
}

/** `29/11` (vi) or `29 Nov` (en). */
export function fmtDay(t: string | number | Date, lang: Lang): string {
  return lang === 'vi'
    ? dateFormat(lang, { day: '2-digit', month: '2-digit' }, 'dm').format(toDate(t))
    : dateFormat(lang, { day: 'numeric', month: 'short' }, 'dm').format(toDate(t));
}

/** `29/11/2026 14:03` in Hà Nội time. */
export function fmtDateTime(t: string | number | Date, lang: Lang): string {
  return dateFormat(
    lang,
    lang === 'vi'
      ? { day: '2-digit', month: '2-digit', year: 'numeric', hour: '2-digit', minute: '2-digit' }
      : { day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit' },
    'dmyhm',
  ).format(toDate(t));
}

/** `14:03:11 29/11/2026` (vi) or `29 Nov 2026, 14:03:11` (en): steps of a history that come seconds apart. */
export function fmtDateTimeSec(t: string | number | Date, lang: Lang): string {
  return dateFormat(
    lang,
    lang === 'vi'
      ? {
          day: '2-digit',
          month: '2-digit',
          year: 'numeric',
          hour: '2-digit',
          minute: '2-digit',
          second: '2-digit',
        }
      : {
          day: 'numeric',
          month: 'short',
          year: 'numeric',
          hour: '2-digit',
          minute: '2-digit',
          second: '2-digit',
        },
    'dmyhms',
  ).format(toDate(t));
}

/** `Thứ Bảy, 29/11/2026` — the long date for the wall display. */
export function fmtLongDate(t: string | number | Date, lang: Lang): string {
  const s = dateFormat(
    lang,
    lang === 'vi'
      ? { weekday: 'long', day: '2-digit', month: '2-digit', year: 'numeric' }
      : { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' },
    'long',
  ).format(toDate(t));
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** A duration in whole units, e.g. `3 phút`, `2 giờ 5 phút` / `3 min`, `2 h 5 min`. */
export function fmtDuration(ms: number, lang: Lang): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const vi = lang === 'vi';
  if (s < 60) return vi ? `${s} giây` : `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return vi ? `${m} phút` : `${m} min`;
  const h = Math.floor(m / 60);
  const rm = m % 60;
  if (h < 48) return vi ? `${h} giờ${rm ? ` ${rm} phút` : ''}` : `${h} h${rm ? ` ${rm} min` : ''}`;
  const d = Math.floor(h / 24);
  return vi ? `${d} ngày` : `${d} days`;
}

/** Hours with one decimal and a unit: vi `52,4 giờ`, en `52.4 h`. */
export function fmtHours(h: number | null | undefined, lang: Lang): string {
  if (h == null) return DASH;
  return `${fmtNum(h, lang, 1)}${lang === 'vi' ? ' giờ' : ' h'}`;
}
