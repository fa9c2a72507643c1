/**
 * The dashboard's JavaScript a page downloads, weighed from the build: each script response the
 * browser got, its file in `apps/dashboard/build/client` gzipped at level 9 (what any server
 * would send), and the brotli file the dashboard actually serves. One place for benchmark 7
 * (`bench/display.ts`) and the bundle guard (`tests/e2e/display-bundle.test.ts`).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Page } from 'playwright-core';

export const CLIENT_DIR = join(import.meta.dirname, '..', '..', 'apps', 'dashboard', 'build', 'client');

export interface ScriptResponse {
  url: string;
  /** The Content-Encoding it was served with. */
  encoding: string;
}

export interface ScriptWeight {
  files: number;
  /** The files, by path, largest (gzip) first. */
  each: { path: string; gzipBytes: number }[];
  rawBytes: number;
  gzipBytes: number;
  brotliBytes: number;
  servedEncoding: string;
}

export const gzipSize = (buf: Buffer) => gzipSync(buf, { level: 9 }).length;

/** Starts recording the page's script responses (before it navigates); the list fills as they come. */
export function recordScripts(page: Page): ScriptResponse[] {
  const scripts: ScriptResponse[] = [];
  page.on('response', (r) => {
    if (r.request().resourceType() === 'script') {
      scripts.push({ url: r.url(), encoding: r.headers()['content-encoding'] ?? 'identity' });
    }
  });
  return scripts;
}

/** What the recorded scripts weigh, each file counted once. */
export function weighScripts(scripts: ScriptResponse[]): ScriptWeight {
  const paths = [...new Set(scripts.map((x) => new URL(x.url).pathname))];
  const each: ScriptWeight['each'] = [];
  let rawBytes = 0;
  let brotliBytes = 0;
  for (const path of paths) {
    const body = readFileSync(join(CLIENT_DIR, path));
    rawBytes += body.length;
    each.push({ path, gzipBytes: gzipSize(body) });
    brotliBytes += readFileSync(join(CLIENT_DIR, `${path}.br`)).length;
  }
  each.sort((a, b) => b.gzipBytes - a.gzipBytes);
  return {
    files: paths.length,
    each,
    rawBytes,
    gzipBytes: each.reduce((n, x) => n + x.gzipBytes, 0),
    brotliBytes,
    servedEncoding: [...new Set(scripts.map((x) => x.encoding))].join(', '),
  };
}
