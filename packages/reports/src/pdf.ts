import { existsSync } from 'node:fs';
import { createSession, type Database, deleteSession } from '@motcua/db';
import { chromium } from 'playwright-core';

/** Why no PDF could be printed: no browser at the configured path. */
export class ChromiumMissingError extends Error {
  constructor(readonly path: string) {
    super(
      `no Chromium at ${path}: the PDF report needs a headless Chromium on the server (install Debian's chromium, or set MOTCUA_CHROMIUM_PATH); the Excel report (report.xlsx) does not need it`,
    );
  }
}

export type Orientation = 'portrait' | 'landscape';

/** A4 at 96 dpi, less the print margins: the page is laid out (and its charts drawn) at paper width. */
const VIEWPORT: Record<Orientation, { width: number; height: number }> = {
  portrait: { width: 760, height: 1060 },
  landscape: { width: 1080, height: 740 },
};

/**
 * Prints a dashboard page to an A4 PDF in headless Chromium, signed in with `session` (a session
 * cookie of the viewer the report is for, so the page shows exactly what that viewer may see).
 * Waits until the page's charts have drawn.
 */
export async function renderPdf(opts: {
  chromiumPath: string;
  /** The page to print, on the dashboard's own address. */
  url: string;
  session: { name: string; value: string };
  orientation: Orientation;
  timeoutMs?: number;
}): Promise<Buffer> {
  if (!existsSync(opts.chromiumPath)) throw new ChromiumMissingError(opts.chromiumPath);
  const timeout = opts.timeoutMs ?? 30_000;
  const browser = await chromium.launch({
    executablePath: opts.chromiumPath,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  try {
    const url = new URL(opts.url);
    const context = await browser.newContext({ viewport: VIEWPORT[opts.orientation], locale: 'vi-VN' });
    await context.addCookies([
      { name: opts.session.name, value: opts.session.value, domain: url.hostname, path: '/', httpOnly: true },
    ]);
    const page = await context.newPage();
    const response = await page.goto(opts.url, { waitUntil: 'load', timeout });
    if (!response || response.status() >= 400) {
      throw new Error(`the report page answered ${response?.status() ?? 'nothing'}`);
    }
    await page.waitForSelector('[data-print-head]', { state: 'attached', timeout });
    // Every chart drawn, animations included (EChart.svelte marks ECharts' `finished`).
    // A function, not a string: a string predicate is eval'd in the page, which its CSP forbids.
    await page.waitForFunction(
      () => {
        type Doc = { querySelectorAll(s: string): ArrayLike<{ hasAttribute(name: string): boolean }> };
        const charts = Array.from(
          (globalThis as unknown as { document: Doc }).document.querySelectorAll('.chart'),
        );
        return charts.length > 0 && charts.every((c) => c.hasAttribute('data-rendered'));
      },
      undefined,
      { timeout, polling: 200 },
    );
    await page.emulateMedia({ media: 'print' });
    // As the page's own print button does: the orientation is an @page rule, which outranks pdf()'s flag.
    await page.addStyleTag({ content: `@page { size: A4 ${opts.orientation}; }` });
    // Page numbers come from the print CSS's page margin boxes (PrintHeader.svelte), as in the browser.
    return await page.pdf({
      format: 'A4',
      landscape: opts.orientation === 'landscape',
      printBackground: true,
      preferCSSPageSize: true,
    });
  } finally {
    await browser.close();
  }
}

/** The session cookie's name (the dashboard's SESSION_COOKIE). */
const SESSION_COOKIE = 'motcua_session';

/**
 * The PDF of a unit page as a viewer sees it: a session of that viewer opened for the print
 * and closed after it, so the PDF shows no more than the viewer's own rights allow.
 * `window` is the page's window parameter (`7d`, `month`, `2026-11`, …).
 */
export async function printUnitPdf(
  db: Database,
  opts: {
    chromiumPath: string;
    selfUrl: string;
    viewerId: number;
    code: string;
    window: string;
    orientation: Orientation;
  },
): Promise<Buffer> {
  if (!existsSync(opts.chromiumPath)) throw new ChromiumMissingError(opts.chromiumPath);
  const session = await createSession(db, opts.viewerId);
  try {
    const url = `${opts.selfUrl}/units/${opts.code.split('/').map(encodeURIComponent).join('/')}?window=${encodeURIComponent(opts.window)}`;
    return await renderPdf({
      chromiumPath: opts.chromiumPath,
      url,
      session: { name: SESSION_COOKIE, value: session.cookie },
      orientation: opts.orientation,
    });
  } finally {
    await deleteSession(db, session.cookie);
  }
}
