/**
 * Baselines: what an attribution compares the input against (IG's path start, insertion's
 * starting point). Built with the input's own shape; the caller owns the tensor returned.
 */
import * as tf from '@tensorflow/tfjs';
import type { Baseline } from '../../protocol/saliency';
import type { Checkpoint } from '../checkpoint/load';
import { makeRng } from '../common/random';
import { valueRange } from '../common/values';
import { LensError } from '../errors';
import { loadInput, type LoadedInput } from '../data/input';
import { base, formatShape } from '../data/common';

/** Default Gaussian blur, in pixels (RISE's insertion baseline uses the same). */
export const DEFAULT_BLUR_SIGMA = 5;

/** Where x came from: blur needs an image and its geometry. */
export interface InputInfo {
  kind: LoadedInput['kind'];
  /** Images: the size the model sees (the preview's). */
  height?: number;
  width?: number;
  /** For messages. */
  path?: string;
}

export interface BaselineContext {
  checkpoint: Checkpoint;
  input: InputInfo;
  /** Seed for the uniform baseline when the baseline names none (default 0). */
  seed?: number;
}

export async function makeBaseline(x: tf.Tensor, spec: Baseline | undefined, ctx: BaselineContext): Promise<tf.Tensor> {
  const baseline = spec ?? { kind: 'zeros' };
  switch (baseline.kind) {
    case 'zeros':
      return tf.zerosLike(x);
    case 'blur':
      return blurInput(x, ctx.input, baseline.sigma ?? DEFAULT_BLUR_SIGMA);
    case 'uniform':
      return uniformLike(x, baseline.seed ?? ctx.seed ?? 0);
    case 'file':
      return baselineFile(x, baseline.path, ctx.checkpoint);
    default: {
      const unknown: never = baseline;
      throw new LensError('BAD_REQUEST', `Unknown baseline kind '${(unknown as { kind: string }).kind}'.`);
    }
  }
}

/** Gaussian blur of an image input in any of its layouts ([1,h,w,c], [1,h,w], [1,h·w·c]). */
export function blurInput(x: tf.Tensor, input: InputInfo, sigma: number): tf.Tensor {
  if (input.kind !== 'image' || !input.height || !input.width) {
    const what = input.path ? `${base(input.path)} is ${article(input.kind)} input` : `the input is ${article(input.kind)} input`;
    throw new LensError('BAD_REQUEST', `The blur baseline needs an image input, but ${what}; use zeros, uniform or a baseline file.`);
  }
  if (!(Number.isFinite(sigma) && sigma > 0)) {
    throw new LensError('BAD_REQUEST', `The blur baseline's sigma must be a positive number of pixels; got ${sigma}.`);
  }
  const { height: h, width: w } = input;
  const channels = x.size / (x.shape[0] * h * w);
  if (!Number.isInteger(channels) || channels < 1) {
    throw new LensError('INVALID_INPUT', `Input ${formatShape(x.shape)} does not hold ${h}×${w} images; cannot blur it.`);
  }
  return tf.tidy(() => gaussianBlur(x.reshape([x.shape[0], h, w, channels]) as tf.Tensor4D, sigma).reshape(x.shape));
}

/**
 * Separable Gaussian blur ([n,h,w,c], sigma in pixels): a vertical then a horizontal depthwise
 * convolution. Borders are normalised (blur(x) / blur(1)), so edges do not darken towards zero.
 */
export function gaussianBlur(images: tf.Tensor4D, sigma: number): tf.Tensor4D {
  const [, h, w, c] = images.shape;
  const radius = Math.min(Math.ceil(3 * sigma), Math.max(h, w) - 1);
  if (radius < 1) return images.clone();
  const kernel = gaussianKernel(sigma, radius);
  const taps = kernel.length;
  return tf.tidy(() => {
    const tiled = new Float32Array(taps * c);
    for (let i = 0; i < taps; i++) tiled.fill(kernel[i], i * c, (i + 1) * c);
    const vertical = tf.tensor4d(tiled, [taps, 1, c, 1]);
    const horizontal = tf.tensor4d(tiled, [1, taps, c, 1]);
    const blur = (t: tf.Tensor4D): tf.Tensor4D =>
      tf.depthwiseConv2d(tf.depthwiseConv2d(t, vertical, 1, 'same'), horizontal, 1, 'same');
    const weight = blur(tf.ones([1, h, w, c]));
    return tf.div(blur(images), weight) as tf.Tensor4D;
  });
}

/** Normalised 1-D Gaussian taps for offsets −radius..radius. */
export function gaussianKernel(sigma: number, radius: number): Float32Array {
  const taps = new Float32Array(2 * radius + 1);
  let sum = 0;
  for (let i = -radius; i <= radius; i++) {
    const v = Math.exp(-(i * i) / (2 * sigma * sigma));
    taps[i + radius] = v;
    sum += v;
  }
  for (let i = 0; i < taps.length; i++) taps[i] /= sum;
  return taps;
}

/** Seeded uniform noise in [min(x), max(x)], the same on every backend. */
export function uniformLike(x: tf.Tensor, seed: number): tf.Tensor {
  const [lo, hi] = valueRange(x);
  const rng = makeRng(seed);
  const noise = new Float32Array(x.size);
  for (let i = 0; i < noise.length; i++) noise[i] = lo + (hi - lo) * rng();
  return tf.tensor(noise, x.shape, 'float32');
}

async function baselineFile(x: tf.Tensor, file: string, checkpoint: Checkpoint): Promise<tf.Tensor> {
  const loaded = await loadInput(file, checkpoint.inputs[0], checkpoint.sidecar.sidecar, checkpoint.sidecar.path);
  const { tensor } = loaded;
  if (tensor.shape.length !== x.shape.length || tensor.shape.some((d, i) => d !== x.shape[i])) {
    tensor.dispose();
    throw new LensError(
      'INVALID_INPUT',
      `Baseline ${base(file)} has shape ${formatShape(tensor.shape)} but the input has ${formatShape(x.shape)}; give one example like the input.`,
    );
  }
  if (tensor.dtype === x.dtype) return tensor;
  const cast = tensor.cast(x.dtype);
  tensor.dispose();
  return cast;
}

function article(kind: string): string {
  return /^[aeiou]/.test(kind) ? `an ${kind}` : `a ${kind}`;
}
