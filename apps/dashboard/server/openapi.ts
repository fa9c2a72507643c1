import type { IncomingMessage, ServerResponse } from 'node:http';
import { dashboardOpenApi } from '@motcua/contract/openapi';
import { referenceCsp, referencePage } from '@motcua/contract/openapi-page';

let documentJson: string | null = null;
/** The document, generated once per process on first use. */
const document = () => {
  documentJson ??= JSON.stringify(dashboardOpenApi());
  return documentJson;
};

const page = referencePage({ path: '/api/docs', specUrl: '/openapi.json', title: 'Một Cửa Live — read API' });

/**
 * Answers `GET /openapi.json` (the read API's OpenAPI 3.1 document) and `GET /api/docs` (its
 * reference page, with its files under `/api/docs/`) ahead of SvelteKit, whose page policy
 * (nonces for its own scripts) would not let the renderer run; false for anything else.
 * Public, like `/healthz`: no secrets in them. `frameAncestors` is the dashboard's setting.
 */
export function serveOpenApi(req: IncomingMessage, res: ServerResponse, frameAncestors: string): boolean {
  if (req.method !== 'GET' && req.method !== 'HEAD') return false;
  const path = (req.url ?? '').split('?')[0];
  const headers: Record<string, string> = {
    'Referrer-Policy': 'no-referrer',
    'Cross-Origin-Opener-Policy': 'same-origin',
  };
  if (frameAncestors === "'none'") headers['X-Frame-Options'] = 'DENY';
  let body: string | Uint8Array;
  if (path === '/openapi.json') {
    body = document();
    headers['Content-Type'] = 'application/json; charset=utf-8';
    headers['Cache-Control'] = 'no-cache';
    headers['Content-Security-Policy'] = `default-src 'none'; frame-ancestors ${frameAncestors}`;
  } else if (path === page.path) {
    body = page.html;
    headers['Content-Type'] = 'text/html; charset=utf-8';
    headers['Cache-Control'] = 'no-cache';
    headers['Content-Security-Policy'] = referenceCsp(frameAncestors);
  } else {
    const file = page.file(path);
    if (!file) return false;
    body = file.body;
    headers['Content-Type'] = file.contentType;
    headers['Cache-Control'] = 'public, max-age=3600';
    headers['Content-Security-Policy'] = `default-src 'none'; frame-ancestors ${frameAncestors}`;
  }
  headers['Content-Length'] = String(typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength);
  res.writeHead(200, headers);
  res.end(req.method === 'HEAD' ? undefined : body);
  return true;
}
