/**
 * The load generator, run as a child process (`fork` from bench/lib/loadgen-client.ts) so that
 * it does not share an event loop with what it measures. Either posts CloudEvents to the
 * ingest over keep-alive HTTP connections, or inserts the same rows straight into `events`
 * with postgres.js (the raw baseline). Closed loop (`rate: null`: each connection sends its
 * next request when the last is answered) or open loop (requests on a fixed schedule, latency
 * counted from the scheduled time so that a stall is not hidden).
 */
import { Agent, request } from 'node:http';
import postgres from 'postgres';
import { EventPool, type EventRows } from './lib/pool.ts';
import { type Summary, summarize } from './lib/stats.ts';

export interface LoadJob {
  mode: 'http' | 'pg';
  /** Ingest base URL (http) or postgres:// URL (pg). */
  target: string;
  /** Several ingest URLs, requests spread round robin as a load balancer would (http). */
  targets?: string[];
  /** Communes to send for, round robin, with a desk key each (http). */
  units: { code: string; key: string }[];
  /** Events per request or per INSERT. */
  batch: number;
  /** Connections (closed loop: also requests in flight). */
  concurrency: number;
  durationMs: number;
  /** Load before the measured window, not counted. */
  warmupMs: number;
  /** Events per second on a schedule, or null for as fast as answers come. */
  rate: number | null;
  seed: number;
  /** Unique per job: goes into every id and dossier code. */
  runId: string;
  /** Distinct events generated per commune before the pool repeats (renamed). */
  perUnit: number;
}

export interface LoadResult {
  /** Events acknowledged (HTTP: counted as `accepted`) within the measured window. */
  events: number;
  requests: number;
  eventsPerSec: number;
  requestsPerSec: number;
  /** Failed requests (non-200 or errors), and the first few messages. */
  errors: number;
  errorSamples: string[];
  /** Per request, ms (open loop: from the scheduled send time). */
  latency: Summary;
  /** CPU seconds of this process over the window ÷ window seconds. */
  cpuCores: number;
  seconds: number;
}

export type ParentMessage = { type: 'job'; job: LoadJob } | { type: 'go' };
export type ChildMessage =
  | { type: 'ready' }
  | { type: 'result'; result: LoadResult }
  | { type: 'error'; message: string };

type Send = (unitIndex: number) => Promise<number>;

function httpSender(job: LoadJob, pool: EventPool): Send {
  const urls = (job.targets ?? [job.target]).map((t) => new URL('/v1/events', t));
  let turn = 0;
  const agent = new Agent({ keepAlive: true, maxSockets: job.concurrency, maxFreeSockets: job.concurrency });
  const contentType = job.batch === 1 ? 'application/cloudevents+json' : 'application/cloudevents-batch+json';
  return (unitIndex) => {
    const parts = pool.json(unitIndex, job.batch, job.runId);
    const body = Buffer.from(job.batch === 1 ? parts[0] : `[${parts.join(',')}]`);
    return new Promise<number>((resolve, reject) => {
      const req = request(
        urls[turn++ % urls.length],
        {
          method: 'POST',
          agent,
          headers: {
            'content-type': contentType,
            'content-length': body.length,
            authorization: `Bearer ${job.units[unitIndex].key}`,
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString();
            const accepted = /^\{"accepted":(\d+)/.exec(text);
            if (res.statusCode === 200 && accepted) resolve(Number(accepted[1]));
            else reject(new Error(`HTTP ${res.statusCode}: ${text.slice(0, 200)}`));
          });
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  };
}

function pgSender(job: LoadJob, pool: EventPool): { send: Send; close: () => Promise<void> } {
  const sql = postgres(job.target, { max: job.concurrency, onnotice: () => {} });
  const insert = async (r: EventRows) => {
    await sql`insert into events (source, id, type, time, unit_code, desk_code, dossier_code, data, attributes)
      select * from unnest(${r.source}::text[], ${r.id}::text[], ${r.type}::text[], ${r.time}::timestamptz[],
        ${r.unit}::text[], ${r.desk}::text[], ${r.dossier}::text[], ${r.data}::jsonb[], ${r.attributes}::jsonb[])`;
    return r.id.length;
  };
  return {
    send: (unitIndex) => insert(pool.rows(unitIndex, job.batch, job.runId)),
    close: () => sql.end({ timeout: 5 }),
  };
}

async function run(
  job: LoadJob,
  pool: EventPool,
  ready: () => void,
  waitGo: Promise<void>,
): Promise<LoadResult> {
  let send: Send;
  let close = async () => {};
  if (job.mode === 'http') send = httpSender(job, pool);
  else ({ send, close } = pgSender(job, pool));
  let unit = 0;
  const nextUnit = () => {
    unit = (unit + 1) % job.units.length;
    return unit;
  };
  const latencies: number[] = [];
  const errorSamples: string[] = [];
  let events = 0;
  let requests = 0;
  let errors = 0;
  const fail = (err: unknown) => {
    errors++;
    if (errorSamples.length < 5) errorSamples.push((err as Error).message);
  };

  // One request before the clock starts: connections, prepared statements, JIT of the paths.
  await send(nextUnit());
  ready();
  await waitGo;
  const t0 = performance.now();
  const measureFrom = t0 + job.warmupMs;
  const stopAt = measureFrom + job.durationMs;
  let cpuAtStart: NodeJS.CpuUsage | null = null;
  const cpuTimer = setTimeout(() => {
    cpuAtStart = process.cpuUsage();
  }, job.warmupMs);

  const record = (scheduled: number, n: number) => {
    const done = performance.now();
    if (scheduled < measureFrom || done > stopAt) return;
    events += n;
    requests++;
    latencies.push(done - scheduled);
  };

  if (job.rate === null) {
    const worker = async () => {
      while (performance.now() < stopAt) {
        const started = performance.now();
        try {
          record(started, await send(nextUnit()));
        } catch (err) {
          fail(err);
          await new Promise((r) => setTimeout(r, 50));
        }
      }
    };
    await Promise.all(Array.from({ length: job.concurrency }, worker));
  } else {
    const interval = (job.batch / job.rate) * 1000;
    const inFlight = new Set<Promise<void>>();
    let k = 0;
    await new Promise<void>((resolve) => {
      const tick = () => {
        const now = performance.now();
        while (t0 + k * interval <= now && t0 + k * interval < stopAt) {
          const scheduled = t0 + k * interval;
          k++;
          const p: Promise<void> = send(nextUnit())
            .then((n) => record(scheduled, n), fail)
            .finally(() => inFlight.delete(p));
          inFlight.add(p);
        }
        if (t0 + k * interval >= stopAt) resolve();
        else setTimeout(tick, Math.max(0, Math.min(5, t0 + k * interval - performance.now())));
      };
      tick();
    });
    await Promise.race([Promise.all(inFlight), new Promise((r) => setTimeout(r, 30_000))]);
  }
  clearTimeout(cpuTimer);
  const cpu = process.cpuUsage(cpuAtStart ?? undefined);
  await close();
  const seconds = job.durationMs / 1000;
  return {
    events,
    requests,
    eventsPerSec: events / seconds,
    requestsPerSec: requests / seconds,
    errors,
    errorSamples,
    latency: summarize(latencies),
    cpuCores: (cpu.user + cpu.system) / 1e6 / seconds,
    seconds,
  };
}

const reply = (m: ChildMessage) => process.send?.(m);

if (process.send) {
  let go: () => void = () => {};
  const waitGo = new Promise<void>((resolve) => {
    go = resolve;
  });
  process.on('message', (m: ParentMessage) => {
    if (m.type === 'go') go();
    if (m.type !== 'job') return;
    const job = m.job;
    let pool: EventPool;
    try {
      pool = new EventPool(
        job.units.map((u) => u.code),
        job.perUnit,
        job.seed,
      );
    } catch (err) {
      reply({ type: 'error', message: (err as Error).message });
      return;
    }
    // 'ready' once a first request is through, so that the parent's clock starts with the load.
    run(job, pool, () => reply({ type: 'ready' }), waitGo).then(
      (result) => {
        reply({ type: 'result', result });
        process.disconnect();
      },
      (err) => {
        reply({ type: 'error', message: (err as Error).stack ?? String(err) });
        process.disconnect();
      },
    );
  });
}
