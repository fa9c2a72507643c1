import type { Series } from '@motcua/contract';
import { emptyCounts, seriesPointFromCounts } from '@motcua/metrics';
import * as echarts from 'echarts';
import { describe, expect, it } from 'vitest';
import { DARK } from './theme.ts';
import { trendOption } from './trend.ts';

const STEP_MS = 15 * 60_000;
const MIDNIGHT = Date.parse('2026-11-30T00:00:00+07:00');

/** A day so far of `steps` 15-minute steps, with 4 of 5 ratings satisfied in the last one only. */
function morning(steps: number): Series {
  return {
    unit: { code: '90000', name: 'Thị trấn Phùng', level: 'commune' },
    window: { name: 'today', from: '2026-11-30T00:00:00+07:00', to: '2026-12-01T00:00:00+07:00' },
    step: '15m',
    points: Array.from({ length: steps }, (_, i) => {
      const counts = emptyCounts();
      if (i === steps - 1) Object.assign(counts, { satisfied: 4, unsatisfied: 1 });
      return seriesPointFromCounts(MIDNIGHT + i * STEP_MS, counts);
    }),
  };
}

/** The SVG ECharts draws for the option at a wall screen's panel size. */
function draw(series: Series, width: number): string {
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width, height: 420 });
  chart.setOption(
    trendOption({ series, theme: DARK, big: true, k: 1, lang: 'vi', t: (key) => key, tooltip: false }),
  );
  const svg = chart.renderToSVGString();
  chart.dispose();
  return svg;
}

describe('the trend chart', () => {
  it('draws the lone point of a day whose ratings all fall in one step, however many steps the day has', () => {
    // With ECharts' default ('auto') the marker was missing at 16 of these counts (36, 46, 66…).
    const missing: number[] = [];
    for (let steps = 1; steps <= 96; steps++) {
      const svg = draw(morning(steps), 880);
      const marker = new RegExp(`<path d="[^"]*A[^"]*"[^>]*fill="${DARK.satisfaction}"`, 'i');
      if (!marker.test(svg)) missing.push(steps);
    }
    expect(missing).toEqual([]);
  });
});
