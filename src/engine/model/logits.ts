/**
 * Cross-entropy needs log-probabilities, and log(softmax(z)) computed from a float32 softmax output
 * loses confidently wrong examples: p underflows to 0 and their gradient vanishes (exactly the
 * mislabelled examples self-influence must find). When the model's output layer applies softmax as
 * its activation, it is swapped for the identity while the loss runs, so the loss sees logits. A
 * binary (sigmoid) head's loss does the same with its final sigmoid (σ saturates to 0 or 1 alike).
 */
import * as tf from '@tensorflow/tfjs';

interface Activation {
  apply(x: tf.Tensor, axis?: number): tf.Tensor;
  getClassName(): string;
}
/** Dense, Conv and Activation layers keep their activation function in this (typed-private) field. */
type WithActivation = tf.layers.Layer & { activation?: Activation };
/** The final activations a loss can undo. */
export type Squash = 'softmax' | 'sigmoid';

const identity: Activation = { apply: (x) => x, getClassName: () => 'linear' };

function outputLayer(model: tf.LayersModel): WithActivation | null {
  return model.outputs.length === 1 ? (model.outputs[0].sourceLayer as WithActivation) : null;
}

/** Whether the model's (one) output layer applies `squash` as its activation. */
export function hasFinal(model: tf.LayersModel, squash: Squash): boolean {
  return outputLayer(model)?.activation?.getClassName() === squash;
}

export function hasFinalSoftmax(model: tf.LayersModel): boolean {
  return hasFinal(model, 'softmax');
}

/** Runs body (synchronously) with the output layer's final `squash` (default softmax) removed, when it has one. */
export function withLogits<T>(model: tf.LayersModel, body: () => T, squash: Squash = 'softmax'): T {
  const layer = outputLayer(model);
  if (!layer || !hasFinal(model, squash)) return body();
  const activation = layer.activation as Activation;
  layer.activation = identity;
  try {
    return body();
  } finally {
    layer.activation = activation;
  }
}
