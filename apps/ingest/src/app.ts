import { randomUUID, timingSafeEqual } from 'node:crypto';
import { isConnectionError } from '@motcua/db';
import { Hono } from 'hono';
import type { IngestDeps, IngestEnv } from './env.ts';
import { ApiError, errorBody, onError } from './errors.ts';
import { DeskKeyCache } from './key-cache.ts';
import { createIngestMetrics } from './metrics.ts';
import { postEvents } from './routes/events/post.ts';

const bearer = (header: string | undefined) => /^Bearer\s+(\S+)\s*$/i.exec(header ?? '')?.[1] ?? null;

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

  app.use(async (c, next) => {
    const incoming = c.req.header('x-request-id');
    const requestId = incoming && /^[\w.-]{1,64}$/.test(incoming) ? incoming : randomUUID();
    c.set('requestId', requestId);
    for (const [k, v] of Object.entries(deps)) c.set(k as keyof IngestDeps, v as never);
    c.set('keys', keys);
    c.set('metrics', metrics);
    c.header('X-Request-Id', requestId);
    await next();
    metrics.requests.inc({ status: String(c.res.status) });
  });

  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  app.get('/readyz', async (c) => {
    try {
      await Promise.race([
        deps.db.ping(),
        new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), 2000).unref()),
      ]);
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

  app.use('/v1/*', async (c, next) => {
    const token = bearer(c.req.header('authorization'));
    if (!token) throw new ApiError('unauthorized', 'Authorization: expected "Bearer <desk key>"');
    let check: Awaited<ReturnType<DeskKeyCache['verify']>>;
    try {
      check = await keys.verify(token);
    } catch (err) {
      if (!isConnectionError(err)) throw err;
      throw new ApiError('unavailable', 'database unavailable', {
        'Retry-After': String(deps.retryAfterSeconds),
      });
    }
    if (!check.ok && check.reason === 'revoked')
      throw new ApiError('forbidden', 'Authorization: this key was revoked');
    if (!check.ok) throw new ApiError('unauthorized', 'Authorization: unknown desk key');
    c.set('deskKey', {
      prefix: check.key.prefix,
      unitCode: check.key.unitCode,
      deskCode: check.key.deskCode,
    });
    await next();
  });
  app.post('/v1/events', postEvents);
  app.get('/v1/whoami', (c) => {
    const key = c.get('deskKey');
    return c.json({ unit: key.unitCode, desk: key.deskCode, prefix: key.prefix });
  });

  if (deps.admin) {
    const admin = deps.admin;
    app.post('/admin/cli', async (c) => {
      const token = bearer(c.req.header('authorization'));
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
