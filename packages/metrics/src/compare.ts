import type { Comparison, FigureChange, MetricChanges } from '@motcua/contract';
import { rankChildren } from './snapshot.ts';
import type { Snapshot, UnitMetrics } from './types.ts';

/** A rate's change in percentage points; null where either rate is (a zero denominator). */
export function rateChange(
  value: number | null,
  previous: number | null,
  sample: number,
  previousSample: number,
): FigureChange {
  return {
    value,
    previous,
    change: value === null || previous === null ? null : (value - previous) * 100,
    sample,
    previousSample,
  };
}

/** Satisfaction, on-time and received now against the window compared with. */
export function compareMetrics(now: UnitMetrics, previous: UnitMetrics): MetricChanges {
  const finished = (m: UnitMetrics) => m.onTime.early + m.onTime.onTime + m.onTime.late;
  return {
    satisfaction: rateChange(
      now.satisfaction.rate,
      previous.satisfaction.rate,
      now.satisfaction.total,
      previous.satisfaction.total,
    ),
    onTime: rateChange(now.onTime.rate, previous.onTime.rate, finished(now), finished(previous)),
    received: {
      value: now.received.total,
      previous: previous.received.total,
      change: now.received.total - previous.received.total,
      sample: now.received.total,
      previousSample: previous.received.total,
    },
  };
}

/** Ranks as the league does (Wilson lower bound of satisfaction); units without ratings have none. */
function ranks(children: Snapshot['children']): Map<string, number | null> {
  return new Map(
    rankChildren(children, 'satisfaction').map(
      (c, i) => [c.unit.code, c.metrics.satisfaction.wilsonLow === null ? null : i + 1] as const,
    ),
  );
}

/**
 * The change of every headline figure and league row of `now` against `previous`, the snapshot
 * of the same unit over the closed window before it (see `previousWindow`). A child missing from
 * `previous` compares with zero counts (nothing happened there).
 */
export function compareSnapshots(now: Snapshot, previous: Snapshot): Comparison {
  const prevByCode = new Map(previous.children.map((c) => [c.unit.code, c.metrics]));
  const rankNow = ranks(now.children);
  const rankPrev = ranks(previous.children);
  const empty = emptyMetrics();
  return {
    unit: now.unit,
    window: now.window,
    previous: previous.window,
    asOf: now.asOf,
    metrics: compareMetrics(now.metrics, previous.metrics),
    children: now.children.map((c) => {
      const rank = rankNow.get(c.unit.code) ?? null;
      const previousRank = rankPrev.get(c.unit.code) ?? null;
      return {
        unit: c.unit,
        rank,
        previousRank,
        rankChange: rank === null || previousRank === null ? null : previousRank - rank,
        metrics: compareMetrics(c.metrics, prevByCode.get(c.unit.code) ?? empty),
      };
    }),
  };
}

function emptyMetrics(): UnitMetrics {
  return {
    satisfaction: { verySatisfied: 0, satisfied: 0, unsatisfied: 0, total: 0, rate: null, wilsonLow: null },
    onTime: { early: 0, onTime: 0, late: 0, unknown: 0, rate: null, avgHours: null, index766: null },
    received: { total: 0, direct: 0, online: 0, postal: 0 },
    open: { total: 0, overdue: 0, dueSoon: 0, waitingSupplement: 0 },
  };
}
