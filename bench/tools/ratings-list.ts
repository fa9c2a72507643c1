/**
 * The newest 500 ratings of a 30-day window above a commune (a report's sheet), as
 * `readLatestRatings` lists them (newest day, then week, then the whole window) against one
 * query over the whole window, on a database kept by `BENCH_KEEP_DB=1 BENCH_ONLY=read npm run
 * bench`. Prints the medians of 10 runs for the root and its first child, and checks that both
 * give the same list.
 *
 *   DATABASE_URL=postgres://root@127.0.0.1:5432/motcua_bench_read npx tsx bench/tools/ratings-list.ts
 */
import { createDb, readLatestRatings, readUnitTree, unitFilter } from '@motcua/db';
import { formatLocal, resolveWindow } from '@motcua/metrics';
import { sql } from 'drizzle-orm';

const RUNS = 10;
const LIMIT = 500;
const env = process.env;
const db = await createDb({ url: env.DATABASE_URL });
const tree = await readUnitTree(db);
const [{ max }] = await db.query<{ max: number }>(
  sql`select extract(epoch from max(time)) * 1000 as max from events`,
);
const resolved = resolveWindow({ window: '30d' }, Number(max));
if (!resolved.ok) throw new Error(resolved.message);
const w = resolved.window;

async function median(fn: () => Promise<unknown>): Promise<number> {
  await fn();
  const ms: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    await fn();
    ms.push(performance.now() - t0);
  }
  return ms.sort((a, b) => a - b)[Math.floor(RUNS / 2)];
}

const root = tree.roots()[0];
for (const unit of [root, tree.children(root.code)[0]]) {
  const communes = tree.communesUnder(unit.code);
  const sliced = () =>
    readLatestRatings(db, tree, unit.code, { limit: LIMIT, withComments: false, window: w });
  const whole = () =>
    db.query<{ time: Date | string }>(
      sql`select time from events where ${unitFilter(communes)} and type = 'vn.motcua.rating.submitted'
        and time >= ${new Date(w.from).toISOString()} and time < ${new Date(w.to).toISOString()}
        order by time desc, source, id limit ${LIMIT}`,
    );
  const same =
    JSON.stringify((await sliced())?.items.map((x) => x.time)) ===
    JSON.stringify((await whole()).map((r) => formatLocal(new Date(r.time).getTime())));
  const [{ n }] = await db.query<{ n: number }>(
    sql`select count(*)::int as n from events where ${unitFilter(communes)}
      and type = 'vn.motcua.rating.submitted'
      and time >= ${new Date(w.from).toISOString()} and time < ${new Date(w.to).toISOString()}`,
  );
  console.log(
    `${unit.name} (${communes.length} communes, ${n.toLocaleString('en-US')} ratings in the window): ` +
      `newest ${LIMIT} by slices ${(await median(sliced)).toFixed(1)} ms, whole window ${(await median(whole)).toFixed(1)} ms` +
      `, same list: ${same}`,
  );
}
await db.close();
