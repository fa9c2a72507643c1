/**
 * What one evaluation of the alert rules costs on a kept store: runs `evaluateAlerts` (what every
 * dashboard process does each `ALERT_EVALUATE_SECONDS`) a few times at the store's last event
 * time, 5 s apart, and prints each run's changes, the live alerts, its time and the process's
 * memory. It writes the alerts it opens into the store.
 *
 *   DATABASE_URL=postgres://root@127.0.0.1:5432/motcua_bench_read_vn_2025_07 npx tsx bench/tools/alert-evaluate.ts [runs]
 */
import { createDb, evaluateAlerts, readUnitTree } from '@motcua/db';
import { makeWorkCalendar, VN_CALENDAR } from '@motcua/metrics';
import { sql } from 'drizzle-orm';

const runs = Number(process.argv[2] ?? 3);
const db = await createDb({ url: process.env.DATABASE_URL });
const tree = await readUnitTree(db);
const calendar = makeWorkCalendar(VN_CALENDAR);
const [{ max }] = await db.query<{ max: number }>(
  sql`select extract(epoch from max(time)) * 1000 as max from events`,
);
const memory = () => {
  const m = process.memoryUsage();
  return `RSS ${(m.rss / 2 ** 20).toFixed(0)} MiB, heap used ${(m.heapUsed / 2 ** 20).toFixed(0)} MiB`;
};
console.log(`before: ${memory()}`);
for (let i = 0; i < runs; i++) {
  const t0 = performance.now();
  const changes = await evaluateAlerts(db, tree, { now: Number(max) + i * 5_000, calendar });
  const ms = performance.now() - t0;
  const [{ live }] = await db.query<{ live: number }>(
    sql`select count(*)::int as live from alerts where state in ('open', 'acknowledged')`,
  );
  console.log(
    `evaluation ${i + 1}: ${changes.length} changes, ${live} live alerts, ${ms.toFixed(0)} ms; ${memory()}`,
  );
}
await db.close();
