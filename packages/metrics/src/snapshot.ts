import { onTimeMetrics, onTimeRate, satisfactionMetrics } from './rates.ts';
import { formatLocal, windowToJson } from './time.ts';
import {
  BUCKET_FIELDS,
  type BucketCounts,
  type BucketField,
  type CountsOf,
  type OpenMetrics,
  type ResolvedWindow,
  type SeriesPoint,
  type Snapshot,
  type UnitMetrics,
  type UnitRef,
} from './types.ts';

/**
 * The bucket fields the snapshot's metrics read (`metricsFromCounts`, typed by them): the read
 * path sums these and no other rollup counter for a snapshot.
 */
export const SNAPSHOT_FIELDS = [
  'verySatisfied',
  'satisfied',
  'unsatisfied',
  'early',
  'onTime',
  'late',
  'unknown',
  'procMs',
  'receivedDirect',
  'receivedOnline',
  'receivedPostal',
] as const satisfies readonly BucketField[];
export type SnapshotCounts = CountsOf<(typeof SNAPSHOT_FIELDS)[number]>;

/** The bucket fields a series point reads (`seriesPointFromCounts`, typed by them). */
export const SERIES_FIELDS = SNAPSHOT_FIELDS.filter(
  (f): f is Exclude<(typeof SNAPSHOT_FIELDS)[number], 'procMs'> => f !== 'procMs',
);
export type SeriesCounts = CountsOf<(typeof SERIES_FIELDS)[number]>;

/** All-zero rollup counts: every field, or only `fields`. */
export function emptyCounts(): BucketCounts;
export function emptyCounts<F extends BucketField>(fields: readonly F[]): CountsOf<F>;
export function emptyCounts(fields: readonly BucketField[] = BUCKET_FIELDS): Partial<BucketCounts> {
  return Object.fromEntries(fields.map((f) => [f, 0]));
}

/** Adds `sign × add` into `into` field by field (sign −1 retracts a contribution); returns `into`. */
export function addCounts<C extends Partial<BucketCounts>>(into: C, add: Partial<BucketCounts>, sign = 1): C {
  // Over the fields of `into`, so a database row's extra columns never leak in.
  const target = into as Partial<BucketCounts>;
  for (const key of Object.keys(into) as BucketField[]) {
    target[key] = (target[key] ?? 0) + sign * (add[key] ?? 0);
  }
  return into;
}

/** All-zero open-dossier counts. */
export function emptyOpen(): OpenMetrics {
  return { total: 0, overdue: 0, dueSoon: 0, waitingSupplement: 0 };
}

/** Adds `sign × add` into `into` field by field; returns `into`. */
export function addOpen(into: OpenMetrics, add: Partial<OpenMetrics>, sign = 1): OpenMetrics {
  for (const key of Object.keys(into) as (keyof OpenMetrics)[]) {
    into[key] += sign * (add[key] ?? 0);
  }
  return into;
}

/** The snapshot `metrics` object from windowed counts and the open snapshot at `asOf`. */
export function metricsFromCounts(counts: SnapshotCounts, open: OpenMetrics): UnitMetrics {
  const { receivedDirect: direct, receivedOnline: online, receivedPostal: postal } = counts;
  return {
    satisfaction: satisfactionMetrics(counts),
    onTime: onTimeMetrics(counts, open),
    received: { total: direct + online + postal, direct, online, postal },
    open: { ...open },
  };
}

export interface ChildCounts {
  unit: UnitRef;
  counts: SnapshotCounts;
  open: OpenMetrics;
}

/**
 * The snapshot body for `unit`: its numbers are the sum over `children` plus `own` (counts not
 * attributable to a listed child). Rates are computed from the sums, never averaged.
 */
export function assembleSnapshot(args: {
  unit: UnitRef;
  window: ResolvedWindow;
  asOf: number;
  children: ChildCounts[];
  own?: { counts: SnapshotCounts; open: OpenMetrics };
}): Snapshot {
  const counts = emptyCounts(SNAPSHOT_FIELDS);
  const open = emptyOpen();
  for (const part of args.own ? [...args.children, args.own] : args.children) {
    addCounts(counts, part.counts);
    addOpen(open, part.open);
  }
  return {
    unit: args.unit,
    window: windowToJson(args.window),
    asOf: formatLocal(args.asOf),
    metrics: metricsFromCounts(counts, open),
    children: args.children.map((c) => ({ unit: c.unit, metrics: metricsFromCounts(c.counts, c.open) })),
  };
}

export type RankBy = 'satisfaction' | 'onTime' | 'received' | 'overdue';

type Child = Snapshot['children'][number];

/** Descending by a nullable score, nulls last. */
function byScoreDesc(a: number | null, b: number | null): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return b - a;
}

function byCode(a: Child, b: Child): number {
  return a.unit.code < b.unit.code ? -1 : a.unit.code > b.unit.code ? 1 : 0;
}

const RANKINGS: Record<RankBy, (a: Child, b: Child) => number> = {
  satisfaction: (a, b) =>
    byScoreDesc(a.metrics.satisfaction.wilsonLow, b.metrics.satisfaction.wilsonLow) ||
    b.metrics.satisfaction.total - a.metrics.satisfaction.total,
  onTime: (a, b) => byScoreDesc(a.metrics.onTime.index766, b.metrics.onTime.index766),
  received: (a, b) => b.metrics.received.total - a.metrics.received.total,
  overdue: (a, b) => b.metrics.open.overdue - a.metrics.open.overdue,
};

/**
 * A new array of `children`, best first (for `overdue`: most overdue first). Satisfaction ranks
 * by `wilsonLow` so a small perfect sample does not beat a large good one. Ties go by unit code.
 */
export function rankChildren(children: Snapshot['children'], by: RankBy): Snapshot['children'] {
  const compare = RANKINGS[by];
  return [...children].sort((a, b) => compare(a, b) || byCode(a, b));
}

/** One series point at `t` from the counts summed over its step. */
export function seriesPointFromCounts(t: number, counts: SeriesCounts): SeriesPoint {
  const { verySatisfied, satisfied, unsatisfied, early, onTime, late, unknown } = counts;
  const satisfaction = satisfactionMetrics(counts);
  return {
    t: formatLocal(t),
    satisfaction: {
      verySatisfied,
      satisfied,
      unsatisfied,
      total: satisfaction.total,
      rate: satisfaction.rate,
    },
    onTime: { early, onTime, late, unknown, rate: onTimeRate(counts) },
    received: counts.receivedDirect + counts.receivedOnline + counts.receivedPostal,
  };
}
