/**
 * Max-sensitivity (Yeh et al. 2019): how much an explanation moves under small input noise,
 * max over n seeded perturbations δ ~ U[−r, r]^d of ‖attr(x + δ) − attr(x)‖₂ / ‖attr(x)‖₂.
 */
import * as tf from '@tensorflow/tfjs';
import type { RunContext } from '../../protocol/engine';
import { makeRng } from '../common/random';
import { valueRange } from '../common/values';

export const DEFAULT_SENSITIVITY_SAMPLES = 10;
/** Default radius as a fraction of the input's value range. */
export const DEFAULT_RADIUS_FRACTION = 0.02;

export interface SensitivityOptions {
  /** Perturbations (default 10). */
  samples?: number;
  /** L∞ radius (default 0.02 × (max(x) − min(x)), or 0.02 for a constant input). */
  radius?: number;
  /** Seed of the perturbations (default 0). */
  seed?: number;
}

/** The default L∞ radius for x: 0.02 × its value range (0.02 for a constant input). */
export function defaultRadius(x: tf.Tensor): number {
  const [lo, hi] = valueRange(x);
  return hi > lo ? DEFAULT_RADIUS_FRACTION * (hi - lo) : DEFAULT_RADIUS_FRACTION;
}

/** Attributes a perturbed input; returns a tensor of attribution's shape that the caller disposes. */
export type Attribute = (x: tf.Tensor, ctx: RunContext) => Promise<tf.Tensor>;

/**
 * Max relative change of `attribution` (the attribution of x) over perturbed inputs. 0 when nothing
 * moves; Infinity when attr(x) is zero but a perturbed attribution is not.
 */
export async function maxSensitivity(
  x: tf.Tensor,
  attribution: tf.Tensor,
  attribute: Attribute,
  options: SensitivityOptions,
  ctx: RunContext,
): Promise<number> {
  const samples = options.samples ?? DEFAULT_SENSITIVITY_SAMPLES;
  const radius = options.radius ?? defaultRadius(x);
  const rng = makeRng(options.seed ?? 0);
  const norm = tf.tidy(() => tf.norm(attribution).dataSync()[0]);
  const quiet: RunContext = { signal: ctx.signal, onProgress: () => {} };
  let worst = 0;
  for (let s = 0; s < samples; s++) {
    ctx.signal.throwIfAborted();
    const noise = new Float32Array(x.size);
    for (let i = 0; i < noise.length; i++) noise[i] = (2 * rng() - 1) * radius;
    const perturbed = tf.tidy(() => tf.add(x, tf.tensor(noise, x.shape, 'float32')));
    let moved: tf.Tensor | null = null;
    try {
      moved = await attribute(perturbed, quiet);
      if (moved.size !== attribution.size) {
        throw new Error(`maxSensitivity: attribution of ${moved.size} values, expected ${attribution.size}`);
      }
      const a = moved;
      const change = tf.tidy(() => tf.norm(tf.sub(a.reshape(attribution.shape), attribution)).dataSync()[0]);
      worst = Math.max(worst, change);
    } finally {
      perturbed.dispose();
      moved?.dispose();
    }
    ctx.onProgress(s + 1, samples, 'max-sensitivity');
  }
  if (norm > 0) return worst / norm;
  return worst === 0 ? 0 : Infinity;
}
