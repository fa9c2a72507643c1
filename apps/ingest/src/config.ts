import { z } from 'zod';

const port = (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback);
const positive = (fallback: number) => z.coerce.number().min(0).default(fallback);

const schema = z.object({
  INGEST_PORT: port(8787),
  HOST: z.string().min(1).default('127.0.0.1'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, { error: 'expected a postgres:// URL' })
    .optional(),
  MOTCUA_DATA_DIR: z.string().min(1).optional(),
  RATE_LIMIT_EVENTS_PER_SEC: positive(2000),
  RATE_LIMIT_BURST: positive(5000),
  RETRY_AFTER_SECONDS: z.coerce.number().int().min(1).max(3600).default(2),
  WRITER_MAX_BATCH: z.coerce.number().int().min(1).max(100_000).default(5000),
  WRITER_MAX_IN_FLIGHT: z.coerce.number().int().min(1).max(32).optional(),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
});

export interface IngestConfig {
  port: number;
  host: string;
  database: { url?: string; dataDir?: string };
  rateLimit: { eventsPerSecond: number; burst: number };
  retryAfterSeconds: number;
  writerMaxBatch: number;
  /** Flushes at once; unset: 2 on Postgres, 1 embedded. */
  writerMaxInFlight?: number;
  logLevel: z.infer<typeof schema>['LOG_LEVEL'];
}

export class ConfigError extends Error {}

/** Reads the ingest's settings from the environment once; throws a ConfigError naming the variable. */
export function loadIngestConfig(env: NodeJS.ProcessEnv = process.env): IngestConfig {
  const blankToUndefined = Object.fromEntries(
    Object.entries(env).map(([k, v]) => [k, v === '' ? undefined : v]),
  );
  const parsed = schema.safeParse(blankToUndefined);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfigError(`${issue.path.join('.')}: ${issue.message}`);
  }
  const c = parsed.data;
  return {
    port: c.INGEST_PORT,
    host: c.HOST,
    database: { url: c.DATABASE_URL, dataDir: c.MOTCUA_DATA_DIR },
    rateLimit: { eventsPerSecond: c.RATE_LIMIT_EVENTS_PER_SEC, burst: Math.max(c.RATE_LIMIT_BURST, 1000) },
    retryAfterSeconds: c.RETRY_AFTER_SECONDS,
    writerMaxBatch: c.WRITER_MAX_BATCH,
    writerMaxInFlight: c.WRITER_MAX_IN_FLIGHT,
    logLevel: c.LOG_LEVEL,
  };
}
