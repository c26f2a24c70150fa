/**
 * The colour bar every heatmap carries: the colormap's ramp, its scale at the ticks (−s, 0, +s for
 * signed maps; 0 … ≥ s for magnitudes), what the values are (their unit) and what each end means
 * ("red: raises p(7) · blue: lowers it"). As a DOM element for the panel, and drawn on a canvas
 * for exported pictures, from the same spec.
 */
import { colorAt, cssGradient, type ColormapName } from '../../../src/shared/heatmap';
import { formatNumber, h } from '../dom';
import type { ThemeColors } from '../theme';

export interface ColorBarSpec {
  colormap: ColormapName;
  signed: boolean;
  /** The value at the colormap's ends (larger values saturate). */
  scale: number;
  /** What the values are, with their unit: "drop in p(7) when the window is occluded". */
  unit: string;
  /** Signed maps: what positive and negative values mean ("raises p(7)", "lowers it"). */
  positive?: string;
  negative?: string;
  testId?: string;
}

/** What the colormap's ends look like, in words. */
const END_NAMES: Record<ColormapName, [low: string, high: string]> = {
  'blue-white-red': ['blue', 'red'],
  viridis: ['purple', 'yellow'],
  inferno: ['black', 'yellow'],
  gray: ['black', 'white'],
};

/** The tick labels, left to right. */
export function colorBarTicks(spec: ColorBarSpec): string[] {
  const s = formatNumber(spec.scale);
  return spec.signed ? [`−${s}`, '0', `+${s}`] : ['0', formatNumber(spec.scale / 2), `≥ ${s}`];
}

/** What the colours mean, in one line. */
export function colorBarMeaning(spec: ColorBarSpec): string {
  const [low, high] = END_NAMES[spec.colormap];
  if (spec.signed) return `${high}: ${spec.positive ?? 'positive'} · ${low}: ${spec.negative ?? 'negative'} · middle: no effect`;
  return `${high}: largest magnitude · ${low}: none`;
}

export function colorBar(spec: ColorBarSpec): HTMLElement {
  return h(
    'figure',
    { class: 'color-bar', ...(spec.testId ? { 'data-testid': spec.testId } : {}) },
    h('div', { class: 'color-bar-ramp', style: `background: ${cssGradient(spec.colormap)}`, role: 'img', 'aria-label': `colour scale ${colorBarTicks(spec).join(' to ')}` }),
    h('div', { class: 'color-bar-ticks' }, ...colorBarTicks(spec).map((t) => h('span', {}, t))),
    h('figcaption', {}, h('span', { class: 'color-bar-unit' }, spec.unit), h('span', { class: 'color-bar-meaning' }, colorBarMeaning(spec))),
  );
}

/**
 * Draws the bar at (x, y), `width` wide, in the theme's text colours; returns the height used.
 * The caption wraps to the width.
 */
export function drawColorBar(ctx: CanvasRenderingContext2D, spec: ColorBarSpec, x: number, y: number, width: number, theme: ThemeColors): number {
  const ramp = 12;
  for (let i = 0; i < width; i++) {
    const [r, g, b] = colorAt(spec.colormap, width > 1 ? i / (width - 1) : 0);
    ctx.fillStyle = `rgb(${r},${g},${b})`;
    ctx.fillRect(x + i, y, 1, ramp);
  }
  const size = Math.max(11, theme.fontSize - 1);
  const line = Math.round(size * 1.4);
  ctx.font = `${size}px ${theme.fontFamily}`;
  ctx.textBaseline = 'top';
  ctx.fillStyle = theme.foreground;
  const ticks = colorBarTicks(spec);
  const at = [x, x + width / 2, x + width];
  ticks.forEach((t, i) => {
    ctx.textAlign = i === 0 ? 'left' : i === ticks.length - 1 ? 'right' : 'center';
    ctx.fillText(t, at[i], y + ramp + 3);
  });
  ctx.textAlign = 'left';
  let cy = y + ramp + 3 + line;
  for (const [text, color] of [
    [spec.unit, theme.foreground],
    [colorBarMeaning(spec), theme.muted],
  ] as const) {
    ctx.fillStyle = color;
    for (const row of wrap(ctx, text, width)) {
      ctx.fillText(row, x, cy);
      cy += line;
    }
  }
  return cy - y;
}

/** Splits text into lines no wider than `width` at spaces. */
export function wrap(ctx: CanvasRenderingContext2D, text: string, width: number): string[] {
  const lines: string[] = [];
  let current = '';
  for (const word of text.split(/\s+/)) {
    const next = current ? `${current} ${word}` : word;
    if (current && ctx.measureText(next).width > width) {
      lines.push(current);
      current = word;
    } else current = next;
  }
  if (current) lines.push(current);
  return lines;
}
