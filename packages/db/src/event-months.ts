import { DAY, TZ_OFFSET_MS } from '@motcua/metrics';
import { sql } from 'drizzle-orm';
import type { Database } from './client.ts';

/**
 * `events` has one partition per local month and no default partition (migration 0012). The
 * months are made ahead by `ensureEventMonths` (at ingest start and daily), and any other month
 * an event needs (a late or imported event of years ago) on demand by `withEventMonths` before
 * the write. Making a partition takes an ACCESS EXCLUSIVE lock on `events` for a moment, which
 * waits for writes in flight: so it happens outside the write's transaction, and ahead of time
 * for the months the live desks write.
 */

/**
 * `YYYY-MM`, the local month (UTC+7) containing `ms`, years as JavaScript counts them
 * (astronomical: `0000` is 1 BC, `-0001` 2 BC; the contract accepts any past time).
 */
export function localMonthOf(ms: number): string {
  const d = new Date(ms + TZ_OFFSET_MS);
  const y = d.getUTCFullYear();
  const year = `${y < 0 ? '-' : ''}${String(Math.abs(y)).padStart(4, '0')}`;
  return `${year}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
}

/** `YYYY-MM` of the month `n` after `month` (`n` may be negative). */
export function addMonths(month: string, n: number): string {
  const { y, m } = parseMonth(month);
  const index = y * 12 + (m - 1) + n;
  return localMonthOf(monthStart(Math.floor(index / 12), (((index % 12) + 12) % 12) + 1));
}

/** Epoch ms of local midnight of the 1st of `month` (`YYYY-MM`). */
export function monthStartOf(month: string): number {
  const { y, m } = parseMonth(month);
  return monthStart(y, m);
}

function parseMonth(month: string): { y: number; m: number } {
  const match = /^(-?\d{4,})-(\d{2})$/.exec(month);
  if (!match) throw new RangeError(`not a month: ${month}`);
  return { y: Number(match[1]), m: Number(match[2]) };
}

/** Epoch ms of local midnight of the 1st of month `m` (1–12) of year `y` (any year). */
function monthStart(y: number, m: number): number {
  const d = new Date(0);
  d.setUTCFullYear(y, m - 1, 1);
  return d.getTime() - TZ_OFFSET_MS;
}

/** Months whose partition this process has made or seen, per database. */
const known = new WeakMap<Database, Set<string>>();

function knownOf(db: Database): Set<string> {
  let set = known.get(db);
  if (!set) {
    set = new Set();
    known.set(db, set);
  }
  return set;
}

/**
 * Makes the partitions of these months unless this process knows they are there: `months` maps
 * a month (`localMonthOf`) to an instant in it, from which the database takes the month
 * (`motcua_event_month`, the one definition of a month's bounds and name).
 */
async function ensureMonths(db: Database, months: Map<string, number>): Promise<void> {
  const seen = knownOf(db);
  for (const [month, at] of months) {
    if (seen.has(month)) continue;
    await db.query(
      sql`select motcua_event_month((to_timestamp(${at / 1000}::float8) at time zone 'UTC' + interval '7 hours')::date)`,
    );
    seen.add(month);
  }
}

/** Each month of `times` (epoch ms) with one instant in it. */
function monthsOf(times: Iterable<number>): Map<string, number> {
  const months = new Map<string, number>();
  for (const t of times) {
    const month = localMonthOf(t);
    if (!months.has(month)) months.set(month, t);
  }
  return months;
}

/**
 * The partitions of the current local month of `now` and the `monthsAhead` after it; idempotent.
 * Run at ingest start and daily, so the month live events need exists before its first minute
 * (a desk's clock may run 5 minutes ahead, past midnight of the 1st).
 */
export async function ensureEventMonths(db: Database, now: number, monthsAhead: number): Promise<string[]> {
  const first = localMonthOf(now);
  const months = Array.from({ length: monthsAhead + 1 }, (_, i) => addMonths(first, i));
  await ensureMonths(db, new Map(months.map((m) => [m, monthStartOf(m)])));
  return months;
}

/**
 * Postgres' error for a row no partition accepts, also when wrapped (drizzle's query error keeps
 * the driver's as `cause`). SQLSTATE 23514 is any check violation, hence the routine that raised
 * it (both drivers report it; the message may be translated) or, failing that, the message.
 */
function isNoPartition(err: unknown): boolean {
  type PgError = { code?: string; routine?: string; message?: string; cause?: unknown };
  for (let e = err as PgError | undefined; e; e = e.cause as PgError | undefined) {
    if (e.code !== '23514') continue;
    if (e.routine === 'ExecFindPartition' || /no partition of relation/.test(e.message ?? '')) return true;
  }
  return false;
}

/**
 * Runs `write` (which stores events of these `times`, epoch ms) once every month it needs has
 * its partition. What this process remembers may be stale (another process archived a month
 * since): a write refused for want of a partition is retried once after making the months
 * again without the memory. `write` must be a whole transaction, so that the retry is clean.
 */
export async function withEventMonths<T>(
  db: Database,
  times: Iterable<number>,
  write: () => Promise<T>,
): Promise<T> {
  const months = monthsOf(times);
  await ensureMonths(db, months);
  try {
    return await write();
  } catch (err) {
    if (!isNoPartition(err)) throw err;
    const seen = knownOf(db);
    for (const m of months.keys()) seen.delete(m);
    await ensureMonths(db, months);
    return write();
  }
}

/** Forgets what this process knows of the partitions (after archiving months). */
export function forgetEventMonths(db: Database): void {
  known.delete(db);
}

/** Makes the months ahead at start and then every day by `clock`; `stop` ends it. */
export class EventMonthKeeper {
  #timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly db: Database,
    private readonly opts: {
      /** Epoch ms now; tests pass their own. */
      clock?: () => number;
      /** Months after the current one kept made; default 2. */
      monthsAhead?: number;
      /** Between two passes; default a day. */
      everyMs?: number;
      onError?: (err: unknown) => void;
    } = {},
  ) {}

  /** One pass: the current month and the months ahead, by the clock. */
  tick(): Promise<string[]> {
    return ensureEventMonths(this.db, (this.opts.clock ?? Date.now)(), this.opts.monthsAhead ?? 2);
  }

  /** A first pass (awaited: the ingest does not take events before it), then one a day. */
  async start(): Promise<void> {
    await this.tick();
    this.#timer = setInterval(() => {
      this.tick().catch((err) => this.opts.onError?.(err));
    }, this.opts.everyMs ?? DAY);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
  }
}

export interface EventMonth {
  /** `YYYY-MM`, local. */
  month: string;
  partition: string;
  /** `attached` holds the month's rows in `events`; `detached` is an archive stopped before its drop. */
  state: 'attached' | 'detached';
  /** Counted (exact), so a few seconds for a national month. */
  rows: number;
}

/** `events_2026_03`; before the year 1 `events_bc0001_12` (December 1 BC, year `0000` here). */
const PARTITION_NAME = /^events_(bc)?(\d{4})_(\d{2})$/;

/** The month partitions of `events`, and any month table detached from it, oldest first. */
export async function listEventMonths(db: Database): Promise<EventMonth[]> {
  const tables = await db.query<{ name: string; attached: boolean }>(
    sql`select c.relname as name, coalesce(i.inhparent = 'events'::regclass, false) as attached
      from pg_class c left join pg_inherits i on i.inhrelid = c.oid
      where c.relkind = 'r' and c.relname ~ '^events_(bc)?[0-9]{4}_[0-9]{2}$'
        and c.relnamespace = (select relnamespace from pg_class where oid = 'events'::regclass)
`,
  );
  const out: EventMonth[] = [];
  for (const t of tables) {
    const [, bc, y, m] = PARTITION_NAME.exec(t.name) as RegExpExecArray;
    const [{ n }] = await db.query<{ n: number | string }>(
      sql`select count(*) as n from ${sql.identifier(t.name)}`,
    );
    out.push({
      month: localMonthOf(monthStart(bc ? 1 - Number(y) : Number(y), Number(m))),
      partition: t.name,
      state: t.attached ? 'attached' : 'detached',
      rows: Number(n),
    });
  }
  return out.sort((a, b) => monthStartOf(a.month) - monthStartOf(b.month));
}
