/**
 * Benchmark 7: the wall display on low-end hardware, in Debian's Chromium (headless). For a city
 * display with a day of data: the JavaScript it downloads (gzip, as served), the time to its
 * first complete render with the CPU slowed 6× (Chrome DevTools protocol,
 * `Emulation.setCPUThrottlingRate`), and the frames per second it keeps while snapshots arrive
 * several times a second. Baselines from the same run: the full `echarts` bundle on its own, and
 * the same display at 1× CPU.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { launchChromium } from '@motcua/test-helpers/browser';
import { gzipSize, recordScripts, type ScriptResponse, weighScripts } from '@motcua/test-helpers/bundle';
import { dossierEvent, rating, received } from '@motcua/test-helpers/events';
import { postBatch } from '@motcua/test-helpers/ingest';
import { startTestSystem, type TestSystem } from '@motcua/test-helpers/system';
import type { Browser } from 'playwright-core';
import type { BenchConfig } from './lib/config.ts';
import { sleep } from './lib/stats.ts';

export interface DisplayRun {
  /** Navigation start → the trend chart's canvas drawn (the page is complete), ms. */
  chartMs: number;
  /** Navigation start → first contentful paint, ms. */
  fcpMs: number;
  /** Navigation start → connected and subscribed (the badge says live), ms. */
  liveMs: number;
  /** Animation frames per second while snapshots arrive. */
  fps: number;
  /** Changes to the screen's numbers seen while counting frames (proof the updates landed). */
  updates: number;
}

export interface DisplayResult {
  cpuRate: number;
  updatesPerSec: number;
  fpsSeconds: number;
  js: { files: number; rawBytes: number; gzipBytes: number; brotliBytes: number; servedEncoding: string };
  /** The whole `echarts` package as one script (dist/echarts.min.js), gzip -9. */
  echartsFull: { rawBytes: number; gzipBytes: number };
  throttled: DisplayRun[];
  normal: DisplayRun[];
}

/** Records, in the page, when the chart is first drawn and when the badge first says live. */
const MARKS = `(() => {
  const marks = (window.__bench = { chart: 0, live: 0 });
  const check = () => {
    if (!marks.chart && document.querySelector('.curve canvas')) {
      requestAnimationFrame(() => (marks.chart = marks.chart || performance.now()));
    }
    if (!marks.live && document.querySelector('.badge.good')) marks.live = performance.now();
  };
  new MutationObserver(check).observe(document, { subtree: true, childList: true, attributes: true });
})();`;

/** Frames per second over `ms`, and how many times the numbers changed meanwhile. */
const COUNT_FRAMES = (ms: number) => `new Promise((resolve) => {
  let frames = 0;
  let updates = 0;
  const main = document.querySelector('main');
  const mo = new MutationObserver(() => updates++);
  mo.observe(main, { subtree: true, characterData: true, childList: true });
  const t0 = performance.now();
  const frame = (t) => {
    frames++;
    if (t - t0 < ${ms}) requestAnimationFrame(frame);
    else {
      mo.disconnect();
      resolve({ fps: (frames * 1000) / (t - t0), updates });
    }
  };
  requestAnimationFrame(frame);
})`;

async function seed(s: TestSystem): Promise<{ key: string; commune: string }[]> {
  const now = Date.now();
  const midnight = now - ((now + 7 * 3_600_000) % 86_400_000);
  const desks: { key: string; commune: string }[] = [];
  for (const [ci, commune] of s.tree.communes.entries()) {
    const key = await s.deskKey(commune);
    desks.push({ key, commune });
    const events = [];
    for (let i = 0; i < 40; i++) {
      const time = midnight + ((now - midnight) * (i + 0.5)) / 40;
      const code = `BD-${ci}-${i}`;
      events.push(received(commune, code, time + 3 * 86_400_000, { time }, i % 3 ? 'direct' : 'online'));
      if (i % 2)
        events.push(dossierEvent(commune, 'resolved', code, { time: Math.min(now - 1000, time + 600_000) }));
      events.push(rating(commune, (i + ci) % 7 ? 'satisfied' : 'unsatisfied', { time }));
    }
    const res = await postBatch(s.ingestUrl, key, events);
    if (res.body.rejected !== 0)
      throw new Error(`bench display: seed events rejected: ${JSON.stringify(res.body)}`);
  }
  return desks;
}

async function measure(
  browser: Browser,
  s: TestSystem,
  token: string,
  desks: { key: string; commune: string }[],
  opts: { cpuRate: number; fpsMs: number; updatesPerSec: number },
): Promise<{ run: DisplayRun; scripts: ScriptResponse[] }> {
  const ctx = await browser.newContext({ viewport: { width: 1920, height: 1080 } });
  try {
    const page = await ctx.newPage();
    await page.goto(`${s.dashboardUrl}/?token=${token}`); // the session cookie, before measuring
    await ctx.addInitScript(MARKS);
    const cdp = await ctx.newCDPSession(page);
    await cdp.send('Network.clearBrowserCache');
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: opts.cpuRate });
    const scripts = recordScripts(page);
    await page.goto(`${s.dashboardUrl}/display/${s.tree.city}?window=today`);
    // Polled from here: a waitForFunction predicate is evaluated with eval, which the page's CSP forbids.
    const deadline = Date.now() + 120_000;
    while (!(await page.evaluate('window.__bench.chart > 0 && window.__bench.live > 0'))) {
      if (Date.now() > deadline)
        throw new Error('bench display: the display did not render and go live in 120 s');
      await sleep(50);
    }
    const marks = (await page.evaluate(`({
      chart: window.__bench.chart,
      live: window.__bench.live,
      fcp: performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? NaN,
    })`)) as { chart: number; live: number; fcp: number };
    // Snapshots several times a second: one rating per tick, round robin over the communes.
    let stop = false;
    let i = 0;
    const load = (async () => {
      while (!stop) {
        const d = desks[i++ % desks.length];
        const next = sleep(1000 / opts.updatesPerSec);
        await postBatch(s.ingestUrl, d.key, [rating(d.commune, i % 5 ? 'satisfied' : 'unsatisfied')]);
        await next;
      }
    })();
    await sleep(2000);
    const frames = (await page.evaluate(COUNT_FRAMES(opts.fpsMs))) as { fps: number; updates: number };
    stop = true;
    await load;
    return {
      run: {
        chartMs: marks.chart,
        fcpMs: marks.fcp,
        liveMs: marks.live,
        fps: frames.fps,
        updates: frames.updates,
      },
      scripts,
    };
  } finally {
    await ctx.close();
  }
}

export async function benchDisplay(cfg: BenchConfig, log: (s: string) => void): Promise<DisplayResult> {
  const s = await startTestSystem('postgres', { districts: 3, communesPerDistrict: 10 });
  const browser = await launchChromium();
  try {
    const desks = await seed(s);
    const token = await s.viewer('display', s.tree.city);
    const opts = { fpsMs: cfg.displayFpsMs, updatesPerSec: cfg.displayUpdatesPerSec };
    // One run of each to warm the server's code paths and the OS file cache, not counted.
    await measure(browser, s, token, desks, { ...opts, cpuRate: 1 });
    const throttled: DisplayRun[] = [];
    const normal: DisplayRun[] = [];
    let scripts: ScriptResponse[] = [];
    for (let r = 0; r < cfg.displayRuns; r++) {
      const slow = await measure(browser, s, token, desks, { ...opts, cpuRate: 6 });
      throttled.push(slow.run);
      scripts = slow.scripts;
      const fast = await measure(browser, s, token, desks, { ...opts, cpuRate: 1 });
      normal.push(fast.run);
      log(
        `  run ${r + 1}: 6× chart ${Math.round(slow.run.chartMs)} ms, ${slow.run.fps.toFixed(1)} fps (${slow.run.updates} updates); ` +
          `1× chart ${Math.round(fast.run.chartMs)} ms, ${fast.run.fps.toFixed(1)} fps (${fast.run.updates} updates)`,
      );
    }
    const { files, rawBytes, gzipBytes, brotliBytes, servedEncoding } = weighScripts(scripts);
    const full = readFileSync(
      join(createRequire(import.meta.url).resolve('echarts/package.json'), '..', 'dist', 'echarts.min.js'),
    );
    const result: DisplayResult = {
      cpuRate: 6,
      updatesPerSec: cfg.displayUpdatesPerSec,
      fpsSeconds: cfg.displayFpsMs / 1000,
      js: { files, rawBytes, gzipBytes, brotliBytes, servedEncoding },
      echartsFull: { rawBytes: full.length, gzipBytes: gzipSize(full) },
      throttled,
      normal,
    };
    log(
      `  JavaScript: ${files} files, ${Math.round(rawBytes / 1024)} KiB, gzip ${Math.round(gzipBytes / 1024)} KiB ` +
        `(served as ${result.js.servedEncoding}: ${Math.round(brotliBytes / 1024)} KiB); ` +
        `echarts.min.js alone: gzip ${Math.round(result.echartsFull.gzipBytes / 1024)} KiB`,
    );
    return result;
  } finally {
    await browser.close();
    await s.close();
  }
}
