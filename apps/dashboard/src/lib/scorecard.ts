/** How the pages show the 766 scorecard's numbers; the formulas themselves live in @motcua/metrics. */
import type { LeagueRow, Score, ScorecardCriterion } from '@motcua/contract';
import { fmtNum } from './format.ts';
import type { Lang } from './i18n.ts';

/** Points with two decimals, as the national portal shows them: vi `62,43`, en `62.43`. */
export function fmtPoints(n: number | null | undefined, lang: Lang): string {
  return fmtNum(n, lang, 2);
}

/**
 * Whether a window has any fact behind its points: some measured sub-criterion with a non-zero
 * denominator. A month before the first event still "scores" its zero-denominator rules (5.2 and
 * 5.3 give full points), which is no score at all: it is shown as "—".
 */
export function hasData(score: Score): boolean {
  return score.groups.some((g) => g.criteria.some((c) => c.measured && (c.denominator ?? 0) > 0));
}

/**
 * The denominator a league row's sub-criterion rests on (its sample size); null when the
 * sub-criterion is not measured.
 */
export function sampleOf(row: LeagueRow, code: string): number | null {
  for (const g of row.groups) {
    const c = g.criteria.find((x) => x.code === code);
    if (c) return c.measured ? c.denominator : null;
  }
  return null;
}

/** Why a sub-criterion has no number: outside the desk feed, or not reported in the window. */
export function notMeasuredKind(c: ScorecardCriterion): 'external' | 'notReported' | null {
  if (c.measured) return null;
  return c.reason?.code === 'not_reported' ? 'notReported' : 'external';
}

/** The month labels (`2026-11`) of the 12 months up to the one of `asOf` (local RFC 3339), oldest first. */
export function lastMonths(asOf: string, count = 12): string[] {
  const year = Number(asOf.slice(0, 4));
  const month0 = Number(asOf.slice(5, 7)) - 1;
  const out: string[] = [];
  for (let i = count - 1; i >= 0; i--) {
    const m = month0 - i;
    const y = year + Math.floor(m / 12);
    out.push(`${y}-${String((((m % 12) + 12) % 12) + 1).padStart(2, '0')}`);
  }
  return out;
}
