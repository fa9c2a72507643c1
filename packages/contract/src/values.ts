// The contract's plain values (enumerations), without zod: pages in the browser import them from
// `@motcua/contract/values`, so zod (whose JIT probe calls `Function`, refused by the pages' CSP)
// stays out of their bundles. The schemas in the other modules are built from these.

export const RATING_LEVELS = ['very_satisfied', 'satisfied', 'unsatisfied'] as const;
export type RatingLevel = (typeof RATING_LEVELS)[number];

export const CHANNELS = ['direct', 'online', 'postal'] as const;
export type Channel = (typeof CHANNELS)[number];

export const CRITERIA = ['time', 'attitude', 'guidance', 'visits', 'transparency'] as const;
export type Criterion = (typeof CRITERIA)[number];

export const ALERT_LEVELS = ['commune', 'district', 'city'] as const;
export type AlertLevel = (typeof ALERT_LEVELS)[number];
export const ALERT_STATES = ['open', 'acknowledged', 'resolved', 'closed'] as const;
export type AlertState = (typeof ALERT_STATES)[number];
export const ALERT_EVENT_KINDS = ['opened', 'escalated', 'acknowledged', 'resolved', 'closed'] as const;
export type AlertEventKind = (typeof ALERT_EVENT_KINDS)[number];
export const ALERT_RULES = [
  'dossier_deadline',
  'petition_deadline',
  'satisfaction_low',
  'desk_silent',
  'sync_lag',
] as const;
export type AlertRule = (typeof ALERT_RULES)[number];

export const levelRank = (level: AlertLevel) => ALERT_LEVELS.indexOf(level);

/** The figures a target can be set for: satisfaction and on-time rates (0–1), the 766 score (points of 100). */
export const TARGET_FIGURES = ['satisfaction', 'onTime', 'score766'] as const;
export type TargetFigure = (typeof TARGET_FIGURES)[number];

/**
 * Which dossiers a list holds: those received, finished (early, on time or late), early, on time,
 * late or of unknown outcome in the window; or those open, overdue, due within 24 h, or waiting for
 * a supplement at asOf.
 */
export const DOSSIER_LIST_KINDS = [
  'received',
  'finished',
  'early',
  'onTime',
  'late',
  'unknown',
  'open',
  'overdue',
  'dueSoon',
  'waitingSupplement',
] as const;
export type DossierListKind = (typeof DOSSIER_LIST_KINDS)[number];

/** The calendar periods the national portal reports by, and the ISO week. */
export const PERIOD_KINDS = ['week', 'month', 'quarter', 'year'] as const;
export type PeriodKind = (typeof PERIOD_KINDS)[number];
/**
 * A period's label as a `window` value: a year `2026`, a month `2026-10`, a quarter `2026-Q3` or
 * an ISO week `2026-W44` (weeks start on Monday; week 1 holds the year's first Thursday).
 */
export const PERIOD_LABEL_RE = /^(\d{4})(?:-(0[1-9]|1[0-2])|-Q([1-4])|-W(0[1-9]|[1-4]\d|5[0-3]))?$/;

/**
 * Working days a petition step may take (Decision 766's petition rules): rejecting it or asking
 * for more information counts from its reception; publishing the answer from the answer.
 */
export const PETITION_DEADLINE_WORKING_DAYS = {
  rejected: 2,
  supplement_requested: 5,
  answered: 15,
  published: 2,
} as const;
