/**
 * Cross-entropy needs log-probabilities, and log(softmax(z)) computed from a float32 softmax output
 * loses confidently wrong examples: p underflows to 0 and their gradient vanishes (exactly the
 * mislabelled examples self-influence must find). When the model's output layer applies softmax as
 * its activation, it is swapped for the identity while the loss runs, so the loss sees logits.
 */
import * as tf from '@tensorflow/tfjs';

interface Activation {
  apply(x: tf.Tensor, axis?: number): tf.Tensor;
  getClassName(): string;
}
/** Dense, Conv and Activation layers keep their activation function in this (typed-private) field. */
type WithActivation = tf.layers.Layer & { activation?: Activation };

const identity: Activation = { apply: (x) => x, getClassName: () => 'linear' };

function outputLayer(model: tf.LayersModel): WithActivation | null {
  return model.outputs.length === 1 ? (model.outputs[0].sourceLayer as WithActivation) : null;
}

export function hasFinalSoftmax(model: tf.LayersModel): boolean {
  return outputLayer(model)?.activation?.getClassName() === 'softmax';
}

/** Runs body (synchronously) with the output layer's softmax removed, when it has one. */
export function withLogits<T>(model: tf.LayersModel, body: () => T): T {
  const layer = outputLayer(model);
  if (!layer || !hasFinalSoftmax(model)) return body();
  const softmax = layer.activation as Activation;
  layer.activation = identity;
  try {
    return body();
  } finally {
    layer.activation = softmax;
  }
}
