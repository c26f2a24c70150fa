/**
 * Conceptual sensitivity (Kim et al. 2018): S_C,k,l(x) = ∇h_l,k(f_l(x)) · v_C, the directional
 * derivative of the class-k logit at layer l's activations along the CAV. The gradient is of the
 * logit (the input of a final softmax), and a positive S means the concept raises the class: the
 * reference implementation differentiates the loss and counts negative products, which confused its
 * users for years (tensorflow/tcav #41, #83, #107, #124).
 */
import * as tf from '@tensorflow/tfjs';
import type { RunContext } from '../../protocol/engine';
import type { Objective } from '../../protocol/objective';
import type { Checkpoint } from '../checkpoint/load';
import { batchSizeFor, concatOverBatches, exampleElements, type BatchLimits } from '../model/batching';
import type { Site } from '../model/sites';
import { siteSubject } from '../model/subject';

/** The class-k logit: the objective every sensitivity differentiates. */
export function logitObjective(classIndex: number): Objective {
  return { kind: 'class', index: classIndex, space: 'logit' };
}

/** ∇ of the class logit with respect to the site's values at each example of x, [n, features], in batches. */
export async function logitGradients(checkpoint: Checkpoint, site: Site, x: tf.Tensor, classIndex: number, ctx: RunContext, limits: BatchLimits = {}): Promise<tf.Tensor2D> {
  const n = x.shape[0];
  const batch = batchSizeFor(exampleElements(checkpoint.model, x.size / n), limits);
  return (await concatOverBatches(n, batch, ctx, (start, end) => {
    const subject = siteSubject(checkpoint, site, x.slice(start, end - start), logitObjective(classIndex), 'TCAV');
    try {
      return subject.gradient(subject.x).reshape([end - start, -1]);
    } finally {
      subject.dispose();
    }
  })) as tf.Tensor2D;
}

/**
 * ⟨∇h(x), v⟩ for gradients G [n, features] and directions V [k, features] (a CAV: k = 1), row-major
 * [n, k]: each example's directional derivative along each direction.
 */
export function directionalDerivatives(gradients: tf.Tensor2D, directions: tf.Tensor2D): Float32Array {
  return tf.tidy(() => tf.matMul(gradients, directions, false, true).dataSync() as Float32Array);
}

/** The TCAV score, |{x : S(x) > 0}| / |X|, and its magnitude variant Σ max(S, 0) / Σ |S| (0 where every S is 0). */
export function tcavScore(s: ArrayLike<number>): { score: number; magnitude: number } {
  let positive = 0;
  let up = 0;
  let total = 0;
  for (let i = 0; i < s.length; i++) {
    if (s[i] > 0) {
      positive++;
      up += s[i];
    }
    total += Math.abs(s[i]);
  }
  return { score: s.length ? positive / s.length : 0, magnitude: total > 0 ? up / total : 0 };
}
