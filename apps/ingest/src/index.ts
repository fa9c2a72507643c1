export { createApp } from './app.ts';
export { type IngestConfig, loadIngestConfig } from './config.ts';
export type { AdminRunner, IngestDeps } from './env.ts';
export { DeskKeyCache } from './key-cache.ts';
export { createIngestMetrics, type IngestMetrics } from './metrics.ts';
export { RateLimiter } from './rate-limit.ts';
export { listenIngest, type RunningIngest, type StartedIngest, startIngest } from './server.ts';
