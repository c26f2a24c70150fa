/**
 * Attribution tensor → colour pixels. Pure (no DOM, no vscode): the panel draws these on a canvas
 * and the extension host encodes the same pixels as the PNG it shows in hovers and exports.
 */
import type { SaliencyMethod, WireTensor } from '../../src/protocol/saliency';
import type { HeatmapView } from '../../src/protocol/webview';

/** 'auto': viridis (perceptually uniform) for absolute maps, blue-white-red (diverging) for signed ones. */
export type ColormapChoice = HeatmapView['colormap'];
export type ColormapName = Exclude<ColormapChoice, 'auto'>;

type RGB = [number, number, number];

const hex = (s: string): RGB => [parseInt(s.slice(1, 3), 16), parseInt(s.slice(3, 5), 16), parseInt(s.slice(5, 7), 16)];

/** Evenly spaced stops, interpolated linearly (matplotlib's viridis/inferno, ColorBrewer RdBu reversed). */
const STOPS: Record<ColormapName, RGB[]> = {
  viridis: ['#440154', '#482878', '#3e4989', '#31688e', '#26828e', '#1f9e89', '#35b779', '#6ece58', '#b5de2b', '#fde725'].map(hex),
  inferno: ['#000004', '#1b0c41', '#4a0c6b', '#781c6d', '#a52c60', '#cf4446', '#ed6925', '#fb9b06', '#f7d13d', '#fcffa4'].map(hex),
  gray: ['#000000', '#ffffff'].map(hex),
  'blue-white-red': ['#053061', '#2166ac', '#4393c3', '#92c5de', '#d1e5f0', '#f7f7f7', '#fddbc7', '#f4a582', '#d6604d', '#b2182b', '#67001f'].map(hex),
};

export function resolveColormap(choice: ColormapChoice, signed: boolean): ColormapName {
  return choice === 'auto' ? (signed ? 'blue-white-red' : 'viridis') : choice;
}

/** Colour at t ∈ [0, 1]. */
export function colorAt(name: ColormapName, t: number): RGB {
  const stops = STOPS[name];
  const x = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0)) * (stops.length - 1);
  const i = Math.min(stops.length - 2, Math.floor(x));
  const f = x - i;
  const a = stops[i];
  const b = stops[i + 1];
  return [a[0] + (b[0] - a[0]) * f, a[1] + (b[1] - a[1]) * f, a[2] + (b[2] - a[2]) * f].map(Math.round) as RGB;
}

/** CSS linear-gradient stops for a legend. */
export function cssGradient(name: ColormapName): string {
  const n = 9;
  const parts = Array.from({ length: n }, (_, i) => `rgb(${colorAt(name, i / (n - 1)).join(',')}) ${((i / (n - 1)) * 100).toFixed(0)}%`);
  return `linear-gradient(to right, ${parts.join(', ')})`;
}

export interface Grid {
  height: number;
  width: number;
  /** Row-major, one value per position: channels summed (signed) or |·| summed (absolute). */
  values: Float64Array;
}

/** Spatial layout of an attribution: [H, W], [H, W, C≤4], [C≤4, H, W], with leading 1s dropped. Null for anything else. */
export function spatialLayout(shape: number[]): { height: number; width: number; channels: number; channelsLast: boolean } | null {
  const s = [...shape];
  while (s.length > 2 && s[0] === 1) s.shift();
  if (s.some((d) => !Number.isInteger(d) || d < 1)) return null;
  if (s.length === 2 && s[0] > 1 && s[1] > 1) return { height: s[0], width: s[1], channels: 1, channelsLast: true };
  if (s.length === 3 && s[2] <= 4 && s[0] > 1 && s[1] > 1) return { height: s[0], width: s[1], channels: s[2], channelsLast: true };
  if (s.length === 3 && s[0] <= 4 && s[1] > 4 && s[2] > 4) return { height: s[1], width: s[2], channels: s[0], channelsLast: false };
  return null;
}

export function toGrid(attr: WireTensor, signed: boolean): Grid | null {
  const layout = spatialLayout(attr.shape);
  if (!layout) return null;
  const { height, width, channels, channelsLast } = layout;
  if (attr.data.length !== height * width * channels) return null;
  const values = new Float64Array(height * width);
  for (let p = 0; p < height * width; p++) {
    let sum = 0;
    for (let c = 0; c < channels; c++) {
      const v = attr.data[channelsLast ? p * channels + c : c * height * width + p];
      const x = Number.isFinite(v) ? v : 0;
      sum += signed ? x : Math.abs(x);
    }
    values[p] = sum;
  }
  return { height, width, values };
}

/** The 99th percentile of |values| (robust to a few extreme pixels); the max when that is 0. */
export function robustScale(values: ArrayLike<number>): number {
  const abs = Float64Array.from(values, (v) => (Number.isFinite(v) ? Math.abs(v) : 0)).sort();
  if (abs.length === 0) return 0;
  const p = abs[Math.min(abs.length - 1, Math.floor(0.99 * (abs.length - 1)))];
  return p > 0 ? p : abs[abs.length - 1];
}

export interface HeatmapStyle {
  colormap: ColormapChoice;
  signed: boolean;
  /** 0..1: how strongly the heatmap covers the input. */
  opacity: number;
  /** Draw over an input image: weak attributions become transparent. Alone: every pixel opaque. */
  overlay: boolean;
}

/** RGBA pixels (grid.height × grid.width) for a grid made with the same `signed`. */
export function heatmapRGBA(grid: Grid, style: HeatmapStyle): { rgba: Uint8ClampedArray<ArrayBuffer>; scale: number; colormap: ColormapName } {
  const colormap = resolveColormap(style.colormap, style.signed);
  const scale = robustScale(grid.values);
  const rgba = new Uint8ClampedArray(grid.height * grid.width * 4);
  const opacity = Math.min(1, Math.max(0, style.opacity));
  for (let p = 0; p < grid.values.length; p++) {
    const n = scale > 0 ? Math.max(-1, Math.min(1, grid.values[p] / scale)) : 0;
    // Signed maps: 0 in the middle of the colormap; absolute maps: 0 at its start.
    const t = style.signed ? (n + 1) / 2 : Math.max(0, n);
    const [r, g, b] = colorAt(colormap, t);
    // Over an input, weak attributions fade out: linearly for signed maps (whose middle colour is
    // near-white and would otherwise veil the input), with a square root for absolute maps.
    const alpha = style.overlay ? opacity * (style.signed ? Math.abs(n) : Math.sqrt(Math.max(0, n))) : 1;
    rgba.set([r, g, b, Math.round(alpha * 255)], p * 4);
  }
  return { rgba, scale, colormap };
}

/** Per-feature values for non-spatial attributions (tabular rows, tensors), in input order. */
export function featureValues(attr: WireTensor, signed: boolean): number[] {
  return attr.data.map((v) => (Number.isFinite(v) ? (signed ? v : Math.abs(v)) : 0));
}

/** Under a heatmap the input is drawn at this brightness, so the colours stay readable on bright inputs. */
export const BASE_BRIGHTNESS = 0.5;

/**
 * Nearest-neighbour composite of an RGBA overlay on an RGBA base, both scaled to width × height
 * (straight alpha, base treated as opaque). Used for the host's PNGs; the panel lets the canvas do it.
 */
export function composite(
  base: { width: number; height: number; rgba: Uint8Array | Uint8ClampedArray } | null,
  over: { width: number; height: number; rgba: Uint8Array | Uint8ClampedArray },
  width: number,
  height: number,
): Uint8ClampedArray {
  const out = new Uint8ClampedArray(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * 4;
      let r = 0;
      let g = 0;
      let b = 0;
      if (base) {
        const bi = (Math.min(base.height - 1, Math.floor((y * base.height) / height)) * base.width + Math.min(base.width - 1, Math.floor((x * base.width) / width))) * 4;
        const ba = (base.rgba[bi + 3] / 255) * BASE_BRIGHTNESS;
        r = base.rgba[bi] * ba;
        g = base.rgba[bi + 1] * ba;
        b = base.rgba[bi + 2] * ba;
      }
      const oi = (Math.min(over.height - 1, Math.floor((y * over.height) / height)) * over.width + Math.min(over.width - 1, Math.floor((x * over.width) / width))) * 4;
      const a = base ? over.rgba[oi + 3] / 255 : 1;
      out[o] = r * (1 - a) + over.rgba[oi] * a;
      out[o + 1] = g * (1 - a) + over.rgba[oi + 1] * a;
      out[o + 2] = b * (1 - a) + over.rgba[oi + 2] * a;
      out[o + 3] = 255;
    }
  }
  return out;
}

export const METHOD_NAMES: Record<SaliencyMethod, string> = {
  gradient: 'Gradient',
  'gradient-x-input': 'Gradient × Input',
  'integrated-gradients': 'Integrated Gradients',
  smoothgrad: 'SmoothGrad',
  'grad-cam': 'Grad-CAM',
  occlusion: 'Occlusion',
};
