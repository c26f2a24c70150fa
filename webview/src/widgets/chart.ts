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
 *   spread over runs; clipped to the axis, a zero spread drawn as a cap), bars to mute (hatched
 *   grey, outlined in their series' colour: e.g. not significant, explained by a legend entry),
 *   marks above bars (e.g. * for significant), outlined reference series (a random baseline),
 *   vertical or horizontal.
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
  type LegendItem,
  type Plugin,
  type TooltipItem,
} from 'chart.js';
import { errorBarSegments, type Segment } from '../../../src/shared/errorBars';
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
  /** Bars drawn muted (hatched grey, outlined in the series' colour), one flag per value: e.g. not significant. */
  muted?: boolean[];
  /** A short mark above each bar (past its error bar), '' for none: e.g. '*' for significant. */
  marks?: string[];
  /** A reference to compare against (a random baseline): outlined, not filled. */
  reference?: boolean;
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
  /** The legend entry that says what a muted bar means ("hatched: not significant (p ≥ 0.05)"). */
  mutedLabel?: string;
  /** The legend entry that says what the marks mean ("* significant (p < 0.05)"). */
  marksLabel?: string;
  label: string;
  height?: number;
  testId?: string;
}

type AnySpec = { kind: 'line'; spec: LineChartSpec } | { kind: 'bar'; spec: BarChartSpec };

/** Charts on screen, re-themed together. */
const live = new Map<Chart, AnySpec>();

type BarDataset = { data: unknown[]; errorBars?: number[]; errorColor?: string; marks?: string[] };

/** The value axis of a bar chart, as the error bars' geometry needs it. */
function valueAxis(chart: Chart) {
  const horizontal = chart.options.indexAxis === 'y';
  const scale = horizontal ? chart.scales.x : chart.scales.y;
  return { toPixel: (v: number) => scale.getPixelForValue(v), min: scale.min, max: scale.max, horizontal };
}

/**
 * Draws ± error bars from a bar dataset's `errorBars` (half-widths, one per bar), clipped to the
 * value axis, and records the segments on the canvas (data-error-bars: [x1, y1, x2, y2] in CSS
 * pixels, for tests that check they are drawn where the values say).
 */
const errorBars: Plugin<'bar'> = {
  id: 'lensErrorBars',
  afterDatasetsDraw(chart) {
    const { ctx } = chart;
    const axis = valueAxis(chart);
    const drawn: Segment[] = [];
    chart.data.datasets.forEach((dataset, d) => {
      const { errorBars: errors, errorColor } = dataset as BarDataset;
      if (!errors || !chart.isDatasetVisible(d)) return;
      ctx.save();
      ctx.strokeStyle = String(errorColor ?? chart.options.color ?? '#888');
      ctx.lineWidth = 1.5;
      chart.getDatasetMeta(d).data.forEach((bar, i) => {
        const segments = errorBarSegments(Number(dataset.data[i]), errors[i], axis.horizontal ? bar.y : bar.x, axis);
        ctx.beginPath();
        for (const [x1, y1, x2, y2] of segments) {
          ctx.moveTo(x1, y1);
          ctx.lineTo(x2, y2);
        }
        ctx.stroke();
        drawn.push(...segments.map((s) => s.map((v) => Math.round(v * 10) / 10) as Segment));
      });
      ctx.restore();
    });
    chart.canvas.dataset.errorBars = JSON.stringify(drawn.slice(0, 1000));
  },
};

/** Draws each bar's mark (a dataset's `marks`) just past the bar's end and its error bar. */
const barMarks: Plugin<'bar'> = {
  id: 'lensBarMarks',
  afterDatasetsDraw(chart) {
    const { ctx } = chart;
    const axis = valueAxis(chart);
    ctx.save();
    ctx.fillStyle = String(chart.options.color ?? '#888');
    ctx.font = `bold ${Math.round(Number(chart.options.font?.size ?? 12) * 1.2)}px ${chart.options.font?.family ?? 'sans-serif'}`;
    ctx.textAlign = axis.horizontal ? 'left' : 'center';
    ctx.textBaseline = axis.horizontal ? 'middle' : 'bottom';
    chart.data.datasets.forEach((dataset, d) => {
      const { marks, errorBars: errors } = dataset as BarDataset;
      if (!marks || !chart.isDatasetVisible(d)) return;
      chart.getDatasetMeta(d).data.forEach((bar, i) => {
        const value = Number(dataset.data[i]);
        if (!marks[i] || !Number.isFinite(value)) return;
        const end = axis.toPixel(Math.min(axis.max, value + Math.abs(errors?.[i] ?? 0)));
        if (axis.horizontal) ctx.fillText(marks[i], end + 4, bar.y);
        else ctx.fillText(marks[i], bar.x, end - 2);
      });
    });
    ctx.restore();
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
  const bars = any.kind === 'bar' ? any.spec : undefined;
  const series = bars ? [...bars.series.map((s) => s.label), ...(bars.references ?? []).map((r) => r.label), ...[bars.mutedLabel, bars.marksLabel].filter((l): l is string => !!l)] : any.spec.series.map((s) => s.label);
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
  const hatch = hatchPattern(theme.muted);
  const datasets = spec.series.map((s) => {
    const color = theme.series[s.color];
    const fill = s.reference ? 'transparent' : withAlpha(color, 0.75);
    return {
      label: s.label,
      data: s.values,
      backgroundColor: s.muted ? s.values.map((_, i) => (s.muted![i] ? hatch : fill)) : fill,
      borderColor: color,
      borderWidth: s.reference || s.muted ? 1.5 : 1,
      // A zero still shows as a sliver of its bar (a missing value shows nothing).
      minBarLength: 2,
      // The legend's swatch: the series' own fill (a reference's outline), whatever its first bar looks like.
      legendFill: s.reference ? 'transparent' : withAlpha(color, 0.75),
      errorBars: s.errors,
      errorColor: theme.foreground,
      marks: s.marks,
    };
  });
  const valueAxisKey = spec.horizontal ? 'x' : 'y';
  const categoryAxis = spec.horizontal ? 'y' : 'x';
  const reference = (spec.references ?? []).map((r) => ({
    type: 'line' as const,
    label: r.label,
    data: spec.categories.map(() => r.value),
    borderColor: r.color ? theme.series[r.color] : theme.muted,
    borderDash: [6, 4],
    borderWidth: 1.5,
    pointRadius: 0,
    pointStyle: 'line' as const,
    ...(spec.horizontal ? { indexAxis: 'y' as const } : {}),
  }));
  const base = baseOptions(theme);
  const marked = spec.series.some((s) => s.marks?.some(Boolean));
  return {
    type: 'bar' as const,
    data: { labels: spec.categories, datasets: [...datasets, ...reference] },
    options: {
      ...base,
      indexAxis: spec.horizontal ? ('y' as const) : ('x' as const),
      // Room for the marks past the longest bar.
      ...(marked ? { layout: { padding: spec.horizontal ? { right: 16 } : { top: 16 } } } : {}),
      plugins: {
        ...base.plugins,
        legend: { ...base.plugins.legend, labels: { ...base.plugins.legend.labels, generateLabels: barLegend(spec, theme, hatch) }, onClick: toggleSeries },
        tooltip: { ...base.plugins.tooltip, callbacks: { label: barTooltip } },
      },
      scales: {
        [valueAxisKey]: axis(spec.value, theme),
        // Every category keeps its label: a bar without one cannot be read.
        [categoryAxis]: { ...axis({ title: spec.category ?? '' }, theme, 'category'), title: { display: !!spec.category, text: spec.category ?? '', color: theme.muted }, ticks: { color: theme.muted, autoSkip: false } },
      },
    },
    plugins: [errorBars, barMarks, drawnFlag],
  };
}

/** The legend of a bar chart: each series with its own swatch, references as dashed lines, then what muted bars and marks mean. */
function barLegend(spec: BarChartSpec, theme: ThemeColors, hatch: CanvasPattern | string) {
  return (chart: Chart): LegendItem[] => {
    const items: LegendItem[] = Chart.defaults.plugins.legend.labels.generateLabels(chart).map((item) => {
      const dataset = chart.data.datasets[item.datasetIndex ?? -1] as { legendFill?: string; type?: string } | undefined;
      if (dataset?.type === 'line') return { ...item, pointStyle: 'line' as const };
      return { ...item, pointStyle: 'rect' as const, ...(dataset?.legendFill !== undefined ? { fillStyle: dataset.legendFill } : {}) };
    });
    const extra = (text: string, fillStyle: CanvasPattern | string, strokeStyle: string): LegendItem => ({ text, fillStyle, strokeStyle, lineWidth: 1, pointStyle: 'rect', fontColor: theme.foreground, hidden: false });
    if (spec.mutedLabel) items.push(extra(spec.mutedLabel, hatch, theme.muted));
    if (spec.marksLabel) items.push(extra(spec.marksLabel, 'transparent', 'transparent'));
    return items;
  };
}

/** Clicking a series' legend entry hides or shows it; the entries that only explain (muted, marks) do nothing. */
function toggleSeries(_event: unknown, item: LegendItem, legend: { chart: Chart }): void {
  if (item.datasetIndex === undefined) return;
  legend.chart.setDatasetVisibility(item.datasetIndex, !legend.chart.isDatasetVisible(item.datasetIndex));
  legend.chart.update();
}

/** "striped: 0.48 ± 0.38" for a bar with an error bar. */
function barTooltip(item: TooltipItem<'bar'>): string {
  const error = (item.dataset as BarDataset).errorBars?.[item.dataIndex];
  const value = Number(item.raw);
  return `${item.dataset.label}: ${formatTick(value)}${error !== undefined && Number.isFinite(error) ? ` ± ${formatTick(error)}` : ''}`;
}

/** Diagonal hatching in `color` on a transparent ground: a muted bar that still reads as a bar in any theme. */
function hatchPattern(color: string): CanvasPattern | string {
  const tile = document.createElement('canvas');
  tile.width = tile.height = 8;
  const ctx = tile.getContext('2d');
  if (!ctx) return withAlpha(color, 0.3);
  ctx.strokeStyle = color;
  ctx.lineWidth = 1.5;
  ctx.beginPath();
  // One stroke across the tile and the two corner pieces, so the lines join across tiles.
  for (const [x1, y1, x2, y2] of [[0, 8, 8, 0], [-2, 2, 2, -2], [6, 10, 10, 6]]) {
    ctx.moveTo(x1, y1);
    ctx.lineTo(x2, y2);
  }
  ctx.stroke();
  return ctx.createPattern(tile, 'repeat') ?? withAlpha(color, 0.3);
}

/** Marks a chart once it has drawn (it was on the page), so prune() may destroy it after it leaves. */
const drawnFlag: Plugin = {
  id: 'lensDrawn',
  afterRender(chart) {
    (chart as { $drawn?: boolean }).$drawn = true;
  },
};
