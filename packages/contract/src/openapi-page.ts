/**
 * The readable reference page of an OpenAPI document: Swagger UI (`swagger-ui-dist`), served
 * by the service itself from node_modules — no CDN, the services have no internet. The page
 * has no inline script or style element, so it runs under a strict Content-Security-Policy.
 * Node only (reads files); the browser never imports this module.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
const DIST = dirname(require.resolve('swagger-ui-dist/package.json'));

/** The renderer and its version, as the page's generator tag says. */
export const REFERENCE_RENDERER = `swagger-ui-dist ${(require('swagger-ui-dist/package.json') as { version: string }).version}`;

/**
 * What the page needs: its own scripts and stylesheet, the `data:` images of the stylesheet's
 * icons, and requests to this service (the document, "Try it out"). Swagger UI sets element
 * styles through the DOM, which a policy without 'unsafe-inline' allows (tests/e2e/openapi.test.ts
 * opens every operation and schema in Chromium under this policy and expects no violation).
 */
export function referenceCsp(frameAncestors = "'none'"): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    `frame-ancestors ${frameAncestors}`,
  ].join('; ');
}

export interface ReferenceFile {
  body: string | Uint8Array<ArrayBuffer>;
  contentType: string;
}

export interface ReferencePage {
  /** The page's own path (`/docs`, `/api/docs`). */
  path: string;
  html: string;
  /** A file under `{path}/`, or null for any other path. */
  file(path: string): ReferenceFile | null;
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

const cache = new Map<string, Uint8Array<ArrayBuffer>>();
function distFile(name: string): Uint8Array<ArrayBuffer> {
  let body = cache.get(name);
  if (!body) {
    body = readFileSync(join(DIST, name));
    cache.set(name, body);
  }
  return body;
}

/** The page at `path` rendering the document at `specUrl`, with its files under `{path}/`. */
export function referencePage(opts: { path: string; specUrl: string; title: string }): ReferencePage {
  const base = opts.path.replace(/\/$/, '');
  const init = `// Renders ${opts.specUrl} with Swagger UI (${REFERENCE_RENDERER}).
window.addEventListener('load', function () {
  window.ui = SwaggerUIBundle({
    url: ${JSON.stringify(opts.specUrl)},
    dom_id: '#swagger-ui',
    deepLinking: true,
    // No badge that sends the document to an outside validator.
    validatorUrl: null,
    defaultModelsExpandDepth: 0,
    displayRequestDuration: true,
    tryItOutEnabled: false,
  });
});
`;
  const files = new Map<string, () => ReferenceFile>([
    ['swagger-ui.css', () => ({ body: distFile('swagger-ui.css'), contentType: 'text/css; charset=utf-8' })],
    [
      'swagger-ui-bundle.js',
      () => ({ body: distFile('swagger-ui-bundle.js'), contentType: 'text/javascript; charset=utf-8' }),
    ],
    ['favicon-32x32.png', () => ({ body: distFile('favicon-32x32.png'), contentType: 'image/png' })],
    ['init.js', () => ({ body: init, contentType: 'text/javascript; charset=utf-8' })],
  ]);
  const title = escapeHtml(opts.title);
  const html = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <meta name="generator" content="${escapeHtml(REFERENCE_RENDERER)}">
    <title>${title}</title>
    <link rel="stylesheet" href="${base}/swagger-ui.css">
    <link rel="icon" type="image/png" href="${base}/favicon-32x32.png">
  </head>
  <body>
    <div id="swagger-ui"><noscript><p>${title}: this page needs JavaScript. The document itself is <a href="${escapeHtml(opts.specUrl)}">${escapeHtml(opts.specUrl)}</a>.</p></noscript></div>
    <script src="${base}/swagger-ui-bundle.js"></script>
    <script src="${base}/init.js"></script>
  </body>
</html>
`;
  return {
    path: base,
    html,
    file(path) {
      if (!path.startsWith(`${base}/`)) return null;
      return files.get(path.slice(base.length + 1))?.() ?? null;
    },
  };
}
