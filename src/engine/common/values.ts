import type * as tf from '@tensorflow/tfjs';

/** [min(x), max(x)], read once from the tensor's data. */
export function valueRange(x: tf.Tensor): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of x.dataSync()) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return [lo, hi];
}
