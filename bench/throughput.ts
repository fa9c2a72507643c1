/**
 * 1. Ingest throughput (closed loop, the load generator in its own process) against the raw
 *    ceiling: the same rows inserted into `events` with `insert … select * from unnest(…)`.
 * 2. Acknowledgement latency at 50 % of the measured maximum, against a raw insert's latency
 *    at the same offered rate.
 */

import type { BenchConfig } from './lib/config.ts';
import { runLoad, startLoad } from './lib/loadgen-client.ts';
import { type PhaseUsage, ProcSampler } from './lib/proc.ts';
import type { LiveSystem } from './lib/system.ts';
import type { LoadJob, LoadResult } from './loadgen.ts';

export interface ThroughputResult {
  batch: number;
  concurrency: number;
  rawConcurrency: number;
  ingest: LoadResult;
  raw: LoadResult;
  /** ingest events/s ÷ raw events/s */
  ratio: number;
  ack: { rate: number; ingest: LoadResult; raw: LoadResult };
  usage: { throughput: Record<string, PhaseUsage>; ack: Record<string, PhaseUsage> };
  /** CPU cores of the Postgres backends serving the ingest (and dashboard) during the throughput run. */
  pgCores: Record<string, number>;
}

const PER_UNIT = 400;

async function measured(
  sys: LiveSystem,
  job: LoadJob,
): Promise<{ result: LoadResult; usage: Record<string, PhaseUsage>; pgCores: Record<string, number> }> {
  const run = startLoad(job);
  await run.ready;
  const pg = await sys.backendCpu();
  const sampler = new ProcSampler({ ingest: sys.ingest.pid, dashboard: sys.dashboard.pid, loadgen: run.pid });
  const result = await run.go();
  const usage = sampler.stop();
  return { result, usage, pgCores: await pg.stop() };
}

export interface ScaleOutResult {
  batch: number;
  ingests: number;
  result: LoadResult;
  /** ÷ the same batch size on one ingest process. */
  vsOne: number;
  usage: Record<string, PhaseUsage>;
  pgCores: Record<string, number>;
}

/**
 * Batches of 100 through two ingest processes behind a round-robin balancer: whether the
 * write path scales out on one Postgres (each process runs its own flushes; their rows
 * overlap, so row locks are part of what is measured).
 */
export async function benchScaleOut(
  cfg: BenchConfig,
  sys: LiveSystem,
  one: ThroughputResult | undefined,
  log: (s: string) => void,
): Promise<ScaleOutResult> {
  const batch = 100;
  const second = await sys.startExtraIngest();
  try {
    const run = await measured(sys, {
      units: sys.load,
      batch,
      concurrency: (cfg.concurrency[batch] ?? 32) * 2,
      warmupMs: cfg.warmupMs,
      seed: cfg.seed,
      perUnit: PER_UNIT,
      mode: 'http',
      target: sys.ingest.url,
      targets: [sys.ingest.url, second.url],
      durationMs: cfg.throughputMs,
      rate: null,
      runId: 'scale2',
    });
    const vsOne = one ? run.result.eventsPerSec / one.ingest.eventsPerSec : Number.NaN;
    log(
      `  2 ingest processes, ${batch}/request: ${Math.round(run.result.eventsPerSec)} events/s ` +
        `(${vsOne.toFixed(2)}× one process; its Postgres backends ${run.pgCores.pgIngest.toFixed(2)} cores)`,
    );
    return { batch, ingests: 2, result: run.result, vsOne, usage: run.usage, pgCores: run.pgCores };
  } finally {
    await second.stop();
  }
}

export async function benchThroughput(
  cfg: BenchConfig,
  sys: LiveSystem,
  log: (s: string) => void,
): Promise<ThroughputResult[]> {
  const out: ThroughputResult[] = [];
  for (const batch of cfg.batchSizes) {
    const concurrency = cfg.concurrency[batch] ?? 16;
    const base = {
      units: sys.load,
      batch,
      concurrency,
      warmupMs: cfg.warmupMs,
      seed: cfg.seed,
      perUnit: PER_UNIT,
    };
    const rawConcurrency = Math.min(concurrency, cfg.rawConcurrency);
    const raw = await runLoad({
      ...base,
      concurrency: rawConcurrency,
      mode: 'pg',
      target: sys.bench.url,
      durationMs: cfg.rawMs,
      rate: null,
      runId: `raw${batch}`,
    });
    log(`  raw insert, ${batch}/statement: ${Math.round(raw.eventsPerSec)} rows/s`);
    const ingest = await measured(sys, {
      ...base,
      mode: 'http',
      target: sys.ingest.url,
      durationMs: cfg.throughputMs,
      rate: null,
      runId: `max${batch}`,
    });
    log(
      `  ingest, ${batch}/request: ${Math.round(ingest.result.eventsPerSec)} events/s ` +
        `(CPU cores: ingest ${ingest.usage.ingest.cpuCores.toFixed(2)}, its Postgres backends ${ingest.pgCores.pgIngest.toFixed(2)}, ` +
        `load generator ${ingest.usage.loadgen.cpuCores.toFixed(2)})` +
        (ingest.result.errors ? ` (${ingest.result.errors} errors: ${ingest.result.errorSamples[0]})` : ''),
    );
    const rate = Math.max(batch, Math.round(ingest.result.eventsPerSec / 2));
    const ack = await measured(sys, {
      ...base,
      concurrency: 512,
      mode: 'http',
      target: sys.ingest.url,
      durationMs: cfg.ackMs,
      rate,
      runId: `ack${batch}`,
    });
    const rawAck = await runLoad({
      ...base,
      concurrency: rawConcurrency,
      mode: 'pg',
      target: sys.bench.url,
      durationMs: cfg.ackMs,
      rate,
      runId: `rawack${batch}`,
    });
    log(
      `  ack latency at ${rate} events/s: p50 ${ack.result.latency.p50.toFixed(1)} ms, p99 ${ack.result.latency.p99.toFixed(1)} ms`,
    );
    out.push({
      batch,
      concurrency,
      rawConcurrency,
      ingest: ingest.result,
      raw,
      ratio: ingest.result.eventsPerSec / raw.eventsPerSec,
      ack: { rate, ingest: ack.result, raw: rawAck },
      usage: { throughput: ingest.usage, ack: ack.usage },
      pgCores: ingest.pgCores,
    });
  }
  return out;
}
