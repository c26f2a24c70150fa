/**
 * Weighted gradient sums along a straight path b + α (x − b), a batch of path nodes at a time:
 * what Integrated Gradients integrates, shared by the engine and its gradient helper.
 */
import * as tf from '@tensorflow/tfjs';
import { readHead, type Runnable } from '../checkpoint/forward';
import { inputGradient, targetColumn } from './objective';

/** Σᵢ wᵢ ∇F(b + αᵢ δ) over one batch of path nodes αᵢ: [1, ...]. Synchronous: call it inside a tidy. */
export type PathGradients = (baseline: tf.Tensor, delta: tf.Tensor, nodes: number[], weights: number[]) => tf.Tensor;

/**
 * PathGradients for the model's output `target` in input space: through the compiled model's first
 * layer when it can (InferenceModel.weightedPathGradients), else point by point.
 */
export function inputPathGradients(checkpoint: Runnable, target: number): PathGradients {
  return (baseline, delta, nodes, weights) =>
    checkpoint.inference?.weightedPathGradients(baseline, delta, nodes, weights, (output) => targetColumn(readHead(checkpoint, output), target)) ??
    weightedPathGradients((points) => inputGradient(checkpoint, points, target), baseline, delta, nodes, weights);
}

/** PathGradients from per-point gradients. */
export function weightedPathGradients(gradientOf: (points: tf.Tensor) => tf.Tensor, baseline: tf.Tensor, delta: tf.Tensor, nodes: number[], weights: number[]): tf.Tensor {
  const column = [nodes.length, ...delta.shape.slice(1).map(() => 1)];
  const points = tf.add(baseline, tf.mul(tf.tensor(nodes, column, 'float32'), delta));
  return tf.sum(tf.mul(gradientOf(points), tf.tensor(weights, column, 'float32')), 0, true);
}
