import type { BucketCounts, OnTimeMetrics, OpenMetrics, SatisfactionMetrics } from './types.ts';

/** `n / d`, or null when `d` is 0. */
function ratio(n: number, d: number): number | null {
  return d === 0 ? null : n / d;
}

/**
 * Lower bound of the Wilson score interval for `positive` out of `total` (95 % for the default
 * z = 1.96); null when `total` is 0. Unlike the plain rate it grows with the sample size.
 */
export function wilsonLow(positive: number, total: number, z = 1.96): number | null {
  if (total === 0) return null;
  const p = positive / total;
  const z2 = z * z;
  const centre = p + z2 / (2 * total);
  const spread = z * Math.sqrt((p * (1 - p)) / total + z2 / (4 * total * total));
  // At p = 0 the two terms cancel; rounding can leave a tiny negative.
  return Math.max(0, (centre - spread) / (1 + z2 / total));
}

/**
 * Upper bound of the same Wilson interval; null when `total` is 0. Below a target, the true
 * share is below it with 97.5 % confidence: a few bad ratings alone do not get there.
 */
export function wilsonHigh(positive: number, total: number, z = 1.96): number | null {
  if (total === 0) return null;
  const p = positive / total;
  const z2 = z * z;
  const centre = p + z2 / (2 * total);
  const spread = z * Math.sqrt((p * (1 - p)) / total + z2 / (4 * total * total));
  return Math.min(1, (centre + spread) / (1 + z2 / total));
}

/** Satisfaction counts with `rate` and `wilsonLow`. */
export function satisfactionMetrics(
  counts: Pick<BucketCounts, 'verySatisfied' | 'satisfied' | 'unsatisfied'>,
): SatisfactionMetrics {
  const { verySatisfied, satisfied, unsatisfied } = counts;
  const total = verySatisfied + satisfied + unsatisfied;
  return {
    verySatisfied,
    satisfied,
    unsatisfied,
    total,
    rate: ratio(verySatisfied + satisfied, total),
    wilsonLow: wilsonLow(verySatisfied + satisfied, total),
  };
}

/** `(early + onTime) / (early + onTime + late)`; null when the divisor is 0. */
export function onTimeRate(counts: Pick<BucketCounts, 'early' | 'onTime' | 'late'>): number | null {
  return ratio(counts.early + counts.onTime, counts.early + counts.onTime + counts.late);
}

/** Finished-dossier outcomes in the window with `rate`, `avgHours` and the Decision 766 `index766`. */
export function onTimeMetrics(
  counts: Pick<BucketCounts, 'early' | 'onTime' | 'late' | 'unknown' | 'procMs'>,
  open: OpenMetrics,
): OnTimeMetrics {
  const { early, onTime, late, unknown, procMs } = counts;
  const known = early + onTime + late;
  const avgMs = ratio(procMs, known);
  return {
    early,
    onTime,
    late,
    unknown,
    rate: onTimeRate(counts),
    avgHours: avgMs === null ? null : avgMs / 3.6e6,
    index766: ratio(early + onTime + open.total - open.overdue, known + open.total),
  };
}
