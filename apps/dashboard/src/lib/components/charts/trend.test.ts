import type { Series } from '@motcua/contract';
import { emptyCounts, seriesPointFromCounts } from '@motcua/metrics';
import * as echarts from 'echarts';
import { describe, expect, it } from 'vitest';
import type { ChartNote, ChartTargets } from './marks.ts';
import { DARK, LIGHT } from './theme.ts';
import { noteLabel, type TrendKey, trendOption } from './trend.ts';

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

/** The day so far up to 10:00, ratings and receptions in every step: 40 steps with a line across them. */
function tenOClock(): Series {
  return {
    ...morning(40),
    points: Array.from({ length: 40 }, (_, i) =>
      seriesPointFromCounts(MIDNIGHT + i * STEP_MS, {
        ...emptyCounts(),
        satisfied: 3,
        unsatisfied: 1,
        receivedDirect: 2,
      }),
    ),
  };
}

/** Words as the test dictionary has them: the key, with its parameters. */
const t = (key: TrendKey, params?: Record<string, string>) =>
  params ? `${key}(${Object.values(params).join(',')})` : key;

/** The SVG ECharts draws for the option at a wall screen's panel size (or a page's, not `big`). */
function draw(
  series: Series,
  width: number,
  extra: { targets?: ChartTargets; notes?: ChartNote[]; big?: boolean; theme?: typeof DARK } = {},
): string {
  const { big = true, theme = DARK, ...marks } = extra;
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width, height: 420 });
  chart.setOption(trendOption({ series, theme, big, k: 1, lang: 'vi', t, tooltip: false, ...marks }));
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

/** The `<text>` elements of an SVG: what the chart writes (its no-break spaces as spaces). */
const texts = (svg: string) =>
  [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1].replace(/\s/g, ' '));
/** Dashed strokes of a colour: a target's line (and the on-time series' own line). */
const dashed = (svg: string, color: string) =>
  [...svg.matchAll(/<path [^>]*>/g)].filter(
    (m) =>
      m[0].toLowerCase().includes(`stroke="${color.toLowerCase()}"`) && m[0].includes('stroke-dasharray'),
  ).length;
/** Polygons filled with a colour at a low opacity (ECharts' mark areas): a shaded band or range. */
const areas = (svg: string, color: string) =>
  [...svg.matchAll(/<polygon points="([^"]*)"[^>]*>/g)]
    .filter(
      (m) =>
        m[0].toLowerCase().includes(`fill="${color.toLowerCase()}"`) && /fill-opacity="0\.\d+"/.test(m[0]),
    )
    .map((m) => m[1].split(' ').map(Number));
const shaded = (svg: string, color: string) => areas(svg, color).length;
const at = (hm: string) => `2026-11-30T${hm}:00+07:00`;

describe('targets and notes on the trend chart', () => {
  it('draws each target as a dashed line with its label, and shades the band under the satisfaction one', () => {
    for (const [theme, big] of [
      [DARK, true],
      [LIGHT, false],
    ] as const) {
      const plain = draw(tenOClock(), 880, { theme, big });
      expect(dashed(plain, theme.satisfaction)).toBe(0);
      expect(shaded(plain, theme.satisfaction)).toBe(0);
      const svg = draw(tenOClock(), 880, { theme, big, targets: { satisfaction: 0.95, onTime: 0.875 } });
      expect(texts(svg)).toContain('trend.targetSatisfaction(95 %)');
      expect(texts(svg)).toContain('trend.targetOnTime(87,5 %)');
      expect(dashed(svg, theme.satisfaction)).toBe(1);
      expect(dashed(svg, theme.onTime)).toBe(dashed(plain, theme.onTime) + 1);
      expect(shaded(svg, theme.satisfaction)).toBe(1);
    }
  });

  it('takes the axis down to a target below every rate', () => {
    // Every rate is 75 %: the axis starts at 70 %, below a 50 % target, unless the target counts.
    const svg = draw(tenOClock(), 880, { targets: { onTime: 0.5 } });
    expect(texts(svg)).toContain('trend.targetOnTime(50 %)');
    expect(texts(svg)).toContain('50 %');
  });

  it('draws a note at a point as a line with its text, and a range as a shaded area', () => {
    const notes = [
      { from: at('02:10'), to: null, text: 'Mất điện toàn xã' },
      { from: at('06:00'), to: at('07:30'), text: 'Tập huấn phần mềm mới' },
    ];
    const plain = draw(tenOClock(), 880, { theme: LIGHT, big: false });
    const svg = draw(tenOClock(), 880, { theme: LIGHT, big: false, notes });
    expect(texts(svg)).toEqual(expect.arrayContaining(['✎ Mất điện toàn xã', '✎ Tập huấn phần mềm mới']));
    // In the text colour, not faded with the note's line.
    const label = svg.match(/<text[^>]*>✎ Mất điện toàn xã<\/text>/)?.[0] ?? '';
    expect(label).toContain(`fill="${LIGHT.text}"`);
    expect(label).not.toContain('opacity');
    expect(shaded(plain, LIGHT.text)).toBe(0);
    expect(shaded(svg, LIGHT.text)).toBe(1);
    // The point's line: a stroke in the text colour that the chart without notes does not have.
    const lines = (s: string) => (s.match(new RegExp(`stroke="${LIGHT.text}"`, 'gi')) ?? []).length;
    expect(lines(svg)).toBeGreaterThan(lines(plain));
  });

  it('places a range over its steps: 06:00 to 07:30 is 6 of the 40 steps’ width', () => {
    const svg = draw(tenOClock(), 880, {
      theme: LIGHT,
      big: false,
      notes: [{ from: at('06:00'), to: at('07:30'), text: 'x' }],
    });
    const [area] = areas(svg, LIGHT.text);
    expect(area).toBeDefined();
    // points="x0 y0 x1 y1 …": the even places are x.
    const xs = area.filter((_, i) => i % 2 === 0);
    const width = Math.max(...xs) - Math.min(...xs);
    // The plot is the canvas less the axes' labels: a step is a little under 880 / 40 = 22 px.
    expect(width / 6).toBeGreaterThan(17);
    expect(width / 6).toBeLessThan(22.1);
  });

  it('leaves out the notes outside the chart’s steps', () => {
    const notes = [
      { from: '2026-11-29T15:00:00+07:00', to: null, text: 'Hôm qua' },
      { from: at('11:00'), to: null, text: 'Sau 10 giờ' },
      { from: '2026-11-28T08:00:00+07:00', to: '2026-11-30T00:00:00+07:00', text: 'Đã xong' },
    ];
    const svg = draw(tenOClock(), 880, { theme: LIGHT, big: false, notes });
    expect(texts(svg).filter((x) => x.startsWith('✎'))).toEqual([]);
    expect(shaded(svg, LIGHT.text)).toBe(0);
  });

  it('shortens a long note on the chart (the tooltip has it whole)', () => {
    expect(noteLabel('Ngắn')).toBe('✎ Ngắn');
    expect(noteLabel('Cúp điện   toàn\nxã')).toBe('✎ Cúp điện toàn xã');
    const long = noteLabel('Hệ thống một cửa điện tử tạm dừng để nâng cấp máy chủ');
    expect(long).toBe('✎ Hệ thống một cửa điện tử tạ…');
    expect(long.length).toBe(30);
  });
});
