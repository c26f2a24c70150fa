/** The scalar each attribution explains: the target class's output, per example of a batch. */
import * as tf from '@tensorflow/tfjs';
import { forward, type Runnable } from '../checkpoint/forward';
import { LensError } from '../errors';

/** [batch, ...] → [batch]: the model's first output at column `target` (outputs flattened per example). */
export function targetScore(checkpoint: Runnable, x: tf.Tensor, target: number): tf.Tensor1D {
  return targetColumn(forward(checkpoint, x), target);
}

/** [batch, ...] model output → [batch]: column `target` of each example's flattened output. */
export function targetColumn(out: tf.Tensor, target: number): tf.Tensor1D {
  const rows = out.reshape([out.shape[0], -1]) as tf.Tensor2D;
  // An out-of-range slice is not checked on wasm and corrupts its memory: refuse it here.
  if (!Number.isInteger(target) || target < 0 || target >= rows.shape[1]) {
    throw new LensError('BAD_REQUEST', `Target class ${target} is out of range: the model has ${rows.shape[1]} outputs (0–${rows.shape[1] - 1}).`);
  }
  return rows.slice([0, target], [-1, 1]).reshape([-1]) as tf.Tensor1D;
}

/** d(Σ_batch targetScore)/dx: each example's gradient, since examples do not interact. */
export function inputGradient(checkpoint: Runnable, x: tf.Tensor, target: number): tf.Tensor {
  return tf.grad((input: tf.Tensor) => targetScore(checkpoint, input, target).sum())(x);
}
