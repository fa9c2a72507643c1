/**
 * Times each statement of `writeBatch` on a throwaway database, with WAL bytes and rows
 * written per event (steady figures on a busy machine, where times are not). Two shapes:
 * `live` — flushes like the live ingest's (simulator events stamped now, 100 communes);
 * `history` — the read benchmark's bulk load (whole days of the Hà Nội model, in time order).
 *   DATABASE_URL=postgres://… npx tsx bench/tools/write-profile.ts [live|history] [flushSize] [flushes]
 * `WRITE_PROFILE_SKIP=desk_health,…` leaves out the statements on those tables (they are not
 * sent), to measure what one feature's statements cost the flush.
 */
import { type DeskEvent, trustedEvent, type ValidatedEvent } from '@motcua/contract';
import { type Database, writeBatch } from '@motcua/db';
import { localDayStart } from '@motcua/metrics';
import { createCityModel } from '@motcua/simulator';
import type { SQL } from 'drizzle-orm';
import { createBenchDb } from '../lib/pg.ts';
import { EventPool } from '../lib/pool.ts';
import { spread } from '../lib/system.ts';

const env = process.env;
const base = env.DATABASE_URL;
if (!base) {
  process.stderr.write('needs DATABASE_URL\n');
  process.exit(2);
}
const shape = process.argv[2] ?? 'live';
const flushSize = Number(process.argv[3] ?? (shape === 'live' ? 1200 : 10_000));
const flushes = Number(process.argv[4] ?? (shape === 'live' ? 60 : 20));
const skipped = (env.WRITE_PROFILE_SKIP ?? '')
  .split(',')
  .map((t) => t.trim())
  .filter(Boolean);

const bench = await createBenchDb(base, 'motcua_bench_writeprof');
try {
  const communes = (
    await bench.db.query<{ code: string }>(
      (
        await import('drizzle-orm')
      ).sql`select code from units where level = 'commune' order by code`,
    )
  ).map((r) => r.code);
  const units = spread(communes, 100);
  const pool = new EventPool(units, 400, 1);
  const timing = new Map<string, { n: number; ms: number }>();
  const timed: Database = {
    ...bench.db,
    query: async <T>(
      q: SQL,
      on?: Parameters<Database['query']>[1],
      opts?: Parameters<Database['query']>[2],
    ) => {
      const chunk =
        (q as unknown as { queryChunks: { value?: string[] }[] }).queryChunks[0]?.value?.[0] ?? '?';
      const key = chunk.trim().split(/\s+/).slice(0, 3).join(' ');
      if (skipped.some((table) => key === `insert into ${table}`)) return [] as T[];
      const t = performance.now();
      try {
        // With the caller's options: the write path's statements are named prepared statements.
        return await bench.db.query<T>(q, on, opts);
      } finally {
        const e = timing.get(key) ?? { n: 0, ms: 0 };
        e.n++;
        e.ms += performance.now() - t;
        timing.set(key, e);
      }
    },
  };
  const knownDesks = new Set<string>();
  let unit = 0;
  const model = createCityModel({ communes: communes.map((code) => ({ code })), seed: 1 });
  let day = localDayStart(Date.now()) - 60 * 86_400_000;
  let buffered: ValidatedEvent[] = [];
  const historyBatch = () => {
    while (buffered.length < flushSize) {
      buffered = buffered.concat(model.generate(day, day + 86_400_000).map(trustedEvent));
      day += 86_400_000;
    }
    return buffered.splice(0, flushSize);
  };
  const liveBatch = () => {
    const out: ValidatedEvent[] = [];
    while (out.length < flushSize) {
      unit = (unit + 1) % units.length;
      for (const j of pool.json(unit, 10, 'wp')) out.push(trustedEvent(JSON.parse(j) as DeskEvent));
    }
    return out;
  };
  const batch = shape === 'live' ? liveBatch : historyBatch;
  for (let i = 0; i < 5; i++) await writeBatch(bench.db, batch(), { knownDesks, notify: true });
  const batches = Array.from({ length: flushes }, batch);
  const work = async () => {
    const [r] = await bench.db.query<{ lsn: string; ins: string; upd: string; hot: string }>(
      (await import('drizzle-orm')).sql`select pg_current_wal_lsn()::text as lsn,
        sum(n_tup_ins)::text as ins, sum(n_tup_upd)::text as upd, sum(n_tup_hot_upd)::text as hot
        from pg_stat_user_tables`,
    );
    const [hi, lo] = r.lsn.split('/').map((h) => Number.parseInt(h, 16));
    return { wal: hi * 2 ** 32 + lo, ins: Number(r.ins), upd: Number(r.upd), hot: Number(r.hot) };
  };
  // Table statistics reach the view with a delay: settle before each reading.
  await new Promise((r) => setTimeout(r, 1500));
  const before = await work();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (const b of batches) await writeBatch(timed, b, { knownDesks, notify: true });
  const wall = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const events = flushes * flushSize;
  process.stdout.write(
    `${events} events in ${flushes} flushes of ${flushSize}: ${Math.round(events / (wall / 1000))} events/s, ` +
      `${((wall * 1000) / events).toFixed(1)} µs/event wall, node CPU ${((cpu.user + cpu.system) / events).toFixed(1)} µs/event\n`,
  );
  await new Promise((r) => setTimeout(r, 1500));
  const after = await work();
  process.stdout.write(
    `  WAL ${((after.wal - before.wal) / events).toFixed(0)} B/event; rows inserted ${((after.ins - before.ins) / events).toFixed(2)}, ` +
      `updated ${((after.upd - before.upd) / events).toFixed(2)} (HOT ${((after.hot - before.hot) / events).toFixed(2)}) per event\n`,
  );
  for (const [k, v] of [...timing].sort((a, b) => b[1].ms - a[1].ms)) {
    process.stdout.write(
      `  ${k.padEnd(28)} ${String(v.n).padStart(5)}×  ${((v.ms * 1000) / events).toFixed(1).padStart(6)} µs/event\n`,
    );
  }
} finally {
  await bench.drop();
}
