/**
 * Noisy samples of a point, each seeded by its index (so a sum over samples does not depend on how
 * they are batched, or on which thread evaluates them): the engine's SmoothGrad and its gradient
 * helper run these same functions.
 */
import * as tf from '@tensorflow/tfjs';
import type { SaliencyOptions } from '../../protocol/saliency';

export type NoiseVariant = NonNullable<SaliencyOptions['smoothVariant']>;

/**
 * The sums over noisy samples [start, end) of x that the variant averages: Σ a, Σ a², or, for
 * VarGrad, [Σ (a − shift), Σ (a − shift)²]. Synchronous: call it inside a tidy.
 */
export function noisySums(
  attribute: (batch: tf.Tensor) => tf.Tensor,
  x: tf.Tensor,
  sample: { sigma: number; seed: number; start: number; end: number; variant: NoiseVariant; shift: tf.Tensor | null },
): tf.Tensor {
  const { sigma, seed, start, end, variant, shift } = sample;
  const perturbations: tf.Tensor[] = [];
  for (let i = start; i < end; i++) perturbations.push(tf.randomNormal(x.shape, 0, sigma, 'float32', sampleSeed(seed, i)));
  const attributions = attribute(tf.add(x, tf.concat(perturbations, 0)));
  if (variant === 'smoothgrad') return tf.sum(attributions, 0, true);
  if (variant === 'smoothgrad-squared') return tf.sum(tf.square(attributions), 0, true);
  const centred = tf.sub(attributions, shift as tf.Tensor);
  return tf.stack([tf.sum(centred, 0), tf.sum(tf.square(centred), 0)]);
}

/** A nonzero 32-bit seed per (seed, sample index): tf.randomNormal treats seed 0 as "unseeded". */
export function sampleSeed(seed: number, index: number): number {
  let h = (Math.imul(seed | 0, 0x9e3779b1) ^ Math.imul(index + 1, 0x85ebca77)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d) >>> 0;
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b) >>> 0;
  return ((h ^ (h >>> 16)) >>> 0) + 1;
}
