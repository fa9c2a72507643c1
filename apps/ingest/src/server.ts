import type { AddressInfo } from 'node:net';
import { type ServerType, serve } from '@hono/node-server';
import type { ValidatedEvent } from '@motcua/contract';
import { type Database, EventMonthKeeper, GroupCommitWriter, type WriteStatus } from '@motcua/db';
import { applyKeepAlive, createLogger } from '@motcua/service';
import { createApp } from './app.ts';
import type { IngestConfig } from './config.ts';
import type { AdminRunner, IngestDeps } from './env.ts';
import { DeskKeyCache } from './key-cache.ts';
import { createIngestMetrics } from './metrics.ts';
import { RateLimiter } from './rate-limit.ts';

export interface RunningIngest {
  port: number;
  server: ServerType;
  /** Stops accepting, answers what is in flight after its flush, closes sockets. */
  close(): Promise<void>;
}

/** After the writer has drained, how long requests still being read or checked get to finish (with a 503). */
const DRAIN_MS = 3000;

/**
 * Node accepts one pending connection per event-loop turn, so under load the kernel can hold
 * completed connections that closing the listener would reset. Turns until one accepts none
 * (for at most a second, should clients keep connecting).
 */
async function acceptQueued(server: ServerType): Promise<void> {
  const end = Date.now() + 1000;
  let accepted = true;
  const onConnection = () => {
    accepted = true;
  };
  server.on('connection', onConnection);
  // The first immediate only ends the current turn; each one after it spans a poll phase.
  await new Promise((r) => setImmediate(r));
  while (accepted && Date.now() < end) {
    accepted = false;
    await new Promise((r) => setImmediate(r));
  }
  server.off('connection', onConnection);
}

/** Serves the ingest app on a port (0 picks a free one). The caller owns db and writer. */
export async function listenIngest(
  deps: IngestDeps,
  opts: { port: number; host: string },
): Promise<RunningIngest> {
  const keys = deps.keys ?? new DeskKeyCache(deps.db);
  await keys.listen();
  const app = createApp({ ...deps, keys });
  let active = 0;
  let closing = false;
  let drained: (() => void) | null = null;
  // Counts requests in progress, so that shutdown waits for them rather than for a fixed time.
  const fetch = async (req: Request, env: unknown) => {
    active++;
    try {
      const res = await app.fetch(req, env);
      // Node keeps a keep-alive socket open after server.close(); this makes it close after the answer.
      if (closing) res.headers.set('Connection', 'close');
      return res;
    } finally {
      if (--active === 0) drained?.();
    }
  };
  return new Promise((resolve, reject) => {
    const server = serve({ fetch, port: opts.port, hostname: opts.host }, (info: AddressInfo) => {
      resolve({
        port: info.port,
        server,
        async close() {
          closing = true;
          // From now on the writer answers 503; what it already holds is flushed and answered.
          const flushed = deps.writer.close();
          await acceptQueued(server);
          // Stops listening and drops idle keep-alive connections.
          const closed = new Promise<void>((r) => server.close(() => r()));
          await flushed;
          // Requests that had not reached the writer get its 503; their sockets close after the answer.
          if (active > 0) {
            await new Promise<void>((r) => {
              drained = r;
              setTimeout(r, DRAIN_MS).unref();
            });
          }
          if ('closeIdleConnections' in server) server.closeIdleConnections();
          // A connection that never sent a request would hold `closed` open.
          const force = setTimeout(
            () => 'closeAllConnections' in server && server.closeAllConnections(),
            1000,
          );
          force.unref();
          await closed;
          clearTimeout(force);
          if (!deps.keys) await keys.close();
        },
      });
    });
    if ('keepAliveTimeout' in server) applyKeepAlive(server);
    server.once('error', reject);
  });
}

export interface StartedIngest extends RunningIngest {
  /** Stores already validated events through the service's writer (the demo's history goes this way). */
  write(events: ValidatedEvent[]): Promise<WriteStatus[]>;
}

/**
 * The ingest service as its config describes it: its writer, rate limiter, log and metrics,
 * listening on `config.port`. The caller owns the database.
 */
export async function startIngest(
  config: IngestConfig,
  opts: {
    db: Database;
    /** Called after each commit with the touched communes (the in-process signal of embedded mode). */
    onCommit?: (units: string[]) => void;
    /** Lets the CLI run its commands inside this process (embedded mode). */
    admin?: { token: string; run: AdminRunner };
    /** Node process metrics at /metrics. */
    processMetrics?: boolean;
    /** The clock that decides which months of `events` are made ahead; tests pass their own. */
    clock?: () => number;
  },
): Promise<StartedIngest> {
  const embedded = opts.db.kind === 'pglite';
  const metrics = createIngestMetrics({ processMetrics: opts.processMetrics });
  const log = createLogger(config.logLevel, { service: 'ingest' });
  // The partitions of this month and the next two exist before an event needs them (a month's
  // first event would otherwise wait for its partition to be made, under a lock on `events`).
  const months = new EventMonthKeeper(opts.db, {
    clock: opts.clock,
    onError: (err) =>
      log.error('making the months of events ahead failed', { error: (err as Error).message }),
  });
  await months.start();
  const writer = new GroupCommitWriter(opts.db, {
    maxBatch: config.writerMaxBatch,
    maxInFlight: embedded ? 1 : config.writerMaxInFlight,
    notify: !embedded,
    onCommit: opts.onCommit,
    onFlush: metrics.observeFlush,
    calendar: config.calendar,
  });
  const running = await listenIngest(
    {
      db: opts.db,
      writer,
      limiter: new RateLimiter(config.rateLimit.eventsPerSecond, config.rateLimit.burst),
      log,
      retryAfterSeconds: config.retryAfterSeconds,
      metrics,
      admin: opts.admin,
    },
    { port: config.port, host: config.host },
  );
  return {
    ...running,
    async close() {
      months.stop();
      await running.close();
    },
    write: (events) => writer.write(events),
  };
}
