/** Shapes of the formulas' inputs and outputs. What crosses an API is defined in @motcua/contract. */
import type { Channel, DossierStep, WindowName } from '@motcua/contract';

// The formulas' results are the contract's shapes; these names are what the formulas speak of.
export type {
  Channel,
  OnTimeMetrics,
  OpenMetrics,
  RatingLevel,
  ReceivedMetrics,
  SatisfactionMetrics,
  Series,
  SeriesPoint,
  SeriesStep,
  Snapshot,
  SnapshotWindow,
  UnitLevel,
  UnitMetrics,
  UnitRef,
  WindowName,
} from '@motcua/contract';

/** A resolved window: `from` inclusive, `to` exclusive, epoch milliseconds. */
export interface ResolvedWindow {
  name: WindowName;
  /** Calendar windows only: the period's label (`2026-11`, `2026-Q4`, `2026`). */
  period?: string;
  from: number;
  to: number;
}

/**
 * The additive counts kept in rollup buckets. Every field is a sum, so buckets of any
 * granularity and any set of desks add up field by field. The rollup table has one counter
 * column per field (packages/db checks that at compile time and derives its SQL from the table):
 * adding a counter means a column there and a name here.
 */
export const BUCKET_FIELDS = [
  'verySatisfied',
  'satisfied',
  'unsatisfied',
  'early',
  'onTime',
  'late',
  'unknown',
  /** Σ processing milliseconds over finished dossiers with a known outcome. */
  'procMs',
  'receivedDirect',
  'receivedOnline',
  'receivedPostal',
  // Event contract v1.1, per dossier at its reception: "…Reported" counts the dossiers whose desk
  // reported the fact at all, so a fact never reported reads "not measured", not 0.
  'feeReported',
  'feeBearing',
  /** Fee-bearing dossiers that were paid online. */
  'feePaidOnline',
  'digitisedReported',
  'inputsDigitised',
  'reuseReported',
  'reusedData',
  'storeReported',
  'citizenStore',
  'populationReported',
  'populationData',
  // v1.1, per finished dossier at its finish.
  'eResultReported',
  'eResult',
  /** Finished dossiers whose inputs and result digitisation were both reported… */
  'digitisationReported',
  /** …and of those, the ones with both digitised. */
  'fullyDigitised',
  /** Early or on-time dossiers that drew a dislike (an unsatisfied rating naming them) or a petition. */
  'onTimeComplained',
  // v1.1 petitions (PAKN): at reception, at the first handling step, at closing.
  'petitionsReceived',
  'petitionsHandled',
  'petitionsHandledOnTime',
  'petitionsClosed',
  /** Closed petitions with more dislikes than likes, handled late, or repeated by a later petition. */
  'petitionsUnsatisfied',
] as const;
export type BucketField = (typeof BUCKET_FIELDS)[number];
export type BucketCounts = Record<BucketField, number>;
/** Some of the bucket counts: what one formula reads, and so what one read sums. */
export type CountsOf<F extends BucketField> = Pick<BucketCounts, F>;

/**
 * A dossier lifecycle step (the event type without its `vn.motcua.dossier.` prefix), or a signal
 * about the dossier from another event: an unsatisfied rating naming it (`disliked`), a petition
 * linked to it (`petitioned`).
 */
export type DossierEventType = DossierStep | 'disliked' | 'petitioned';

/** Facts a v1.1 desk reports about a dossier; absent = not reported. */
export interface DossierFacts {
  feeBearing?: boolean;
  inputsDigitised?: boolean;
  reusedData?: boolean;
  citizenStore?: boolean;
  populationData?: boolean;
  electronicResult?: boolean;
  resultDigitised?: boolean;
}

/** The part of a dossier event the outcome rules need. Times are epoch ms. */
export interface DossierEvent {
  type: DossierEventType;
  time: number;
  deskCode: string;
  /** `received` only. */
  dueAt?: number;
  /** `received` only. */
  channel?: Channel;
  /** `received` (reception facts) and `resolved` (result facts). */
  facts?: DossierFacts;
  /** `paid` only: paid online rather than at the desk. */
  online?: boolean;
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
  /** Reception facts of the earliest `received`, result facts of the `resolved` that finished it. */
  facts: DossierFacts;
  /** A `paid` event said online. */
  paidOnline: boolean;
  /** A dislike or a linked petition arrived for it. */
  complained: boolean;
}
