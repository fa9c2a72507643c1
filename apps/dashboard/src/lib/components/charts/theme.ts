import { COLORS } from '../colors.ts';

/**
 * Colours of chart chrome (axes, text, tooltips) and of the trend's series, for the light pages
 * and the dark wall display (where the series are lighter, to stand out ≥ 3:1 from the panel).
 */
export interface ChartTheme {
  satisfaction: string;
  onTime: string;
  received: string;
  text: string;
  muted: string;
  axis: string;
  split: string;
  tooltipBg: string;
  tooltipText: string;
  tooltipBorder: string;
  empty: string;
  /** The panel the chart sits on: behind labels drawn over lines and shaded areas. */
  panel: string;
  fontFamily: string;
}

const FONT =
  "system-ui, -apple-system, 'Segoe UI', Roboto, 'Noto Sans', 'Helvetica Neue', Arial, 'Liberation Sans', sans-serif";

export const LIGHT: ChartTheme = {
  satisfaction: COLORS.satisfaction,
  onTime: COLORS.onTimeRate,
  received: COLORS.received,
  text: '#14213d',
  muted: '#566174',
  axis: '#c9d1dd',
  split: '#edf0f5',
  tooltipBg: '#14213d',
  tooltipText: '#f4f6fa',
  tooltipBorder: '#14213d',
  empty: '#eef1f6',
  panel: '#ffffff',
  fontFamily: FONT,
};

export const DARK: ChartTheme = {
  satisfaction: '#35d0a5',
  onTime: '#56b4e9',
  received: '#7d8fa8',
  text: '#e8eef8',
  muted: '#a7b3c6',
  axis: '#3a4861',
  split: '#223049',
  tooltipBg: '#0b1220',
  tooltipText: '#e8eef8',
  tooltipBorder: '#3a4861',
  empty: '#1a2539',
  panel: '#0f1a2d',
  fontFamily: FONT,
};

/** Tooltip settings shared by every chart. */
export function tooltipBase(theme: ChartTheme) {
  return {
    backgroundColor: theme.tooltipBg,
    borderColor: theme.tooltipBorder,
    borderWidth: 1,
    padding: [8, 12],
    textStyle: { color: theme.tooltipText, fontFamily: theme.fontFamily, fontSize: 13 },
    extraCssText: 'border-radius:8px;box-shadow:0 6px 18px rgba(0,0,0,.18);',
    confine: true,
  };
}
