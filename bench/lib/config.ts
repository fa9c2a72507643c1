import { isTreeName, TREE_NAMES, type TreeName } from '@motcua/db';
/** Settings of one bench run, from the environment. */
export interface BenchConfig {
  quick: boolean;
  /** DATABASE_URL: bench databases are created next to it. */
  base: string;
  /** Benchmarks to run (BENCH_ONLY=throughput,live,read,national); all by default. */
  only: Set<string>;
  seed: number;
  /** Measured ms of each ingest throughput run. */
  throughputMs: number;
  /** Measured ms of each raw-insert ceiling run. */
  rawMs: number;
  /** Measured ms of each acknowledgement-latency run (ingest and raw). */
  ackMs: number;
  /** Measured ms of the event-to-screen and fan-out runs. */
  latencyMs: number;
  warmupMs: number;
  /** HTTP connections of the load generator per batch size (the ingest multiplexes them). */
  concurrency: Record<number, number>;
  /** At most this many Postgres connections for the raw baseline: each is a server process. */
  rawConcurrency: number;
  batchSizes: number[];
  /** Stored events at which the read path is measured. */
  readSizes: number[];
  /** The unit tree the read path fills and reads at its root (BENCH_READ_TREE; Hà Nội by default). */
  readTree: TreeName;
  /** Repetitions of each read query: bucket path, raw SQL. */
  readRuns: { bucket: number; raw: number };
  /** Background load while measuring live latency, events/s, and events per request. */
  liveRate: number;
  liveBatch: number;
  e2eClients: number;
  fanoutClients: number;
  fanoutUnits: number;
  /** Pass --cpu-prof to the services (profiles land in bench/results/prof). */
  cpuProf: boolean;
  /** Leave motcua_bench_read in place for EXPLAIN work (BENCH_KEEP_DB=1). */
  keepReadDb: boolean;
  /** Wall display (benchmark 7): measured runs at each CPU rate, ms of frame counting, snapshots/s. */
  displayRuns: number;
  displayFpsMs: number;
  displayUpdatesPerSec: number;
  /** Bulk import (benchmark 8): events in the history file, and runs (each on a fresh database). */
  importEvents: number;
  importRuns: number;
}

/** The read path's tree unless BENCH_READ_TREE names another (`vn-2025-07`: the nation). */
export const DEFAULT_READ_TREE = 'hanoi-2025-01';

export const ALL_BENCHMARKS = ['throughput', 'live', 'read', 'national', 'display', 'import'];
const ALL = ALL_BENCHMARKS;

export function loadConfig(env: NodeJS.ProcessEnv = process.env): BenchConfig | string {
  const base = env.DATABASE_URL;
  if (!base || !/^postgres(ql)?:\/\//.test(base)) {
    return 'npm run bench needs DATABASE_URL=postgres://… (a real Postgres; the bench creates and drops its own databases next to it).';
  }
  const quick = env.BENCH_QUICK === '1' || env.BENCH_QUICK === 'true';
  const only = new Set((env.BENCH_ONLY ?? ALL.join(',')).split(',').map((s) => s.trim()));
  for (const o of only) if (!ALL.includes(o)) return `BENCH_ONLY: ${o} is not one of ${ALL.join(', ')}`;
  const readTree = env.BENCH_READ_TREE ?? DEFAULT_READ_TREE;
  if (!isTreeName(readTree)) return `BENCH_READ_TREE: ${readTree} is not one of ${TREE_NAMES.join(', ')}`;
  return {
    quick,
    base,
    only,
    seed: Number(env.BENCH_SEED ?? 20251129),
    throughputMs: quick ? 5_000 : 30_000,
    rawMs: quick ? 5_000 : 15_000,
    ackMs: quick ? 5_000 : 10_000,
    latencyMs: quick ? 5_000 : 15_000,
    warmupMs: quick ? 1_000 : 3_000,
    concurrency: { 1: 256, 10: 64, 100: 32 },
    rawConcurrency: 48,
    batchSizes: (env.BENCH_BATCHES ?? '1,10,100').split(',').map(Number),
    readSizes: env.BENCH_READ_SIZES
      ? env.BENCH_READ_SIZES.split(',').map(Number)
      : quick
        ? [200_000]
        : [2_000_000, 10_000_000],
    readTree,
    readRuns: quick ? { bucket: 15, raw: 3 } : { bucket: 30, raw: 5 },
    liveRate: 1000,
    liveBatch: Number(env.BENCH_LIVE_BATCH ?? 10),
    e2eClients: 200,
    fanoutClients: Number(env.BENCH_FANOUT_CLIENTS ?? 1000),
    fanoutUnits: 50,
    cpuProf: env.BENCH_CPU_PROF === '1',
    keepReadDb: env.BENCH_KEEP_DB === '1',
    displayRuns: Number(env.BENCH_DISPLAY_RUNS ?? (quick ? 3 : 5)),
    displayFpsMs: quick ? 5_000 : 10_000,
    displayUpdatesPerSec: 4,
    importEvents: Number(env.BENCH_IMPORT_EVENTS ?? (quick ? 200_000 : 500_000)),
    importRuns: Number(env.BENCH_IMPORT_RUNS ?? 3),
  };
}
