/**
 * `npm run bench`: every benchmark of bench/README.md against its baseline, measured in the
 * same run, in one table. Needs DATABASE_URL (a real Postgres); creates and drops its own
 * databases next to it. BENCH_QUICK=1 runs short versions (figures are preliminary);
 * BENCH_ONLY=throughput,live,read,national,display picks benchmarks; BENCH_CPU_PROF=1 profiles the services.
 */

import { sql } from 'drizzle-orm';
import { benchDisplay } from './display.ts';
import { benchImport } from './import.ts';
import { ALL_BENCHMARKS, loadConfig } from './lib/config.ts';
import { serverInfo } from './lib/pg.ts';
import { readProc } from './lib/proc.ts';
import { startLiveSystem } from './lib/system.ts';
import { benchLive } from './live.ts';
import { nationalModel } from './national.ts';
import { benchRead } from './readpath.ts';
import {
  type BenchResults,
  buildRows,
  GRAFANA_SOURCE,
  loadNow,
  machineInfo,
  machineLine,
  table,
  updateReadme,
  usageLines,
  writeJson,
} from './report.ts';
import { benchScaleOut, benchThroughput } from './throughput.ts';

const cfg = loadConfig();
if (typeof cfg === 'string') {
  process.stderr.write(`error: ${cfg}\n`);
  process.exit(2);
}

const t0 = performance.now();
const loadStart = loadNow();
const log = (s: string) => process.stdout.write(`${s}\n`);
const elapsed = () => `${Math.round((performance.now() - t0) / 1000)} s`;
const pg = await serverInfo(cfg.base);
const results: BenchResults = {
  date: new Date().toISOString().slice(0, 10),
  quick: cfg.quick,
  only: cfg.only.size < ALL_BENCHMARKS.length ? [...cfg.only] : null,
  seconds: 0,
  machine: machineInfo(pg, loadStart),
};
log(`Một Cửa Live bench${cfg.quick ? ' (BENCH_QUICK: short runs, preliminary figures)' : ''}`);
log(`Machine: ${machineLine(results.machine)}`);

if (cfg.only.has('national')) {
  log(`\n[national model] 3,321 synthetic communes, one Monday (${elapsed()})`);
  results.national = nationalModel(cfg.seed);
}

if (cfg.only.has('throughput') || cfg.only.has('live')) {
  log(`\n[services] ingest and dashboard as separate processes on Postgres (${elapsed()})`);
  const sys = await startLiveSystem(cfg);
  try {
    const idle = { ingest: readProc(sys.ingest.pid), dashboard: readProc(sys.dashboard.pid) };
    if (cfg.only.has('throughput')) {
      log(`\n[1, 2] ingest throughput and acknowledgement latency (${elapsed()})`);
      results.throughput = await benchThroughput(cfg, sys, log);
      results.scaleOut = await benchScaleOut(
        cfg,
        sys,
        results.throughput.find((t) => t.batch === 100),
        log,
      );
    }
    if (cfg.only.has('live')) {
      if (results.throughput) {
        // Benchmarks 3–4 watch a city, not the heap 1–2 leave: their replayed lifecycles, cut
        // off at the end of each run, leave far more open dossiers than desks do, and every
        // snapshot counts its unit's open dossiers. Both services keep running.
        await sys.bench.db.query(sql`truncate events, event_ids, dossiers, rollups`);
        log('  (events, dossiers and rollups of benchmarks 1–2 truncated)');
      }
      log(`\n[3, 4] event-to-screen latency and fan-out (${elapsed()})`);
      results.live = await benchLive(cfg, sys, log);
    }
    const end = { ingest: readProc(sys.ingest.pid), dashboard: readProc(sys.dashboard.pid) };
    results.memory = {
      ingest: { idle: idle.ingest?.rssBytes ?? Number.NaN, peak: end.ingest?.hwmBytes ?? Number.NaN },
      dashboard: {
        idle: idle.dashboard?.rssBytes ?? Number.NaN,
        peak: end.dashboard?.hwmBytes ?? Number.NaN,
      },
    };
  } finally {
    await sys.stop();
  }
}

if (cfg.only.has('read')) {
  log(
    `\n[5] read path: buckets vs raw SQL at ${cfg.readSizes.map((n) => n.toLocaleString('en-US')).join(', ')} events (${elapsed()})`,
  );
  results.read = await benchRead(cfg, log);
  const { vacuums } = results.read.load;
  log(
    `  loaded ${results.read.load.events.toLocaleString('en-US')} events through writeBatch at ` +
      `${Math.round(results.read.load.eventsPerSec)} events/s` +
      (vacuums
        ? `; autovacuum off, so the fill vacuumed: ${vacuums.runs} runs, ${Math.round(vacuums.seconds)} s`
        : ''),
  );
}

if (cfg.only.has('display')) {
  log(
    `\n[7] wall display in Chromium: JavaScript, first render at 6× CPU, frames while updating (${elapsed()})`,
  );
  results.display = await benchDisplay(cfg, log);
}

if (cfg.only.has('import')) {
  log(`\n[8] bulk import vs raw COPY, ${cfg.importRuns} runs (${elapsed()})`);
  results.import = await benchImport(cfg, log);
}

results.seconds = (performance.now() - t0) / 1000;
results.machine.loadAverage.end = loadNow();
const rows = buildRows(results);
const jsonPath = writeJson(results);
log('');
log(table(rows));
log('');
for (const line of usageLines(results.live)) log(line);
log(`Grafana baseline: ${GRAFANA_SOURCE}`);
log(`Machine: ${machineLine(results.machine)}`);
log(`Results: ${jsonPath}${updateReadme(results, rows, jsonPath) ? ' (bench/README.md updated)' : ''}`);
log(`Done in ${elapsed()}.`);
process.exit(0);
