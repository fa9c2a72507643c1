/**
 * Open-dossier counts against history: the model's communes filled chronologically through
 * `writeBatch` (bulk import's and the ingest's write path), and at several history lengths the
 * open-dossier counts of all of them read the way `readOpenCounts` does now (counters kept by the
 * write path + the dossiers in progress) and the way it did before issue 18 (every open dossier
 * classified on read), 30 runs each after warm-up, plus the whole 30-day snapshot. The model
 * leaves ~1.5 % of dossiers waiting for a supplement for good, as real desks do, so the old
 * count grows with the days stored. Needs DATABASE_URL (Postgres); run under the heavy lock.
 *
 *   DATABASE_URL=postgres://… npx tsx bench/tools/open-counts.ts [communes=60] [days=90,270,450]
 */
import { trustedEvent } from '@motcua/contract';
import { readOpenCounts, readSnapshot, readUnitTree, writeBatch } from '@motcua/db';
import { DAY, localDayStart, resolveWindow } from '@motcua/metrics';
import { createCityModel } from '@motcua/simulator';
import { sql } from 'drizzle-orm';
import { loadConfig } from '../lib/config.ts';
import { createBenchDb } from '../lib/pg.ts';
import { summarize } from '../lib/stats.ts';

const cfg = loadConfig();
if (typeof cfg === 'string') {
  process.stderr.write(`${cfg}\n`);
  process.exit(2);
}
const base = cfg.base;
const communeCount = Number(process.argv[2] ?? 60);
const points = (process.argv[3] ?? '90,270,450').split(',').map(Number);
const bench = await createBenchDb(base, 'motcua_bench_open');
const { db } = bench;
try {
  const tree = await readUnitTree(db);
  const communes = tree.communesUnder(tree.roots()[0].code).slice(0, communeCount);
  const model = createCityModel({ communes: communes.map((code) => ({ code })), seed: 20251129 });
  const today = localDayStart(Date.now());
  const days = Math.max(...points);
  const start = today - days * DAY;

  /** The query `readOpenCounts` ran before issue 18: every open dossier classified on read. */
  const before = (asOf: number) =>
    db.query(
      sql`select unit_code, '' as desk_code, count(*)::float8 as "total",
          count(*) filter (where overdue)::float8 as "overdue",
          count(*) filter (where not overdue and deadline <= ${asOf + DAY})::float8 as "dueSoon",
          count(*) filter (where pending_since is not null)::float8 as "waitingSupplement",
          count(*) filter (where not overdue and deadline <= ${asOf + 2 * DAY})::float8 as "dueIn48h"
        from (
          select unit_code, desk_code, pending_since,
            supplement_requests >= 2 or rescheduled
              or ${asOf} > (due_at + paused_ms + greatest(coalesce(${asOf} - pending_since, 0), 0)) as overdue,
            (due_at + paused_ms + greatest(coalesce(${asOf} - pending_since, 0), 0)) as deadline
          from dossiers
          where finished_at is null and due_at is not null
            and unit_code = any(${`{${communes.join(',')}}`}::text[])
        ) s
        group by unit_code`,
    );
  const time = async (fn: () => Promise<unknown>) => {
    for (let i = 0; i < 3; i++) await fn();
    const ms: number[] = [];
    for (let i = 0; i < 30; i++) {
      const t0 = performance.now();
      await fn();
      ms.push(performance.now() - t0);
    }
    return summarize(ms);
  };

  let stored = 0;
  const rows: string[] = [];
  for (let d = 0; d < days; d++) {
    const from = start + d * DAY;
    const events = model.generate(from, from + DAY).map(trustedEvent);
    for (let i = 0; i < events.length; i += 10_000) await writeBatch(db, events.slice(i, i + 10_000));
    stored += events.length;
    if (!points.includes(d + 1)) continue;
    await db.query(sql`vacuum analyze dossiers`);
    await db.query(sql`vacuum analyze open_dossier_counts`);
    const asOf = from + DAY;
    const [{ open, stalled }] = await db.query<{ open: number; stalled: number }>(
      sql`select count(*)::int as open, count(*) filter (where pending_since is not null)::int as stalled
        from dossiers where finished_at is null and due_at is not null`,
    );
    // Same answers both ways, or the comparison means nothing.
    const key = (r: Record<string, unknown>[]) =>
      JSON.stringify(
        r.map((x) => [x.unit_code, x.total, x.overdue, x.dueSoon, x.waitingSupplement, x.dueIn48h]).sort(),
      );
    const now = await readOpenCounts(db, communes, asOf, 'commune');
    if (key(now) !== key(await before(asOf))) throw new Error(`day ${d + 1}: the two counts differ`);
    const after = await time(() => readOpenCounts(db, communes, asOf, 'commune'));
    const old = await time(() => before(asOf));
    const w = resolveWindow({ window: '30d' }, asOf);
    if (!w.ok) throw new Error(w.message);
    const city = tree.roots()[0].code;
    const snap = await time(() => readSnapshot(db, tree, city, w.window, asOf));
    rows.push(
      `| ${d + 1} | ${stored.toLocaleString('en-US')} | ${open.toLocaleString('en-US')} (${stalled.toLocaleString('en-US')} waiting) | ` +
        `${after.p50.toFixed(2)} ms | ${old.p50.toFixed(2)} ms | ${snap.p50.toFixed(1)} ms |`,
    );
    process.stdout.write(`${rows.at(-1)}\n`);
  }
  process.stdout.write(
    `\n${communeCount} communes of the Hà Nội model, medians of 30 runs\n` +
      '| days | events | open dossiers | open counts now | before (all open on read) | 30d snapshot |\n' +
      '| ---: | ---: | ---: | ---: | ---: | ---: |\n' +
      `${rows.join('\n')}\n`,
  );
} finally {
  await bench.drop();
}
