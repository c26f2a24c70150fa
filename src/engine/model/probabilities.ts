/** Model outputs as class probabilities: softmax of logits, or the outputs as-is when they already are a distribution. */
import * as tf from '@tensorflow/tfjs';
import type { ClassScore } from '../../protocol/model';

export type OutputKind = 'probabilities' | 'logits';

/** Whether every row is already a probability distribution (non-negative, sums to 1); else it is logits. */
export function isDistribution(rows: tf.Tensor2D): boolean {
  return tf.tidy(() => rows.min().dataSync()[0] >= 0 && tf.abs(rows.sum(1).sub(1)).max().dataSync()[0] < 1e-3);
}

export function outputKind(rows: tf.Tensor2D): OutputKind {
  return isDistribution(rows) ? 'probabilities' : 'logits';
}

/**
 * [batch, classes] outputs → probabilities, for outputs of a known kind. Decide the kind once on
 * the unperturbed input: a batch of perturbed inputs must not switch between softmax and identity.
 * Returns a new tensor (the caller disposes it), also when the rows already are probabilities.
 */
export function toProbabilities(rows: tf.Tensor2D, kind: OutputKind): tf.Tensor2D {
  return kind === 'logits' ? tf.softmax(rows) : rows.clone();
}

/** The `top` most probable classes, most probable first, labelled from the sidecar where it names them. */
export function rank(probabilities: number[], labels: string[] | undefined, top: number): ClassScore[] {
  return probabilities
    .map((probability, index) => ({ index, label: labels?.[index] ?? String(index), probability }))
    .sort((a, b) => b.probability - a.probability)
    .slice(0, top);
}
