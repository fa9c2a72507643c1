import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Snapshot } from '@motcua/metrics';
import { until, waitFor } from '@motcua/test-helpers/wait';
import { afterAll, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');

interface Started {
  child: ChildProcess;
  /** The server process itself (npm → sh → node). */
  pid: number;
  output: () => string;
  link: URL;
  ingest: string;
}

/** Runs the real `npm start` on a data directory and waits for the printed dashboard link. */
async function npmStart(dataDir: string): Promise<Started> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    MOTCUA_DATA_DIR: dataDir,
    INGEST_PORT: '0',
    DASHBOARD_PORT: '0',
    LOG_LEVEL: 'warn',
  };
  delete env.DATABASE_URL;
  // Its own process group, so a signal reaches npm, tsx and node together, as Ctrl-C does.
  const child = spawn('npm', ['start'], {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let out = '';
  const lines: ((line: string) => void)[] = [];
  const onData = (chunk: Buffer) => {
    out += chunk.toString();
    for (const l of lines) l(out);
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const text = await waitFor<string>(
    (deliver) => {
      lines.push(deliver);
      child.once('exit', () => deliver(`${out}\n[exited]`));
      return () => lines.splice(lines.indexOf(deliver), 1);
    },
    (o) => /Ready in [\d.]+ s/.test(o) || o.includes('[exited]'),
    90_000,
    'the printed dashboard link',
  );
  const link = /Open:\s+(\S+)/.exec(text)?.[1];
  const ingest = /Ingest:\s+(\S+)\/v1\/events/.exec(text)?.[1];
  const pid = Number(/\(pid (\d+)\)/.exec(text)?.[1]);
  if (!link || !ingest || !pid) throw new Error(`npm start did not print its links:\n${text}`);
  return { child, pid, output: () => out, link: new URL(link), ingest };
}

/**
 * SIGINT to the server process (npm then exits with its code), or to the whole process group
 * as Ctrl-C in a terminal does (npm then dies of the signal itself, after the server stopped).
 */
function stop(s: Started, target: 'server' | 'group'): Promise<{ code: number | null; ms: number }> {
  const t0 = Date.now();
  return new Promise((resolve) => {
    s.child.once('exit', (code) => resolve({ code, ms: Date.now() - t0 }));
    if (target === 'server') process.kill(s.pid, 'SIGINT');
    else process.kill(-(s.child.pid as number), 'SIGINT');
  });
}

async function citySnapshot(s: Started, query = 'window=30d'): Promise<Snapshot> {
  const token = s.link.searchParams.get('token') as string;
  const res = await fetch(new URL(`/api/v1/units/01/metrics?${query}`, s.link), {
    headers: { authorization: `Bearer ${token}` },
  });
  expect(res.status).toBe(200);
  return (await res.json()) as Snapshot;
}

describe('npm start from a clean data directory', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'motcua-start-'));
  const running: Started[] = [];
  afterAll(() => {
    for (const s of running) {
      try {
        process.kill(-(s.child.pid as number), 'SIGKILL');
      } catch {
        // already gone
      }
    }
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('comes up, fills the city with simulated data, stops on SIGINT and restarts on the same data', async () => {
    const first = await npmStart(dataDir);
    running.push(first);
    expect(first.output()).toMatch(/Desk key for commune \d{5}: mck_/);
    const ready = await fetch(`${first.ingest}/readyz`);
    expect(ready.status).toBe(200);

    const a = await citySnapshot(first);
    expect(a.unit).toEqual({ code: '01', name: 'Thành phố Hà Nội', level: 'city' });
    expect(a.children).toHaveLength(30);
    const grown = await until(
      async () => {
        const b = await citySnapshot(first);
        return b.metrics.received.total > a.metrics.received.total + 100 && b.metrics.satisfaction.total > 0
          ? b
          : undefined;
      },
      60_000,
      'the simulator’s events to reach the city snapshot',
    );
    expect(grown.metrics.satisfaction.total).toBeGreaterThan(0);

    // A fixed window, so nothing leaves it between the two runs.
    const fixed = `from=${encodeURIComponent(new Date(Date.now() - 40 * 86_400_000).toISOString())}&to=${encodeURIComponent(new Date(Date.now() + 3_600_000).toISOString())}`;
    const before = await citySnapshot(first, fixed);
    const stopped = await stop(first, 'server');
    expect(stopped.code).toBe(0);
    expect(stopped.ms).toBeLessThan(10_000);
    expect(first.output()).toContain('stopped.');

    const second = await npmStart(dataDir);
    running.push(second);
    expect(second.link.searchParams.get('token')).toBe(first.link.searchParams.get('token'));
    const again = await citySnapshot(second, fixed);
    expect(again.metrics.received.total).toBeGreaterThanOrEqual(before.metrics.received.total);
    expect(again.metrics.satisfaction.total).toBeGreaterThanOrEqual(before.metrics.satisfaction.total);
    const ctrlC = await stop(second, 'group');
    expect(ctrlC.ms).toBeLessThan(10_000);
    expect(second.output()).toContain('stopped.');
  });
});
