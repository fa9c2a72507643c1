import type { Series } from '@motcua/metrics';
import { fmtDay, fmtHm, fmtInt, fmtPct } from '../../format.ts';
import type { Lang } from '../../i18n.ts';
import { escapeHtml } from './echarts.ts';
import { type ChartNote, type ChartTargets, noteSpan, STEP_MS } from './marks.ts';
import { rateAxis } from './scale.ts';
import { type ChartTheme, tooltipBase } from './theme.ts';

/**
 * The trend chart's option, apart from the component so that what it draws can be checked
 * without a browser (trend.test.ts renders it with ECharts' SVG renderer).
 */

export interface TrendRow {
  t: string;
  sat: number | null;
  satN: number;
  on: number | null;
  onN: number;
  received: number;
}

export interface TrendOptionInput {
  series: Series;
  theme: ChartTheme;
  /** Sized for a wall screen. */
  big: boolean;
  /** Scale of sizes in the canvas on a wall: 1 at 1080 px high, 2 at 4K. */
  k: number;
  lang: Lang;
  t: (key: TrendKey, params?: Record<string, string>) => string;
  /** Whether the page registered ECharts' tooltip. */
  tooltip: boolean;
  /** The unit's targets: each a dashed line, the satisfaction one with the band under it shaded. */
  targets?: ChartTargets;
  /** Notes on the unit (and above and below it); those in the chart's steps are drawn. */
  notes?: readonly ChartNote[];
}

/** The words the trend draws, from the page's dictionary. */
export type TrendKey =
  | 'trend.satisfaction'
  | 'trend.onTime'
  | 'trend.received'
  | 'trend.targetSatisfaction'
  | 'trend.targetOnTime';

/** A note's label on the chart: short enough to sit over a few steps; the tooltip has it whole. */
export function noteLabel(text: string, max = 28): string {
  const one = text.replace(/\s+/g, ' ').trim();
  return `✎ ${one.length > max ? `${one.slice(0, max - 1).trimEnd()}…` : one}`;
}

/** One row per step: the rates shown (running totals within a day) and the counts behind them. */
export function trendRows(series: Series): TrendRow[] {
  const daily = series.step === '1d';
  let sPos = 0;
  let sTot = 0;
  let oOk = 0;
  let oTot = 0;
  return series.points.map((p) => {
    const pos = p.satisfaction.verySatisfied + p.satisfaction.satisfied;
    const ok = p.onTime.early + p.onTime.onTime;
    const known = ok + p.onTime.late;
    if (daily) {
      return {
        t: p.t,
        sat: p.satisfaction.total ? pos / p.satisfaction.total : null,
        satN: p.satisfaction.total,
        on: known ? ok / known : null,
        onN: known,
        received: p.received,
      };
    }
    sPos += pos;
    sTot += p.satisfaction.total;
    oOk += ok;
    oTot += known;
    return {
      t: p.t,
      sat: sTot ? sPos / sTot : null,
      satN: sTot,
      on: oTot ? oOk / oTot : null,
      onN: oTot,
      received: p.received,
    };
  });
}

/**
 * The points that get a marker. A line needs two points to draw anything, so a point with no
 * other value in its series (every rating of the morning in one 15-minute step) would be
 * invisible without one; the latest value gets one too, so the eye finds "now". By day every
 * point has one.
 */
export function markers(values: (number | null)[], daily: boolean): boolean[] {
  if (daily) return values.map((v) => v !== null);
  const last = values.findLastIndex((v) => v !== null);
  return values.map((v, i) => v !== null && i === last);
}

/** The ECharts option of the trend; `t` and `lang` are the page's language. */
export function trendOption({
  series,
  theme,
  big,
  k,
  lang,
  t,
  tooltip,
  targets = {},
  notes = [],
}: TrendOptionInput) {
  const daily = series.step === '1d';
  const rows = trendRows(series);
  const labels = rows.map((r) => (daily ? fmtDay(r.t, lang) : fmtHm(r.t, lang)));
  const targetSat = targets.satisfaction ?? null;
  const targetOn = targets.onTime ?? null;
  // The axis reaches down to a target below every rate, so that its line is on the chart.
  const rates = [...rows.flatMap((r) => [r.sat, r.on]), targetSat, targetOn].filter(
    (v): v is number => v !== null,
  );
  const axis = rateAxis(rates.length ? Math.min(...rates) : null);
  const fs = big ? Math.round(20 * k) : 12;
  const markFs = big ? Math.round(17 * k) : 11;
  const starts = rows.map((r) => Date.parse(r.t));
  const shown = notes
    .map((note) => ({ note, span: noteSpan(note, starts, STEP_MS[series.step]) }))
    .filter((x): x is { note: ChartNote; span: NonNullable<typeof x.span> } => x.span !== null);
  // A label in the right half of the chart ends at its note, so that it stays inside the chart.
  const rightHalf = (i: number) => i >= rows.length / 2;
  // Labels sit on the panel's colour: readable over the lines and shaded areas, in either theme.
  // Opaque, though the note's line is drawn lighter.
  const markText = {
    opacity: 1,
    color: theme.text,
    fontSize: markFs,
    backgroundColor: theme.panel,
    padding: [1, 3],
    borderRadius: 3,
  };
  const targetLine = (value: number | null, color: string, label: string) =>
    value === null
      ? undefined
      : {
          silent: true,
          symbol: 'none',
          lineStyle: { color, type: 'dashed', width: big ? 3 * k : 1.5 },
          label: {
            formatter: label,
            position: 'insideEndTop',
            color,
            fontSize: markFs,
            fontWeight: 600,
            backgroundColor: theme.panel,
            padding: [1, 3],
            borderRadius: 3,
          },
          data: [{ yAxis: value }],
        };
  const pct = (v: number) => fmtPct(v, lang, v * 100 === Math.round(v * 100) ? 0 : 1);
  // Short series names keep the legend on one line; the tooltip spells them out.
  const symbolSize = big ? 16 * k : 8;
  const lineData = (values: (number | null)[], symbol: string) => {
    const marked = markers(values, daily);
    return values.map((value, i) => (marked[i] ? { value, symbol, symbolSize } : { value }));
  };
  return {
    // A wall screen draws without animation: cheaper on a TV stick, and an update arriving during
    // the first (clip) animation on a slow machine cannot leave the morning's single point undrawn.
    animation: !big,
    animationDurationUpdate: 600,
    textStyle: { fontFamily: theme.fontFamily },
    grid: {
      left: 8,
      right: 8,
      // Above the plot: room for the labels of point notes, drawn at the top of their lines.
      top: shown.some((x) => x.note.to === null) ? markFs + 12 : big ? 18 * k : 10,
      bottom: 4,
      outerBoundsMode: 'same',
      outerBoundsContain: 'axisLabel',
    },
    tooltip: tooltip
      ? {
          ...tooltipBase(theme),
          trigger: 'axis',
          axisPointer: { type: 'line', lineStyle: { color: theme.axis } },
          formatter: (params: { dataIndex: number }[]) => {
            const r = rows[params[0]?.dataIndex ?? 0];
            if (!r) return '';
            const i = params[0]?.dataIndex ?? 0;
            const when = daily ? fmtDay(r.t, lang) : fmtHm(r.t, lang);
            return [
              `<b>${escapeHtml(when)}</b>`,
              `${escapeHtml(t('trend.satisfaction'))}: <b>${fmtPct(r.sat, lang)}</b> (${fmtInt(r.satN, lang)})`,
              `${escapeHtml(t('trend.onTime'))}: <b>${fmtPct(r.on, lang)}</b> (${fmtInt(r.onN, lang)})`,
              `${escapeHtml(t('trend.received'))}: <b>${fmtInt(r.received, lang)}</b>`,
              ...shown
                .filter((x) => x.span.first <= i && i <= x.span.last)
                .map((x) => `✎ ${escapeHtml(x.note.text)}`),
            ].join('<br>');
          },
        }
      : undefined,
    xAxis: {
      type: 'category',
      data: labels,
      boundaryGap: true,
      axisLine: { lineStyle: { color: theme.axis } },
      // Every step a tick, though none is drawn: a note's shaded range starts and ends on the
      // ticks, which with ECharts' automatic interval would skip steps.
      axisTick: { show: false, interval: 0 },
      // The first and last labels inside the plot's width: the first no longer runs into the
      // rate axis' lowest label.
      axisLabel: {
        color: theme.muted,
        fontSize: fs,
        hideOverlap: true,
        alignMinLabel: 'left',
        alignMaxLabel: 'right',
      },
    },
    yAxis: [
      {
        type: 'value',
        min: axis.min,
        max: 1,
        interval: axis.interval,
        axisLabel: {
          color: theme.muted,
          fontSize: fs,
          formatter: (v: number) => fmtPct(v, lang, 0),
        },
        splitLine: { lineStyle: { color: theme.split } },
      },
      {
        type: 'value',
        minInterval: 1,
        splitNumber: 4,
        axisLabel: { color: theme.muted, fontSize: fs, formatter: (v: number) => fmtInt(v, lang) },
        splitLine: { show: false },
      },
    ],
    series: [
      {
        id: 'received',
        type: 'bar',
        yAxisIndex: 1,
        data: rows.map((r) => r.received),
        itemStyle: { color: theme.received, borderRadius: [3, 3, 0, 0], opacity: 0.55 },
        barMaxWidth: 18,
        z: 1,
        // The notes are on the bars' series: on a bar series a range covers its steps' whole width.
        markLine: shown.some((x) => x.note.to === null)
          ? {
              silent: true,
              symbol: ['none', 'circle'],
              symbolSize: big ? 10 * k : 6,
              lineStyle: { color: theme.text, type: 'solid', width: big ? 2.5 * k : 1.5, opacity: 0.7 },
              data: shown
                .filter((x) => x.note.to === null)
                .map(({ note, span }) => ({
                  xAxis: span.first,
                  name: note.text,
                  label: {
                    show: true,
                    position: 'end',
                    formatter: noteLabel(note.text),
                    align: rightHalf(span.first) ? 'right' : 'left',
                    ...markText,
                  },
                })),
            }
          : undefined,
        markArea: shown.some((x) => x.note.to !== null)
          ? {
              silent: true,
              itemStyle: { color: theme.text, opacity: 0.08 },
              data: shown
                .filter((x) => x.note.to !== null)
                .map(({ note, span }) => [
                  {
                    xAxis: span.first,
                    name: note.text,
                    label: {
                      show: true,
                      position: rightHalf(span.first) ? 'insideTopRight' : 'insideTopLeft',
                      formatter: noteLabel(note.text),
                      ...markText,
                    },
                  },
                  { xAxis: span.last },
                ]),
            }
          : undefined,
      },
      {
        id: 'sat',
        type: 'line',
        data: lineData(
          rows.map((r) => r.sat),
          'circle',
        ),
        connectNulls: true,
        smooth: 0.25,
        symbol: 'none',
        showSymbol: true,
        // 'auto' (the default) drops a symbol whose step has no time label when the sampled
        // markers look crowded, which depends on how many steps the day has so far: the morning's
        // single point vanished at some minutes of the day. Only the points `markers` picks carry
        // a symbol, so showing all of them is cheap.
        showAllSymbol: true,
        lineStyle: { width: big ? 6 * k : 2.5, color: theme.satisfaction },
        itemStyle: { color: theme.satisfaction },
        markLine: targetLine(
          targetSat,
          theme.satisfaction,
          targetSat === null ? '' : t('trend.targetSatisfaction', { value: pct(targetSat) }),
        ),
        // The band under the target: how far below it the line runs, at a glance.
        markArea:
          targetSat === null
            ? undefined
            : {
                silent: true,
                itemStyle: { color: theme.satisfaction, opacity: 0.09 },
                data: [[{ yAxis: axis.min }, { yAxis: targetSat }]],
              },
        z: 3,
      },
      {
        id: 'ontime',
        type: 'line',
        data: lineData(
          rows.map((r) => r.on),
          'rect',
        ),
        connectNulls: true,
        smooth: 0.25,
        symbol: 'none',
        showSymbol: true,
        showAllSymbol: true,
        lineStyle: { width: big ? 6 * k : 2.5, color: theme.onTime, type: big ? [14 * k, 8 * k] : [6, 4] },
        itemStyle: { color: theme.onTime },
        markLine: targetLine(
          targetOn,
          theme.onTime,
          targetOn === null ? '' : t('trend.targetOnTime', { value: pct(targetOn) }),
        ),
        z: 2,
      },
    ],
  };
}
