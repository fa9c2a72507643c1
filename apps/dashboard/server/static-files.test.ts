import { createReadStream, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import sirv from 'sirv';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { guardVanishedFiles } from './static-files.ts';

const JS = 'export const answer = 42;\n';

/** sirv as adapter-node runs it (precompressed files, etags) behind the guard, on a real socket. */
describe('built files that vanish under a running server', () => {
  let dir: string;
  let server: Server;
  let base: string;
  let files: ReturnType<typeof sirv>;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'motcua-static-'));
    mkdirSync(join(dir, '_app', 'immutable'), { recursive: true });
    const file = join(dir, '_app', 'immutable', 'entry.js');
    writeFileSync(file, JS);
    writeFileSync(`${file}.br`, brotliCompressSync(JS));
    writeFileSync(`${file}.gz`, gzipSync(JS));
    writeFileSync(join(dir, 'robots.txt'), 'User-agent: *\n');
    files = sirv(dir, { etag: true, gzip: true, brotli: true });
    const serve = guardVanishedFiles(dir, (req, res) =>
      files(req, res, () => {
        res.statusCode = 404;
        res.end('no such page');
      }),
    );
    server = createServer((req, res) => serve(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterEach(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    rmSync(dir, { recursive: true, force: true });
  });

  const get = (path: string, encoding: string) =>
    fetch(`${base}${path}`, { headers: { 'accept-encoding': encoding } });

  it('serves the files that are there, in the encoding asked for', async () => {
    const br = await get('/_app/immutable/entry.js', 'br, gzip');
    expect(br.status).toBe(200);
    expect(br.headers.get('content-encoding')).toBe('br');
    expect(await br.text()).toBe(JS);
    const plain = await get('/_app/immutable/entry.js', 'identity');
    expect(plain.headers.get('content-encoding')).toBeNull();
    expect(await plain.text()).toBe(JS);
  });

  it('answers 404 for a vanished .br file and keeps serving', async () => {
    rmSync(join(dir, '_app', 'immutable', 'entry.js.br'));
    const gone = await get('/_app/immutable/entry.js', 'br, gzip');
    expect(gone.status).toBe(404);
    // The same file in an encoding still on disk, and another file: the server is up.
    const gz = await get('/_app/immutable/entry.js', 'gzip');
    expect(gz.status).toBe(200);
    expect(await gz.text()).toBe(JS);
    expect((await get('/robots.txt', 'identity')).status).toBe(200);
  });

  it('answers 404 when the whole build directory is gone', async () => {
    rmSync(join(dir, '_app'), { recursive: true });
    for (const encoding of ['br', 'gzip', 'identity']) {
      expect((await get('/_app/immutable/entry.js', encoding)).status).toBe(404);
    }
    expect((await get('/robots.txt', 'identity')).status).toBe(200);
  });

  it('ends only the one response when a file vanishes after the look (sirv alone would end the process)', async () => {
    // A handler that opens a file that is gone, as sirv does when the file vanishes between the
    // guard's look and its own read.
    const serve = guardVanishedFiles(dir, (req, res) => {
      if (req.url !== '/missing.js') return files(req, res);
      res.writeHead(200, { 'Content-Type': 'text/javascript' });
      createReadStream(join(dir, 'missing.js')).pipe(res);
    });
    server.removeAllListeners('request');
    server.on('request', (req, res) => serve(req, res));
    await expect(get('/missing.js', 'identity').then((r) => r.text())).rejects.toThrow();
    expect((await get('/robots.txt', 'identity')).status).toBe(200);
  });
});
