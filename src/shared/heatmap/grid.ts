/**
 * Attribution tensor → one value per position: the spatial layout of the tensor, and its channels
 * reduced signed (Σa) or absolute (Σ|a|). Pure: bundled for the panel and the host alike.
 */
import type { SaliencyMethod, WireTensor } from '../../protocol/saliency';

/** A 2-D map of values over positions, row-major. */
export interface Grid {
  height: number;
  width: number;
  /** One value per position: channels summed (signed) or |·| summed (absolute). */
  values: Float64Array;
}

export interface SpatialLayout {
  height: number;
  width: number;
  channels: number;
  channelsLast: boolean;
}

/**
 * Spatial layout of an attribution: [H, W], [H, W, C≤4], [C≤4, H, W], with leading 1s dropped; or,
 * given the image size the model sees, any shape of H·W·C values (channels last). Null for anything else.
 */
export function spatialLayout(shape: readonly number[], image?: { height: number; width: number }): SpatialLayout | null {
  const s = [...shape];
  while (s.length > 2 && s[0] === 1) s.shift();
  if (s.some((d) => !Number.isInteger(d) || d < 1)) return null;
  if (s.length === 2 && s[0] > 1 && s[1] > 1) return { height: s[0], width: s[1], channels: 1, channelsLast: true };
  if (s.length === 3 && s[2] <= 4 && s[0] > 1 && s[1] > 1) return { height: s[0], width: s[1], channels: s[2], channelsLast: true };
  if (s.length === 3 && s[0] <= 4 && s[1] > 4 && s[2] > 4) return { height: s[1], width: s[2], channels: s[0], channelsLast: false };
  if (image && image.height > 0 && image.width > 0) {
    const size = s.reduce((a, b) => a * b, 1);
    const channels = size / (image.height * image.width);
    if (Number.isInteger(channels) && channels >= 1 && channels <= 4) return { height: image.height, width: image.width, channels, channelsLast: true };
  }
  return null;
}

/** The attribution as a grid over its positions, or null when it is not spatial (tabular rows, tensors). */
export function toGrid(attr: WireTensor, signed: boolean, image?: { height: number; width: number }): Grid | null {
  const layout = spatialLayout(attr.shape, image);
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

/** Per-feature values for non-spatial attributions (tabular rows, tensors), in input order. */
export function featureValues(attr: WireTensor, signed: boolean): number[] {
  return attr.data.map((v) => (Number.isFinite(v) ? (signed ? v : Math.abs(v)) : 0));
}

/** Any attribution as a grid of its features: one row per index of the leading dimensions, one column per index of the last. */
export function featureGrid(attr: WireTensor, signed: boolean): Grid {
  const last = attr.shape.length > 0 ? attr.shape[attr.shape.length - 1] : attr.data.length;
  const width = Math.max(1, Number.isInteger(last) && last > 0 && attr.data.length % last === 0 ? last : attr.data.length);
  return { height: Math.max(1, attr.data.length / width), width, values: Float64Array.from(featureValues(attr, signed)) };
}

/**
 * Whether a method's map is best shown signed: vanilla gradients and SmoothGrad never (their sign
 * is noise); the others when they have negative values.
 */
export function defaultSigned(method: SaliencyMethod, values: ArrayLike<number>): boolean {
  if (method === 'gradient' || method === 'smoothgrad') return false;
  for (let i = 0; i < values.length; i++) if (values[i] < 0) return true;
  return false;
}
