/**
 * Concept activation vectors (Kim et al. 2018): a linear classifier separates a concept's
 * activations at a layer from a random set's; the CAV is the unit normal of its boundary, pointing
 * toward the concept. The two sets are cut to the same size (the larger one subsampled), split
 * stratified 2/3 for training and 1/3 for the held-out accuracy, as tensorflow/tcav does.
 *
 * A TCAV request trains one CAV per concept, layer and random set, each on a few dozen examples of
 * thousands of features, and uses it only through inner products: with the examples' inner products
 * and theirs with the class inputs' gradients (SiteKernel, a matrix product per pair of sets), a
 * CAV w = Σ aᵢ xᵢ (logistic.ts) needs no tensor operation of its own: its held-out margins are
 * Σ aᵢ ⟨x, xᵢ⟩ + b and its sensitivities S(x) = ⟨∇h(x), w⟩ / ‖w‖ with ‖w‖² = aᵀKa.
 */
import * as tf from '@tensorflow/tfjs';
import { sampleIndices } from '../common/random';
import { stratifiedSplit } from './linear';
import { fitLogistic } from './logistic';
import { directionalDerivatives } from './sensitivity';

/** An example: its set (an index into the kernel's sets) and its row there. */
export interface Row {
  set: number;
  row: number;
}

/**
 * The inner products at one layer that CAVs are trained and applied with, computed a block at a
 * time as runs ask for them: ⟨x, y⟩ for x, y of two sets (a concept and a random set, or two random
 * sets), and ⟨∇h(input), x⟩ for the class inputs' gradients. Only the pairs of sets that meet in a
 * run are ever multiplied, so the cost grows with the runs, not with the square of all examples.
 */
export class SiteKernel {
  private readonly blocks = new Map<string, Float32Array>();
  private readonly crosses = new Map<number, Float32Array>();

  /** `sets`: [n, features] each; `gradients`: [inputs, features]. Neither is owned; both must outlive the kernel's use. */
  constructor(
    private readonly sets: readonly tf.Tensor2D[],
    private readonly gradients: tf.Tensor2D,
  ) {}

  /** Class inputs. */
  get inputs(): number {
    return this.gradients.shape[0];
  }

  /** ⟨x, y⟩. */
  dot(x: Row, y: Row): number {
    const [a, b] = x.set <= y.set ? [x, y] : [y, x];
    const key = `${a.set},${b.set}`;
    let block = this.blocks.get(key);
    if (!block) {
      block = tf.tidy(() => tf.matMul(this.sets[a.set], this.sets[b.set], false, true).dataSync() as Float32Array);
      this.blocks.set(key, block);
    }
    return block[a.row * this.sets[b.set].shape[0] + b.row];
  }

  /** ⟨∇h(input k), x⟩. */
  cross(k: number, x: Row): number {
    let block = this.crosses.get(x.set);
    if (!block) {
      block = directionalDerivatives(this.gradients, this.sets[x.set]);
      this.crosses.set(x.set, block);
    }
    return block[k * this.sets[x.set].shape[0] + x.row];
  }
}

/** A trained CAV, kept as a combination of its training examples: w = Σ a[k] x(train[k]), v = w / ‖w‖. */
export interface Cav {
  train: Row[];
  a: Float64Array;
  /** ‖w‖ (0 where the classifier found no direction). */
  norm: number;
  /** Accuracy on the held-out third. */
  accuracy: number;
  /** Examples of each set used. */
  size: number;
}

/** Trains the CAV of the examples `concept` against `random`; `rng` draws the subsample and the split. */
export function trainCav(kernel: SiteKernel, concept: readonly Row[], random: readonly Row[], rng: () => number, alpha: number): Cav {
  const size = Math.min(concept.length, random.length);
  const rows = [...sampleIndices(concept.length, size, rng).map((i) => concept[i]), ...sampleIndices(random.length, size, rng).map((i) => random[i])];
  const labels = rows.map((_, k) => (k < size ? 1 : 0));
  const split = stratifiedSplit(labels, rng);
  const train = split.train.map((k) => rows[k]);
  const n = train.length;
  const gram = new Float64Array(n * n);
  for (let r = 0; r < n; r++) for (let c = r; c < n; c++) gram[r * n + c] = gram[c * n + r] = kernel.dot(train[r], train[c]);
  const fit = fitLogistic(gram, split.train.map((k) => labels[k] === 1), alpha);
  const right = split.test.filter((k) => train.reduce((sum, x, j) => sum + fit.a[j] * kernel.dot(rows[k], x), fit.b) > 0 === (labels[k] === 1)).length;
  let norm2 = 0;
  for (let r = 0; r < n; r++) for (let c = 0; c < n; c++) norm2 += fit.a[r] * fit.a[c] * gram[r * n + c];
  return { train, a: fit.a, norm: Math.sqrt(Math.max(norm2, 0)), accuracy: right / split.test.length, size };
}

/** S for each class input: the directional derivative of the logit along the unit CAV (all 0 where it has no direction). */
export function cavSensitivities(kernel: SiteKernel, cav: Cav): Float64Array {
  const s = new Float64Array(kernel.inputs);
  if (cav.norm > 0) for (let k = 0; k < s.length; k++) s[k] = cav.train.reduce((sum, x, j) => sum + cav.a[j] * kernel.cross(k, x), 0) / cav.norm;
  return s;
}
