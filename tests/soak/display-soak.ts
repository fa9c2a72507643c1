/**
 * The wall display's soak: one display, as a screen at a one-stop centre runs it, under updates
 * far faster than a real day's (several a second), with the dashboard server restarted and the
 * network cut again and again. At intervals, after a forced garbage collection, the page's
 * JavaScript heap, DOM nodes, event listeners and canvases (each ECharts instance draws on its
 * own; `Runtime.queryObjects` counts them in the heap, attached or not) are read through the
 * DevTools protocol, and the server's hub is asked how many sockets and subscriptions it holds.
 *
 * Verdict: past the warm-up, a least-squares line through each series may rise over the run by
 * at most `bound.share` of its median plus `bound.slack` (so a leak of any speed that shows in
 * the run fails it; noise and one-off allocations do not). The hub may hold two sockets for the
 * one open tab at a sample (after a network cut the dead one lives until its ping times out,
 * 45 s), and exactly one once the run has settled. The kernel's table of TCP connections
 * (/proc/net/tcp and tcp6) gives the server's open connections on the dashboard's port, whatever
 * Socket.IO believes: at most `MAX_TCP` at a sample, no rising trend (`BOUNDS.tcp`), and at most
 * `MAX_TCP` once settled.
 */
import { readFileSync } from 'node:fs';
import { launchChromium } from '@motcua/test-helpers/browser';
import type { DbKind } from '@motcua/test-helpers/db';
import { rating } from '@motcua/test-helpers/events';
import { postBatch } from '@motcua/test-helpers/ingest';
import { startTestSystem } from '@motcua/test-helpers/system';
import type { CDPSession, Page } from 'playwright-core';

export interface SoakOptions {
  /** Length of the run, ms. */
  durationMs: number;
  /** Ratings posted per second, round robin over the communes (the hub pushes at most 4/s). */
  eventsPerSec: number;
  /** Dashboard restarts, spread evenly over the run. */
  restarts: number;
  /** Network cuts (the browser offline), spread evenly, each `cutMs` long. */
  cuts: number;
  cutMs: number;
  /** A sample every this many ms. */
  sampleMs: number;
  /** Samples before this share of the run are warm-up, left out of the trends. */
  warmup: number;
  db: DbKind;
  /** Told of each sample and event as it happens. */
  log?: (line: string) => void;
}

export interface Sample {
  /** ms since the start. */
  t: number;
  heapBytes: number;
  nodes: number;
  listeners: number;
  canvases: number;
  /** The server's open TCP connections on the dashboard's port (NaN where /proc is not there). */
  tcp: number;
  /** Sockets and subscriptions the server's hub holds. */
  hubClients: number;
  hubSubscriptions: number;
  /** The display's connection state as it shows it. */
  state: string;
}

export interface Trend {
  metric: keyof Omit<Sample, 't' | 'state' | 'hubClients' | 'hubSubscriptions'>;
  median: number;
  /** The fitted line's rise over the measured window. */
  rise: number;
  /** The rise allowed. */
  bound: number;
  /** The fitted rise extrapolated to 24 h of the same load (for information). */
  perDay: number;
  ok: boolean;
}

export interface SoakResult {
  options: Omit<SoakOptions, 'log'>;
  samples: Sample[];
  trends: Trend[];
  restartsDone: number;
  cutsDone: number;
  eventsPosted: number;
  /** Highest socket count the hub held at a sample. */
  maxHubClients: number;
  /** Highest count of the server's open TCP connections at a sample. */
  maxTcp: number;
  /** Sockets the hub held once the run settled (one tab open: must be 1), and open TCP connections. */
  settled: { clients: number; sockets: number; tcp: number };
  ok: boolean;
}

/** What each series may rise by over the run: a share of its median plus a constant. */
export const BOUNDS: Record<Trend['metric'], { share: number; slack: number }> = {
  heapBytes: { share: 0.1, slack: 2 * 1024 * 1024 },
  nodes: { share: 0.05, slack: 200 },
  listeners: { share: 0.05, slack: 40 },
  canvases: { share: 0, slack: 2 },
  tcp: { share: 0, slack: 2 },
};

/**
 * The server's open TCP connections on the dashboard's port that one tab may hold: Chromium's
 * pool of 6 HTTP/1.1 connections per host, the live WebSocket, and one being closed. A socket the
 * server never closes after a restart or a cut adds one each time and passes this within a few.
 */
export const MAX_TCP = 8;

/**
 * Connections whose local port is `port` in the kernel's tables that the server holds open:
 * ESTABLISHED, or CLOSE_WAIT (the browser has closed its end, the server not: the signature of
 * a leaked socket). Those the server has closed itself (FIN_WAIT, TIME_WAIT…) are not counted.
 */
export function openTcp(port: number, tables = ['/proc/net/tcp', '/proc/net/tcp6']): number {
  let n = 0;
  let read = false;
  for (const table of tables) {
    let text: string;
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    read = true;
    for (const line of text.split('\n').slice(1)) {
      const [, local, , state] = line.trim().split(/\s+/);
      if (!local || !state) continue;
      // `0100007F:1F90`: the port is the hex after the colon; states 01 ESTABLISHED, 08 CLOSE_WAIT.
      if (Number.parseInt(local.split(':')[1], 16) === port && (state === '01' || state === '08')) n++;
    }
  }
  return read ? n : Number.NaN;
}

/** Least-squares slope of y over x. */
export function slope(xs: number[], ys: number[]): number {
  const n = xs.length;
  if (n < 2) return 0;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += (xs[i] - mx) * (ys[i] - my);
    den += (xs[i] - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

const median = (v: number[]) => {
  const s = [...v].sort((a, b) => a - b);
  return s.length ? s[Math.floor((s.length - 1) / 2)] : 0;
};

/** The trends of the samples past the warm-up, against BOUNDS. */
export function trends(samples: Sample[], warmupMs: number): Trend[] {
  const measured = samples.filter((s) => s.t >= warmupMs);
  const xs = measured.map((s) => s.t);
  const span = xs.length > 1 ? xs[xs.length - 1] - xs[0] : 0;
  return (Object.keys(BOUNDS) as Trend['metric'][]).map((metric) => {
    // A series that could not be read (the TCP count without /proc) has no trend.
    if (measured.some((s) => Number.isNaN(s[metric]))) {
      return { metric, median: Number.NaN, rise: 0, bound: 0, perDay: 0, ok: true };
    }
    const ys = measured.map((s) => s[metric]);
    const m = median(ys);
    const k = slope(xs, ys);
    const bound = BOUNDS[metric].share * m + BOUNDS[metric].slack;
    return { metric, median: m, rise: k * span, bound, perDay: k * 86_400_000, ok: k * span <= bound };
  });
}

async function readPage(
  page: Page,
  cdp: CDPSession,
): Promise<Omit<Sample, 't' | 'tcp' | 'hubClients' | 'hubSubscriptions'>> {
  await cdp.send('HeapProfiler.collectGarbage');
  const { metrics } = await cdp.send('Performance.getMetrics');
  const metric = (name: string) => metrics.find((m) => m.name === name)?.value ?? Number.NaN;
  // The handles go in a group of their own, released at once: an array left behind would keep
  // every canvas it holds alive, and the soak would measure its own leak.
  const objectGroup = 'soak';
  const proto = await cdp.send('Runtime.evaluate', {
    expression: 'HTMLCanvasElement.prototype',
    objectGroup,
  });
  const found = await cdp.send('Runtime.queryObjects', {
    prototypeObjectId: proto.result.objectId as string,
    objectGroup,
  });
  const length = await cdp.send('Runtime.callFunctionOn', {
    objectId: found.objects.objectId as string,
    functionDeclaration: 'function () { return this.length; }',
    returnByValue: true,
  });
  await cdp.send('Runtime.releaseObjectGroup', { objectGroup });
  const state = (await page.evaluate(`document.querySelector('.badge')?.className ?? ''`)) as string;
  return {
    heapBytes: metric('JSHeapUsedSize'),
    nodes: metric('Nodes'),
    listeners: metric('JSEventListeners'),
    canvases: Number(length.result.value),
    state: /\bgood\b/.test(state) ? 'live' : /\bbad\b/.test(state) ? 'offline' : 'reconnecting',
  };
}

/** Runs the soak and returns every sample and the verdict. */
export async function runDisplaySoak(opts: SoakOptions): Promise<SoakResult> {
  const log = opts.log ?? (() => {});
  const s = await startTestSystem(opts.db, { districts: 3, communesPerDistrict: 5 });
  const browser = await launchChromium();
  let eventsPosted = 0;
  let restartsDone = 0;
  let cutsDone = 0;
  try {
    const desks = await Promise.all(s.tree.communes.map(async (c) => ({ code: c, key: await s.deskKey(c) })));
    // A day's worth of ratings to start from, so every slide has something to draw.
    for (const d of desks) {
      const events = Array.from({ length: 12 }, (_, i) =>
        rating(d.code, i % 5 ? 'satisfied' : 'unsatisfied'),
      );
      await postBatch(s.ingestUrl, d.key, events);
    }
    const token = await s.viewer('display', s.tree.city);
    const ctx = await browser.newContext({ viewport: { width: 1920, height: 1080 } });
    const page = await ctx.newPage();
    // Every slide kind, so charts and tables are made and unmade over and over.
    const playlist = 'overview:10,league:5,curve:5,children:5,alerts:5';
    await page.goto(
      `${s.dashboardUrl}/display/${s.tree.city}?token=${token}&window=today&playlist=${playlist}`,
    );
    await page.getByRole('status').getByText('Trực tiếp').first().waitFor({ timeout: 30_000 });
    const cdp = await ctx.newCDPSession(page);
    await cdp.send('Performance.enable');

    const t0 = Date.now();
    const elapsed = () => Date.now() - t0;
    const end = t0 + opts.durationMs;
    const samples: Sample[] = [];
    let stop = false;

    const load = (async () => {
      let i = 0;
      while (!stop) {
        const d = desks[i++ % desks.length];
        const next = new Promise((r) => setTimeout(r, 1000 / opts.eventsPerSec));
        await postBatch(s.ingestUrl, d.key, [rating(d.code, i % 6 ? 'satisfied' : 'unsatisfied')]).then(
          () => eventsPosted++,
          () => {},
        );
        await next;
      }
    })();

    // Restarts and cuts at even intervals, never two at once.
    const faults: { at: number; kind: 'restart' | 'cut' }[] = [];
    const span = opts.durationMs * 0.9;
    for (let k = 1; k <= opts.restarts; k++)
      faults.push({ at: (k * span) / (opts.restarts + 1), kind: 'restart' });
    for (let k = 1; k <= opts.cuts; k++) faults.push({ at: ((k - 0.5) * span) / opts.cuts, kind: 'cut' });
    faults.sort((a, b) => a.at - b.at);
    const faulting = (async () => {
      for (const f of faults) {
        const wait = t0 + f.at - Date.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        if (stop) return;
        if (f.kind === 'restart') {
          await s.restartDashboard();
          restartsDone++;
        } else {
          await ctx.setOffline(true);
          await new Promise((r) => setTimeout(r, opts.cutMs));
          await ctx.setOffline(false);
          cutsDone++;
        }
        log(
          `  ${Math.round(elapsed() / 1000)} s: ${f.kind} (${f.kind === 'restart' ? restartsDone : cutsDone})`,
        );
      }
    })();

    while (Date.now() < end) {
      await new Promise((r) => setTimeout(r, Math.min(opts.sampleMs, Math.max(0, end - Date.now()))));
      const read = await readPage(page, cdp);
      const sample: Sample = {
        t: elapsed(),
        ...read,
        tcp: openTcp(s.dashboard.port),
        hubClients: s.dashboard.hub.stats.clients,
        hubSubscriptions: s.dashboard.hub.stats.subscriptions,
      };
      samples.push(sample);
      log(
        `  ${Math.round(sample.t / 1000)} s: heap ${(sample.heapBytes / 2 ** 20).toFixed(1)} MiB, ${sample.nodes} nodes, ` +
          `${sample.listeners} listeners, ${sample.canvases} canvases; hub ${sample.hubClients} sockets, ` +
          `${sample.hubSubscriptions} subscriptions, ${sample.tcp} TCP connections; ${sample.state}`,
      );
    }
    stop = true;
    await Promise.all([load, faulting]);

    // Settled: the screen is live again and the hub holds exactly this one tab (a socket cut off
    // by the network goes when its ping times out).
    await page.getByRole('status').getByText('Trực tiếp').first().waitFor({ timeout: 30_000 });
    const settleBy = Date.now() + 60_000;
    while (s.dashboard.hub.stats.clients !== 1 && Date.now() < settleBy) {
      await new Promise((r) => setTimeout(r, 1000));
    }
    const settled = {
      clients: s.dashboard.hub.stats.clients,
      sockets: s.dashboard.hub.io.sockets.sockets.size,
      tcp: openTcp(s.dashboard.port),
    };
    log(`  end: hub ${settled.clients} clients, ${settled.sockets} sockets, ${settled.tcp} TCP connections`);
    const maxHubClients = Math.max(settled.clients, ...samples.map((x) => x.hubClients));
    const maxTcp = Math.max(settled.tcp, ...samples.map((x) => x.tcp));
    const tr = trends(samples, opts.warmup * opts.durationMs);
    const ok = tr.every((x) => x.ok) && socketsOk({ maxHubClients, maxTcp, settled });
    const { log: _, ...options } = opts;
    return {
      options,
      samples,
      trends: tr,
      restartsDone,
      cutsDone,
      eventsPosted,
      maxHubClients,
      maxTcp,
      settled,
      ok,
    };
  } finally {
    await browser.close();
    await s.close();
  }
}

/** The sockets' verdict: the hub's and the kernel's counts within their bounds. */
function socketsOk(r: Pick<SoakResult, 'maxHubClients' | 'maxTcp' | 'settled'>): boolean {
  // NaN (no /proc) fails every comparison: the TCP counts are then left out, not failed.
  const tcpOk = !(r.maxTcp > MAX_TCP) && !(r.settled.tcp > MAX_TCP);
  return r.maxHubClients <= 2 && r.settled.clients === 1 && r.settled.sockets === 1 && tcpOk;
}

/** The verdict as lines of text. */
export function report(r: SoakResult): string[] {
  const unit = (m: Trend['metric'], v: number) =>
    m === 'heapBytes' ? `${(v / 2 ** 20).toFixed(2)} MiB` : v.toFixed(1);
  return [
    `${Math.round(r.options.durationMs / 1000)} s, ${r.eventsPosted} ratings posted (${r.options.eventsPerSec}/s), ` +
      `${r.restartsDone} dashboard restarts, ${r.cutsDone} network cuts of ${r.options.cutMs / 1000} s, ${r.samples.length} samples`,
    ...r.trends.map(
      (t) =>
        `${t.ok ? 'ok    ' : 'GROWS '} ${t.metric.padEnd(9)} median ${unit(t.metric, t.median)}, trend over the run ` +
        `${unit(t.metric, t.rise)} (bound ${unit(t.metric, t.bound)}); at this load for 24 h: ${unit(t.metric, t.perDay)}`,
    ),
    `${socketsOk(r) ? 'ok    ' : 'LEAKS '} sockets: hub at most ${r.maxHubClients} at a sample, ` +
      `${r.settled.clients} once settled (one tab open); server TCP connections at most ${r.maxTcp} ` +
      `at a sample, ${r.settled.tcp} once settled (bound ${MAX_TCP})`,
    r.ok ? 'PASS' : 'FAIL',
  ];
}
