import type { WorkCalendar } from '@motcua/metrics';
import { loadSharedConfig, loadWorkCalendar, parseEnv, port, type SharedConfig } from '@motcua/service';
import { z } from 'zod';

const positive = (fallback: number) => z.coerce.number().min(0).default(fallback);

/** The ingest's own variables; HOST, DATABASE_URL and the rest are shared (@motcua/service). */
const schema = z.object({
  INGEST_PORT: port(8787),
  RATE_LIMIT_EVENTS_PER_SEC: positive(2000),
  RATE_LIMIT_BURST: positive(5000),
  RETRY_AFTER_SECONDS: z.coerce.number().int().min(1).max(3600).default(2),
  WRITER_MAX_BATCH: z.coerce.number().int().min(1).max(100_000).default(5000),
  WRITER_MAX_IN_FLIGHT: z.coerce.number().int().min(1).max(32).optional(),
});

export interface IngestConfig extends SharedConfig {
  port: number;
  rateLimit: { eventsPerSecond: number; burst: number };
  retryAfterSeconds: number;
  writerMaxBatch: number;
  /** Flushes at once; unset: 2 on Postgres, 1 embedded. */
  writerMaxInFlight?: number;
  /** Working days for petition deadlines (built in, corrected by MOTCUA_CALENDAR_FILE). */
  calendar: WorkCalendar;
}

/** Reads the ingest's settings from the environment once; throws a ConfigError naming the variable. */
export function loadIngestConfig(env: NodeJS.ProcessEnv = process.env): IngestConfig {
  const shared = loadSharedConfig(env);
  const c = parseEnv(schema, env);
  return {
    ...shared,
    port: c.INGEST_PORT,
    rateLimit: { eventsPerSecond: c.RATE_LIMIT_EVENTS_PER_SEC, burst: Math.max(c.RATE_LIMIT_BURST, 1000) },
    retryAfterSeconds: c.RETRY_AFTER_SECONDS,
    writerMaxBatch: c.WRITER_MAX_BATCH,
    writerMaxInFlight: c.WRITER_MAX_IN_FLIGHT,
    calendar: loadWorkCalendar(env),
  };
}
