/** The wall display's 766 figures: the tile beside the curve and the `scorecard` slide say the same. */
import type { Score } from '@motcua/contract';
import { fmtInt, fmtNum } from '../format.ts';
import { type Lang, periodName, type Translate } from '../i18n.ts';
import { hasData } from '../scorecard.ts';

/** A score with its one decimal, as the display shows it: vi `62,4`, en `62.4`. */
export const fmtScore = (n: number, lang: Lang) => fmtNum(n, lang, 1);

/**
 * This month's points against last month's, as one line: ▲/▼ and the difference when both are on
 * the same scale, last month's own scale when different sub-criteria were measured, "no data"
 * when last month had none. null while last month is being read or this month has no data.
 */
export function scoreChange(
  current: Score | null,
  before: Score | null | undefined,
  previous: string,
  t: Translate,
  lang: Lang,
): { tone: 'up' | 'down' | 'none'; text: string } | null {
  if (!current || !hasData(current) || before === undefined) return null;
  const period = periodName(previous, lang, 'inline');
  if (before === null || !hasData(before)) {
    return { tone: 'none', text: t('display.scorePrevNone', { period: periodName(previous, lang) }) };
  }
  if (before.max !== current.max) {
    // Different sub-criteria measured: the points are not on the same scale, so no difference.
    return {
      tone: 'none',
      text: t('display.scorePrevScale', {
        period: periodName(previous, lang),
        points: fmtScore(before.points, lang),
        max: fmtInt(before.max, lang),
      }),
    };
  }
  const d = Math.round((current.points - before.points) * 10) / 10;
  if (d > 0) return { tone: 'up', text: t('display.scoreUp', { n: fmtScore(d, lang), period }) };
  if (d < 0) return { tone: 'down', text: t('display.scoreDown', { n: fmtScore(-d, lang), period }) };
  return { tone: 'none', text: t('display.scoreSame', { period }) };
}
