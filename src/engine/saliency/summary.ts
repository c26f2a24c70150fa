/**
 * Where an attribution's mass lies, in one line: the image region with the largest share of
 * |attribution|, the tabular feature with the most, or how concentrated it is.
 */
import { toGrid } from '../../shared/heatmap';
import type { SaliencyMethod } from '../../protocol/saliency';

/** What the summary needs to know about the input. */
export interface SummaryInput {
  kind: 'image' | 'tabular' | 'tensor' | 'text';
  /** Text: the token at each position (aligned with a [L] attribution). */
  tokens?: string[];
  /** Images: the size the model sees. */
  height?: number;
  width?: number;
  /** Tabular (and tensor inputs of tabular models): feature names in model order (the sidecar's input.features). */
  features?: string[];
}

const LABELS: Record<SaliencyMethod, string> = {
  gradient: '|gradient|',
  'gradient-x-input': '|gradient×input|',
  'integrated-gradients': '|IG|',
  smoothgrad: '|SmoothGrad|',
  'grad-cam': '|Grad-CAM|',
  occlusion: '|occlusion|',
};

export function methodLabel(method: SaliencyMethod): string {
  return LABELS[method];
}

/** A 2-D map over pixel positions, row-major. */
export interface PositionMap {
  values: Float32Array;
  height: number;
  width: number;
}

/**
 * An image attribution (shape without its batch dimension: [h,w,c], [h,w] or flat h·w·c, or a
 * Grad-CAM map [h',w'] at its layer's resolution) reduced over channels: Σ|a| ('abs') or Σa
 * ('signed') per position. Null when the shape is not an image's.
 */
export function positionMap(
  values: ArrayLike<number>,
  shape: readonly number[],
  input: SummaryInput,
  reduce: 'abs' | 'signed' = 'abs',
): PositionMap | null {
  const { height, width } = input;
  const image = height && width ? { height, width } : undefined;
  if (input.kind !== 'image' && !image) return null;
  const grid = toGrid({ shape: [...shape], data: Array.from(values) }, reduce === 'signed', image);
  return grid && { values: Float32Array.from(grid.values), height: grid.height, width: grid.width };
}

/** Image regions, each a quarter of the area; the centre overlaps all four quadrants. */
const REGIONS: { name: string; rows: [number, number]; cols: [number, number] }[] = [
  { name: 'the upper-left quadrant', rows: [0, 0.5], cols: [0, 0.5] },
  { name: 'the upper-right quadrant', rows: [0, 0.5], cols: [0.5, 1] },
  { name: 'the lower-left quadrant', rows: [0.5, 1], cols: [0, 0.5] },
  { name: 'the lower-right quadrant', rows: [0.5, 1], cols: [0.5, 1] },
  { name: 'the centre', rows: [0.25, 0.75], cols: [0.25, 0.75] },
];

/** Share of a map's mass in each region; pixels on a boundary count by the fraction inside. */
export function regionShares(map: PositionMap): { name: string; share: number }[] {
  const { values, height, width } = map;
  let total = 0;
  for (const v of values) total += v;
  return REGIONS.map(({ name, rows, cols }) => {
    let mass = 0;
    for (let r = 0; r < height; r++) {
      const fr = overlap(r, r + 1, rows[0] * height, rows[1] * height);
      if (fr === 0) continue;
      for (let c = 0; c < width; c++) {
        const fc = overlap(c, c + 1, cols[0] * width, cols[1] * width);
        if (fc > 0) mass += fr * fc * values[r * width + c];
      }
    }
    return { name, share: total > 0 ? mass / total : 0 };
  });
}

/** The one-line summary for an attribution of `shape` (without its batch dimension). */
export function summarize(values: ArrayLike<number>, shape: readonly number[], method: SaliencyMethod, input: SummaryInput): string {
  const label = methodLabel(method);
  let total = 0;
  for (let i = 0; i < values.length; i++) total += Math.abs(values[i]);
  if (!(total > 0)) return `${label} is zero everywhere`;
  if (!Number.isFinite(total)) return `${label} has non-finite values`;

  if (input.kind === 'image') {
    const map = positionMap(values, shape, input, 'abs');
    if (map) {
      const best = regionShares(map).reduce((a, b) => (b.share > a.share + 1e-9 ? b : a));
      return `${percent(best.share)} of ${label} in ${best.name}`;
    }
  }
  // Text: the token with the largest share, e.g. "'terrible' carries 48% of |IG|".
  if (input.kind === 'text' && input.tokens && input.tokens.length === values.length) {
    let top = 0;
    for (let i = 1; i < values.length; i++) if (Math.abs(values[i]) > Math.abs(values[top])) top = i;
    return `'${input.tokens[top]}' carries ${percent(Math.abs(values[top]) / total)} of ${label}`;
  }
  // Tabular rows, and tensors fed to a model whose sidecar names its features.
  if (input.kind !== 'image' && input.features && input.features.length === values.length) {
    let top = 0;
    for (let i = 1; i < values.length; i++) if (Math.abs(values[i]) > Math.abs(values[top])) top = i;
    return `${input.features[top]} carries ${percent(Math.abs(values[top]) / total)} of ${label}`;
  }
  const sorted = Array.from(values, Math.abs).sort((a, b) => b - a);
  const k = Math.max(1, Math.ceil(sorted.length / 10));
  const mass = sorted.slice(0, k).reduce((a, b) => a + b, 0);
  return `top 10% of positions carry ${percent(mass / total)} of ${label}`;
}

function overlap(a0: number, a1: number, b0: number, b1: number): number {
  return Math.max(0, Math.min(a1, b1) - Math.max(a0, b0));
}

function percent(share: number): string {
  return `${Math.round(share * 100)}%`;
}
