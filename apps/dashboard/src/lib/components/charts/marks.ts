import type { AnnotationList, UnitRef, UnitTargets } from '@motcua/contract';

/**
 * Where targets and notes go on the time charts. The trend's time axis is one category per
 * step (15 minutes within a day, a day for 7 and 30 days), so a note's time has to become a step
 * index before ECharts can draw it; this is that mapping, apart from the chart so that it is
 * tested on its own (marks.test.ts).
 */

/** A note as the charts draw it: a point (`to` null) or a range whose `to` is exclusive, as the API has it. */
export interface ChartNote {
  from: string;
  to: string | null;
  text: string;
}

/** The targets drawn on a rate chart (shares, 0.95); null or missing when the unit has none. */
export interface ChartTargets {
  satisfaction?: number | null;
  onTime?: number | null;
}

/** How long each step of a series lasts (Asia/Ho_Chi_Minh has no daylight saving: a day is 24 h). */
export const STEP_MS = {
  '1m': 60_000,
  '5m': 300_000,
  '15m': 900_000,
  '1h': 3_600_000,
  '1d': 86_400_000,
} as const;

/** The steps a note covers, first and last (inclusive), as indices of the chart's categories. */
export interface NoteSpan {
  first: number;
  last: number;
}

/** The index of the last step starting at or before `t` (`starts` ascending, `t` ≥ starts[0]). */
function stepAt(starts: readonly number[], t: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid] <= t) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/**
 * The steps of a chart whose steps start at `starts` (ms, ascending) and last `stepMs` that a note
 * covers: a point is on the step that holds it; a range [from, to) on every step it meets, cut to
 * the chart (a range that began before the chart starts at its first step). Null when the note
 * falls outside the chart (before its first step, or at or after the end of its last), which is
 * also the case of every note on a chart without steps. A range that ends at or before it starts
 * is drawn as a point.
 */
export function noteSpan(
  note: { from: string; to: string | null },
  starts: readonly number[],
  stepMs: number,
): NoteSpan | null {
  if (starts.length === 0) return null;
  const from = Date.parse(note.from);
  const to = note.to === null ? Number.NaN : Date.parse(note.to);
  // A point is the instant [from, from + 1 ms).
  const end = Number.isFinite(to) && to > from ? to : from + 1;
  if (!Number.isFinite(from)) return null;
  const chartEnd = starts[starts.length - 1] + stepMs;
  if (from >= chartEnd || end <= starts[0]) return null;
  return {
    first: stepAt(starts, Math.max(from, starts[0])),
    last: stepAt(starts, Math.min(end, chartEnd) - 1),
  };
}

/** The rate targets in force of a unit as the charts draw them (none when they could not be read). */
export function chartTargets(targets: Pick<UnitTargets, 'targets'> | null): ChartTargets {
  const value = (figure: string) => targets?.targets.find((x) => x.figure === figure)?.value ?? null;
  return { satisfaction: value('satisfaction'), onTime: value('onTime') };
}

/**
 * A unit's notes as its charts draw them: those on other units (above or below it) say which
 * unit they are on, as `label` names it.
 */
export function chartNotes(
  list: Pick<AnnotationList, 'items'> | null,
  code: string,
  label: (unit: UnitRef) => string,
): ChartNote[] {
  return (list?.items ?? []).map((n) => ({
    from: n.from,
    to: n.to,
    text: n.unit.code === code ? n.text : `${n.text} (${label(n.unit)})`,
  }));
}

/**
 * The target a chart of children draws as one line: the value every one of `codes` has in force
 * for `figure`, else null (no line: one line would misstate a child whose target differs, or
 * that has none).
 */
export function commonTarget(
  targets: Pick<UnitTargets, 'children'> | null,
  codes: readonly string[],
  figure: 'satisfaction' | 'onTime',
): number | null {
  if (!targets || codes.length === 0) return null;
  const values = codes.map(
    (code) =>
      targets.children.find((c) => c.unit.code === code)?.targets.find((x) => x.figure === figure)?.value ??
      null,
  );
  const first = values[0];
  return first !== null && values.every((v) => v === first) ? first : null;
}
