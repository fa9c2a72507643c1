import { DAY, localDateString } from '@motcua/metrics';
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

/** `YYYY-MM`, the local month (UTC+7) containing `ms`. */
export function localMonthOf(ms: number): string {
  return localDateString(ms).slice(0, 7);
}

/** `YYYY-MM` of the month `n` after `month` (`n` may be negative). */
export function addMonths(month: string, n: number): string {
  const [y, m] = month.split('-').map(Number);
  const index = y * 12 + (m - 1) + n;
  return `${String(Math.floor(index / 12)).padStart(4, '0')}-${String((index % 12) + 1).padStart(2, '0')}`;
}

/** The partition holding month `YYYY-MM`. */
export function partitionOf(month: string): string {
  return `events_${month.replace('-', '_')}`;
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

/** Makes the partitions of these months (`YYYY-MM`) unless this process knows they are there. */
async function ensureMonths(db: Database, months: Iterable<string>): Promise<void> {
  const seen = knownOf(db);
  for (const month of months) {
    if (seen.has(month)) continue;
    await db.query(sql`select motcua_event_month(${`${month}-01`}::date)`);
    seen.add(month);
  }
}

/**
 * The partitions of the current local month of `now` and the `monthsAhead` after it; idempotent.
 * Run at ingest start and daily, so the month live events need exists before its first minute
 * (a desk's clock may run 5 minutes ahead, past midnight of the 1st).
 */
export async function ensureEventMonths(db: Database, now: number, monthsAhead: number): Promise<string[]> {
  const first = localMonthOf(now);
  const months = Array.from({ length: monthsAhead + 1 }, (_, i) => addMonths(first, i));
  await ensureMonths(db, months);
  return months;
}

/**
 * Postgres' error for a row no partition accepts (SQLSTATE 23514 is any check violation, hence
 * the message too), also when wrapped (drizzle's query error keeps the driver's as `cause`).
 */
function isNoPartition(err: unknown): boolean {
  for (
    let e = err as { code?: string; message?: string; cause?: unknown } | undefined;
    e;
    e = e.cause as typeof e
  ) {
    if (e.code === '23514' && /no partition of relation/.test(e.message ?? '')) return true;
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
  const months = new Set<string>();
  for (const t of times) months.add(localMonthOf(t));
  await ensureMonths(db, months);
  try {
    return await write();
  } catch (err) {
    if (!isNoPartition(err)) throw err;
    const seen = knownOf(db);
    for (const m of months) seen.delete(m);
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

const PARTITION_NAME = /^events_(\d{4})_(\d{2})$/;

/** The month partitions of `events`, and any month table detached from it, oldest first. */
export async function listEventMonths(db: Database): Promise<EventMonth[]> {
  const tables = await db.query<{ name: string; attached: boolean }>(
    sql`select c.relname as name, coalesce(i.inhparent = 'events'::regclass, false) as attached
      from pg_class c left join pg_inherits i on i.inhrelid = c.oid
      where c.relkind = 'r' and c.relname ~ '^events_[0-9]{4}_[0-9]{2}$'
        and c.relnamespace = (select relnamespace from pg_class where oid = 'events'::regclass)
      order by c.relname`,
  );
  const out: EventMonth[] = [];
  for (const t of tables) {
    const [, y, m] = PARTITION_NAME.exec(t.name) as RegExpExecArray;
    const [{ n }] = await db.query<{ n: number | string }>(
      sql`select count(*) as n from ${sql.identifier(t.name)}`,
    );
    out.push({
      month: `${y}-${m}`,
      partition: t.name,
      state: t.attached ? 'attached' : 'detached',
      rows: Number(n),
    });
  }
  return out;
}
