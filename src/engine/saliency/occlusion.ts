/**
 * Occlusion (Zeiler & Fergus 2014; Captum's Occlusion): a window slides over the input; for each
 * position the window is filled with a constant and the drop of the objective F(x) − F(x_occluded)
 * is credited to every element the window covers. An element's attribution is the mean over the
 * windows covering it (Captum divides the summed differences by the per-element window count).
 *
 * Which dimensions the window slides over, for an input [1, ...]:
 *   - [1, h, w, c] images: height and width, all channels together (default window
 *     max(4, ⌈min(h, w) / 14⌉), see defaultImageWindow);
 *   - [1, f] tabular / 1-D: the features (default window 1);
 *   - any other rank: every dimension after the batch (default window 1).
 * Stride defaults to the window. Like Captum, a dimension of size n gets ⌈(n − window) / stride⌉ + 1
 * window positions, starting at multiples of the stride; windows reaching past the border are
 * clipped. Occluded copies are evaluated a batch at a time.
 */
import * as tf from '@tensorflow/tfjs';
import type { RunContext } from '../../protocol/engine';
import type { SaliencyOptions } from '../../protocol/saliency';
import { LensError } from '../errors';
import { batchSizeFor, concatOverBatches, concatOverBatchesAsync } from '../model/batching';
import { subjectOf, type Attribution, type AttributionInputs, type AttributionMethod } from './method';

export const occlusion: AttributionMethod = {
  id: 'occlusion',
  usesBaseline: false,
  run,
};

/** The window positions along each dimension of one example, and the element boxes they cover. */
export interface OcclusionGrid {
  /** Per-example shape (x's shape without the batch dimension). */
  shape: number[];
  /** Dimensions (of `shape`) the window slides over; the others are covered whole. */
  slidingDims: number[];
  window: number;
  stride: number;
  /** Window positions per sliding dimension. */
  counts: number[];
  /** Total number of windows. */
  total: number;
}

/** Window positions along an image's shorter side that the default window aims at (14 × 14 = 196 windows on a square image). */
export const WINDOWS_PER_SIDE = 14;
/** The smallest default window: small images (MNIST's 28², CIFAR's 32²) keep 4-pixel windows. */
const MIN_IMAGE_WINDOW = 4;

/**
 * The default window of an h × w image: max(4, ⌈min(h, w) / 14⌉). The window count then stays near
 * 14 × 14 (≈200 forward passes) however large the image, where a fixed 4-pixel window would cost
 * 3,136 on a 224² image; small images keep their 4-pixel windows.
 */
export function defaultImageWindow(height: number, width: number): number {
  return Math.max(MIN_IMAGE_WINDOW, Math.ceil(Math.min(height, width) / WINDOWS_PER_SIDE));
}

export function occlusionGrid(xShape: number[], options: Pick<SaliencyOptions, 'window' | 'stride'>): OcclusionGrid {
  const shape = xShape.slice(1);
  if (shape.length === 0) throw new LensError('INVALID_INPUT', 'Occlusion needs an input with at least one feature.');
  const image = xShape.length === 4;
  const slidingDims = image ? [0, 1] : shape.map((_, i) => i);
  const window = options.window ?? (image ? defaultImageWindow(shape[0], shape[1]) : 1);
  const stride = options.stride ?? window;
  for (const [name, value] of [['window', window], ['stride', stride]] as const) {
    if (!Number.isInteger(value) || value < 1) throw new LensError('BAD_REQUEST', `Occlusion's ${name} must be a whole number ≥ 1, not ${value}.`);
  }
  const counts = slidingDims.map((d) => Math.max(1, Math.ceil((shape[d] - window) / stride) + 1));
  return { shape, slidingDims, window, stride, counts, total: counts.reduce((a, b) => a * b, 1) };
}

/** The box [lo, hi) per dimension of window number k (row-major over the window positions). */
export function windowBox(grid: OcclusionGrid, k: number): { lo: number[]; hi: number[] } {
  const lo = grid.shape.map(() => 0);
  const hi = [...grid.shape];
  let rest = k;
  for (let i = grid.slidingDims.length - 1; i >= 0; i--) {
    const d = grid.slidingDims[i];
    const position = rest % grid.counts[i];
    rest = Math.floor(rest / grid.counts[i]);
    lo[d] = position * grid.stride;
    hi[d] = Math.min(grid.shape[d], lo[d] + grid.window);
  }
  return { lo, hi };
}

/** Calls fn(flatIndex) for every element of a row-major array of `shape` inside the box. */
function forEachInBox(shape: number[], lo: number[], hi: number[], fn: (index: number) => void): void {
  const strides = shape.map((_, d) => shape.slice(d + 1).reduce((a, b) => a * b, 1));
  const visit = (d: number, offset: number): void => {
    if (d === shape.length) {
      fn(offset);
      return;
    }
    for (let i = lo[d]; i < hi[d]; i++) visit(d + 1, offset + i * strides[d]);
  };
  visit(0, 0);
}

async function run(inputs: AttributionInputs, options: SaliencyOptions, ctx: RunContext): Promise<Attribution> {
  const subject = subjectOf(inputs);
  const { x } = subject;
  if (x.shape[0] !== 1) throw new LensError('BAD_REQUEST', `Occlusion explains one example at a time; the input's batch is ${x.shape[0]}.`);
  ctx.signal.throwIfAborted();
  const grid = occlusionGrid(x.shape, options);
  const fill = options.fill!;
  const size = x.size;
  const original = await x.data();
  // Models that run only through executeAsync are evaluated by the subject's evaluate().
  const evaluate = subject.evaluate;
  const scoreOfX = evaluate ? await evaluate(x) : tf.tidy(() => subject.forward(x));
  const fx = (await scoreOfX.data())[0];
  scoreOfX.dispose();

  const occluded = (start: number, end: number): tf.Tensor => {
    const data = x.dtype === 'int32' ? new Int32Array((end - start) * size) : new Float32Array((end - start) * size);
    for (let k = start; k < end; k++) {
      const copy = data.subarray((k - start) * size, (k - start + 1) * size);
      copy.set(original);
      const { lo, hi } = windowBox(grid, k);
      forEachInBox(grid.shape, lo, hi, (i) => (copy[i] = fill));
    }
    return tf.tensor(data, [end - start, ...grid.shape], x.dtype);
  };
  const batchSize = batchSizeFor(subject.elements, options);
  const occludedScores = evaluate
    ? await concatOverBatchesAsync(grid.total, batchSize, ctx, async (start, end) => {
        const batch = occluded(start, end);
        try {
          return await evaluate(batch);
        } finally {
          batch.dispose();
        }
      })
    : await concatOverBatches(grid.total, batchSize, ctx, (start, end) => subject.forward(occluded(start, end)));
  let scores: Float32Array | Int32Array | Uint8Array;
  try {
    scores = await occludedScores.data();
  } finally {
    occludedScores.dispose();
  }
  ctx.signal.throwIfAborted();

  const sum = new Float64Array(size);
  const count = new Float64Array(size);
  for (let k = 0; k < grid.total; k++) {
    const drop = fx - scores[k];
    const { lo, hi } = windowBox(grid, k);
    forEachInBox(grid.shape, lo, hi, (i) => {
      sum[i] += drop;
      count[i] += 1;
    });
  }
  const values = new Float32Array(size);
  for (let i = 0; i < size; i++) values[i] = count[i] > 0 ? sum[i] / count[i] : 0;
  return { values: tf.tensor(values, x.shape, 'float32') };
}
