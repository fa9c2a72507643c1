import { ingestOpenApi } from '@motcua/contract/openapi';
import { referenceCsp, referencePage } from '@motcua/contract/openapi-page';
import type { Hono } from 'hono';
import type { IngestEnv } from '../env.ts';

let documentJson: string | null = null;
/** The document, generated once per process on first use. */
const document = () => {
  documentJson ??= JSON.stringify(ingestOpenApi());
  return documentJson;
};

const page = referencePage({ path: '/docs', specUrl: '/openapi.json', title: 'Một Cửa Live — ingest API' });

/**
 * `GET /openapi.json` (the OpenAPI 3.1 document of this API) and `GET /docs` (its reference
 * page, with its files under `/docs/`). Public, like `/healthz`: no secrets in them.
 */
export function openApiRoutes(app: Hono<IngestEnv>): void {
  app.get('/openapi.json', (c) => {
    c.header('Content-Type', 'application/json; charset=utf-8');
    c.header('Cache-Control', 'no-cache');
    return c.body(document());
  });
  app.get(page.path, (c) => {
    c.header('Content-Security-Policy', referenceCsp());
    c.header('Cache-Control', 'no-cache');
    return c.html(page.html);
  });
  app.get(`${page.path}/:file`, (c) => {
    const file = page.file(c.req.path);
    if (!file) return c.notFound();
    c.header('Content-Type', file.contentType);
    c.header('Cache-Control', 'public, max-age=3600');
    c.header('X-Content-Type-Options', 'nosniff');
    return c.body(file.body);
  });
}
