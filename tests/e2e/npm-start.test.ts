import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AlertList } from '@motcua/contract';
import { createDb } from '@motcua/db';
import type { Snapshot } from '@motcua/metrics';
import { launchChromium } from '@motcua/test-helpers/browser';
import { rating, received } from '@motcua/test-helpers/events';
import { postBatch } from '@motcua/test-helpers/ingest';
import { until, waitFor } from '@motcua/test-helpers/wait';
import { sql } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');

interface Started {
  child: ChildProcess;
  /** The server process itself (npm → sh → node). */
  pid: number;
  output: () => string;
  link: URL;
  /** The printed wall screen link (a display viewer's token and the demo playlist). */
  screen: URL;
  ingest: string;
  /** The printed desk key and its commune. */
  commune: string;
  deskKey: string;
}

/** Runs the real `npm start` on a data directory and waits for the printed dashboard link. */
async function npmStart(dataDir: string): Promise<Started> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    MOTCUA_DATA_DIR: dataDir,
    INGEST_PORT: '0',
    DASHBOARD_PORT: '0',
    LOG_LEVEL: 'warn',
    // The alert evaluator every 2 s, so the demo's late dossiers show as alerts within the test.
    ALERT_EVALUATE_SECONDS: '2',
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
  const screen = /Screen:\s+(\S+)/.exec(text)?.[1];
  const ingest = /Ingest:\s+(\S+)\/v1\/events/.exec(text)?.[1];
  const pid = Number(/\(pid (\d+)\)/.exec(text)?.[1]);
  const [, commune, deskKey] = /Desk key for commune (\d{5}): (mck_\S+)/.exec(text) ?? [];
  if (!link || !screen || !ingest || !pid || !deskKey) {
    throw new Error(`npm start did not print its links:\n${text}`);
  }
  return {
    child,
    pid,
    output: () => out,
    link: new URL(link),
    screen: new URL(screen),
    ingest,
    commune,
    deskKey,
  };
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

    // The first start prints an admin link, once; it opens the admin pages (issue 17).
    const adminLink = /Admin:\s+(\S+)/.exec(first.output())?.[1] as string;
    expect(adminLink).toMatch(/\/admin\?token=mcv_/);
    const adminPage = await fetch(adminLink, { redirect: 'manual' });
    expect(adminPage.status).toBe(303);
    const adminCookie = (adminPage.headers.get('set-cookie') ?? '').split(';')[0];
    expect(
      (await fetch(new URL('/admin/keys', adminLink), { headers: { cookie: adminCookie } })).status,
    ).toBe(200);
    // The demo makes some dossiers late: alerts open, and some have climbed past the commune.
    const token = first.link.searchParams.get('token') as string;
    const alerts = await until(
      async () => {
        const res = await fetch(new URL('/api/v1/units/01/alerts?limit=5', first.link), {
          headers: { authorization: `Bearer ${token}` },
        });
        const list = (await res.json()) as AlertList;
        return list.counts.open > 0 ? list : undefined;
      },
      60_000,
      'the demo’s first alerts',
    );
    expect(alerts.counts.byLevel.district + alerts.counts.byLevel.city).toBeGreaterThan(0);
    expect(alerts.alerts[0].level).toBe(alerts.counts.byLevel.city > 0 ? 'city' : 'district');

    // The printed wall screen plays the demo playlist: it opens on a screen and moves on by itself.
    expect(first.screen.pathname).toBe('/display/01');
    expect(first.screen.searchParams.get('playlist')).toMatch(/^\d+$/);
    const browser = await launchChromium();
    try {
      const page = await (await browser.newContext({ viewport: { width: 1920, height: 1080 } })).newPage();
      // While the demo's history is being written the embedded database answers slowly: wait for
      // the slide itself, not for the page's load event under goto's 30 s default.
      await page.goto(first.screen.href, { waitUntil: 'commit', timeout: 90_000 });
      const label = page.locator('.rotation .label');
      await label.getByText('Tổng quan').waitFor({ timeout: 90_000 });
      expect(await page.locator('.rotation .dots').textContent()).toMatch(/^1\/\d+$/);
      await page.getByRole('heading', { name: 'Thành phố Hà Nội' }).waitFor();
      // The overview holds 30 s, then the league of the districts comes up, untouched.
      await label.getByText(/^Xếp hạng/).waitFor({ timeout: 90_000 });
    } finally {
      await browser.close();
    }

    // Our own events in a minute 60 days back, where the demo never writes (its history reaches
    // 35 days back): that window holds exactly these, in both runs, whatever the demo sends.
    const from = Math.floor((Date.now() - 60 * 86_400_000) / 60_000) * 60_000;
    const to = from + 60_000;
    const at = (s: number) => ({ time: from + s * 1000 });
    const mine = [
      rating(first.commune, 'very_satisfied', at(5)),
      rating(first.commune, 'satisfied', at(15)),
      rating(first.commune, 'unsatisfied', at(25)),
      received(first.commune, 'HS-RESTART-1', from + 3 * 86_400_000, at(35), 'direct'),
      received(first.commune, 'HS-RESTART-2', from + 3 * 86_400_000, at(45), 'online'),
    ];
    expect((await postBatch(first.ingest, first.deskKey, mine)).body).toMatchObject({
      accepted: 5,
      rejected: 0,
    });
    const fixed = `from=${encodeURIComponent(new Date(from).toISOString())}&to=${encodeURIComponent(new Date(to).toISOString())}`;
    const expected = {
      satisfaction: { verySatisfied: 1, satisfied: 1, unsatisfied: 1, total: 3 },
      received: { total: 2, direct: 1, online: 1, postal: 0 },
    };
    const before = await citySnapshot(first, fixed);
    expect(before.metrics).toMatchObject(expected);
    const stopped = await stop(first, 'server');
    expect(stopped.code).toBe(0);
    expect(stopped.ms).toBeLessThan(10_000);
    expect(first.output()).toContain('stopped.');

    // What the stopped run left on disk, counted in the database itself: the rows of the window.
    const db = await createDb({ dataDir });
    const rows = await db.query<{ id: string }>(
      sql`select id from events where time >= to_timestamp(${from / 1000}) and time < to_timestamp(${to / 1000}) order by id`,
    );
    await db.close();
    expect(rows.map((r) => r.id)).toEqual(mine.map((e) => e.id).sort());

    const second = await npmStart(dataDir);
    running.push(second);
    expect(second.link.searchParams.get('token')).toBe(first.link.searchParams.get('token'));
    expect(second.output()).not.toContain('Admin:');
    // The same screen, not a second playlist or viewer (the port is new: DASHBOARD_PORT=0).
    expect(second.screen.pathname + second.screen.search).toBe(first.screen.pathname + first.screen.search);
    const again = await citySnapshot(second, fixed);
    expect(again.metrics).toMatchObject(expected);
    // The same rows, not new ones: sent again, all five are duplicates.
    expect((await postBatch(second.ingest, first.deskKey, mine)).body).toMatchObject({
      accepted: 0,
      duplicates: 5,
    });
    const ctrlC = await stop(second, 'group');
    expect(ctrlC.ms).toBeLessThan(10_000);
    expect(second.output()).toContain('stopped.');
  }, 300_000);
});
