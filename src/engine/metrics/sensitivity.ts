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
 * What max-sensitivity's re-runs may cost by default, in float elements moved through the model:
 * ten input gradients of a 224² MobileNetV2 (3 forward-pass equivalents × its 88M per example).
 */
export const SENSITIVITY_BUDGET = 3e9;

/**
 * The default number of samples: as many re-runs of the method as fit in SENSITIVITY_BUDGET, at
 * most 10 and at least 1. A run costs `passesPerRun` forward-pass equivalents (a gradient ≈ 3, IG
 * 3 × steps, occlusion one per window) of `elementsPerPass` floats (batching's exampleElements).
 * Small models get 10 for every method; on a 224² MobileNetV2, IG-64, SmoothGrad-25 and occlusion's
 * 196 windows get 1, where 10 would multiply the run's cost by 11.
 */
export function defaultSensitivitySamples(passesPerRun: number, elementsPerPass: number): number {
  const fit = Math.floor(SENSITIVITY_BUDGET / Math.max(1, passesPerRun * elementsPerPass));
  return Math.max(1, Math.min(DEFAULT_SENSITIVITY_SAMPLES, fit));
}

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
