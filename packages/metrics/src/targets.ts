import type { TargetFigure } from '@motcua/contract';

/** A target row as stored: set on one unit for one figure. */
export interface TargetSetting {
  unitCode: string;
  figure: TargetFigure;
  value: number;
}

/**
 * The target in force for a unit: its own if set, else the nearest ancestor's. `chain` lists the
 * unit and its ancestors, the unit first. null when no unit of the chain has one.
 */
export function effectiveTarget(
  chain: readonly string[],
  settings: readonly TargetSetting[],
  figure: TargetFigure,
): TargetSetting | null {
  for (const code of chain) {
    const hit = settings.find((s) => s.unitCode === code && s.figure === figure);
    if (hit) return hit;
  }
  return null;
}

/**
 * Whether a figure is on track against its target, and by how much: `gap` = value − target, in
 * percentage points for a rate (0.93 against 0.95 → −2) and in points for the 766 score. Both are
 * null where there is no value (a zero denominator) or no target.
 */
export function targetStatus(
  value: number | null,
  target: number | null,
  figure: TargetFigure,
): { onTrack: boolean | null; gap: number | null } {
  if (value === null || target === null) return { onTrack: null, gap: null };
  const gap = figure === 'score766' ? value - target : (value - target) * 100;
  // Rounding: a rate of 0.95 stored as 0.9499999 is on a 95 % target.
  return { onTrack: gap > -1e-9, gap };
}

/** Where a target value must lie: a share for the rates, points of 100 for the 766 score. */
export function targetRange(figure: TargetFigure): { min: number; max: number } {
  return figure === 'score766' ? { min: 0, max: 100 } : { min: 0, max: 1 };
}
