import { DAY, type DossierState, HOUR } from '@motcua/metrics';
import { type SQL, sql } from 'drizzle-orm';
import { type Column, namesOf, rowsOf } from './columns.ts';

/** How an open dossier counts, at any `asOf` at or after its pending request. */
export interface OpenStanding {
  overdue: boolean;
  dueSoon: boolean;
  dueIn48h: boolean;
  waitingSupplement: boolean;
}

/**
 * The standing of an open dossier whose standing the clock cannot change, else null (finished,
 * no deadline, or a deadline the clock will reach: those are counted on read). Same rules as
 * `classifyOpen`: overdue for good after two supplement requests or a reschedule; while a
 * request is unanswered the deadline moves with the clock (`dueAt + pausedMs + (asOf −
 * pendingSince)`), so it is overdue exactly when the request came after `dueAt + pausedMs`, and
 * due within a day when it came at most a day before that. Holds for every `asOf ≥ pendingSince`;
 * the read corrects the few requests stamped after its `asOf`.
 */
export function openStanding(s: DossierState): OpenStanding | null {
  if (s.finishedAt !== null || s.dueAt === null) return null;
  const sticky = s.supplementRequests >= 2 || s.rescheduled;
  if (!sticky && s.pendingSince === null) return null;
  const slack = s.pendingSince === null ? 0 : s.dueAt + s.pausedMs - s.pendingSince;
  const overdue = sticky || slack < 0;
  return {
    overdue,
    dueSoon: !overdue && slack <= DAY,
    dueIn48h: !overdue && slack <= 2 * DAY,
    waitingSupplement: s.pendingSince !== null,
  };
}

/**
 * The deadline of an open dossier the clock can make overdue (in progress, not paused, not
 * overdue for good), else null: the dossiers `openStanding` leaves to the read, which
 * `open_dossier_deadlines` counts by the hour their deadline falls in. The same predicate as the
 * partial index `dossiers_open_deadline_idx`.
 */
export function timedDeadline(s: DossierState): number | null {
  if (s.finishedAt !== null || s.dueAt === null) return null;
  if (s.pendingSince !== null || s.supplementRequests >= 2 || s.rescheduled) return null;
  return s.dueAt + s.pausedMs;
}

/** The start of the hour (epoch ms) a deadline falls in: hours are whole in UTC and in Vietnam's time. */
export const deadlineHour = (deadline: number) => Math.floor(deadline / HOUR) * HOUR;

interface DeadlineRow {
  unitCode: string;
  deadlineHour: number;
  total: number;
}

const DEADLINE_COLUMNS: Column<DeadlineRow>[] = [
  ['unit_code', 'text', (r) => r.unitCode],
  ['deadline_hour', 'bigint', (r) => r.deadlineHour],
  ['total', 'integer', (r) => r.total],
];
const DEADLINE_NAMES = namesOf(DEADLINE_COLUMNS);

interface CountRow {
  unitCode: string;
  deskCode: string;
  total: number;
  overdue: number;
  dueSoon: number;
  dueIn48h: number;
  waitingSupplement: number;
}

const COLUMNS: Column<CountRow>[] = [
  ['unit_code', 'text', (r) => r.unitCode],
  ['desk_code', 'text', (r) => r.deskCode],
  ['total', 'integer', (r) => r.total],
  ['overdue', 'integer', (r) => r.overdue],
  ['due_soon', 'integer', (r) => r.dueSoon],
  ['due_in_48h', 'integer', (r) => r.dueIn48h],
  ['waiting_supplement', 'integer', (r) => r.waitingSupplement],
];
const NAMES = namesOf(COLUMNS);
/** The counters of `open_dossier_counts`, as its table names them. */
export const OPEN_COUNT_FIELDS = [
  'total',
  'overdue',
  'dueSoon',
  'dueIn48h',
  'waitingSupplement',
] as const satisfies readonly (keyof CountRow)[];
const ADD = COLUMNS.slice(2)
  .map(([c]) => `${c} = open_dossier_counts.${c} + excluded.${c}`)
  .join(', ');

/**
 * Changes to `open_dossier_counts` and `open_dossier_deadlines` of one flush: a dossier's old
 * standing out, its new one in. A commune's rows are per desk (counts) and per commune
 * (deadlines); every unit above it has its own rows beside (desk `''`), so that a district,
 * province or the nation reads a handful of rows instead of every commune's (migration 0018).
 */
export class OpenCountDeltas {
  readonly #rows = new Map<string, CountRow>();
  readonly #deadlines = new Map<string, DeadlineRow>();

  add(unitCode: string, state: DossierState, sign: 1 | -1) {
    const deadline = timedDeadline(state);
    if (deadline !== null) {
      const hour = deadlineHour(deadline);
      const key = `${unitCode}\u0000${hour}`;
      const row = this.#deadlines.get(key);
      if (row) row.total += sign;
      else this.#deadlines.set(key, { unitCode, deadlineHour: hour, total: sign });
      return;
    }
    const s = openStanding(state);
    if (!s) return;
    const key = `${unitCode}\u0000${state.deskCode}`;
    let row = this.#rows.get(key);
    if (!row) {
      row = {
        unitCode,
        deskCode: state.deskCode,
        total: 0,
        overdue: 0,
        dueSoon: 0,
        dueIn48h: 0,
        waitingSupplement: 0,
      };
      this.#rows.set(key, row);
    }
    row.total += sign;
    if (s.overdue) row.overdue += sign;
    if (s.dueSoon) row.dueSoon += sign;
    if (s.dueIn48h) row.dueIn48h += sign;
    if (s.waitingSupplement) row.waitingSupplement += sign;
  }

  /**
   * Adds every commune row's changes to the units above it (`chains`: a commune's chain up to the
   * root, itself first), as rows of desk `''`. Once per flush, before `statements`.
   */
  addToUnitsAbove(chains: ReadonlyMap<string, readonly string[]>) {
    for (const row of [...this.#rows.values()]) {
      for (const unitCode of chains.get(row.unitCode)?.slice(1) ?? []) {
        const key = `${unitCode}\u0000`;
        const hit = this.#rows.get(key);
        if (!hit) this.#rows.set(key, { ...row, unitCode, deskCode: '' });
        else for (const field of OPEN_COUNT_FIELDS) hit[field] += row[field];
      }
    }
    for (const row of [...this.#deadlines.values()]) {
      for (const unitCode of chains.get(row.unitCode)?.slice(1) ?? []) {
        const key = `${unitCode}\u0000${row.deadlineHour}`;
        const hit = this.#deadlines.get(key);
        if (hit) hit.total += row.total;
        else this.#deadlines.set(key, { ...row, unitCode });
      }
    }
  }

  /**
   * The statements applying the non-zero changes, rows in key order and tables in a set order
   * (concurrent writers lock them alike): the counters, then the deadline hours, then the
   * deletion of the deadline hours this flush took down (a row at 0 would otherwise stay for
   * every hour that ever held a deadline). Empty when nothing changed.
   */
  statements(): SQL[] {
    const out: SQL[] = [];
    const counts = this.#countsStatement();
    if (counts) out.push(counts);
    const deadlines = [...this.#deadlines.values()]
      .filter((r) => r.total !== 0)
      .sort((a, b) =>
        a.unitCode < b.unitCode ? -1 : a.unitCode > b.unitCode ? 1 : a.deadlineHour - b.deadlineHour,
      );
    if (deadlines.length > 0) {
      out.push(sql`insert into open_dossier_deadlines (${sql.raw(DEADLINE_NAMES)})
        select ${sql.raw(DEADLINE_NAMES)} from ${rowsOf(deadlines, DEADLINE_COLUMNS)}
        on conflict (unit_code, deadline_hour) do update
          set total = open_dossier_deadlines.total + excluded.total`);
      const lowered = deadlines.filter((r) => r.total < 0);
      if (lowered.length > 0)
        out.push(sql`delete from open_dossier_deadlines d using ${rowsOf(lowered, DEADLINE_COLUMNS)}
          where d.unit_code = x.unit_code and d.deadline_hour = x.deadline_hour and d.total = 0`);
    }
    return out;
  }

  #countsStatement(): SQL | null {
    const rows = [...this.#rows.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, r]) => r)
      .filter((r) => OPEN_COUNT_FIELDS.some((field) => r[field] !== 0));
    if (rows.length === 0) return null;
    return sql`insert into open_dossier_counts (${sql.raw(NAMES)})
        select ${sql.raw(NAMES)} from ${rowsOf(rows, COLUMNS)}
        on conflict (unit_code, desk_code) do update set ${sql.raw(ADD)}`;
  }
}
