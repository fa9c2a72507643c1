/** Shapes shared by the write path, the read path, the live stream and the browser. */

export type UnitLevel = 'city' | 'district' | 'commune' | 'desk';

export interface UnitRef {
  code: string;
  name: string;
  level: UnitLevel;
}

export type Channel = 'direct' | 'online' | 'postal';
export type RatingLevel = 'very_satisfied' | 'satisfied' | 'unsatisfied';

export type WindowName = '1h' | 'today' | '7d' | '30d' | 'custom';

/** A resolved window: `from` inclusive, `to` exclusive, epoch milliseconds. */
export interface ResolvedWindow {
  name: WindowName;
  from: number;
  to: number;
}

export interface SatisfactionMetrics {
  verySatisfied: number;
  satisfied: number;
  unsatisfied: number;
  total: number;
  rate: number | null;
  wilsonLow: number | null;
}

export interface OnTimeMetrics {
  early: number;
  onTime: number;
  late: number;
  unknown: number;
  rate: number | null;
  avgHours: number | null;
  index766: number | null;
}

export interface ReceivedMetrics {
  total: number;
  direct: number;
  online: number;
  postal: number;
}

export interface OpenMetrics {
  total: number;
  overdue: number;
  dueSoon: number;
  waitingSupplement: number;
}

export interface UnitMetrics {
  satisfaction: SatisfactionMetrics;
  onTime: OnTimeMetrics;
  received: ReceivedMetrics;
  open: OpenMetrics;
}

export interface SnapshotWindow {
  name: WindowName;
  from: string;
  to: string;
}

export interface Snapshot {
  unit: UnitRef;
  window: SnapshotWindow;
  asOf: string;
  metrics: UnitMetrics;
  children: { unit: UnitRef; metrics: UnitMetrics }[];
}

/**
 * Additive counts kept in rollup buckets. Every field is a sum, so buckets of any
 * granularity and any set of desks add up field by field.
 */
export interface BucketCounts {
  verySatisfied: number;
  satisfied: number;
  unsatisfied: number;
  early: number;
  onTime: number;
  late: number;
  unknown: number;
  /** Σ processing milliseconds over finished dossiers with a known outcome. */
  procMs: number;
  receivedDirect: number;
  receivedOnline: number;
  receivedPostal: number;
}

export type SeriesStep = '1m' | '5m' | '15m' | '1h' | '1d';

export interface SeriesPoint {
  t: string;
  satisfaction: {
    verySatisfied: number;
    satisfied: number;
    unsatisfied: number;
    total: number;
    rate: number | null;
  };
  onTime: { early: number; onTime: number; late: number; unknown: number; rate: number | null };
  received: number;
}

export interface Series {
  unit: UnitRef;
  window: SnapshotWindow;
  step: SeriesStep;
  points: SeriesPoint[];
}

export type DossierEventType =
  | 'received'
  | 'supplement_requested'
  | 'supplement_received'
  | 'rescheduled'
  | 'resolved'
  | 'returned'
  | 'rejected'
  | 'withdrawn';

/** The part of a dossier event the outcome rules need. Times are epoch ms. */
export interface DossierEvent {
  type: DossierEventType;
  time: number;
  deskCode: string;
  /** `received` only. */
  dueAt?: number;
  /** `received` only. */
  channel?: Channel;
}

export type Outcome = 'early' | 'onTime' | 'late' | 'unknown';

/** What one dossier contributes, computed from all its events. */
export interface DossierState {
  /** Desk of the `received` event, else of the finishing event, else of the first event. */
  deskCode: string;
  receivedAt: number | null;
  dueAt: number | null;
  channel: Channel | null;
  supplementRequests: number;
  rescheduled: boolean;
  /** Σ of answered supplement periods (clipped at `finishedAt`), ms. */
  pausedMs: number;
  /** Time of the last unanswered supplement request, or null. */
  pendingSince: number | null;
  finishedAt: number | null;
  /** null while open. */
  outcome: Outcome | null;
  /** finishedAt − receivedAt − paused time, for a finished dossier with a known outcome. */
  processingMs: number | null;
}
