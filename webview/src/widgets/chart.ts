/**
 * The panel's charts, on Chart.js (bundled; it needs no eval, so it runs under the webview's
 * strict CSP), in the editor's theme: text, axes, grid and series colours come from the theme's
 * CSS variables (theme.ts) and follow live when the user switches themes.
 *
 * Conventions every section's charts share: both axes titled, with units (`AxisSpec.title`); ticks
 * in the muted text colour; a faint grid; the legend below the plot, naming each series with what
 * a reader compares (e.g. "Integrated Gradients · AUC 0.159"); a reference series (a random
 * baseline, chance level) dashed; no animation; an aria-label saying what the chart shows.
 *
 *   lineChart: curves over a numeric x (faithfulness curves, probabilities along a path);
 *   barChart: one bar per category and series, optional ± error bars (TCAV scores with their
 *   spread, probability bars), vertical or horizontal.
 */
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Filler,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
  type ChartConfiguration,
  type ChartDataset,
  type Plugin,
} from 'chart.js';
import { h } from '../dom';
import { onThemeChange, themeColors, withAlpha, type SeriesColor, type ThemeColors } from '../theme';

Chart.register(LineController, LineElement, PointElement, LinearScale, CategoryScale, BarController, BarElement, Legend, Tooltip, Filler);

export type { SeriesColor } from '../theme';

export interface AxisSpec {
  /** The axis title, with its unit: "fraction of features removed", "p(7)". */
  title: string;
  min?: number;
  max?: number;
  /** Distance between ticks. */
  step?: number;
  /** Tick label of a value (default: up to 3 significant digits). */
  format?: (value: number) => string;
}

export interface LineSeries {
  /** The legend entry. */
  label: string;
  points: { x: number; y: number }[];
  color: SeriesColor;
  /** A reference to compare against (random ordering, chance): drawn dashed. */
  reference?: boolean;
  /** Shade the area under the curve (an AUC). */
  fill?: boolean;
}

export interface LineChartSpec {
  series: LineSeries[];
  x: AxisSpec;
  y: AxisSpec;
  /** What the chart shows, for screen readers. */
  label: string;
  /** Plot height in pixels (default 200). */
  height?: number;
  testId?: string;
}

export interface BarSeries {
  label: string;
  values: number[];
  /** ± half-widths of error bars, one per value (e.g. a standard deviation). */
  errors?: number[];
  color: SeriesColor;
}

export interface BarChartSpec {
  categories: string[];
  series: BarSeries[];
  /** The value axis. */
  value: AxisSpec;
  /** The category axis's title. */
  category?: string;
  /** Bars along x (long category names). */
  horizontal?: boolean;
  /** Values to mark with dashed lines (0.5 for TCAV's chance level, a random ordering's AUC). */
  references?: { value: number; label: string; color?: SeriesColor }[];
  label: string;
  height?: number;
  testId?: string;
}

type AnySpec = { kind: 'line'; spec: LineChartSpec } | { kind: 'bar'; spec: BarChartSpec };

/** Charts on screen, re-themed together. */
const live = new Map<Chart, AnySpec>();

/** Draws ± error bars from a bar dataset's `errorBars` (half-widths, one per bar). */
const errorBars: Plugin<'bar'> = {
  id: 'lensErrorBars',
  afterDatasetsDraw(chart) {
    const { ctx } = chart;
    const horizontal = chart.options.indexAxis === 'y';
    chart.data.datasets.forEach((dataset, d) => {
      const errors = (dataset as { errorBars?: number[] }).errorBars;
      const meta = chart.getDatasetMeta(d);
      if (!errors || meta.hidden) return;
      const scale = horizontal ? chart.scales.x : chart.scales.y;
      ctx.save();
      ctx.strokeStyle = String((dataset as { errorColor?: string }).errorColor ?? chart.options.color ?? '#888');
      ctx.lineWidth = 1.5;
      meta.data.forEach((bar, i) => {
        const value = Number(dataset.data[i]);
        const e = errors[i];
        if (!Number.isFinite(value) || !Number.isFinite(e)) return;
        const [lo, hi] = [scale.getPixelForValue(value - e), scale.getPixelForValue(value + e)];
        const at = horizontal ? bar.y : bar.x;
        const cap = 4;
        ctx.beginPath();
        if (horizontal) {
          ctx.moveTo(lo, at);
          ctx.lineTo(hi, at);
          ctx.moveTo(lo, at - cap);
          ctx.lineTo(lo, at + cap);
          ctx.moveTo(hi, at - cap);
          ctx.lineTo(hi, at + cap);
        } else {
          ctx.moveTo(at, lo);
          ctx.lineTo(at, hi);
          ctx.moveTo(at - cap, lo);
          ctx.lineTo(at + cap, lo);
          ctx.moveTo(at - cap, hi);
          ctx.lineTo(at + cap, hi);
        }
        ctx.stroke();
      });
      ctx.restore();
    });
  },
};

/** A chart of curves over a numeric x. */
export function lineChart(spec: LineChartSpec): HTMLElement {
  return mountChart({ kind: 'line', spec }, spec.height ?? 200, spec.label, spec.testId);
}

/** A chart of bars per category, with optional error bars and a reference line. */
export function barChart(spec: BarChartSpec): HTMLElement {
  return mountChart({ kind: 'bar', spec }, spec.height ?? 220, spec.label, spec.testId);
}

function mountChart(any: AnySpec, height: number, label: string, testId?: string): HTMLElement {
  const canvas = h('canvas', { role: 'img', 'aria-label': label });
  const box = h('div', { class: 'chart-box', style: `height: ${height}px` }, canvas);
  const figure = h('figure', { class: 'chart', ...(testId ? { 'data-testid': testId } : {}) }, box, h('figcaption', { class: 'sr-only' }, label));
  // What the canvas shows, in words: its legend and axis titles (for assistive tech and tests).
  const series = any.kind === 'line' ? any.spec.series.map((s) => s.label) : [...any.spec.series.map((s) => s.label), ...(any.spec.references ?? []).map((r) => r.label)];
  figure.dataset.series = series.join(' | ');
  figure.dataset.axes = any.kind === 'line' ? `x: ${any.spec.x.title}; y: ${any.spec.y.title}` : `${any.spec.horizontal ? 'x' : 'y'}: ${any.spec.value.title}; categories: ${any.spec.category ?? ''}`;
  prune();
  const theme = themeColors();
  const chart = new Chart(canvas, (any.kind === 'line' ? lineConfig(any.spec, theme) : barConfig(any.spec, theme)) as ChartConfiguration);
  live.set(chart, any);
  markTheme(canvas, theme);
  return figure;
}

/** Records the colours a chart was drawn with (tests compare them with the theme's). */
function markTheme(canvas: HTMLCanvasElement, theme: ThemeColors): void {
  canvas.dataset.foreground = theme.foreground;
  canvas.dataset.themeKind = theme.kind;
}

/** Charts whose canvas has left the page (their section redrew) are destroyed. */
function prune(): void {
  for (const chart of live.keys()) {
    if (!chart.canvas.isConnected && (chart as { attached?: boolean }).attached === false && (chart as { $drawn?: boolean }).$drawn) {
      chart.destroy();
      live.delete(chart);
    }
  }
}

onThemeChange(() => {
  prune();
  const theme = themeColors();
  for (const [chart, any] of live) {
    const config = any.kind === 'line' ? lineConfig(any.spec, theme) : barConfig(any.spec, theme);
    chart.data = config.data as typeof chart.data;
    chart.options = config.options as typeof chart.options;
    chart.update('none');
    markTheme(chart.canvas, theme);
  }
});

/** Options every chart shares: the theme's font and colours, legend below, no animation. */
function baseOptions(theme: ThemeColors) {
  return {
    responsive: true,
    maintainAspectRatio: false,
    animation: false as const,
    color: theme.foreground,
    font: { family: theme.fontFamily, size: Math.max(11, theme.fontSize - 1) },
    plugins: {
      legend: { position: 'bottom' as const, labels: { color: theme.foreground, usePointStyle: true, pointStyle: 'line', boxWidth: 28, padding: 12 } },
      tooltip: { mode: 'nearest' as const, intersect: false },
    },
  };
}

function axis(spec: AxisSpec, theme: ThemeColors, type: 'linear' | 'category' = 'linear') {
  return {
    type,
    ...(spec.min !== undefined ? { min: spec.min } : {}),
    ...(spec.max !== undefined ? { max: spec.max } : {}),
    title: { display: true, text: spec.title, color: theme.muted },
    ticks: { color: theme.muted, ...(spec.step ? { stepSize: spec.step } : {}), ...(type === 'linear' ? { callback: (v: number | string) => (spec.format ?? formatTick)(Number(v)) } : {}) },
    grid: { color: theme.grid },
    border: { color: theme.border },
  };
}

function formatTick(v: number): string {
  return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(3)));
}

function lineConfig(spec: LineChartSpec, theme: ThemeColors) {
  const datasets: ChartDataset<'line', { x: number; y: number }[]>[] = spec.series.map((s) => {
    const color = theme.series[s.color];
    return {
      label: s.label,
      data: s.points,
      borderColor: color,
      backgroundColor: s.fill ? withAlpha(color, 0.12) : color,
      borderWidth: s.reference ? 1.5 : 2,
      borderDash: s.reference ? [6, 4] : [],
      pointRadius: 0,
      pointHoverRadius: 3,
      fill: s.fill ? 'origin' : false,
      tension: 0,
    };
  });
  return {
    type: 'line' as const,
    data: { datasets },
    options: { ...baseOptions(theme), scales: { x: axis(spec.x, theme), y: axis(spec.y, theme) } },
    plugins: [drawnFlag],
  };
}

function barConfig(spec: BarChartSpec, theme: ThemeColors) {
  const datasets = spec.series.map((s) => ({
    label: s.label,
    data: s.values,
    backgroundColor: withAlpha(theme.series[s.color], 0.75),
    borderColor: theme.series[s.color],
    borderWidth: 1,
    errorBars: s.errors,
    errorColor: theme.foreground,
  }));
  const valueAxis = spec.horizontal ? 'x' : 'y';
  const categoryAxis = spec.horizontal ? 'y' : 'x';
  const reference = (spec.references ?? []).map((r) => ({
    type: 'line' as const,
    label: r.label,
    data: spec.categories.map(() => r.value),
    borderColor: r.color ? theme.series[r.color] : theme.muted,
    borderDash: [6, 4],
    borderWidth: 1.5,
    pointRadius: 0,
    ...(spec.horizontal ? { indexAxis: 'y' as const } : {}),
  }));
  return {
    type: 'bar' as const,
    data: { labels: spec.categories, datasets: [...datasets, ...reference] },
    options: {
      ...baseOptions(theme),
      indexAxis: spec.horizontal ? ('y' as const) : ('x' as const),
      scales: {
        [valueAxis]: axis(spec.value, theme),
        // Every category keeps its label: a bar without one cannot be read.
        [categoryAxis]: { ...axis({ title: spec.category ?? '' }, theme, 'category'), title: { display: !!spec.category, text: spec.category ?? '', color: theme.muted }, ticks: { color: theme.muted, autoSkip: false } },
      },
    },
    plugins: [errorBars, drawnFlag],
  };
}

/** Marks a chart once it has drawn (it was on the page), so prune() may destroy it after it leaves. */
const drawnFlag: Plugin = {
  id: 'lensDrawn',
  afterRender(chart) {
    (chart as { $drawn?: boolean }).$drawn = true;
  },
};
