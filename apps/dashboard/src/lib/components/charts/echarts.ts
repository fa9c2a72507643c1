/**
 * ECharts as the dashboard draws with it: the core, the canvas renderer (no eval, CSP-safe) and,
 * per chart, only the chart types and components that chart uses. Each chart component names
 * its parts, so a page bundles what its own charts need: the wall display, which draws one
 * line-and-bar chart, does not download the pie, heatmap, custom series or visual map.
 */
import { type EChartsType, format, init, use } from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';

/** A chart type or component from `echarts/charts` or `echarts/components`. */
export type EChartsPart = Exclude<Parameters<typeof use>[0], unknown[]>;

/** A new chart in `el`, with `parts` registered first (registering twice is a no-op). */
export function initChart(el: HTMLElement, parts: readonly EChartsPart[]): EChartsType {
  use([CanvasRenderer, ...parts]);
  return init(el, null, { renderer: 'canvas' });
}

/** Escapes text for ECharts' HTML tooltips. */
export const escapeHtml = (s: string): string => format.encodeHTML(s);

export type { EChartsCoreOption, EChartsType } from 'echarts/core';
