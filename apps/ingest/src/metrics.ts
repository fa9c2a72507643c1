import type { Database } from '@motcua/db';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/**
 * The ingest's Prometheus metrics, in a Registry of its own: `npm start` runs the dashboard
 * in the same process with another one, so nothing goes to prom-client's global registry.
 */
export interface IngestMetrics {
  readonly registry: Registry;
  readonly accepted: Counter;
  readonly duplicates: Counter;
  readonly rejected: Counter<'reason'>;
  readonly requests: Counter<'status'>;
  /** For the writer's `onFlush` option. */
  observeFlush(events: number, ms: number): void;
  /** Points the queue-depth and pool gauges at the app's writer and database. */
  watch(deps: { writer: { pending: number }; db: Database }): void;
}

/** The pool size the database was opened with: postgres.js `max`, 1 for embedded PGlite. */
function poolMax(db: Database): number {
  if (db.kind === 'pglite') return 1;
  const client = (db.orm as unknown as { $client?: { options?: { max?: number } } }).$client;
  return client?.options?.max ?? Number.NaN;
}

export function createIngestMetrics(opts: { processMetrics?: boolean } = {}): IngestMetrics {
  const registry = new Registry();
  const registers = [registry];
  // Off by default: each call starts an event-loop monitor, and tests build many apps.
  if (opts.processMetrics) collectDefaultMetrics({ register: registry });

  let watched: { writer: { pending: number }; db: Database } | null = null;
  const accepted = new Counter({
    name: 'motcua_ingest_events_accepted_total',
    help: 'Events committed for the first time',
    registers,
  });
  const duplicates = new Counter({
    name: 'motcua_ingest_events_duplicate_total',
    help: 'Events whose (source, id) had been accepted before',
    registers,
  });
  const rejected = new Counter({
    name: 'motcua_ingest_events_rejected_total',
    // Per event: a refused 1,000-event batch counts 1,000. Bodies that do not parse have no
    // events; they show in http_requests_total by status.
    help: 'Events refused, by reason: invalid_event, forbidden_source, rate_limited, unavailable',
    labelNames: ['reason'] as const,
    registers,
  });
  const requests = new Counter({
    name: 'motcua_ingest_http_requests_total',
    help: 'HTTP requests answered, by status code',
    labelNames: ['status'] as const,
    registers,
  });
  const flushEvents = new Histogram({
    name: 'motcua_ingest_flush_events',
    help: 'Events written per group-commit transaction',
    buckets: [1, 5, 10, 50, 100, 500, 1000, 2500, 5000],
    registers,
  });
  const flushSeconds = new Histogram({
    name: 'motcua_ingest_flush_seconds',
    help: 'Duration of a group-commit transaction',
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers,
  });
  new Gauge({
    name: 'motcua_ingest_writer_queue_depth',
    help: 'Requests waiting for the next group commit',
    registers,
    collect() {
      this.set(watched?.writer.pending ?? 0);
    },
  });
  new Gauge({
    name: 'motcua_ingest_db_pool_max',
    help: 'Database connections the ingest may open (1 for the embedded database)',
    labelNames: ['kind'] as const,
    registers,
    collect() {
      this.reset();
      if (watched) this.set({ kind: watched.db.kind }, poolMax(watched.db));
    },
  });
  for (const reason of ['invalid_event', 'forbidden_source']) rejected.inc({ reason }, 0);

  return {
    registry,
    accepted,
    duplicates,
    rejected,
    requests,
    observeFlush(n, ms) {
      flushEvents.observe(n);
      flushSeconds.observe(ms / 1000);
    },
    watch(deps) {
      watched = deps;
    },
  };
}
