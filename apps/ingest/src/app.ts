import { timingSafeEqual } from 'node:crypto';
import { ApiError, errorBody } from '@motcua/contract';
import { deskKeyUseTracker } from '@motcua/db';
import { Hono } from 'hono';
import type { IngestDeps, IngestEnv } from './env.ts';
import { onError } from './errors.ts';
import { DeskKeyCache } from './key-cache.ts';
import { createIngestMetrics } from './metrics.ts';
import { bearerToken, deskKeyAuth } from './middleware/desk-key.ts';
import { requestId } from './middleware/request-id.ts';
import { postEvents } from './routes/events/post.ts';
import { openApiRoutes } from './routes/openapi.ts';

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** The ingest API as a Hono app; `server.ts` gives it a socket. */
export function createApp(deps: IngestDeps) {
  const app = new Hono<IngestEnv>();
  const metrics = deps.metrics ?? createIngestMetrics();
  const keys = deps.keys ?? new DeskKeyCache(deps.db);
  metrics.watch({ writer: deps.writer, db: deps.db });

  app.use(requestId());
  app.use(async (c, next) => {
    for (const [k, v] of Object.entries(deps)) c.set(k as keyof IngestDeps, v as never);
    c.set('keys', keys);
    c.set('metrics', metrics);
    await next();
    metrics.requests.inc({ status: String(c.res.status) });
  });

  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  app.get('/readyz', async (c) => {
    try {
      await deps.db.ping();
      return c.json({ status: 'ready' });
    } catch {
      c.header('Retry-After', String(deps.retryAfterSeconds));
      return c.json(errorBody('unavailable', 'database unreachable', c.get('requestId')), 503);
    }
  });

  // Unauthenticated, like /healthz: the service binds 127.0.0.1 unless HOST says otherwise,
  // so only the machine (or a scraper the operator lets in) reaches it. No secrets in it.
  app.get('/metrics', async (c) => {
    c.header('Content-Type', metrics.registry.contentType);
    c.header('Cache-Control', 'no-store');
    return c.body(await metrics.registry.metrics());
  });

  // The OpenAPI document and its reference page: public, like /healthz (no secrets in them).
  openApiRoutes(app);

  app.use('/v1/*', deskKeyAuth(keys, deps.retryAfterSeconds, deps.onKeyUse ?? deskKeyUseTracker(deps.db)));
  app.post('/v1/events', postEvents);
  app.get('/v1/whoami', (c) => {
    const key = c.get('deskKey');
    return c.json({ unit: key.unitCode, desk: key.deskCode, prefix: key.prefix });
  });

  if (deps.admin) {
    const admin = deps.admin;
    app.post('/admin/cli', async (c) => {
      const token = bearerToken(c.req.header('authorization'));
      if (!token || !sameSecret(token, admin.token))
        throw new ApiError('unauthorized', 'Authorization: admin token');
      const body = (await c.req.json().catch(() => null)) as { argv?: unknown } | null;
      const argv = body?.argv;
      if (!Array.isArray(argv) || !argv.every((a) => typeof a === 'string')) {
        throw new ApiError('malformed', 'argv: expected an array of strings');
      }
      return c.json(await admin.run(argv));
    });
  }

  app.notFound((c) =>
    c.json(
      errorBody('not_found', `${c.req.method} ${c.req.path}: no such endpoint`, c.get('requestId')),
      404,
    ),
  );
  app.onError(onError);
  return app;
}
