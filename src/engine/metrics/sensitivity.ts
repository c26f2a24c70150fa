/**
 * Max-sensitivity (Yeh et al. 2019): how much an explanation moves under small input noise,
 * max over n seeded perturbations δ ~ U[−r, r]^d of ‖attr(x + δ) − attr(x)‖₂ / ‖attr(x)‖₂.
 */
import * as tf from '@tensorflow/tfjs';
import type { RunContext } from '../../protocol/engine';
import { makeRng } from '../common/random';
import { valueRange } from '../common/values';

export const DEFAULT_SENSITIVITY_SAMPLES = 10;
/**
 * The default for methods whose one run costs tens to hundreds of forward passes (IG's steps,
 * SmoothGrad's samples, occlusion's windows): each sample re-runs the method, so 10 samples would
 * multiply a 224² model's run by 11 (occlusion: ≈2,000 forward passes).
 */
export const EXPENSIVE_SENSITIVITY_SAMPLES = 3;
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
  const [lo, hi] = valueRange(x);
  const radius = options.radius ?? (hi > lo ? DEFAULT_RADIUS_FRACTION * (hi - lo) : DEFAULT_RADIUS_FRACTION);
  const rng = makeRng(options.seed ?? 0);
  const norm = tf.tidy(() => tf.norm(attribution).dataSync()[0]);
  let worst = 0;
  for (let s = 0; s < samples; s++) {
    ctx.signal.throwIfAborted();
    const noise = new Float32Array(x.size);
    for (let i = 0; i < noise.length; i++) noise[i] = (2 * rng() - 1) * radius;
    const perturbed = tf.tidy(() => tf.add(x, tf.tensor(noise, x.shape, 'float32')));
    // Each re-run can be long (occlusion on a 224² image): its own progress, as a fraction of sample s.
    const within: RunContext = { signal: ctx.signal, onProgress: (done, total) => ctx.onProgress(s + Math.min(done, total) / Math.max(1, total), samples, 'max-sensitivity') };
    let moved: tf.Tensor | null = null;
    try {
      moved = await attribute(perturbed, within);
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
