/**
 * Concept activation vectors (Kim et al. 2018): a linear classifier separates a concept's
 * activations at a layer from a random set's; the CAV is the unit normal of its boundary, pointing
 * toward the concept. The two sets are cut to the same size (the larger one subsampled), split
 * stratified 2/3 for training and 1/3 for the held-out accuracy, as tensorflow/tcav does.
 */
import * as tf from '@tensorflow/tfjs';
import { sampleIndices } from '../common/random';
import { fitBinary, stratifiedSplit } from './linear';

export interface Cav {
  /** Unit vector [features] toward the concept (all zeros where the classifier found no direction); owned by the caller. */
  vector: tf.Tensor1D;
  /** Accuracy on the held-out third. */
  accuracy: number;
  /** Examples of each set used. */
  size: number;
}

/** Trains the CAV of `concept` [nc, d] against `random` [nr, d]; `rng` draws the subsample and the split. */
export function trainCav(concept: tf.Tensor2D, random: tf.Tensor2D, rng: () => number, alpha: number): Cav {
  const size = Math.min(concept.shape[0], random.shape[0]);
  const chosen = [sampleIndices(concept.shape[0], size, rng), sampleIndices(random.shape[0], size, rng)];
  const labels = [...Array<number>(size).fill(1), ...Array<number>(size).fill(0)];
  const { train, test } = stratifiedSplit(labels, rng);
  const [xTrain, xTest] = tf.tidy(() => {
    const x = tf.concat([tf.gather(concept, chosen[0]), tf.gather(random, chosen[1])]);
    return [tf.gather(x, train), tf.gather(x, test)] as tf.Tensor2D[];
  });
  const model = fitBinary(xTrain, train.map((i) => labels[i] === 1), alpha);
  try {
    const margins = tf.tidy(() => tf.add(tf.matMul(xTest, model.weights), model.bias[0]).dataSync());
    const right = test.filter((i, k) => margins[k] > 0 === (labels[i] === 1)).length;
    const vector = tf.tidy(() => {
      const w = model.weights.reshape([-1]) as tf.Tensor1D;
      const norm = tf.norm(w);
      return tf.where(tf.greater(norm, 0), tf.div(w, tf.maximum(norm, 1e-30)), tf.zerosLike(w)) as tf.Tensor1D;
    });
    return { vector, accuracy: right / test.length, size };
  } finally {
    tf.dispose([xTrain, xTest, model.weights]);
  }
}
