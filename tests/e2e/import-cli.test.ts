/**
 * `npm run motcua -- import` as an operator runs it: a gzipped history file, the process killed
 * (SIGKILL) in the middle, run again: it resumes after its last committed chunk, prints progress
 * on stderr and a summary, and ends with every event stored once; a third run finds only
 * duplicates. Postgres only (DATABASE_URL): the test watches the store while the importer runs,
 * which the embedded database (one process's) does not allow; tests/db/import.test.ts covers the
 * importer on both.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { type Database, referenceTree } from '@motcua/db';
import { localDayStart } from '@motcua/metrics';
import { createCityModel } from '@motcua/simulator';
import { openTestDb, type TestDb } from '@motcua/test-helpers/db';
import { until } from '@motcua/test-helpers/wait';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const DAY = 86_400_000;

describe.skipIf(!process.env.DATABASE_URL)('motcua import (CLI)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'motcua-import-cli-'));
  let test: TestDb;
  let env: NodeJS.ProcessEnv;
  let events = 0;
  const path = join(dir, 'history.ndjson.gz');

  const look = <T>(fn: (db: Database) => Promise<T>) => fn(test.db);

  const motcua = (args: string[]) => {
    const r = spawnSync('npm', ['run', '-s', 'motcua', '--', ...args], { cwd: root, env, encoding: 'utf8' });
    return { code: r.status, out: r.stdout, err: r.stderr };
  };

  beforeAll(async () => {
    test = await openTestDb('postgres');
    env = { ...process.env, LOG_LEVEL: 'warn', DATABASE_URL: test.url };
    expect(motcua(['units', 'load', '--tree', 'hanoi-2025-07']).code).toBe(0);
    const communes = referenceTree('hanoi-2025-07')
      .filter((u) => u.level === 'commune')
      .slice(0, 40)
      .map((u) => ({ code: u.code }));
    const model = createCityModel({ communes, seed: 5 });
    const today = localDayStart(Date.now());
    const list = model.generate(today - 10 * DAY, today);
    events = list.length;
    writeFileSync(path, gzipSync(`${list.map((e) => JSON.stringify(e)).join('\n')}\n`));
  }, 120_000);
  afterAll(async () => {
    await test?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('is killed mid-way, resumes after its last chunk, and a third run finds only duplicates', async () => {
    expect(events).toBeGreaterThan(5000);
    const child = spawn('npm', ['run', '-s', 'motcua', '--', 'import', path, '--chunk', '500'], {
      cwd: root,
      env,
      detached: true,
      stdio: 'ignore',
    });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    await until(
      async () => {
        const rows = await test.db.query<{ line: string }>(sql`select line from import_files`);
        return Number(rows[0]?.line ?? 0) > 0 ? true : undefined;
      },
      60_000,
      'a committed chunk',
    );
    process.kill(-(child.pid as number), 'SIGKILL');
    await exited;
    const stored = await look((db) => db.query<{ n: number }>(sql`select count(*)::int as n from events`));
    expect(stored[0].n).toBeLessThan(events);

    const resumed = motcua(['import', path, '--chunk', '500']);
    expect(resumed.code, resumed.err).toBe(0);
    expect(resumed.out).toMatch(/resumed after line [\d,]+/);
    expect(resumed.out).toContain(`${events.toLocaleString('en-US')} lines`);
    expect(resumed.err).toMatch(/\[#+\] 100\.0%.*events\/s +ETA/);
    // It ends by giving the open-dossier indexes back the pages the fast write left.
    const rebuilt = resumed.out.match(/open-dossier indexes rebuilt: ([\d,]+) → ([\d,]+) pages/);
    expect(rebuilt, resumed.out).not.toBeNull();
    const [pagesBefore, pagesAfter] = (rebuilt ?? []).slice(1).map((x) => Number(x.replaceAll(',', '')));
    expect(pagesAfter).toBeLessThan(pagesBefore);
    const after = await look((db) =>
      db.query<{ n: number; d: number }>(
        sql`select (select count(*)::int from events) as n, (select count(distinct id)::int from events) as d`,
      ),
    );
    expect(after[0]).toEqual({ n: events, d: events });

    const again = motcua(['import', path]);
    expect(again.code).toBe(0);
    expect(again.out).toContain(`0 accepted, ${events.toLocaleString('en-US')} duplicates, 0 rejected`);
    // Nothing new: nothing to rebuild.
    expect(again.out).not.toContain('open-dossier indexes rebuilt');
  });

  it('names a missing file and a bad option', () => {
    const missing = motcua(['import', join(dir, 'nope.ndjson')]);
    expect(missing.code).toBe(2);
    expect(missing.err).toContain('nope.ndjson: no such file');
    expect(motcua(['import', path, '--format', 'xml']).err).toContain('--format: expected ndjson or csv');
  });
});
