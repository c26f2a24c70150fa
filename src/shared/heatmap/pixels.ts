/**
 * Grid → colour pixels: robust normalisation, colouring, compositing over the input preview and
 * nearest-neighbour enlarging. Pure: the panel draws these pixels on a canvas, the host encodes
 * them as the PNG of hovers and exports, and the CLI as its heatmap.png.
 */
import type { HeatmapView } from '../../protocol/webview';
import { colorAt, resolveColormap, type ColormapChoice, type ColormapName } from './colormaps';
import type { Grid } from './grid';

/** RGBA pixels, row-major, straight alpha. */
export interface Rgba {
  width: number;
  height: number;
  rgba: Uint8Array | Uint8ClampedArray;
}

export const DEFAULT_VIEW: HeatmapView = { colormap: 'auto', signed: false, opacity: 0.7 };

/** Under a heatmap the input is drawn at this brightness, so the colours stay readable on bright inputs. */
export const BASE_BRIGHTNESS = 0.5;

/**
 * The value that maps to the end of the colormap: the 99th percentile of |values|, so one outlier
 * does not wash out the rest (Captum clips 2% the same way; values above it saturate), or the
 * largest |value| when that percentile is 0 (sparse maps). Non-finite values count as 0.
 */
export function robustScale(values: ArrayLike<number>): number {
  const abs = Float64Array.from(values, (v) => (Number.isFinite(v) ? Math.abs(v) : 0)).sort();
  if (abs.length === 0) return 0;
  const p = abs[Math.min(abs.length - 1, Math.floor(0.99 * abs.length))];
  return p > 0 ? p : abs[abs.length - 1];
}

export interface HeatmapStyle {
  colormap: ColormapChoice;
  signed: boolean;
  /** 0..1: how strongly the heatmap covers the input. */
  opacity: number;
  /** Drawn over an input image: weak attributions become transparent. Alone: every pixel opaque. */
  overlay: boolean;
  /** The value at the colormap's end; default robustScale of the grid (maps compared on one scale share one). */
  scale?: number;
}

/** RGBA pixels (grid.height × grid.width) for a grid made with the same `signed`, with the scale and colormap used. */
export function heatmapRGBA(grid: Grid, style: HeatmapStyle): { rgba: Uint8ClampedArray<ArrayBuffer>; scale: number; colormap: ColormapName } {
  const colormap = resolveColormap(style.colormap, style.signed);
  const scale = style.scale ?? robustScale(grid.values);
  const rgba = new Uint8ClampedArray(grid.height * grid.width * 4);
  const opacity = Math.min(1, Math.max(0, Number.isFinite(style.opacity) ? style.opacity : 0));
  for (let p = 0; p < grid.values.length; p++) {
    const v = grid.values[p];
    const n = scale > 0 && Number.isFinite(v) ? Math.max(-1, Math.min(1, v / scale)) : 0;
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

/** The whole factor that brings an image's longer side to at least minSide, at most maxSide. */
export function enlargeFactor(width: number, height: number, minSide: number, maxSide = 4096): number {
  const longer = Math.max(1, width, height);
  return Math.max(1, Math.min(Math.floor(maxSide / longer), Math.ceil(minSide / longer)));
}

/**
 * The overlay composited on the base, both scaled to width × height (straight alpha, base treated
 * as opaque and dimmed to `baseBrightness`; no base: the overlay opaque). Both are enlarged by
 * nearest neighbour, as the panel draws them: a map coarser than the input (Grad-CAM at its
 * layer's resolution) shows its cells as they are, not smoothed into detail it does not have.
 */
export function composite(base: Rgba | null, over: Rgba, width: number, height: number, baseBrightness = BASE_BRIGHTNESS): Uint8ClampedArray<ArrayBuffer> {
  const out = new Uint8ClampedArray(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * 4;
      let [r, g, b] = [0, 0, 0];
      if (base) {
        const bi = nearest(base, x, y, width, height);
        const ba = (base.rgba[bi + 3] / 255) * baseBrightness;
        [r, g, b] = [base.rgba[bi] * ba, base.rgba[bi + 1] * ba, base.rgba[bi + 2] * ba];
      }
      const oi = nearest(over, x, y, width, height);
      const px = over.rgba.subarray(oi, oi + 4);
      const a = base ? px[3] / 255 : 1;
      out[o] = r * (1 - a) + px[0] * a;
      out[o + 1] = g * (1 - a) + px[1] * a;
      out[o + 2] = b * (1 - a) + px[2] * a;
      out[o + 3] = 255;
    }
  }
  return out;
}

/** Offset of the pixel of `image` under (x, y) of a width × height enlargement. */
function nearest(image: Rgba, x: number, y: number, width: number, height: number): number {
  const sy = Math.min(image.height - 1, Math.floor((y * image.height) / height));
  const sx = Math.min(image.width - 1, Math.floor((x * image.width) / width));
  return (sy * image.width + sx) * 4;
}

/**
 * A grid's heatmap as an image: over the input preview when there is one (dimmed, weak
 * attributions transparent), else opaque; enlarged by a whole factor so its longer side reaches
 * minSide. The pixels of the host's hover and export PNGs and the CLI's heatmap.png.
 */
export function renderHeatmap(grid: Grid, base: Rgba | null, view: HeatmapView, minSide: number): { width: number; height: number; rgba: Uint8ClampedArray<ArrayBuffer> } {
  const heat = heatmapRGBA(grid, { ...view, overlay: !!base });
  const w = base?.width ?? grid.width;
  const h = base?.height ?? grid.height;
  const factor = enlargeFactor(w, h, minSide);
  const [width, height] = [w * factor, h * factor];
  return { width, height, rgba: composite(base, { width: grid.width, height: grid.height, rgba: heat.rgba }, width, height) };
}
