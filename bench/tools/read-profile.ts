/**
 * Where a unit page's headline read spends its time: runs the city's 30d snapshot and 766
 * scorecard (side by side, as the page does) on a database kept by `BENCH_KEEP_DB=1 BENCH_ONLY=read
 * npm run bench`, and prints each statement's median time.
 *
 *   DATABASE_URL=postgres://root@127.0.0.1:5432/motcua_bench_read npx tsx bench/tools/read-profile.ts
 */
import { createHash } from 'node:crypto';
import { createDb, readScorecard, readSnapshot, readUnitTree } from '@motcua/db';
import { resolveWindow } from '@motcua/metrics';
import { type SQL, sql } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';

const env = process.env;
const RUNS = Number(env.RUNS ?? 20);
const db = await createDb({ url: env.DATABASE_URL });
const dialect = new PgDialect();
const times = new Map<string, number[]>();
const statements = new Map<string, SQL>();
const query = db.query.bind(db);
db.query = (async (q: SQL, ...rest: never[]) => {
  const text = dialect.sqlToQuery(q).sql.replace(/\s+/g, ' ').slice(0, 110);
  const t0 = performance.now();
  const rows = await query(q, ...rest);
  statements.set(text, q);
  const list = times.get(text) ?? [];
  list.push(performance.now() - t0);
  times.set(text, list);
  return rows;
}) as typeof db.query;

const tree = await readUnitTree(db);
const [{ max }] = await db.query<{ max: number }>(
  sql`select extract(epoch from max(time)) * 1000 as max from events`,
);
const asOf = Number(max);
const resolved = resolveWindow({ window: '30d' }, asOf);
if (!resolved.ok) throw new Error(resolved.message);
const city = tree.roots()[0].code;
const total: number[] = [];
let last: unknown;
for (let i = 0; i < RUNS + 2; i++) {
  if (i === 2) times.clear();
  const t0 = performance.now();
  last = await Promise.all([
    readSnapshot(db, tree, city, resolved.window, asOf),
    readScorecard(db, tree, city, resolved.window, asOf),
  ]);
  if (i >= 2) total.push(performance.now() - t0);
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
for (const [text, list] of times)
  console.log(`${median(list).toFixed(1).padStart(7)} ms ×${list.length / RUNS}  ${text}`);
console.log(
  `${median(total).toFixed(1).padStart(7)} ms  snapshot + scorecard, side by side (median of ${RUNS})`,
);
// A digest of what was read, to check that a change to the storage left every figure as it was.
const digest = createHash('sha256').update(JSON.stringify(last)).digest('hex').slice(0, 16);
console.log(`figures digest ${digest} (asOf ${new Date(asOf).toISOString()})`);
if (env.EXPLAIN) {
  db.query = query;
  for (const [text, q] of statements) {
    const plan = await db.query<{ 'QUERY PLAN': string }>(sql`explain (analyze, buffers) ${q}`);
    console.log(`\n${text}\n${plan.map((r) => r['QUERY PLAN']).join('\n')}`);
  }
}
await db.close();
