import type { ValidatedEvent } from '@motcua/contract';
import { type WorkCalendar, type WorkingDeadline, workingDeadline } from '@motcua/metrics';
import type { Database, Executor } from './client.ts';
import { isConnectionError } from './errors.ts';
import { type WriteStatus, writeBatch } from './write.ts';

interface Pending {
  events: ValidatedEvent[];
  resolve: (statuses: WriteStatus[]) => void;
  reject: (err: unknown) => void;
}

/** The database could not be reached: nothing of the flush was stored. */
export class DatabaseUnavailableError extends Error {}
/** The writer is shutting down and takes no new work. */
export class WriterClosedError extends Error {}

const RETRYABLE = new Set(['40P01', '40001']);
const isRetryable = (err: unknown) => RETRYABLE.has((err as { code?: string })?.code ?? '');

export interface WriterOptions {
  /** Most events in one transaction. */
  maxBatch?: number;
  /** Send NOTIFY on commit (server mode, for dashboards in other processes). */
  notify?: boolean;
  /** Called after each commit with the touched commune codes (the in-process signal). */
  onCommit?: (units: string[]) => void;
  onFlush?: (events: number, ms: number) => void;
  /** Flushes running at once; default 2 on Postgres, 1 on the embedded database. */
  maxInFlight?: number;
  /** The working-day calendar petition deadlines are counted on; default: the built-in one. */
  calendar?: WorkCalendar;
  /** The time a flush is stamped with as its arrival (desk health); default: Date.now. */
  now?: () => number;
}

/**
 * postgres.js 3.4.9 crashes the process when a transaction's connection drops: once the body
 * rejects, begin() writes ROLLBACK to the dead socket from a setImmediate, where no catch can
 * reach the TypeError (porsager/postgres#1154, #1208; fix #1209 not released), and a connection
 * that survives it never flushes a write again. So after a connection error the body never
 * settles and no ROLLBACK is written: begin() rejects by itself, as it races the connection's
 * close, and the server rolls back what a dead connection left open. Should the connection
 * somehow live on, the flush still fails after DROP_GRACE_MS. Drop this once the driver is fixed.
 */
const DROP_GRACE_MS = 10_000;

function withoutRollbackOnDrop(db: Database): Database {
  if (db.kind !== 'postgres') return db;
  return {
    ...db,
    transaction<T>(fn: (tx: Executor) => Promise<T>) {
      let lost: (err: unknown) => void = () => {};
      const dropped = new Promise<never>((_, reject) => {
        lost = reject;
      });
      const run = db.transaction(async (tx) => {
        try {
          return await fn(tx);
        } catch (err) {
          if (!isConnectionError(err)) throw err;
          setTimeout(() => lost(err), DROP_GRACE_MS).unref();
          return new Promise<never>(() => {});
        }
      });
      return Promise.race([run, dropped]);
    },
  };
}

/**
 * Group commit: requests that arrive while a flush runs wait and are written together in
 * the next transaction. Each caller's promise settles only after its events are committed.
 * On Postgres two flushes run at once by default (one fills while the other commits, so the
 * round trips overlap); the embedded database has one connection, so one.
 */
export class GroupCommitWriter {
  readonly #queue: Pending[] = [];
  readonly #knownDesks = new Set<string>();
  readonly #writeDb: Database;
  readonly #maxInFlight: number;
  readonly #deadline: WorkingDeadline | undefined;
  #inFlight = 0;
  #idle: (() => void)[] = [];
  #closed = false;

  constructor(
    readonly db: Database,
    readonly options: WriterOptions = {},
  ) {
    this.#writeDb = withoutRollbackOnDrop(db);
    this.#maxInFlight = options.maxInFlight ?? (db.kind === 'postgres' ? 2 : 1);
    this.#deadline = options.calendar && workingDeadline(options.calendar);
  }

  /** Stores the events; resolves with a status per event once committed. */
  write(events: ValidatedEvent[]): Promise<WriteStatus[]> {
    if (this.#closed) return Promise.reject(new WriterClosedError('the ingest is shutting down'));
    if (events.length === 0) return Promise.resolve([]);
    return new Promise((resolve, reject) => {
      this.#queue.push({ events, resolve, reject });
      this.#startFlushes();
    });
  }

  get pending(): number {
    return this.#queue.length;
  }

  /** Stops taking work and waits until everything queued has been flushed and answered. */
  async close(): Promise<void> {
    this.#closed = true;
    while (this.#inFlight > 0 || this.#queue.length > 0) {
      await new Promise<void>((resolve) => this.#idle.push(resolve));
    }
  }

  /** Starts flushes while there is work and a free slot; each finished flush calls it again. */
  #startFlushes(): void {
    const max = this.options.maxBatch ?? 5000;
    while (this.#inFlight < this.#maxInFlight && this.#queue.length > 0) {
      const group: Pending[] = [];
      let size = 0;
      while (this.#queue.length > 0 && (group.length === 0 || size + this.#queue[0].events.length <= max)) {
        const next = this.#queue.shift() as Pending;
        group.push(next);
        size += next.events.length;
      }
      this.#inFlight++;
      void this.#flush(group).finally(() => {
        this.#inFlight--;
        this.#startFlushes();
        if (this.#inFlight === 0 && this.#queue.length === 0) {
          for (const resolve of this.#idle.splice(0)) resolve();
        }
      });
    }
  }

  async #flush(group: Pending[]): Promise<void> {
    const all = group.flatMap((p) => p.events);
    const started = performance.now();
    let result: Awaited<ReturnType<typeof writeBatch>>;
    try {
      result = await this.#writeWithRetry(all);
    } catch (err) {
      if (isConnectionError(err)) {
        const unavailable = new DatabaseUnavailableError('database unavailable');
        for (const p of group) p.reject(unavailable);
      } else if (group.length > 1) {
        // One request's poison must not fail the others: write them one by one.
        for (const p of group) await this.#flush([p]);
      } else {
        group[0].reject(err);
      }
      return;
    }
    this.options.onFlush?.(all.length, performance.now() - started);
    let offset = 0;
    for (const p of group) {
      p.resolve(result.statuses.slice(offset, offset + p.events.length));
      offset += p.events.length;
    }
    if (result.units.length > 0) this.options.onCommit?.(result.units);
  }

  async #writeWithRetry(events: ValidatedEvent[]) {
    for (let attempt = 1; ; attempt++) {
      try {
        return await writeBatch(this.#writeDb, events, {
          knownDesks: this.#knownDesks,
          notify: this.options.notify,
          deadline: this.#deadline,
          receivedAt: this.options.now?.(),
        });
      } catch (err) {
        if (!isRetryable(err) || attempt >= 5) throw err;
      }
    }
  }
}
