/** The parts of ECharts the dashboard draws with (canvas renderer: no eval, CSP-safe). */
import { BarChart, CustomChart, HeatmapChart, LineChart, PieChart } from 'echarts/charts';
import {
  AriaComponent,
  GridComponent,
  LegendComponent,
  MarkLineComponent,
  TooltipComponent,
  VisualMapComponent,
} from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';

let registered = false;

/** ECharts with its charts registered (once, on first use). */
export function getEcharts(): typeof echarts {
  if (!registered) {
    echarts.use([
      BarChart,
      CustomChart,
      HeatmapChart,
      LineChart,
      PieChart,
      AriaComponent,
      GridComponent,
      LegendComponent,
      MarkLineComponent,
      TooltipComponent,
      VisualMapComponent,
      CanvasRenderer,
    ]);
    registered = true;
  }
  return echarts;
}

/** Escapes text for ECharts' HTML tooltips. */
export const escapeHtml = (s: string): string => echarts.format.encodeHTML(s);

export type { EChartsCoreOption, EChartsType } from 'echarts/core';
