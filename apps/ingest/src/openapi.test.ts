import { ingestOpenApi } from '@motcua/contract/openapi';
import type { Database, GroupCommitWriter } from '@motcua/db';
import { createLogger } from '@motcua/service';
import { describe, expect, it } from 'vitest';
import { createApp } from './app.ts';
import { RateLimiter } from './rate-limit.ts';

describe('the ingest serves its OpenAPI document and reference page', () => {
  // These routes never reach the database or the writer: stand-ins that would fail if they did.
  const db = { kind: 'pglite' } as unknown as Database;
  const app = createApp({
    db,
    writer: { pending: 0 } as unknown as GroupCommitWriter,
    limiter: new RateLimiter(0, 1000),
    log: createLogger('silent'),
    retryAfterSeconds: 1,
  });

  it('GET /openapi.json is ingestOpenApi(), without a key', async () => {
    const res = await app.request('/openapi.json');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(res.headers.get('x-request-id')).toBeTruthy();
    const text = await res.text();
    expect(text).toBe(JSON.stringify(ingestOpenApi()));
  });

  it('GET /docs is an HTML page that loads the renderer and the document, under a strict CSP', async () => {
    const res = await app.request('/docs');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/unsafe-eval|https?:/);
    const html = await res.text();
    expect(html).toContain('<title>Một Cửa Live — ingest API</title>');
    const scripts = [...html.matchAll(/<script src="([^"]+)"><\/script>/g)].map((m) => m[1]);
    expect(scripts).toEqual(['/docs/swagger-ui-bundle.js', '/docs/init.js']);
    expect(html).not.toMatch(/<script>|<style|https?:\/\//);

    const bundle = await app.request('/docs/swagger-ui-bundle.js');
    expect(bundle.status).toBe(200);
    expect(bundle.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect((await bundle.arrayBuffer()).byteLength).toBeGreaterThan(500_000);
    const init = await app.request('/docs/init.js');
    expect(await init.text()).toContain('url: "/openapi.json"');
    const css = await app.request('/docs/swagger-ui.css');
    expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8');
  });

  it('other paths under /docs are the usual 404 envelope', async () => {
    for (const path of ['/docs/index.html', '/docs/constructor', '/docs/..%2Fpackage.json', '/docs/x/y']) {
      const res = await app.request(path);
      expect(res.status, path).toBe(404);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('not_found');
    }
  });
});
