/**
 * Concept activation vectors (Kim et al. 2018): a linear classifier separates a concept's
 * activations at a layer from a random set's; the CAV is the unit normal of its boundary, pointing
 * toward the concept. The two sets are cut to the same size (the larger one subsampled), split
 * stratified 2/3 for training and 1/3 for the held-out accuracy, as tensorflow/tcav does.
 *
 * A TCAV request trains one CAV per concept, layer and random set, each on a few dozen examples of
 * thousands of features, and uses it only through inner products: with the examples' Gram matrix
 * and their inner products with the class inputs' gradients computed once per layer (SiteKernel),
 * a CAV w = Σ aᵢ xᵢ (logistic.ts) needs no tensor operation at all: its held-out margins are
 * Σ aᵢ ⟨x, xᵢ⟩ + b and its sensitivities S(x) = ⟨∇h(x), w⟩ / ‖w‖ with ‖w‖² = aᵀKa.
 */
import * as tf from '@tensorflow/tfjs';
import { sampleIndices } from '../common/random';
import { stratifiedSplit } from './linear';
import { fitLogistic } from './logistic';
import { directionalDerivatives } from './sensitivity';

/** The inner products of a layer's examples (every concept and random example, stacked) and of the class inputs' gradients with them. */
export interface SiteKernel {
  /** Examples. */
  n: number;
  /** ⟨xᵢ, xⱼ⟩, n × n row-major. */
  gram: Float32Array;
  /** Class inputs. */
  m: number;
  /** ⟨∇h(input k), xⱼ⟩, m × n row-major. */
  cross: Float32Array;
}

/** The kernel of examples [n, d] and gradients [m, d] at one layer. */
export function siteKernel(examples: tf.Tensor2D, gradients: tf.Tensor2D): SiteKernel {
  return tf.tidy(() => ({
    n: examples.shape[0],
    gram: tf.matMul(examples, examples, false, true).dataSync() as Float32Array,
    m: gradients.shape[0],
    cross: directionalDerivatives(gradients, examples),
  }));
}

export interface CavRun {
  /** Accuracy on the held-out third. */
  accuracy: number;
  /** Examples of each set used. */
  size: number;
  /** S for each class input: the directional derivative of the logit along the unit CAV (all 0 where the classifier found no direction). */
  sensitivities: Float64Array;
  /** The CAV as a combination of training examples (kernel rows): w = Σ a[k] x[train[k]]. */
  train: number[];
  a: Float64Array;
}

/** Trains the CAV of the examples `concept` against `random` (row indices of the kernel); `rng` draws the subsample and the split. */
export function trainCav(kernel: SiteKernel, concept: readonly number[], random: readonly number[], rng: () => number, alpha: number): CavRun {
  const size = Math.min(concept.length, random.length);
  const rows = [...sampleIndices(concept.length, size, rng).map((i) => concept[i]), ...sampleIndices(random.length, size, rng).map((i) => random[i])];
  const labels = rows.map((_, k) => (k < size ? 1 : 0));
  const split = stratifiedSplit(labels, rng);
  const { n, gram, m, cross } = kernel;
  const train = split.train.map((k) => rows[k]);
  const gramTrain = new Float64Array(train.length * train.length);
  train.forEach((i, r) => train.forEach((j, c) => (gramTrain[r * train.length + c] = gram[i * n + j])));
  const fit = fitLogistic(gramTrain, split.train.map((k) => labels[k] === 1), alpha);
  const along = (products: Float32Array, row: number) => train.reduce((sum, j, k) => sum + fit.a[k] * products[row * n + j], 0);

  const right = split.test.filter((k) => along(gram, rows[k]) + fit.b > 0 === (labels[k] === 1)).length;
  let norm2 = 0;
  train.forEach((i, r) => (norm2 += fit.a[r] * along(gram, i)));
  const norm = Math.sqrt(Math.max(norm2, 0));
  const sensitivities = new Float64Array(m);
  if (norm > 0) for (let x = 0; x < m; x++) sensitivities[x] = along(cross, x) / norm;
  return { accuracy: right / split.test.length, size, sensitivities, train, a: fit.a };
}
