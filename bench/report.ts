/** The one table of a bench run, its JSON record and the README's "latest figures". */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import type { DisplayResult, DisplayRun } from './display.ts';
import type { ImportResult } from './import.ts';
import { DEFAULT_READ_TREE } from './lib/config.ts';
import type { ServerInfo } from './lib/pg.ts';
import { count, mib, ms, pct, ratio } from './lib/stats.ts';
import type { LivePhase, LiveResult } from './live.ts';
import type { NationalModel } from './national.ts';
import type { ReadResult } from './readpath.ts';
import type { ScaleOutResult, ThroughputResult } from './throughput.ts';

/** Grafana's default minimum refresh interval (`min_refresh_interval`, 5s): a constant, not measured here. */
export const GRAFANA_MIN_REFRESH_MS = 5000;
export const GRAFANA_SOURCE =
  'https://grafana.com/docs/grafana/latest/setup-grafana/configure-grafana/#min_refresh_interval';

export interface Machine {
  cores: number;
  cpuModel: string;
  memoryGiB: number;
  node: string;
  postgres: string;
  postgresSettings: Record<string, string>;
  /** 1-minute load average at start and end: other work on the machine skews every figure. */
  loadAverage: { start: number; end: number };
}

export interface Memory {
  /** RSS right after start (before any load) and peak (VmHWM) over benchmarks 1–4. */
  ingest: { idle: number; peak: number };
  dashboard: { idle: number; peak: number };
}

export interface BenchResults {
  date: string;
  quick: boolean;
  /** Benchmarks run, when not all of them (BENCH_ONLY). */
  only: string[] | null;
  seconds: number;
  machine: Machine;
  throughput?: ThroughputResult[];
  scaleOut?: ScaleOutResult;
  live?: LiveResult;
  memory?: Memory;
  read?: ReadResult;
  national?: NationalModel;
  display?: DisplayResult;
  import?: ImportResult;
}

export function machineInfo(pg: ServerInfo, loadStart: number): Machine {
  return {
    cores: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    postgres: pg.version.split(' on ')[0],
    postgresSettings: pg.settings,
    loadAverage: { start: loadStart, end: loadavg()[0] },
  };
}

type Status = 'ok' | 'MISSED' | '';
interface Row {
  bench: string;
  figure: string;
  result: string;
  baseline: string;
  ratio: string;
  target: string;
  status: Status;
}

const check = (ok: boolean | null): Status => (ok === null ? '' : ok ? 'ok' : 'MISSED');
const p = (lat: { p50: number; p99: number }) => `p50 ${ms(lat.p50)} / p99 ${ms(lat.p99)}`;
const millions = (n: number) => (n >= 1e6 ? `${(n / 1e6).toFixed(1)} M` : `${Math.round(n / 1000)} k`);

export function buildRows(r: BenchResults): Row[] {
  const rows: Row[] = [];
  for (const t of r.throughput ?? []) {
    const target = t.batch === 1 ? '≥ 5,000 req/s' : t.batch === 100 ? '≥ 50,000 ev/s, ≥ 40 % of raw' : '';
    const ok =
      t.batch === 1
        ? t.ingest.requestsPerSec >= 5000
        : t.batch === 100
          ? t.ingest.eventsPerSec >= 50_000 && t.ratio >= 0.4
          : null;
    rows.push({
      bench: '1 Ingest throughput',
      figure: `${t.batch} event${t.batch > 1 ? 's' : ''}/request, ${t.concurrency} conns`,
      result: `${count(t.ingest.eventsPerSec)} ev/s`,
      baseline: `raw unnest insert ${t.batch}/stmt, ${t.rawConcurrency} conns: ${count(t.raw.eventsPerSec)} rows/s`,
      ratio: pct(t.ratio),
      target,
      status: check(ok),
    });
  }
  if (r.scaleOut) {
    const s = r.scaleOut;
    const one = r.throughput?.find((t) => t.batch === s.batch);
    rows.push({
      bench: '1 Ingest throughput',
      figure: `${s.batch} events/request, ${s.ingests} ingest processes (round robin)`,
      result: `${count(s.result.eventsPerSec)} ev/s`,
      baseline: `1 process: ${one ? count(one.ingest.eventsPerSec) : '—'} ev/s`,
      ratio: ratio(s.vsOne, 2),
      target: '',
      status: '',
    });
  }
  for (const t of r.throughput ?? []) {
    rows.push({
      bench: '2 Ack latency',
      figure: `${t.batch}/request at ${count(t.ack.rate)} ev/s (50 % of max)`,
      result: p(t.ack.ingest.latency),
      baseline: `raw insert, same rate: ${p(t.ack.raw.latency)}`,
      ratio: ratio(t.ack.ingest.latency.p99 / t.ack.raw.latency.p99, 1),
      target: '',
      status: '',
    });
  }
  if (r.live) {
    const e = r.live.e2e;
    rows.push({
      bench: '3 Event-to-screen',
      figure: `${count(e.background.eventsPerSec)} ev/s achieved (${e.backgroundBatch}/request), ${e.clients} clients; p50 / p95 / p99`,
      result: `${ms(e.latency.p50)} / ${ms(e.latency.p95)} / ${ms(e.latency.p99)}`,
      baseline: `Grafana min refresh ${GRAFANA_MIN_REFRESH_MS / 1000} s (constant, not measured)`,
      ratio: ratio(GRAFANA_MIN_REFRESH_MS / e.latency.p99, 0),
      target: 'p99 < 500 ms',
      status: check(e.latency.p99 < 500 && e.missed === 0),
    });
    const f = r.live.fanout;
    rows.push({
      bench: '4 Fan-out',
      figure: `${f.clients} clients / ${f.units} units: slowest client, p50 / max per probe`,
      result: `${ms(f.slowest.p50)} / ${ms(f.slowest.max)}`,
      baseline: `${e.clients} clients (bench 3): ${ms(e.slowest.p50)} / ${ms(e.slowest.max)}`,
      ratio: ratio(f.slowest.max / e.slowest.max, 1),
      target: 'slowest < 1 s',
      status: check(f.slowest.max < 1000 && f.missed === 0),
    });
    rows.push({
      bench: '4 Fan-out',
      figure: 'one snapshot, first → last client of its room, p99 / max',
      result: `${ms(f.spread.p99)} / ${ms(f.spread.max)}`,
      baseline: `${e.clients} clients: ${ms(e.spread.p99)} / ${ms(e.spread.max)}`,
      ratio: ratio(f.spread.p99 / e.spread.p99, 1),
      target: '',
      status: '',
    });
    rows.push({
      bench: '4 Fan-out',
      figure: 'dashboard CPU (1 = one core)',
      result: f.usage.dashboard.cpuCores.toFixed(2),
      baseline: `${e.clients} clients: ${e.usage.dashboard.cpuCores.toFixed(2)}`,
      ratio: ratio(f.usage.dashboard.cpuCores / e.usage.dashboard.cpuCores, 1),
      target: '',
      status: '',
    });
    rows.push({
      bench: '4 Fan-out',
      figure: 'Postgres CPU for the dashboard (snapshot reads)',
      result: f.pgCores.pgDashboard.toFixed(2),
      baseline: `${e.clients} clients: ${e.pgCores.pgDashboard.toFixed(2)}`,
      ratio: ratio(f.pgCores.pgDashboard / e.pgCores.pgDashboard, 1),
      target: '',
      status: '',
    });
    rows.push({
      bench: '4 Fan-out',
      figure: `dashboard RSS, peak with ${f.clients} clients`,
      result: mib(f.usage.dashboard.peakRssBytes),
      baseline: `before clients: ${mib(f.dashboardRss.idle)}`,
      ratio: ratio(f.usage.dashboard.peakRssBytes / f.dashboardRss.idle, 1),
      target: '< 300 MB',
      status: check(f.usage.dashboard.peakRssBytes < 300e6),
    });
  }
  if (r.import) {
    const im = r.import;
    rows.push({
      bench: '8 Bulk import',
      figure: `${millions(im.events)} events NDJSON, ${im.runs.length} runs, median (min–max)`,
      result: `${count(im.importPerSec.p50)} ev/s (${count(im.importPerSec.min)}–${count(im.importPerSec.max)})`,
      baseline: `raw COPY same rows: ${count(im.rawCopyPerSec.p50)} rows/s (${count(im.rawCopyPerSec.min)}–${count(im.rawCopyPerSec.max)})`,
      ratio: pct(im.ratio.p50),
      target: '≥ 100,000 ev/s',
      status: check(im.importPerSec.p50 >= 100_000),
    });
  }
  // Records made before BENCH_READ_TREE read the city.
  const rootLabel = r.read?.root?.level === 'nation' ? 'nation' : 'city';
  for (const pt of r.read?.points ?? []) {
    const at2M = pt.events >= 1.5e6 && pt.events < 5e6;
    // Issue 18: the snapshot costs the same whatever the history, under 50 ms at 10 M and beyond.
    const atScale = pt.events >= 9e6;
    rows.push({
      bench: '5 Read path',
      figure: `${rootLabel} 30d snapshot @ ${millions(pt.events)} events, median / p95`,
      result: `${ms(pt.snapshot.bucket.p50)} / ${ms(pt.snapshot.bucket.p95)}`,
      baseline: `raw SQL: ${ms(pt.snapshot.raw.p50)} / ${ms(pt.snapshot.raw.p95)}`,
      ratio: ratio(pt.snapshot.speedup, 0),
      target: at2M ? '≥ 50× and < 50 ms' : atScale ? '< 50 ms' : '',
      status: at2M
        ? check(pt.snapshot.speedup >= 50 && pt.snapshot.bucket.p50 < 50)
        : atScale
          ? check(pt.snapshot.bucket.p50 < 50)
          : '',
    });
    if (pt.asFilled) {
      const { pagesAsFilled, pagesRebuilt } = pt.asFilled.openIndexes;
      const counters = pt.asFilled.openCounters;
      const counterPages = counters
        ? `; counters ${count(counters.pagesAsFilled)}, rebuilt ${count(counters.pagesRebuilt)}`
        : '';
      rows.push({
        bench: '5 Read path',
        figure: `${rootLabel} 30d snapshot @ ${millions(pt.events)}, as filled (open-dossier indexes ${count(pagesAsFilled)} pages, rebuilt ${count(pagesRebuilt)}${counterPages})`,
        result: `${ms(pt.asFilled.snapshot.p50)} / ${ms(pt.asFilled.snapshot.p95)}`,
        baseline: `rebuilt: ${ms(pt.snapshot.bucket.p50)} / ${ms(pt.snapshot.bucket.p95)}`,
        ratio: '',
        target: '',
        status: '',
      });
    }
    if (pt.openCounts) {
      rows.push({
        bench: '5 Read path',
        figure: `${rootLabel} open-dossier counts per commune @ ${millions(pt.events)}, by deadline hour${pt.openCounts.same ? '' : ' (DISAGREE with per dossier)'}`,
        result: `${ms(pt.openCounts.byDeadlineHour.p50)} / ${ms(pt.openCounts.byDeadlineHour.p95)}`,
        baseline: `per dossier: ${ms(pt.openCounts.perDossier.p50)} / ${ms(pt.openCounts.perDossier.p95)}`,
        ratio: ratio(pt.openCounts.perDossier.p50 / pt.openCounts.byDeadlineHour.p50, 1),
        target: '',
        status: pt.openCounts.same ? '' : check(false),
      });
    }
    if (pt.withScorecard) {
      rows.push({
        bench: '5 Read path',
        figure: `${rootLabel} 30d snapshot + 766 scorecard @ ${millions(pt.events)} events, median / p95`,
        result: `${ms(pt.withScorecard.bucket.p50)} / ${ms(pt.withScorecard.bucket.p95)}`,
        baseline: `raw SQL snapshot: ${ms(pt.withScorecard.raw.p50)} / ${ms(pt.withScorecard.raw.p95)}`,
        ratio: ratio(pt.withScorecard.speedup, 0),
        target: at2M ? '≥ 50× and < 50 ms' : '',
        status: at2M ? check(pt.withScorecard.speedup >= 50 && pt.withScorecard.bucket.p50 < 50) : '',
      });
    }
    if (pt.insideHour && pt.withScorecard) {
      rows.push({
        bench: '5 Read path',
        figure: `${rootLabel} 30d snapshot + 766 scorecard @ ${millions(pt.events)}, asOf inside an hour (${pt.insideHour.asOf})`,
        result: `${ms(pt.insideHour.withScorecard.p50)} / ${ms(pt.insideHour.withScorecard.p95)}`,
        baseline: `at local midnight: ${ms(pt.withScorecard.bucket.p50)} / ${ms(pt.withScorecard.bucket.p95)}`,
        ratio: '',
        target: '',
        status: '',
      });
    }
    rows.push({
      bench: '5 Read path',
      figure: `${rootLabel} 30d series (1d) @ ${millions(pt.events)} events, median / p95`,
      result: `${ms(pt.series.bucket.p50)} / ${ms(pt.series.bucket.p95)}`,
      baseline: `raw SQL: ${ms(pt.series.raw.p50)} / ${ms(pt.series.raw.p95)}`,
      ratio: ratio(pt.series.speedup, 0),
      target: at2M ? '≥ 50× and < 50 ms' : '',
      status: at2M ? check(pt.series.speedup >= 50 && pt.series.bucket.p50 < 50) : '',
    });
    rows.push({
      bench: '5 Read path',
      figure: `stored bytes per event @ ${millions(pt.events)} (events + dossiers + both rollup tables)`,
      result: `${count(pt.storage.bytesPerEvent)} B`,
      baseline: `events table alone: ${count(pt.storage.bytes.events / pt.storage.events)} B`,
      ratio: '',
      target: '',
      status: '',
    });
  }
  if (r.memory) {
    rows.push({
      bench: '6 Memory',
      figure: 'ingest peak RSS over 1–4 (VmHWM)',
      result: mib(r.memory.ingest.peak),
      baseline: `after start: ${mib(r.memory.ingest.idle)}`,
      ratio: ratio(r.memory.ingest.peak / r.memory.ingest.idle, 1),
      target: '',
      status: '',
    });
    rows.push({
      bench: '6 Memory',
      figure: 'dashboard peak RSS over 1–4 (VmHWM)',
      result: mib(r.memory.dashboard.peak),
      baseline: `after start: ${mib(r.memory.dashboard.idle)}`,
      ratio: ratio(r.memory.dashboard.peak / r.memory.dashboard.idle, 1),
      target: '< 300 MB',
      status: check(r.memory.dashboard.peak < 300e6),
    });
  }
  if (r.display) rows.push(...displayRows(r.display));
  if (r.national) {
    const n = r.national;
    rows.push({
      bench: 'Sizing input (model)',
      figure: `national, ${count(n.communes)} communes: busiest minute × 10`,
      result: `${count(n.designPeakPerSec)} ev/s`,
      baseline: `day mean ${n.meanPerSec.toFixed(1)} ev/s; without opening bursts ${count((n.peakMinuteWithoutBursts / 60) * 10)} ev/s`,
      ratio: '',
      target: '',
      status: '',
    });
  }
  return rows;
}

const kib = (bytes: number) => `${(bytes / 1024).toFixed(0)} KiB`;

/** Median and range of one figure over the runs: `412 ms (398–440)`. */
function spread(runs: DisplayRun[], pick: (r: DisplayRun) => number, fmt: (v: number) => string): string {
  const v = runs.map(pick).sort((a, b) => a - b);
  if (v.length === 0) return '—';
  return `${fmt(v[Math.floor((v.length - 1) / 2)])} (${fmt(v[0])}–${fmt(v[v.length - 1])})`;
}

const median = (runs: DisplayRun[], pick: (r: DisplayRun) => number) => {
  const v = runs.map(pick).sort((a, b) => a - b);
  return v[Math.floor((v.length - 1) / 2)] ?? Number.NaN;
};

function displayRows(d: DisplayResult): Row[] {
  const n = d.throttled.length;
  const msInt = (v: number) => `${Math.round(v).toLocaleString('en-US')}`;
  const fps = (v: number) => v.toFixed(1);
  return [
    {
      bench: '7 Wall display',
      figure: `JavaScript a city display downloads, gzip -9 (${d.js.files} files; served ${d.js.servedEncoding}: ${kib(d.js.brotliBytes)})`,
      result: kib(d.js.gzipBytes),
      baseline: `full echarts.min.js alone: ${kib(d.echartsFull.gzipBytes)}`,
      ratio: ratio(d.js.gzipBytes / d.echartsFull.gzipBytes, 2),
      target: '',
      status: '',
    },
    {
      bench: '7 Wall display',
      figure: `first render (chart drawn), ${d.cpuRate}× CPU throttle, ms: median (min–max) of ${n}`,
      result: spread(d.throttled, (r) => r.chartMs, msInt),
      baseline: `1× CPU: ${spread(d.normal, (r) => r.chartMs, msInt)}`,
      ratio: ratio(median(d.throttled, (r) => r.chartMs) / median(d.normal, (r) => r.chartMs), 1),
      target: '',
      status: '',
    },
    {
      bench: '7 Wall display',
      figure: `frames/s while ${d.updatesPerSec} snapshots/s arrive, ${d.cpuRate}× CPU: median (min–max) of ${n}`,
      result: spread(d.throttled, (r) => r.fps, fps),
      baseline: `1× CPU: ${spread(d.normal, (r) => r.fps, fps)}`,
      ratio: ratio(median(d.throttled, (r) => r.fps) / median(d.normal, (r) => r.fps), 2),
      target: '',
      status: '',
    },
  ];
}

const HEAD: Row = {
  bench: 'Benchmark',
  figure: 'Figure',
  result: 'Result',
  baseline: 'Baseline (same run)',
  ratio: 'Ratio',
  target: 'Target',
  status: '',
};

/** A Markdown table, padded as Biome formats Markdown, so it also reads as plain text. */
export function table(rows: Row[]): string {
  const keys = Object.keys(HEAD) as (keyof Row)[];
  const all = [HEAD, ...rows];
  const width = keys.map((k) => Math.max(3, ...all.map((r) => r[k].length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(width[i])).join(' | ')} |`;
  return [
    line(keys.map((k) => HEAD[k])),
    line(width.map((w) => '-'.repeat(w))),
    ...rows.map((r) => line(keys.map((k) => r[k]))),
  ].join('\n');
}

export function machineLine(m: Machine): string {
  return (
    `${m.cores} cores (${m.cpuModel}), ${m.memoryGiB} GiB, Node ${m.node}, ${m.postgres}; ` +
    `load average ${m.loadAverage.start.toFixed(1)} → ${m.loadAverage.end.toFixed(1)}`
  );
}

const resultsDir = join(import.meta.dirname, 'results');

/**
 * Writes bench/results/<date>.json; quick runs add `-quick`, BENCH_ONLY runs the benchmarks
 * they ran (`2026-11-29-read+national.json`). Returns the path.
 */
export function writeJson(r: BenchResults): string {
  mkdirSync(resultsDir, { recursive: true });
  const only = r.only ? `-${[...r.only].sort().join('+')}` : '';
  // A read path over another tree than Hà Nội's is its own record (`…-read-vn-2025-07.json`).
  const tree = r.read?.tree && r.read.tree !== DEFAULT_READ_TREE ? `-${r.read.tree}` : '';
  const path = join(resultsDir, `${r.date}${r.quick ? '-quick' : ''}${only}${tree}.json`);
  writeFileSync(path, `${JSON.stringify(r, null, 2)}\n`);
  return path;
}

const START = '<!-- bench:latest:start -->';
const END = '<!-- bench:latest:end -->';

/**
 * Replaces the README's latest figures. A quick run does not overwrite a full run's figures,
 * nor does a BENCH_ONLY run anything.
 * Returns whether it wrote.
 */
export function updateReadme(r: BenchResults, rows: Row[], jsonPath: string): boolean {
  const path = join(import.meta.dirname, 'README.md');
  if (!existsSync(path)) return false;
  const text = readFileSync(path, 'utf8');
  const a = text.indexOf(START);
  const b = text.indexOf(END);
  if (a < 0 || b < a || r.only) return false;
  const current = text.slice(a, b);
  if (r.quick && current.includes('Run: full')) return false;
  const kind = r.quick ? 'quick (BENCH_QUICK=1, short runs: preliminary)' : 'full';
  const block = [
    START,
    `Run: ${kind}, ${r.date}, ${Math.round(r.seconds)} s. Machine: ${machineLine(r.machine)}.`,
    `Raw record: \`bench/results/${jsonPath.split('/').pop()}\`.`,
    '',
    table(rows),
    '',
  ].join('\n');
  writeFileSync(path, text.slice(0, a) + block + text.slice(b));
  return true;
}

/** The phases' usage in one line each, printed under the table. */
export function usageLines(live: LiveResult | undefined): string[] {
  if (!live) return [];
  const line = (name: string, ph: LivePhase) =>
    `${name}: ${ph.clients} clients, ${ph.probes} probes × ${ph.probeClients} probe clients, ` +
    `${ph.missed} missed; background ${count(ph.background.eventsPerSec)} ev/s (ack p99 ${ms(ph.background.latency.p99)}); ` +
    `CPU cores: ingest ${ph.usage.ingest.cpuCores.toFixed(2)}, dashboard ${ph.usage.dashboard.cpuCores.toFixed(2)}, ` +
    `clients ${ph.usage.clients.cpuCores.toFixed(2)}, Postgres for the ingest ${ph.pgCores.pgIngest.toFixed(2)} ` +
    `and for the dashboard ${ph.pgCores.pgDashboard.toFixed(2)}`;
  return [line('event-to-screen', live.e2e), line('fan-out', live.fanout)];
}

export const loadNow = () => loadavg()[0];
