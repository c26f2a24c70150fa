/**
 * Heatmap images of attributions: colormapped maps blended over what the model saw (images), or a
 * grid of cells (tabular and tensor inputs). Pure typed-array code, the same on every backend.
 */
import type { SaliencyMethod, SaliencyResult } from '../../protocol/saliency';
import type { Preview } from '../inputs/image';
import { decodePngDataUri, encodePng } from '../inputs/encode';
import { resizeBilinear } from '../inputs/resize';
import { positionMap, type PositionMap } from '../saliency/summary';
import { diverging, viridis, type Rgb } from './colormap';

/** 'absolute': |a| / max|a| through viridis. 'signed': a / max|a| through blue-white-red, 0 white. */
export type HeatmapMode = 'absolute' | 'signed';

export const DEFAULT_OPACITY = 0.5;
/** Pixels per side of a cell when a map has no image under it. */
const CELL = 24;
/** Small inputs (MNIST's 28×28) are enlarged to at least this many pixels per side, pixel by pixel. */
const MIN_SIDE = 224;

export interface HeatmapOptions {
  mode?: HeatmapMode;
  /** Weight of the heatmap over the preview, 0..1 (default 0.5). */
  opacity?: number;
}

/**
 * The scale that maps |values| to [0, 1]: 1 / the 99th percentile of |value|, so one outlier
 * does not wash out the rest (Captum clips 2% the same way); values above it saturate.
 */
export function normaliser(values: ArrayLike<number>): number {
  const magnitudes = Float32Array.from(values, Math.abs).sort();
  const peak = magnitudes[Math.min(magnitudes.length - 1, Math.floor(0.99 * magnitudes.length))] ?? 0;
  return peak > 0 && Number.isFinite(peak) ? 1 / peak : 0;
}

/** Each value's colour as RGBA (alpha 255), normalised as `normaliser` says. */
export function colorize(values: ArrayLike<number>, mode: HeatmapMode): Uint8Array {
  const scale = normaliser(values);
  const rgba = new Uint8Array(values.length * 4);
  for (let i = 0; i < values.length; i++) {
    const v = Math.max(-1, Math.min(1, values[i] * scale));
    const c: Rgb = mode === 'signed' ? diverging(0.5 + v / 2) : viridis(Math.abs(v));
    rgba.set(c, 4 * i);
    rgba[4 * i + 3] = 255;
  }
  return rgba;
}

/**
 * The map colormapped and blended over the preview: (1 − α) · preview + α · colour. Absolute maps:
 * viridis at α = opacity everywhere. Signed maps: the diverging map's saturated end colour (red for
 * positive, blue for negative) at α = min(1, 2 · opacity · |value|), so zero attribution leaves the
 * image as it is and strong attribution shows on dark and light pixels alike. A map at another
 * resolution (Grad-CAM at its layer's) is resized bilinearly to the preview's.
 */
export function overlay(map: PositionMap, preview: Preview, options: HeatmapOptions = {}): Preview {
  const { width, height } = preview;
  const opacity = Math.min(1, Math.max(0, options.opacity ?? DEFAULT_OPACITY));
  const values = resizeBilinear(map.values, map.height, map.width, 1, height, width);
  const signed = options.mode === 'signed';
  const colours = colorize(values, 'absolute');
  const scale = normaliser(values);
  const [positive, negative] = [diverging(1), diverging(0)];
  const rgba = new Uint8Array(width * height * 4);
  for (let i = 0; i < width * height; i++) {
    const alpha = signed ? Math.min(1, 2 * opacity * Math.abs(values[i]) * scale) : opacity;
    for (let k = 0; k < 3; k++) {
      const colour = signed ? (values[i] >= 0 ? positive[k] : negative[k]) : colours[4 * i + k];
      rgba[4 * i + k] = Math.round((1 - alpha) * preview.rgba[4 * i + k] + alpha * colour);
    }
    rgba[4 * i + 3] = 255;
  }
  return { width, height, rgba };
}

/** Enlarges an image by the whole factor that brings its longer side to at least minSide (nearest neighbour). */
export function enlarge(image: Preview, minSide = MIN_SIDE): Preview {
  const factor = Math.max(1, Math.ceil(minSide / Math.max(image.width, image.height)));
  if (factor === 1) return image;
  const width = image.width * factor;
  const height = image.height * factor;
  const rgba = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const src = (Math.floor(y / factor) * image.width + Math.floor(x / factor)) * 4;
      rgba.set(image.rgba.subarray(src, src + 4), (y * width + x) * 4);
    }
  }
  return { width, height, rgba };
}

/** A map with no image under it, one CELL×CELL square per value. */
export function cells(map: PositionMap, mode: HeatmapMode = 'absolute', cell = CELL): Preview {
  return enlarge({ width: map.width, height: map.height, rgba: colorize(map.values, mode) }, Math.max(map.width, map.height) * cell);
}

/**
 * How to colour a method's map: vanilla gradients and SmoothGrad by magnitude (their sign is
 * noise); the others signed when they have negative values.
 */
export function defaultMode(method: SaliencyMethod, values: ArrayLike<number>): HeatmapMode {
  if (method === 'gradient' || method === 'smoothgrad') return 'absolute';
  for (let i = 0; i < values.length; i++) if (values[i] < 0) return 'signed';
  return 'absolute';
}

/** A saliency result as a PNG: the overlay on the input's preview, else a grid of cells. */
export function heatmapPng(result: SaliencyResult, options: HeatmapOptions = {}): Buffer {
  const { shape, data } = result.attribution;
  const mode = options.mode ?? defaultMode(result.method, data);
  const reduce = mode === 'signed' ? 'signed' : 'abs';
  if (result.input.preview) {
    const preview = decodePngDataUri(result.input.preview);
    const map = positionMap(data, shape, { kind: 'image', height: preview.height, width: preview.width }, reduce);
    if (map) return encodePng(enlarge(overlay(map, preview, { ...options, mode })));
  }
  const width = shape.length > 0 ? shape[shape.length - 1] : 1;
  const values = Float32Array.from(data);
  return encodePng(cells({ values, height: Math.max(1, data.length / Math.max(1, width)), width: Math.max(1, width) }, mode));
}
