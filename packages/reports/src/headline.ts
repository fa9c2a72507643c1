import type { SnapshotWindow, TargetFigure } from '@motcua/contract';
import { DAY, formatLocal, targetStatus, type UnitMetrics } from '@motcua/metrics';
import type { ReportData } from './collect.ts';

/** How a figure reads: a count, a share 0..1, hours, or 766 points. */
export type FigureKind = 'count' | 'rate' | 'hours' | 'points';

/** One headline figure: this window's value and the previous window's, as the read API gives them. */
export interface Headline {
  key: string;
  vi: string;
  en: string;
  kind: FigureKind;
  value: number | null;
  /** null where a figure is counted at the as-of time (open dossiers), so it has no previous value. */
  previous: number | null;
  /** value − previous (percentage points for a share); null when either is not measured. */
  change: number | null;
  /** The target in force for this figure (the unit's own or inherited); null where none is set. */
  target: number | null;
  /** Whether the value meets the target; null without a target or a value. */
  onTrack: boolean | null;
  /** value − target, in percentage points for a share and in points for the 766 score. */
  gap: number | null;
}

/** The headline figures a target can be set for. */
const TARGETED: Record<string, TargetFigure> = {
  onTimeRate: 'onTime',
  satisfactionRate: 'satisfaction',
  points766: 'score766',
};

type Pick = (m: UnitMetrics) => number | null;
const WINDOWED: { key: string; vi: string; en: string; kind: FigureKind; pick: Pick }[] = [
  {
    key: 'received',
    vi: 'Hồ sơ tiếp nhận',
    en: 'Dossiers received',
    kind: 'count',
    pick: (m) => m.received.total,
  },
  {
    key: 'finished',
    vi: 'Hồ sơ đã giải quyết',
    en: 'Dossiers finished',
    kind: 'count',
    pick: (m) => m.onTime.early + m.onTime.onTime + m.onTime.late + m.onTime.unknown,
  },
  { key: 'late', vi: 'Giải quyết trễ hạn', en: 'Finished late', kind: 'count', pick: (m) => m.onTime.late },
  { key: 'onTimeRate', vi: 'Tỷ lệ đúng hạn', en: 'On-time rate', kind: 'rate', pick: (m) => m.onTime.rate },
  {
    key: 'avgHours',
    vi: 'Thời gian giải quyết trung bình (giờ)',
    en: 'Average processing time (hours)',
    kind: 'hours',
    pick: (m) => m.onTime.avgHours,
  },
  { key: 'ratings', vi: 'Lượt đánh giá', en: 'Ratings', kind: 'count', pick: (m) => m.satisfaction.total },
  {
    key: 'satisfactionRate',
    vi: 'Tỷ lệ hài lòng',
    en: 'Satisfaction rate',
    kind: 'rate',
    pick: (m) => m.satisfaction.rate,
  },
];

const change = (a: number | null, b: number | null) => (a === null || b === null ? null : a - b);

/**
 * The report's headline figures: the windowed ones with their change against the previous
 * window (both read through the read API's functions), the 766 points, then the open and
 * overdue dossiers at the as-of time.
 */
export function headlines(r: ReportData): Headline[] {
  const now = r.snapshot.metrics;
  const before = r.previousSnapshot.metrics;
  const out: Omit<Headline, 'target' | 'onTrack' | 'gap'>[] = WINDOWED.map(({ pick, ...f }) => {
    const value = pick(now);
    const previous = pick(before);
    return { ...f, value, previous, change: change(value, previous) };
  });
  const points = r.scorecard.score.points;
  const prevPoints = r.previousScorecard.score.points;
  out.push({
    key: 'points766',
    vi: `Điểm Bộ chỉ số 766 (trên ${r.scorecard.score.max.toLocaleString('vi-VN')} điểm đo được)`,
    en: `Decision 766 points (of ${r.scorecard.score.max} measurable)`,
    kind: 'points',
    value: points,
    previous: prevPoints,
    change: points - prevPoints,
  });
  out.push(
    {
      key: 'open',
      vi: 'Hồ sơ đang giải quyết',
      en: 'Open dossiers',
      kind: 'count',
      value: now.open.total,
      previous: null,
      change: null,
    },
    {
      key: 'overdue',
      vi: 'Hồ sơ đang quá hạn',
      en: 'Open and overdue',
      kind: 'count',
      value: now.open.overdue,
      previous: null,
      change: null,
    },
  );
  return out.map((h) => {
    const figure = TARGETED[h.key];
    const target = figure ? (r.targets.find((t) => t.figure === figure)?.value ?? null) : null;
    const status = figure ? targetStatus(h.value, target, figure) : { onTrack: null, gap: null };
    return { ...h, target, ...status };
  });
}

/** `2026-11-03T08:00:00+07:00` → `03/11/2026 08:00`. */
export function localDateTimeText(rfc3339: string): string {
  const [d, t] = rfc3339.split('T');
  const [y, m, day] = d.split('-');
  return `${day}/${m}/${y} ${t.slice(0, 5)}`;
}

/** `23/11/2026` from a local time. */
const localDateText = (rfc3339: string) => localDateTimeText(rfc3339).slice(0, 10);

/**
 * A window in Vietnamese: `Tuần 48/2026 (23/11/2026 – 29/11/2026)` (an ISO week, Monday to
 * Sunday), `Tháng 11/2026`, `Quý 3/2026`, `Năm 2026`, or its dates.
 */
export function windowText(w: SnapshotWindow): string {
  const label = w.period;
  if (label !== undefined) {
    const toDate = w.name === 'period' ? '' : ` (đến ${localDateTimeText(w.to)})`;
    const week = /^(\d{4})-W(\d{2})$/.exec(label);
    if (week) {
      // A closed week's `to` is the Monday after it: its last day is the Sunday before.
      const days =
        w.name === 'period'
          ? ` (${localDateText(w.from)} – ${localDateText(formatLocal(Date.parse(w.to) - DAY))})`
          : toDate;
      return `Tuần ${Number(week[2])}/${week[1]}${days}`;
    }
    const q = /^(\d{4})-Q([1-4])$/.exec(label);
    if (q) return `Quý ${q[2]}/${q[1]}${toDate}`;
    const m = /^(\d{4})-(\d{2})$/.exec(label);
    // Written as the dashboard writes it: "Tháng 1/2027", no leading zero (as the week above).
    if (m) return `Tháng ${Number(m[2])}/${m[1]}${toDate}`;
    return `Năm ${label}${toDate}`;
  }
  return `${localDateTimeText(w.from)} – ${localDateTimeText(w.to)}`;
}

/** `motcua-00004-2026-11.xlsx`: the unit and a label of the period (`2026-11`, `7d`, `2026-W48`). */
export function reportFilename(code: string, label: string, ext: 'xlsx' | 'pdf'): string {
  return `motcua-${code.replace('/', '-')}-${label}.${ext}`;
}

/** A window's label in a file name: its period, else its name. */
export const windowLabel = (w: SnapshotWindow) => w.period ?? w.name;
