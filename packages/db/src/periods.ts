import type { Comparison, MonthlyTrend, MonthPoint } from '@motcua/contract';
import {
  addCounts,
  compareSnapshots,
  emptyCounts,
  formatLocal,
  lastMonths,
  previousWindow,
  type ResolvedWindow,
  SERIES_FIELDS,
  seriesPointFromCounts,
} from '@motcua/metrics';
import { sql } from 'drizzle-orm';
import type { Database } from './client.ts';
import { readSnapshot, resolveScope, SERIES_SUMS_SQL, unitFilter } from './read.ts';
import type { UnitTree } from './tree.ts';

/**
 * The change of a unit's headline figures and of each child against the closed window of the same
 * length before `window` (`previousWindow`): two snapshot reads, from rollups and dossier state.
 * Returns null for an unknown unit.
 */
export async function readComparison(
  db: Database,
  tree: UnitTree,
  code: string,
  window: ResolvedWindow,
  asOf: number,
): Promise<Comparison | null> {
  const prev = previousWindow(window);
  const [now, before] = await Promise.all([
    readSnapshot(db, tree, code, window, asOf),
    readSnapshot(db, tree, code, prev, asOf),
  ]);
  if (!now || !before) return null;
  return compareSnapshots(now, before);
}

/**
 * Satisfaction, on-time and received per local month over the last `months` months, the current
 * month to date last, from day rollups (a desk's from its hour rollups; one grouped read).
 */
export async function readMonthlyTrend(
  db: Database,
  tree: UnitTree,
  code: string,
  asOf: number,
  months = 12,
): Promise<MonthlyTrend | null> {
  const scope = resolveScope(tree, code);
  if (!scope) return null;
  const { unit, communes, deskCode } = scope;
  const periods = lastMonths(months, asOf);
  const sums = periods.map(() => emptyCounts(SERIES_FIELDS));
  if (communes.length > 0) {
    const rows = await db.query<Parameters<typeof addCounts>[1] & { t: number }>(
      sql`select bucket_start::float8 as t, ${SERIES_SUMS_SQL} from rollups
        where grain = ${deskCode ? 'h' : 'd'} and ${unitFilter(communes)} and bucket_start >= ${periods[0].from}
          and bucket_start < ${asOf} ${deskCode ? sql`and desk_code = ${deskCode}` : sql``}
        group by bucket_start`,
    );
    for (const row of rows) {
      const i = periods.findIndex((p) => row.t >= p.from && row.t < p.to);
      if (i >= 0) addCounts(sums[i], row);
    }
  }
  return {
    unit,
    asOf: formatLocal(asOf),
    months: periods.map((p, i): MonthPoint => {
      const point = seriesPointFromCounts(p.from, sums[i]);
      return {
        period: p.label,
        from: formatLocal(p.from),
        to: formatLocal(Math.min(p.to, asOf)),
        closed: p.to <= asOf,
        satisfaction: point.satisfaction,
        onTime: point.onTime,
        received: point.received,
      };
    }),
  };
}
