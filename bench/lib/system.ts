import { join } from 'node:path';
import { createDeskKey, createViewer, readUnitTree, type UnitTree } from '@motcua/db';
import { type SpawnedService, spawnService } from '@motcua/test-helpers/spawn';
import type { BenchConfig } from './config.ts';
import { type BenchDb, backendPids, createBenchDb } from './pg.ts';
import { BackendCpu } from './proc.ts';

export interface LiveSystem {
  bench: BenchDb;
  ingest: SpawnedService;
  dashboard: SpawnedService;
  tree: UnitTree;
  /** Communes the background load writes to, with a desk key each (the probe district excluded). */
  load: { code: string; key: string }[];
  /** The probe commune and its district, which receive nothing but probe events. */
  probe: { commune: string; district: string; key: string };
  /** A city viewer token. */
  viewer: string;
  /** CPU of the Postgres backends serving each service, from when it is called. */
  backendCpu(): Promise<BackendCpu>;
  /** One more ingest process on the same database (its backends count as the ingest's). */
  startExtraIngest(): Promise<SpawnedService>;
  stop(): Promise<void>;
}

/** Communes spread evenly over a list (every k-th). */
export function spread<T>(list: T[], n: number): T[] {
  if (list.length <= n) return list;
  return Array.from({ length: n }, (_, i) => list[Math.floor((i * list.length) / n)]);
}

/**
 * A bench database with the Hà Nội tree and ingest + dashboard started as separate processes
 * (`start --only …`, LISTEN/NOTIFY between them), as production runs them.
 */
export async function startLiveSystem(cfg: BenchConfig, loadUnits = 100): Promise<LiveSystem> {
  const bench = await createBenchDb(cfg.base, 'motcua_bench_live');
  const tree = await readUnitTree(bench.db);
  const city = tree.roots()[0];
  const districts = tree.children(city.code);
  const probeDistrict = districts[districts.length - 1];
  const probeCommune = tree.communesUnder(probeDistrict.code)[0];
  const others = tree.communesUnder(city.code).filter((c) => !tree.isWithin(c, probeDistrict.code));
  const load: { code: string; key: string }[] = [];
  for (const code of spread(others, loadUnits)) {
    load.push({ code, key: (await createDeskKey(bench.db, { unit: code, label: 'bench' })).key });
  }
  const probeKey = (await createDeskKey(bench.db, { unit: probeCommune, label: 'bench probe' })).key;
  const viewer = (await createViewer(bench.db, { role: 'city', unit: city.code, label: 'bench' })).token;

  const env = {
    DATABASE_URL: bench.url,
    LOG_LEVEL: 'warn',
    RATE_LIMIT_EVENTS_PER_SEC: '0',
    HOST: '127.0.0.1',
  };
  // postgres.js takes application_name from PGAPPNAME: it tells each service's backends apart.
  const appName = (kind: string) => `motcua-bench-${kind}`;
  const profDir = join(import.meta.dirname, '..', 'results', 'prof');
  const nodeArgs = cfg.cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${profDir}`] : [];
  const [ingest, dashboard] = await Promise.all([
    spawnService('ingest', { env: { ...env, PGAPPNAME: appName('ingest') }, nodeArgs }),
    spawnService('dashboard', { env: { ...env, PGAPPNAME: appName('dashboard') }, nodeArgs }),
  ]);
  return {
    bench,
    ingest,
    dashboard,
    tree,
    load,
    probe: { commune: probeCommune, district: probeDistrict.code, key: probeKey },
    viewer,
    backendCpu: () =>
      BackendCpu.start({
        pgIngest: () => backendPids(cfg.base, appName('ingest')),
        pgDashboard: () => backendPids(cfg.base, appName('dashboard')),
      }),
    startExtraIngest: () =>
      spawnService('ingest', { env: { ...env, PGAPPNAME: appName('ingest') }, nodeArgs }),
    async stop() {
      await Promise.all([ingest.stop(), dashboard.stop()]);
      await bench.drop();
    },
  };
}
