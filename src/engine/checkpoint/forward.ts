import type * as tf from '@tensorflow/tfjs';
import type { Checkpoint } from './load';

/** What forward() runs: the model, and its compiled inference form where the checkpoint has one. */
export type Runnable = Pick<Checkpoint, 'model' | 'inference'>;

/** The model's first output for x, whatever shape predict() returns (tensor, list or named map). */
export function forward(checkpoint: Runnable, x: tf.Tensor | tf.Tensor[]): tf.Tensor {
  if (checkpoint.inference && !Array.isArray(x)) return checkpoint.inference.predict(x);
  const out = checkpoint.model.predict(x);
  if (Array.isArray(out)) return out[0];
  if (isTensor(out)) return out;
  return Object.values(out)[0];
}

function isTensor(value: unknown): value is tf.Tensor {
  return typeof value === 'object' && value !== null && 'dataId' in value && 'shape' in value;
}
