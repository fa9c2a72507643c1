import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { type DeskEvent, validateEvent } from '@motcua/contract';
import { afterEach, describe, expect, it } from 'vitest';
import { main } from './command.ts';

/** A stand-in ingest: whoami for one key, and a batch endpoint that accepts everything once. */
async function fakeIngest() {
  const stored = new Map<string, DeskEvent>();
  const server = createServer((req, res) => {
    if (req.headers.authorization !== 'Bearer good') {
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { code: 'unauthorized', message: 'unknown key', requestId: 'r' } }));
      return;
    }
    if (req.method === 'GET' && req.url === '/v1/whoami') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ unit: '00004', desk: null }));
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      // The real ingest takes gzip bodies, and the client sends them.
      const raw = req.headers['content-encoding'] === 'gzip' ? gunzipSync(body) : body;
      const events = JSON.parse(raw.toString('utf8')) as DeskEvent[];
      const results = events.map((e, index) => {
        // The contract's own validator, as the real ingest runs it (not a checker of the simulator's).
        const checked = validateEvent(e, Date.now());
        if (!checked.ok)
          return {
            index,
            id: e.id,
            status: 'rejected',
            error: { code: 'invalid_event', message: checked.message },
          };
        const key = `${e.source} ${e.id}`;
        const status = stored.has(key) ? 'duplicate' : 'accepted';
        stored.set(key, e);
        return { index, id: e.id, status };
      });
      const count = (s: string) => results.filter((r) => r.status === s).length;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          accepted: count('accepted'),
          duplicates: count('duplicate'),
          rejected: count('rejected'),
          results,
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { stored, target: `http://127.0.0.1:${port}`, close: () => new Promise((r) => server.close(r)) };
}

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (l: string) => out.push(l), err: (l: string) => err.push(l) } };
}

const closers: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0)) await c();
});

describe('simulate command', () => {
  it('prints usage for --help (exit 0) and for a bad argument (exit 2)', async () => {
    const help = capture();
    expect(await main(['--help'], help.io)).toBe(0);
    expect(help.out[0]).toMatch(/^Usage: npm run simulate/);
    const bad = capture();
    expect(
      await main(['--target', 'http://x', '--key', 'k', '--rate', '-1', '--duration', '1'], bad.io),
    ).toBe(2);
    expect(bad.err[0]).toMatch(/^error: --rate: expected a positive number, got "-1"\n\nUsage:/);
  });

  it('learns its unit from whoami and sends rate × duration valid events', async () => {
    const ingest = await fakeIngest();
    closers.push(ingest.close);
    const { out, err, io } = capture();
    const argv = [
      '--target',
      ingest.target,
      '--key',
      'good',
      '--rate',
      '300',
      '--duration',
      '1.5',
      '--batch',
      '50',
    ];
    expect(await main(argv, io)).toBe(0);
    expect(err).toEqual([]);
    expect(ingest.stored.size).toBe(450);
    expect([...ingest.stored.values()].every((e) => e.source.startsWith('/units/00004/'))).toBe(true);
    expect(out.some((l) => /^\[\s+1s\] sent \d+/.test(l))).toBe(true);
    expect(out.at(-1)).toMatch(
      /^done in [\d.]+ s: sent 450, accepted 450, duplicates 0, rejected 0; achieved [\d.]+ events\/s/,
    );
  });

  it('exits 1 with a message when the key is refused', async () => {
    const ingest = await fakeIngest();
    closers.push(ingest.close);
    const { err, io } = capture();
    expect(
      await main(['--target', ingest.target, '--key', 'nope', '--rate', '5', '--duration', '1'], io),
    ).toBe(1);
    expect(err[0]).toMatch(/whoami answered 401/);
    const withUnit = capture();
    const argv = [
      '--target',
      ingest.target,
      '--key',
      'nope',
      '--rate',
      '20',
      '--duration',
      '0.5',
      '--unit',
      '00004',
    ];
    expect(await main(argv, withUnit.io)).toBe(1);
    expect(withUnit.err[0]).toMatch(/answered 401 \(unauthorized: unknown key\)/);
  });
});
