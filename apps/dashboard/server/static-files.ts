import { existsSync, readdirSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join, relative, sep } from 'node:path';
import type { Readable } from 'node:stream';

type NodeHandler = (req: IncomingMessage, res: ServerResponse, next?: () => void) => void;

/** The files under `dir` as URL paths (`/_app/immutable/x.js.br`). */
function listFiles(dir: string): Set<string> {
  if (!existsSync(dir)) return new Set();
  const entries = readdirSync(dir, { recursive: true, withFileTypes: true });
  return new Set(
    entries
      .filter((e) => e.isFile())
      .map((e) => `/${relative(dir, join(e.parentPath, e.name)).split(sep).join('/')}`),
  );
}

/**
 * Keeps the server up when a built file vanishes under it (the build directory replaced or
 * cleaned while it runs). adapter-node serves `build/client` with sirv, which lists the files
 * once, at start, then pipes a read stream with no error listener: a listed file gone from the
 * disk threw ENOENT out of that stream and ended the process.
 *
 * Here a request for a file that was there at start (in the encoding sirv would pick: `.br`,
 * `.gz`, then the file itself) and is gone now is answered 404 before sirv sees it. If a file
 * vanishes between that look and sirv opening it, the stream's error ends this one response
 * instead of the process.
 */
export function guardVanishedFiles(clientDir: string, handler: NodeHandler): NodeHandler {
  const atStart = listFiles(clientDir);
  return (req, res, next) => {
    res.on('pipe', (source: Readable) => {
      source.once('error', () => {
        source.unpipe(res);
        res.destroy();
      });
    });
    if ((req.method === 'GET' || req.method === 'HEAD') && vanished(req)) {
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' });
      res.end(req.method === 'HEAD' ? undefined : 'Not found');
      return;
    }
    handler(req, res, next);
  };

  function vanished(req: IncomingMessage): boolean {
    let path = (req.url ?? '/').split('?')[0];
    try {
      path = decodeURI(path);
    } catch {
      return false; // sirv keeps such a path as it is, and lists no file under it
    }
    const accepts = String(req.headers['accept-encoding'] ?? '');
    const candidates = [
      ...(/(br|brotli)/i.test(accepts) ? [`${path}.br`] : []),
      ...(accepts.includes('gzip') ? [`${path}.gz`] : []),
      path,
    ];
    const served = candidates.find((c) => atStart.has(c));
    return served !== undefined && !existsSync(join(clientDir, ...served.split('/')));
  }
}
