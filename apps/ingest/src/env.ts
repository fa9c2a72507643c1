import type { Database, GroupCommitWriter } from '@motcua/db';
import type { Logger } from '@motcua/service';
import type { DeskKeyCache } from './key-cache.ts';
import type { IngestMetrics } from './metrics.ts';
import type { RateLimiter } from './rate-limit.ts';

/** What handlers get through the Hono context (never through module imports). */
export interface IngestDeps {
  db: Database;
  writer: GroupCommitWriter;
  limiter: RateLimiter;
  log: Logger;
  /** Seconds a client should wait after a 503. */
  retryAfterSeconds: number;
  /** Present when the CLI may run commands through this server; the token guards it. */
  admin?: { token: string; run: AdminRunner };
  /** Valid desk keys held in memory; the app makes its own when absent (`listenIngest` starts it). */
  keys?: DeskKeyCache;
  /** Prometheus metrics served at `/metrics`; the app makes its own when absent. */
  metrics?: IngestMetrics;
  /** Records a key's last use; default: one UPDATE a minute per key (deskKeyUseTracker). */
  onKeyUse?: (prefix: string) => unknown;
}

export interface AuthenticatedKey {
  prefix: string;
  unitCode: string;
  deskCode: string | null;
}

/** Runs a CLI command inside the server process (the embedded database allows one process). */
export type AdminRunner = (argv: string[]) => Promise<{ code: number; output: string }>;

export interface IngestEnv {
  Variables: IngestDeps & { requestId: string; deskKey: AuthenticatedKey; metrics: IngestMetrics };
}
