import type { ClientToServerEvents, ServerToClientEvents, Snapshot } from '@motcua/contract';
import { createIngestMetrics } from '@motcua/ingest';
import { DB_KINDS } from '@motcua/test-helpers/db';
import { rating } from '@motcua/test-helpers/events';
import { postBatch } from '@motcua/test-helpers/ingest';
import { startTestSystem, type TestSystem } from '@motcua/test-helpers/system';
import { until, waitFor } from '@motcua/test-helpers/wait';
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

type Client = Socket<ServerToClientEvents, ClientToServerEvents>;

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}
interface Exposition {
  types: Map<string, string>;
  samples: Sample[];
}

/** The Prometheus text format, as far as these services write it: `# TYPE` lines and samples. */
export function parseExposition(text: string): Exposition {
  const types = new Map<string, string>();
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    if (line.startsWith('#')) {
      const m = /^# TYPE (\S+) (counter|gauge|histogram|summary|untyped)$/.exec(line);
      if (m) types.set(m[1], m[2]);
      else if (!line.startsWith('# HELP ')) throw new Error(`unexpected comment: ${line}`);
      continue;
    }
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{.*\})? (\S+)( \d+)?$/.exec(line);
    if (!m) throw new Error(`not a sample line: ${line}`);
    const labels: Record<string, string> = {};
    if (m[2]) {
      const body = m[2].slice(1, -1);
      const re = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"(,|$)/gy;
      let consumed = 0;
      for (let l = re.exec(body); l; l = re.exec(body)) {
        labels[l[1]] = l[2].replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
        consumed = re.lastIndex;
      }
      if (consumed !== body.length) throw new Error(`bad labels: ${line}`);
    }
    const value =
      m[3] === '+Inf' ? Number.POSITIVE_INFINITY : m[3] === '-Inf' ? Number.NEGATIVE_INFINITY : Number(m[3]);
    // Prometheus reads NaN in any case (prom-client writes `Nan`).
    if (Number.isNaN(value) && m[3].toLowerCase() !== 'nan') throw new Error(`bad value: ${line}`);
    samples.push({ name: m[1], labels, value });
  }
  return { types, samples };
}

/** Sum of the samples of `name` whose labels include `labels`. */
function value(e: Exposition, name: string, labels: Record<string, string> = {}): number {
  return e.samples
    .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    .reduce((sum, s) => sum + s.value, 0);
}

async function scrape(url: string): Promise<Exposition> {
  const res = await fetch(`${url}/metrics`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return parseExposition(await res.text());
}

describe('the exposition parser', () => {
  it('reads names, escaped labels, values and types', () => {
    const e = parseExposition(
      [
        '# HELP x_total A counter',
        '# TYPE x_total counter',
        'x_total{a="1",b="q\\"uote\\\\",c="line\\nbreak"} 3',
        'y 1.5e3',
        'h_bucket{le="+Inf"} 7',
        'z -Inf',
      ].join('\n'),
    );
    expect(e.types.get('x_total')).toBe('counter');
    expect(e.samples[0]).toEqual({
      name: 'x_total',
      labels: { a: '1', b: 'q"uote\\', c: 'line\nbreak' },
      value: 3,
    });
    expect(value(e, 'y')).toBe(1500);
    expect(value(e, 'h_bucket', { le: '+Inf' })).toBe(7);
    expect(value(e, 'z')).toBe(Number.NEGATIVE_INFINITY);
    expect(() => parseExposition('bad line here')).toThrow();
  });
});

describe.each(DB_KINDS)('Prometheus metrics on %s', (kind) => {
  let s: TestSystem;
  let commune: string;
  let key: string;

  beforeAll(async () => {
    s = await startTestSystem(kind, { city: '76' }, { processMetrics: true });
    commune = s.tree.communes[0];
    key = await s.deskKey(commune);
  });
  afterAll(async () => {
    // The last test closes the database under the services.
    await s?.close().catch(() => {});
  });

  it('ingest: types, process metrics and the pool size', async () => {
    const e = await scrape(s.ingestUrl);
    expect(e.types.get('motcua_ingest_events_accepted_total')).toBe('counter');
    expect(e.types.get('motcua_ingest_events_duplicate_total')).toBe('counter');
    expect(e.types.get('motcua_ingest_events_rejected_total')).toBe('counter');
    expect(e.types.get('motcua_ingest_http_requests_total')).toBe('counter');
    expect(e.types.get('motcua_ingest_flush_events')).toBe('histogram');
    expect(e.types.get('motcua_ingest_flush_seconds')).toBe('histogram');
    expect(e.types.get('motcua_ingest_writer_queue_depth')).toBe('gauge');
    expect(e.types.get('motcua_ingest_db_pool_max')).toBe('gauge');
    expect(value(e, 'motcua_ingest_db_pool_max', { kind })).toBe(kind === 'pglite' ? 1 : 10);
    expect(value(e, 'motcua_ingest_writer_queue_depth')).toBe(0);
    for (const name of [
      'process_cpu_user_seconds_total',
      'process_resident_memory_bytes',
      'nodejs_eventloop_lag_seconds',
    ]) {
      expect(e.types.has(name), name).toBe(true);
    }
  });

  it('ingest: the counters and histograms move with the events posted', async () => {
    const before = await scrape(s.ingestUrl);
    const valid = [
      rating(commune, 'satisfied'),
      rating(commune, 'unsatisfied'),
      rating(commune, 'very_satisfied'),
    ];
    const invalid = { ...rating(commune, 'satisfied'), data: { level: 'meh' } };
    const first = await postBatch(s.ingestUrl, key, [...valid, invalid]);
    expect(first.body).toMatchObject({ accepted: 3, rejected: 1 });
    const again = await postBatch(s.ingestUrl, key, [valid[0]]);
    expect(again.body).toMatchObject({ duplicates: 1 });
    const outside = await fetch(`${s.ingestUrl}/v1/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/cloudevents+json' },
      body: JSON.stringify(rating(s.tree.communes[1], 'satisfied')),
    });
    expect(outside.status).toBe(403);
    const malformed = await fetch(`${s.ingestUrl}/v1/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/cloudevents+json' },
      body: '{',
    });
    expect(malformed.status).toBe(400);
    expect((await fetch(`${s.ingestUrl}/v1/events`, { method: 'POST' })).status).toBe(401);

    const after = await scrape(s.ingestUrl);
    const delta = (name: string, labels: Record<string, string> = {}) =>
      value(after, name, labels) - value(before, name, labels);
    expect(delta('motcua_ingest_events_accepted_total')).toBe(3);
    expect(delta('motcua_ingest_events_duplicate_total')).toBe(1);
    expect(delta('motcua_ingest_events_rejected_total', { reason: 'invalid_event' })).toBe(1);
    expect(delta('motcua_ingest_events_rejected_total', { reason: 'forbidden_source' })).toBe(1);
    expect(delta('motcua_ingest_http_requests_total', { status: '200' })).toBeGreaterThanOrEqual(2);
    expect(delta('motcua_ingest_http_requests_total', { status: '403' })).toBe(1);
    expect(delta('motcua_ingest_http_requests_total', { status: '400' })).toBe(1);
    expect(delta('motcua_ingest_http_requests_total', { status: '401' })).toBe(1);
    // Two flushes: the batch (3 events written) and the duplicate (1).
    expect(delta('motcua_ingest_flush_events_count')).toBe(2);
    expect(delta('motcua_ingest_flush_events_sum')).toBe(4);
    expect(delta('motcua_ingest_flush_seconds_count')).toBe(2);
    expect(delta('motcua_ingest_flush_seconds_sum')).toBeGreaterThan(0);
    expect(delta('motcua_ingest_flush_events_bucket', { le: '5' })).toBe(2);
    expect(value(after, 'motcua_ingest_writer_queue_depth')).toBe(0);
  });

  it('dashboard: socket clients, subscriptions, snapshot latency and snapshots emitted', async () => {
    const before = await scrape(s.dashboardUrl);
    expect(before.types.get('motcua_dashboard_socket_clients')).toBe('gauge');
    expect(before.types.get('motcua_dashboard_subscriptions')).toBe('gauge');
    expect(before.types.get('motcua_dashboard_snapshot_seconds')).toBe('histogram');
    expect(before.types.get('motcua_dashboard_snapshots_emitted_total')).toBe('counter');
    expect(value(before, 'motcua_dashboard_socket_clients')).toBe(0);

    const c: Client = io(s.dashboardUrl, {
      auth: { token: await s.viewer('commune', commune) },
      transports: ['websocket'],
      reconnection: false,
    });
    try {
      const ack = (await c
        .timeout(10_000)
        .emitWithAck('subscribe', { unit: commune, window: '1h' })) as Snapshot;
      expect(ack.unit.code).toBe(commune);
      const subscribed = await scrape(s.dashboardUrl);
      expect(value(subscribed, 'motcua_dashboard_socket_clients')).toBe(1);
      expect(value(subscribed, 'motcua_dashboard_subscriptions')).toBe(1);
      expect(
        value(subscribed, 'motcua_dashboard_snapshots_emitted_total', { kind: 'ack' }) -
          value(before, 'motcua_dashboard_snapshots_emitted_total', { kind: 'ack' }),
      ).toBe(1);
      expect(
        value(subscribed, 'motcua_dashboard_snapshot_seconds_count', { kind: 'ack' }),
      ).toBeGreaterThanOrEqual(1);

      const pushed = waitFor<Snapshot>(
        (deliver) => {
          c.on('metrics', deliver);
          return () => c.off('metrics', deliver);
        },
        (snap) => snap.metrics.satisfaction.total > ack.metrics.satisfaction.total,
      );
      await postBatch(s.ingestUrl, key, [rating(commune, 'satisfied')]);
      await pushed;
      const after = await scrape(s.dashboardUrl);
      expect(
        value(after, 'motcua_dashboard_snapshots_emitted_total', { kind: 'push' }) -
          value(before, 'motcua_dashboard_snapshots_emitted_total', { kind: 'push' }),
      ).toBeGreaterThanOrEqual(1);
      expect(
        value(after, 'motcua_dashboard_snapshot_seconds_count', { kind: 'push' }),
      ).toBeGreaterThanOrEqual(1);
      expect(value(after, 'motcua_dashboard_snapshot_seconds_sum', { kind: 'push' })).toBeGreaterThan(0);
    } finally {
      c.disconnect();
    }
    await until(async () => {
      const e = await scrape(s.dashboardUrl);
      return value(e, 'motcua_dashboard_socket_clients') === 0 &&
        value(e, 'motcua_dashboard_subscriptions') === 0
        ? true
        : undefined;
    });
  });

  it('keeps each service in its own registry, none in prom-client’s global one', async () => {
    const ingest = await scrape(s.ingestUrl);
    const dashboard = await scrape(s.dashboardUrl);
    expect(ingest.samples.some((x) => x.name.startsWith('motcua_dashboard_'))).toBe(false);
    expect(dashboard.samples.some((x) => x.name.startsWith('motcua_ingest_'))).toBe(false);
    // As `npm start`: one process, process metrics on the ingest's endpoint only.
    expect(dashboard.types.has('process_cpu_user_seconds_total')).toBe(false);
    // More services in the process (a restart, a second app) register without a name clash.
    expect(() => createIngestMetrics({ processMetrics: true })).not.toThrow();
    const { register } = await import('prom-client');
    expect((await register.getMetricsAsJSON()).filter((m) => m.name.startsWith('motcua_'))).toEqual([]);
  });

  it('/readyz answers 200, then 503 on both services once the database is closed', async () => {
    for (const url of [s.ingestUrl, s.dashboardUrl]) {
      const res = await fetch(`${url}/readyz`);
      expect(res.status, url).toBe(200);
      expect(await res.json()).toEqual({ status: 'ready' });
    }
    await s.db.close();
    for (const url of [s.ingestUrl, s.dashboardUrl]) {
      const res = await fetch(`${url}/readyz`);
      expect(res.status, url).toBe(503);
      expect(res.headers.get('retry-after')).toMatch(/^\d+$/);
      expect(await res.json()).toMatchObject({ error: { code: 'unavailable', message: expect.any(String) } });
    }
    // /metrics still answers: it is how one sees the outage.
    expect((await fetch(`${s.ingestUrl}/metrics`)).status).toBe(200);
    expect((await fetch(`${s.dashboardUrl}/metrics`)).status).toBe(200);
  });
});
