import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { LiveHub } from './hub.ts';

/**
 * The dashboard's Prometheus metrics, in a Registry of its own (`npm start` runs the ingest
 * in the same process with another one; prom-client's global registry is not used).
 */
export interface DashboardMetrics {
  readonly registry: Registry;
  /** Points the gauges at a hub and counts its snapshots. */
  watch(hub: LiveHub): void;
}

export function createDashboardMetrics(opts: { processMetrics?: boolean } = {}): DashboardMetrics {
  const registry = new Registry();
  const registers = [registry];
  if (opts.processMetrics) collectDefaultMetrics({ register: registry });

  let hub: LiveHub | null = null;
  new Gauge({
    name: 'motcua_dashboard_socket_clients',
    help: 'Connected Socket.IO clients',
    registers,
    collect() {
      this.set(hub?.stats.clients ?? 0);
    },
  });
  new Gauge({
    name: 'motcua_dashboard_subscriptions',
    help: 'Live subscriptions (distinct unit and window) with at least one client',
    registers,
    collect() {
      this.set(hub?.stats.subscriptions ?? 0);
    },
  });
  const seconds = new Histogram({
    name: 'motcua_dashboard_snapshot_seconds',
    help: 'Time to read a snapshot and send it, by kind (ack of a subscribe, or push)',
    labelNames: ['kind'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers,
  });
  const emitted = new Counter({
    name: 'motcua_dashboard_snapshots_emitted_total',
    help: 'Snapshots sent to clients, by kind; a push to a room of many sockets counts once',
    labelNames: ['kind'] as const,
    registers,
  });
  for (const kind of ['ack', 'push']) emitted.inc({ kind }, 0);

  return {
    registry,
    watch(next) {
      hub = next;
      next.onSnapshot = (kind, ms) => {
        seconds.observe({ kind }, ms / 1000);
        emitted.inc({ kind });
      };
    },
  };
}
