import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openTestDb } from '@motcua/test-helpers/db';
import { waitFor } from '@motcua/test-helpers/wait';
import { afterAll, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');

function motcua(args: string[], env: NodeJS.ProcessEnv) {
  const r = spawnSync('npm', ['run', '-s', 'motcua', '--', ...args], { cwd: root, env, encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr, last: r.stdout.trim().split('\n').at(-1) ?? '' };
}

const embeddedEnv = (dataDir: string): NodeJS.ProcessEnv => {
  const env: NodeJS.ProcessEnv = { ...process.env, MOTCUA_DATA_DIR: dataDir, LOG_LEVEL: 'warn' };
  delete env.DATABASE_URL;
  return env;
};

describe('motcua CLI', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'motcua-cli-'));
  let server: ChildProcess | null = null;
  afterAll(() => {
    if (server?.pid) process.kill(-server.pid, 'SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('prints usage and exits 2 on bad arguments', () => {
    const env = embeddedEnv(dataDir);
    for (const args of [
      [],
      ['keys'],
      ['keys', 'create', '--unit'],
      ['units', 'load', '--tree', 'mars'],
      ['frobnicate'],
    ]) {
      const r = motcua(args, env);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.err).toMatch(/^error: /);
      expect(r.err).toContain('Usage: npm run motcua -- <command>');
    }
    expect(motcua(['--help'], env).code).toBe(0);
  });

  it('works on the embedded database, and through the running server while npm start holds it', async () => {
    const env = embeddedEnv(dataDir);
    const load = motcua(['units', 'load', '--tree', 'hanoi-2025-07'], env);
    expect(load.code).toBe(0);
    expect(load.out).toContain('loaded 127 units of hanoi-2025-07');
    const key = motcua(['keys', 'create', '--unit', '00004', '--label', 'Quầy 1'], env);
    expect(key.code).toBe(0);
    expect(key.last).toMatch(/^mck_[\w-]{32}$/);
    expect(motcua(['keys', 'create', '--unit', '01', '--label', 'x'], env).code).toBe(2);

    server = spawn('npm', ['start', '--', '--no-demo'], {
      cwd: root,
      env: { ...env, INGEST_PORT: '0', DASHBOARD_PORT: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let out = '';
    await waitFor<string>(
      (deliver) => {
        const on = (d: Buffer) => {
          out += d;
          deliver(out);
        };
        server?.stdout?.on('data', on);
        return () => server?.stdout?.off('data', on);
      },
      (o) => /Ready in/.test(o),
      90_000,
      'npm start to be ready',
    );
    const ingest = /Ingest:\s+(\S+)\/v1\/events/.exec(out)?.[1];
    // The same commands now go through the server: it owns the embedded database.
    const viaServer = motcua(
      ['keys', 'create', '--unit', '00004', '--label', 'Quầy 2', '--desk', 'Q02'],
      env,
    );
    expect(viaServer.code).toBe(0);
    const second = viaServer.last;
    expect(second).toMatch(/^mck_/);
    const whoami = await fetch(`${ingest}/v1/whoami`, { headers: { authorization: `Bearer ${second}` } });
    expect(await whoami.json()).toMatchObject({ unit: '00004', desk: 'Q02' });
    const list = motcua(['keys', 'list'], env);
    expect(list.code).toBe(0);
    expect(list.out.match(/^mck_/gm)).toHaveLength(2);
    const prefix = second.slice(0, 14);
    expect(motcua(['keys', 'revoke', prefix], env).code).toBe(0);
    const revoked = await fetch(`${ingest}/v1/whoami`, { headers: { authorization: `Bearer ${second}` } });
    expect(revoked.status).toBe(403);
    expect(motcua(['keys', 'revoke', prefix], env).code).toBe(2);
    const viewer = motcua(
      ['viewers', 'create', '--role', 'display', '--unit', '00004', '--label', 'Màn hình'],
      env,
    );
    expect(viewer.last).toMatch(/^mcv_/);
    // The link that opens it, on the running dashboard's address (the server's, not a guess).
    const dashboard = /Dashboard:\s+(\S+)\//.exec(out)?.[1] as string;
    expect(viewer.out).toContain(`link: ${dashboard}/display/00004?token=${viewer.last}`);
    expect(
      (await fetch(`${dashboard}/display/00004?token=${viewer.last}`, { redirect: 'manual' })).status,
    ).toBe(303);

    const stopped = new Promise<number | null>((resolve) => server?.once('exit', resolve));
    process.kill(-(server.pid as number), 'SIGINT');
    await stopped;
    server = null;
    // With the server gone the CLI opens the database itself again.
    expect(motcua(['viewers', 'list'], env).out).toContain('Màn hình');
  });

  it.skipIf(!process.env.DATABASE_URL)('works against Postgres with DATABASE_URL', async () => {
    const t = await openTestDb('postgres');
    try {
      const env = { ...process.env, DATABASE_URL: t.url };
      expect(motcua(['units', 'load', '--tree', 'hanoi-2025-01'], env).out).toContain('loaded 557 units');
      expect(motcua(['keys', 'create', '--unit', '09784', '--label', 'Phùng'], env).last).toMatch(/^mck_/);
      const district = motcua(
        ['viewers', 'create', '--role', 'district', '--unit', '273', '--label', 'Đan Phượng'],
        { ...env, PUBLIC_URL: 'https://motcua.example.vn/' },
      );
      expect(district.code).toBe(0);
      // Without a server to ask, the link is on PUBLIC_URL (as npm start would serve it).
      expect(district.out).toContain(`link: https://motcua.example.vn/?token=${district.last}`);
      // An admin sits on the tree's root, and its link opens the admin pages.
      const admin = motcua(['viewers', 'create', '--role', 'admin', '--unit', '01', '--label', 'IT'], {
        ...env,
        DASHBOARD_PORT: '3999',
      });
      expect(admin.code).toBe(0);
      expect(admin.out).toContain(`link: http://127.0.0.1:3999/admin?token=${admin.last}`);
      expect(
        motcua(['viewers', 'create', '--role', 'district', '--unit', '09784', '--label', 'x'], env).code,
      ).toBe(2);
    } finally {
      await t.drop();
    }
  });
});
