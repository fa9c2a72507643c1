import type { Annotation, Scorecard } from '@motcua/contract';
import type { AuditEntry } from '@motcua/db';
import type { Snapshot, UnitMetrics } from '@motcua/metrics';

const HEADER = [
  'code',
  'name',
  'level',
  'satisfaction_total',
  'very_satisfied',
  'satisfied',
  'unsatisfied',
  'satisfaction_rate',
  'satisfaction_wilson_low',
  'early',
  'on_time',
  'late',
  'unknown',
  'on_time_rate',
  'avg_hours',
  'index766',
  'received_total',
  'received_direct',
  'received_online',
  'received_postal',
  'open_total',
  'open_overdue',
  'open_due_soon',
  'open_waiting_supplement',
  // Issue 14: the notes that cover the row's unit in the window.
  'notes',
];

/** One CSV cell: quoted when needed, formula-looking text neutralised. */
export function cell(v: string | number | null): string {
  if (v === null) return '';
  const s = String(v);
  // Quote when needed; a leading = + - @ is neutralised so a spreadsheet does not run it as a formula.
  const safe = /^[=+\-@]/.test(s) && typeof v === 'string' ? `'${s}` : s;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

function row(code: string, name: string, level: string, m: UnitMetrics, notes: string): string {
  const { satisfaction: s, onTime: o, received: r, open: p } = m;
  return [
    code,
    name,
    level,
    s.total,
    s.verySatisfied,
    s.satisfied,
    s.unsatisfied,
    s.rate,
    s.wilsonLow,
    o.early,
    o.onTime,
    o.late,
    o.unknown,
    o.rate,
    o.avgHours,
    o.index766,
    r.total,
    r.direct,
    r.online,
    r.postal,
    p.total,
    p.overdue,
    p.dueSoon,
    p.waitingSupplement,
    notes,
  ]
    .map(cell)
    .join(',');
}

/** A note as one CSV cell: `2026-10-05 09:00–11:00: text (author)`. */
export function noteCell(n: Pick<Annotation, 'from' | 'to' | 'text' | 'author'>): string {
  const at = (t: string) => `${t.slice(0, 10)} ${t.slice(11, 16)}`;
  const to =
    n.to === null
      ? ''
      : n.to.slice(0, 10) === n.from.slice(0, 10)
        ? `–${n.to.slice(11, 16)}`
        : `–${at(n.to)}`;
  return `${at(n.from)}${to}: ${n.text} (${n.author})`;
}

/**
 * The children table (and the unit's own total as the last row), UTF-8 with a BOM for Excel.
 * `notesOf(code)`: the notes covering a row's unit, joined into its `notes` cell.
 */
export function snapshotCsv(s: Snapshot, notesOf: (code: string) => string[] = () => []): string {
  const lines = [HEADER.join(',')];
  const notes = (code: string) => notesOf(code).join(' | ');
  for (const c of s.children)
    lines.push(row(c.unit.code, c.unit.name, c.unit.level, c.metrics, notes(c.unit.code)));
  lines.push(row(s.unit.code, s.unit.name, s.unit.level, s.metrics, notes(s.unit.code)));
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}

const SCORECARD_HEADER = [
  'group',
  'code',
  'name',
  'name_en',
  'max',
  'measured',
  'numerator',
  'denominator',
  'rate',
  'full_at',
  'points',
  'reason',
];

/**
 * The 766 scorecard: one row per sub-criterion, then one per group and a `total` row (their
 * `max` is the max of the measured sub-criteria). UTF-8 with a BOM, like the snapshot export.
 */
export function scorecardCsv(s: Scorecard): string {
  const lines = [SCORECARD_HEADER.join(',')];
  const line = (cells: (string | number | boolean | null)[]) =>
    lines.push(cells.map((v) => cell(typeof v === 'boolean' ? String(v) : v)).join(','));
  for (const g of s.score.groups) {
    for (const c of g.criteria) {
      line([
        g.code,
        c.code,
        c.name.vi,
        c.name.en,
        c.max,
        c.measured,
        c.numerator,
        c.denominator,
        c.rate,
        c.fullAt,
        c.points,
        c.reason?.code ?? null,
      ]);
    }
  }
  for (const g of s.score.groups) {
    line([
      g.code,
      `group ${g.code}`,
      g.name.vi,
      g.name.en,
      g.measuredMax,
      g.measuredMax > 0,
      null,
      null,
      null,
      null,
      g.points,
      null,
    ]);
  }
  line([
    null,
    'total',
    'Tổng điểm',
    'Total',
    s.score.max,
    true,
    null,
    null,
    null,
    null,
    s.score.points,
    null,
  ]);
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}

const AUDIT_HEADER = [
  'id',
  'at',
  'actor',
  'actor_role',
  'actor_unit',
  'action',
  'subject',
  'unit',
  'detail',
  'ip',
  'user_agent',
];

/** The audit log as CSV, one entry a row, times in UTC ISO 8601. */
export function auditCsv(entries: AuditEntry[]): string {
  const lines = [AUDIT_HEADER.join(',')];
  for (const e of entries) {
    lines.push(
      [
        e.id,
        e.at.toISOString(),
        e.actor,
        e.actorRole,
        e.actorUnit,
        e.action,
        e.subject,
        e.unitCode,
        e.detail ? JSON.stringify(e.detail) : null,
        e.ip,
        e.userAgent,
      ]
        .map(cell)
        .join(','),
    );
  }
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}
