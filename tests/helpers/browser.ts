import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';

export const SCREENSHOT_DIR = join(import.meta.dirname, '..', '..', 'test-results', 'screenshots');

/**
 * Debian's Chromium, headless, as the machine's browser tests run it. A missing browser is an
 * error, never a reason to skip: the browser tests are part of the suite.
 */
export async function launchChromium(): Promise<Browser> {
  const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (!existsSync(executablePath)) {
    throw new Error(
      `Chromium not found at ${executablePath}: install Debian's chromium (apt-get install chromium) or set CHROMIUM_PATH`,
    );
  }
  return chromium.launch({
    executablePath,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

export const SIZES = {
  desktop: { width: 1920, height: 1080 },
  mobile: { width: 390, height: 844 },
} as const;

/** Saves a full-page screenshot as a test artifact under test-results/screenshots/. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/*
 * The functions below that go to `evaluate` run in the page. The tests are typed for Node,
 * without the DOM library (it would change `fetch`'s types), so these are the few DOM shapes
 * they use.
 */
interface Box {
  left: number;
  right: number;
  top: number;
  bottom: number;
  width: number;
  height: number;
}
interface PageElement {
  scrollWidth: number;
  clientWidth: number;
  scrollHeight: number;
  clientHeight: number;
  textContent: string | null;
  parentElement: PageElement | null;
  getBoundingClientRect(): Box;
  getClientRects(): { length: number };
}
interface PageCanvas {
  width: number;
  height: number;
  getBoundingClientRect(): Box;
  getContext(kind: '2d'): {
    getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray };
  };
  __texts?: string[];
}
declare const document: { body: PageElement };
declare function getComputedStyle(el: PageElement): {
  overflowX: string;
  overflowY: string;
  lineHeight: string;
  fontSize: string;
};

/**
 * Elements under `selector` whose text does not show whole: cut by their own box (ellipsis,
 * overflow) or by an ancestor that clips (a tile, a scrolling list). Returns their text.
 */
export async function clippedTexts(page: Page, selector: string): Promise<string[]> {
  return page.locator(selector).evaluateAll((els) => {
    const out: string[] = [];
    for (const el of els as PageElement[]) {
      if (el.getClientRects().length === 0) continue;
      const own = el.scrollWidth > el.clientWidth + 1 || el.scrollHeight > el.clientHeight + 1;
      const r = el.getBoundingClientRect();
      let cut = false;
      for (let a = el.parentElement; a && a !== document.body && !cut; a = a.parentElement) {
        const style = getComputedStyle(a);
        if (style.overflowX === 'visible' && style.overflowY === 'visible') continue;
        const b = a.getBoundingClientRect();
        cut = r.left < b.left - 1 || r.right > b.right + 1 || r.top < b.top - 1 || r.bottom > b.bottom + 1;
      }
      if (own || cut) out.push((el.textContent ?? '').trim());
    }
    return out;
  });
}

/** How many lines of text an element takes (its height over its line height). */
export async function lineCount(page: Page, selector: string): Promise<number> {
  return page.locator(selector).evaluate((el: PageElement) => {
    const style = getComputedStyle(el);
    const line = Number.parseFloat(style.lineHeight) || Number.parseFloat(style.fontSize) * 1.25;
    return Math.round(el.getBoundingClientRect().height / line);
  });
}

/**
 * Pixels of a chart's canvas (the first canvas under `selector`) within `tolerance` of `color`
 * (`#rrggbb`), counted from `fromY` (CSS pixels) down: "is this series drawn anywhere in the
 * plot", with the colour taken from the chart's legend.
 */
export async function pixelsLike(
  page: Page,
  selector: string,
  color: string,
  fromY = 0,
  tolerance = 24,
): Promise<number> {
  const rgb = [1, 3, 5].map((i) => Number.parseInt(color.slice(i, i + 2), 16));
  return page
    .locator(`${selector} canvas`)
    .first()
    .evaluate(
      (el, { rgb, fromY, tolerance }) => {
        const canvas = el as PageCanvas;
        const scale = canvas.width / canvas.getBoundingClientRect().width;
        const px = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
        let count = 0;
        for (let y = Math.round(fromY * scale); y < canvas.height; y++) {
          for (let x = 0; x < canvas.width; x++) {
            const i = (y * canvas.width + x) * 4;
            const d = Math.abs(px[i] - rgb[0]) + Math.abs(px[i + 1] - rgb[1]) + Math.abs(px[i + 2] - rgb[2]);
            if (d <= tolerance && px[i + 3] > 200) count++;
          }
        }
        return count;
      },
      { rgb, fromY, tolerance },
    );
}

/**
 * An init script that records every text drawn on a canvas, per canvas: `canvasTexts` reads
 * what the charts under a selector wrote (axis labels, values), which the DOM does not hold.
 */
export const RECORD_CANVAS_TEXT = `(() => {
  const fill = CanvasRenderingContext2D.prototype.fillText;
  CanvasRenderingContext2D.prototype.fillText = function (text, ...rest) {
    const c = this.canvas;
    (c.__texts ??= []).push(String(text));
    return fill.call(this, text, ...rest);
  };
})();`;

/** The texts the canvases under `selector` drew since the page loaded (needs RECORD_CANVAS_TEXT). */
export async function canvasTexts(page: Page, selector: string): Promise<string[]> {
  return page
    .locator(`${selector} canvas`)
    .evaluateAll((els) => (els as PageCanvas[]).flatMap((c) => c.__texts ?? []));
}
