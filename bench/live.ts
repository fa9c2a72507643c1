/**
 * 3. Event-to-screen latency: ingest response → `metrics` event at a socket.io-client, with
 *    background load and many subscribed clients (ingest and dashboard are separate processes,
 *    LISTEN/NOTIFY between them).
 * 4. Fan-out: many clients over many units; the dashboard's CPU and RSS, and how late the
 *    slowest client is.
 *
 * Probes make latency measurable under load: the probe district receives nothing but one
 * rating at a time from this process, so a client watching the city, that district or its
 * commune knows which probe a snapshot includes by its count.
 */
import type { ClientToServerEvents, ServerToClientEvents, Snapshot, SubscribeAck } from '@motcua/contract';
import { io, type Socket } from 'socket.io-client';
import type { BenchConfig } from './lib/config.ts';
import { startLoad } from './lib/loadgen-client.ts';
import { type PhaseUsage, ProcSampler, readProc } from './lib/proc.ts';
import { type Summary, sleep, summarize } from './lib/stats.ts';
import { type LiveSystem, spread } from './lib/system.ts';
import type { LoadResult } from './loadgen.ts';

type Client = Socket<ServerToClientEvents, ClientToServerEvents>;
const WINDOW = 'today';

interface Watcher {
  socket: Client;
  unit: string;
  /** Probe count in a snapshot (null: this unit does not contain the probe commune). */
  track: ((s: Snapshot) => number) | null;
  base: number;
  /** [count, time] of each snapshot that raised the count, in arrival order. */
  seen: [number, number][];
  snapshots: number;
}

export interface LivePhase {
  clients: number;
  units: number;
  /** Clients whose unit contains the probe commune (their latencies are measured). */
  probeClients: number;
  probes: number;
  /** Every (client, probe) pair: ack → first snapshot that includes it, ms. */
  latency: Summary;
  /** Per probe, the slowest client's latency, ms. */
  slowest: Summary;
  /** (client, probe) pairs never seen before the end. */
  missed: number;
  /** Per snapshot pushed to a room, first → last client to receive it (all clients, not only probe watchers), ms. */
  spread: Summary;
  snapshotsReceived: number;
  background: LoadResult;
  backgroundBatch: number;
  usage: Record<string, PhaseUsage>;
  /** CPU cores of the Postgres backends serving the ingest and the dashboard (snapshot reads). */
  pgCores: Record<string, number>;
  /** Dashboard RSS before the clients connected and after they subscribed. */
  dashboardRss: { idle: number; connected: number };
  connectSeconds: number;
}

export interface LiveResult {
  e2e: LivePhase;
  fanout: LivePhase;
}

function trackerFor(sys: LiveSystem, unit: string): ((s: Snapshot) => number) | null {
  const { commune, district } = sys.probe;
  if (unit === commune || unit === district) return (s) => s.metrics.satisfaction.total;
  if (sys.tree.isWithin(district, unit)) {
    return (s) => s.children.find((c) => c.unit.code === district)?.metrics.satisfaction.total ?? 0;
  }
  return null;
}

/** The units clients watch: city, probe district and commune first, then busy districts and communes. */
function unitsToWatch(sys: LiveSystem, n: number): string[] {
  const city = sys.tree.roots()[0].code;
  const districts = sys.tree
    .children(city)
    .map((d) => d.code)
    .filter((d) => d !== sys.probe.district);
  const loaded = sys.load.map((l) => l.code);
  const rest = n - 3;
  const nDistricts = Math.min(districts.length, Math.ceil(rest / 2));
  const picked = [...spread(districts, nDistricts), ...spread(loaded, rest - nDistricts)];
  return [city, sys.probe.district, sys.probe.commune, ...picked].slice(0, n);
}

/** First and last arrival of one snapshot across the clients of its room. */
type Waves = Map<string, { first: number; last: number; n: number }>;

async function connectWatchers(
  sys: LiveSystem,
  units: string[],
  clients: number,
  waves: Waves,
): Promise<Watcher[]> {
  const out: Watcher[] = [];
  const one = async (i: number) => {
    const unit = units[i % units.length];
    const socket: Client = io(sys.dashboard.url, {
      path: '/socket.io',
      auth: { token: sys.viewer },
      transports: ['websocket'],
      forceNew: true,
      reconnection: false,
    });
    const w: Watcher = { socket, unit, track: trackerFor(sys, unit), base: 0, seen: [], snapshots: 0 };
    const ack = await new Promise<SubscribeAck>((resolve, reject) => {
      socket.once('connect_error', reject);
      socket.emit('subscribe', { unit, window: WINDOW }, resolve);
    });
    if ('error' in ack) throw new Error(`subscribe ${unit}: ${ack.error.message}`);
    w.base = w.track ? w.track(ack) : 0;
    socket.on('metrics', (s) => {
      const at = performance.now();
      w.snapshots++;
      const key = `${unit}|${s.asOf}|${JSON.stringify(s.metrics)}`;
      const wave = waves.get(key);
      if (wave) {
        wave.last = at;
        wave.n++;
      } else waves.set(key, { first: at, last: at, n: 1 });
      if (!w.track) return;
      const n = w.track(s);
      const last = w.seen.at(-1)?.[0] ?? w.base;
      if (n > last) w.seen.push([n, at]);
    });
    out.push(w);
  };
  // Connect in waves: each handshake authenticates against the database.
  for (let i = 0; i < clients; i += 50) {
    await Promise.all(Array.from({ length: Math.min(50, clients - i) }, (_, k) => one(i + k)));
  }
  return out;
}

async function postProbe(sys: LiveSystem, runId: string, k: number): Promise<number> {
  const event = {
    specversion: '1.0',
    id: `probe-${runId}-${k}`,
    source: `/units/${sys.probe.commune}/desks/P01`,
    type: 'vn.motcua.rating.submitted',
    time: new Date().toISOString(),
    datacontenttype: 'application/json',
    data: { level: 'satisfied' },
  };
  const res = await fetch(`${sys.ingest.url}/v1/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/cloudevents+json', authorization: `Bearer ${sys.probe.key}` },
    body: JSON.stringify(event),
  });
  const at = performance.now();
  const body = (await res.json()) as { accepted?: number };
  if (res.status !== 200 || body.accepted !== 1) throw new Error(`probe ${k}: HTTP ${res.status}`);
  return at;
}

async function phase(
  cfg: BenchConfig,
  sys: LiveSystem,
  runId: string,
  clients: number,
  nUnits: number,
  log: (s: string) => void,
): Promise<LivePhase> {
  const idle = readProc(sys.dashboard.pid)?.rssBytes ?? Number.NaN;
  const units = unitsToWatch(sys, nUnits);
  const c0 = performance.now();
  const waves: Waves = new Map();
  const watchers = await connectWatchers(sys, units, clients, waves);
  const connectSeconds = (performance.now() - c0) / 1000;
  await sleep(500);
  const connected = readProc(sys.dashboard.pid)?.rssBytes ?? Number.NaN;
  log(`  ${clients} clients on ${units.length} units subscribed in ${connectSeconds.toFixed(1)} s`);

  waves.clear();
  const background = startLoad({
    mode: 'http',
    target: sys.ingest.url,
    units: sys.load,
    batch: cfg.liveBatch,
    concurrency: 256,
    durationMs: cfg.latencyMs,
    warmupMs: 1000,
    rate: cfg.liveRate,
    seed: cfg.seed,
    runId: `bg${runId}`,
    perUnit: 200,
  });
  await background.ready;
  const pg = await sys.backendCpu();
  const sampler = new ProcSampler({
    ingest: sys.ingest.pid,
    dashboard: sys.dashboard.pid,
    clients: process.pid,
  });
  const loadDone = background.go();
  await sleep(1000);
  const probeInterval = 500;
  const acks: number[] = [];
  const end = performance.now() + cfg.latencyMs;
  for (let k = 1; performance.now() < end; k++) {
    const next = performance.now() + probeInterval;
    acks.push(await postProbe(sys, runId, k));
    await sleep(Math.max(0, next - performance.now()));
  }
  const bg = await loadDone;
  await sleep(2000);
  const usage = sampler.stop();
  const pgCores = await pg.stop();

  const pairs: number[] = [];
  const slowest: number[] = [];
  let missed = 0;
  const probeWatchers = watchers.filter((w) => w.track);
  acks.forEach((ackAt, i) => {
    let worst = Number.NEGATIVE_INFINITY;
    for (const w of probeWatchers) {
      const need = w.base + i + 1;
      const hit = w.seen.find(([n]) => n >= need);
      if (!hit) {
        missed++;
        continue;
      }
      const latency = hit[1] - ackAt;
      pairs.push(latency);
      worst = Math.max(worst, latency);
    }
    if (Number.isFinite(worst)) slowest.push(worst);
  });
  const snapshotsReceived = watchers.reduce((a, w) => a + w.snapshots, 0);
  for (const w of watchers) w.socket.disconnect();
  await sleep(500);
  return {
    clients,
    units: units.length,
    probeClients: probeWatchers.length,
    probes: acks.length,
    latency: summarize(pairs),
    slowest: summarize(slowest),
    missed,
    spread: summarize([...waves.values()].filter((w) => w.n > 1).map((w) => w.last - w.first)),
    snapshotsReceived,
    background: bg,
    backgroundBatch: cfg.liveBatch,
    usage,
    pgCores,
    dashboardRss: { idle, connected },
    connectSeconds,
  };
}

export async function benchLive(
  cfg: BenchConfig,
  sys: LiveSystem,
  log: (s: string) => void,
): Promise<LiveResult> {
  const e2e = await phase(cfg, sys, 'e2e', cfg.e2eClients, 10, log);
  log(
    `  event-to-screen at ${cfg.liveRate} events/s, ${cfg.e2eClients} clients: p50 ${e2e.latency.p50.toFixed(0)} ms, ` +
      `p99 ${e2e.latency.p99.toFixed(0)} ms (${e2e.latency.n} samples, ${e2e.missed} missed)`,
  );
  const fanout = await phase(cfg, sys, 'fan', cfg.fanoutClients, cfg.fanoutUnits, log);
  log(
    `  fan-out ${cfg.fanoutClients} clients / ${cfg.fanoutUnits} units: slowest client p50 ${fanout.slowest.p50.toFixed(0)} ms, ` +
      `max ${fanout.slowest.max.toFixed(0)} ms; dashboard ${(fanout.usage.dashboard.cpuCores * 100).toFixed(0)} % CPU, ` +
      `${(fanout.usage.dashboard.peakRssBytes / 2 ** 20).toFixed(0)} MiB peak`,
  );
  return { e2e, fanout };
}
