import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import {
  createDb,
  createPlaylist,
  createViewer,
  type Database,
  DatabaseLockedError,
  ensureFirstAdmin,
  getPlaylist,
  isTreeName,
  loadReferenceUnits,
  migrate,
  readUnitTree,
  resolveDataDir,
  TREE_NAMES,
  type TreeName,
  verifyViewerToken,
  viewerLink,
} from '@motcua/db';
import { type IngestConfig, loadIngestConfig, type StartedIngest, startIngest } from '@motcua/ingest';
import { ConfigError, loadSharedConfig, type SharedConfig } from '@motcua/service';
import { removeAdminInfo, writeAdminInfo } from './admin-file.ts';
import { captureDbCommand, parseArgs, USAGE, UsageError } from './commands.ts';
import { type DemoState, readDemoState, writeDemoState } from './demo-state.ts';
import { dashboardOrigin, hostForUrl } from './origin.ts';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

interface StartOptions {
  only: 'ingest' | 'dashboard' | null;
  tree: TreeName;
  demo: boolean;
  speed: number;
  seed: number;
}

function parseStart(argv: string[], embedded: boolean): StartOptions {
  const p = parseArgs(argv, ['no-demo', 'demo']);
  for (const f of Object.keys(p.flags)) {
    if (!['only', 'tree', 'no-demo', 'demo', 'speed', 'seed'].includes(f))
      throw new UsageError(`--${f}: unknown option`);
  }
  if (p.positional.length) throw new UsageError(`start: unexpected ${p.positional[0]}`);
  const only = p.flags.only;
  if (only !== undefined && only !== 'ingest' && only !== 'dashboard') {
    throw new UsageError('--only: expected ingest or dashboard');
  }
  if (only && embedded) {
    throw new UsageError(
      '--only: separate processes need DATABASE_URL (the embedded database allows one process)',
    );
  }
  const tree = (p.flags.tree as string | undefined) ?? 'hanoi-2025-01';
  if (!isTreeName(tree)) throw new UsageError(`--tree: expected one of ${TREE_NAMES.join(', ')}`);
  // The national tree carries ~6× Hà Nội's volume at speed 1: its demo runs at the real pace by default.
  const speed = Number(p.flags.speed ?? process.env.DEMO_SPEED ?? (tree === 'vn-2025-07' ? 1 : 30));
  if (!Number.isFinite(speed) || speed <= 0 || speed > 1000)
    throw new UsageError('--speed: a number from 0 to 1000');
  const seed = Number(p.flags.seed ?? 20251129);
  if (!Number.isInteger(seed)) throw new UsageError('--seed: an integer');
  const demoEnv = process.env.DEMO;
  const demo = p.flags['no-demo']
    ? false
    : p.flags.demo
      ? true
      : demoEnv !== undefined
        ? demoEnv !== '0'
        : embedded;
  return { only: (only as StartOptions['only']) ?? null, tree, demo, speed, seed };
}

/** Builds the dashboard on first start (or after a clean), so `npm start` is all a newcomer types. */
function ensureDashboardBuilt(built: boolean) {
  if (built) return;
  process.stdout.write('Building the dashboard (first start only)…\n');
  const r = spawnSync('npm', ['run', 'build', '-w', '@motcua/dashboard'], {
    cwd: repoRoot,
    stdio: 'inherit',
  });
  if (r.status !== 0) throw new Error('dashboard build failed');
}

/** The unit tree, loading the chosen reference tree first when the database has none. */
async function ensureUnits(db: Database, tree: TreeName, log: (s: string) => void) {
  const existing = await readUnitTree(db);
  if (existing.size > 0) return existing;
  log(`Loaded ${await loadReferenceUnits(db, tree)} units of ${tree}`);
  return readUnitTree(db);
}

/** `npm start`: the whole system in one process (or one part of it with --only). */
export async function start(argv: string[]): Promise<number> {
  const t0 = performance.now();
  const embedded = !process.env.DATABASE_URL;
  let opts: StartOptions;
  let shared: SharedConfig;
  let ingestConfig: IngestConfig | null = null;
  let dashboardModule: typeof import('@motcua/dashboard/server') | null = null;
  let dashConfig: import('@motcua/dashboard/server').DashboardConfig | null = null;
  try {
    opts = parseStart(argv, embedded);
    // Each service reads its own settings (and the shared ones, the same way) from the environment.
    shared = loadSharedConfig();
    if (opts.only !== 'dashboard') ingestConfig = loadIngestConfig();
    if (opts.only !== 'ingest') {
      dashboardModule = await import('@motcua/dashboard/server');
      dashConfig = dashboardModule.loadDashboardConfig();
    }
  } catch (err) {
    if (err instanceof UsageError || err instanceof ConfigError) {
      process.stderr.write(`error: ${err.message}\n\n${USAGE}\n`);
      return 2;
    }
    throw err;
  }
  const say = (s: string) => process.stdout.write(`${s}\n`);
  if (dashboardModule) ensureDashboardBuilt(dashboardModule.dashboardBuilt());

  const dataDir = shared.database.dataDir ?? resolveDataDir();
  let db: Database;
  try {
    db = await createDb({ url: shared.database.url, dataDir });
  } catch (err) {
    if (err instanceof DatabaseLockedError) {
      process.stderr.write(`error: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
  await migrate(db);
  const tree = await ensureUnits(db, opts.tree, say);

  let dashboard: import('@motcua/dashboard/server').RunningDashboard | null = null;
  if (dashboardModule && dashConfig) {
    dashboard = await dashboardModule.startDashboard({
      ...dashConfig,
      db,
      tree,
      listen: !embedded,
      // One process, one set of process metrics: the ingest's /metrics has them when it runs here.
      processMetrics: !ingestConfig,
    });
  }

  const dashboardBase = dashboard
    ? dashboardOrigin(dashConfig?.publicUrl, shared.host, dashboard.port)
    : null;
  let ingest: StartedIngest | null = null;
  const adminToken = randomBytes(24).toString('base64url');
  if (ingestConfig) {
    const hub = dashboard?.hub;
    ingest = await startIngest(ingestConfig, {
      db,
      // Embedded: one process, so the dashboard hears of commits directly (Postgres: NOTIFY).
      onCommit: embedded && hub ? (units) => hub.unitsChanged(units) : undefined,
      admin: embedded
        ? { token: adminToken, run: (args) => captureDbCommand(db, args, dashboardBase ?? undefined) }
        : undefined,
      processMetrics: true,
    });
  }
  const ingestUrl = ingest ? `http://${hostForUrl(shared.host)}:${ingest.port}` : null;
  if (embedded && ingestUrl) writeAdminInfo(dataDir, { pid: process.pid, url: ingestUrl, token: adminToken });

  // Demo data and the printed links.
  let demoState: DemoState | null = embedded ? readDemoState(dataDir) : null;
  let demo: { stop(): Promise<void> } | null = null;
  const city = tree.roots()[0];
  // The admin link is printed once, on the first start of a dashboard on this database (embedded
  // or Postgres, whatever the tree), and kept nowhere (only its hash is stored).
  const firstAdmin = dashboard ? await ensureFirstAdmin(db) : null;
  if (embedded && !demoState && city) {
    const viewer = await createViewer(db, {
      role: city.level === 'nation' ? 'nation' : 'city',
      unit: city.code,
      label: `npm start (demo ${city.level} viewer)`,
    });
    demoState = { cityViewerToken: viewer.token, deskKeys: {}, backfilledUntil: null };
    writeDemoState(dataDir, demoState);
  }
  const screen =
    embedded && dashboard && demoState && city ? await demoScreen(db, dataDir, demoState, city.code) : null;
  if (opts.demo && ingestUrl && ingest && demoState) {
    const { startDemo } = await import('./demo.ts');
    const demoIngest = ingest;
    demo = await startDemo({
      db,
      tree,
      dataDir,
      state: demoState,
      ingestUrl,
      write: (events) => demoIngest.write(events),
      speed: opts.speed,
      seed: opts.seed,
      say,
    });
  }

  say('');
  say('Một Cửa Live is running.');
  if (ingestUrl) say(`  Ingest:    ${ingestUrl}/v1/events`);
  if (dashboard) {
    say(`  Dashboard: ${dashboardBase}/`);
    if (demoState) say(`  Open:      ${dashboardBase}/?token=${demoState.cityViewerToken}`);
    if (screen) {
      say(
        `  Screen:    ${dashboardBase}/display/${screen.unit}?playlist=${screen.playlistId}&token=${screen.token}`,
      );
    }
    if (firstAdmin) {
      say(
        `  Admin:     ${viewerLink(dashboardBase as string, 'admin', firstAdmin.unitCode, firstAdmin.token)}`,
      );
      say(
        '             (shown this once: keep it; a new one: npm run motcua -- viewers create --role admin ...)',
      );
    }
  }
  const sampleKey = demoState && Object.entries(demoState.deskKeys).sort(([a], [b]) => a.localeCompare(b))[0];
  if (ingestUrl && sampleKey) {
    say(`  Desk key for commune ${sampleKey[0]}: ${sampleKey[1]}`);
    say(`  Try:       curl -s ${ingestUrl}/v1/events -H 'Authorization: Bearer ${sampleKey[1]}' \\`);
    say(`               -H 'Content-Type: application/cloudevents+json' -d '${sampleEvent(sampleKey[0])}'`);
  } else if (ingestUrl) {
    say('  New desk key: npm run motcua -- keys create --unit <commune code> --label "Quầy 1"');
  }
  say(`  Ready in ${((performance.now() - t0) / 1000).toFixed(1)} s (pid ${process.pid}). Ctrl-C stops.`);

  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = async (signal: string) => {
      if (stopping) return;
      stopping = true;
      say(`\n${signal}: stopping…`);
      const force = setTimeout(() => {
        process.stderr.write('did not stop within 8 s; exiting\n');
        resolve(1);
      }, 8000);
      force.unref();
      try {
        await demo?.stop();
        await ingest?.close();
        await dashboard?.close();
        await db.close();
        if (embedded) removeAdminInfo(dataDir);
        clearTimeout(force);
        say('stopped.');
        resolve(0);
      } catch (err) {
        process.stderr.write(`error while stopping: ${(err as Error).message}\n`);
        resolve(1);
      }
    };
    // Ctrl-C reaches npm, tsx and this process alike: repeats are ignored while stopping.
    process.on('SIGINT', () => void stop('SIGINT'));
    process.on('SIGTERM', () => void stop('SIGTERM'));
  });
}

/** The slides of the demo's wall screen: every kind a city has, a cycle of about three minutes. */
export const DEMO_SLIDES = 'overview:30,league:15,children:6,scorecard:20,alerts:15';

/**
 * The demo's wall screen, made once and kept in the demo state: a display viewer of the city and
 * a saved playlist of the city (by the demo's city viewer, so it is edited at /playlists/{city}).
 * Made again when either is gone (a revoked viewer, a deleted playlist). null when the demo's
 * city viewer itself was revoked: nobody left to own a playlist.
 */
async function demoScreen(
  db: Database,
  dataDir: string,
  state: DemoState,
  city: string,
): Promise<{ unit: string; playlistId: number; token: string } | null> {
  const owner = await verifyViewerToken(db, state.cityViewerToken);
  if (!owner) return null;
  let { displayViewerToken, playlistId } = state.screen ?? { displayViewerToken: '', playlistId: 0 };
  const viewer = displayViewerToken ? await verifyViewerToken(db, displayViewerToken) : null;
  if (!viewer || viewer.role !== 'display' || viewer.unitCode !== city) {
    displayViewerToken = (
      await createViewer(db, { role: 'display', unit: city, label: 'npm start (demo wall screen)' })
    ).token;
  }
  const playlist = playlistId ? await getPlaylist(db, playlistId) : null;
  if (!playlist || playlist.unitCode !== city) {
    playlistId = (
      await createPlaylist(db, {
        unitCode: city,
        name: 'Màn hình sảnh (demo)',
        slides: DEMO_SLIDES,
        createdBy: owner.id,
      })
    ).id;
  }
  if (state.screen?.displayViewerToken !== displayViewerToken || state.screen?.playlistId !== playlistId) {
    state.screen = { displayViewerToken, playlistId };
    writeDemoState(dataDir, state);
  }
  return { unit: city, playlistId, token: displayViewerToken };
}

function sampleEvent(unit: string): string {
  return JSON.stringify({
    specversion: '1.0',
    id: 'curl-1',
    source: `/units/${unit}/desks/Q01`,
    type: 'vn.motcua.rating.submitted',
    time: '$(date -Iseconds)',
    data: { level: 'satisfied' },
  }).replace('"$(date -Iseconds)"', `"'"$(date -Iseconds)"'"`);
}
