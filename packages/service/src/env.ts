/**
 * What every service process reads from its environment the same way: the settings both the
 * ingest and the dashboard share, parsed once, and the one way a bad value is reported.
 */
import { z } from 'zod';

/** A bad setting; the message names the variable. Start-up prints it and exits with code 2. */
export class ConfigError extends Error {}

/**
 * Parses the environment with a schema of variable names; blank values count as unset.
 * Throws a ConfigError naming the first wrong variable.
 */
export function parseEnv<S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv): z.infer<S> {
  const blankToUndefined = Object.fromEntries(
    Object.entries(env).map(([k, v]) => [k, v === '' ? undefined : v]),
  );
  const parsed = schema.safeParse(blankToUndefined);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfigError(`${issue.path.join('.')}: ${issue.message}`);
  }
  return parsed.data;
}

export const port = (fallback: number) =>
  z.coerce.number({ error: 'expected a port' }).int().min(0).max(65535).default(fallback);

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const;

/** The variables both services read. */
export const sharedEnvSchema = z.object({
  HOST: z.string().min(1).default('127.0.0.1'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, { error: 'expected a postgres:// URL' })
    .optional(),
  MOTCUA_DATA_DIR: z.string().min(1).optional(),
  LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
});

export interface SharedConfig {
  host: string;
  /** `url` set: that Postgres; unset: the embedded database in `dataDir` (default ./data). */
  database: { url?: string; dataDir?: string };
  logLevel: (typeof LOG_LEVELS)[number];
}

/** The settings both services share. */
export function loadSharedConfig(env: NodeJS.ProcessEnv = process.env): SharedConfig {
  const c = parseEnv(sharedEnvSchema, env);
  return {
    host: c.HOST,
    database: { url: c.DATABASE_URL, dataDir: c.MOTCUA_DATA_DIR },
    logLevel: c.LOG_LEVEL,
  };
}
