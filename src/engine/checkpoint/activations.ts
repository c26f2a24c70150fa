/**
 * Float32 elements one example's activations take in a graph model, measured once at load (the
 * outputs of every kernel of a forward pass at batch 1): graph models do not declare their nodes'
 * shapes, and batches are sized from this (model/batching.ts).
 */
import type * as tf from '@tensorflow/tfjs';

const probed = new WeakMap<tf.GraphModel, number>();

export function recordActivations(model: tf.GraphModel, elements: number): void {
  probed.set(model, elements);
}

export function probedActivations(model: tf.GraphModel): number | undefined {
  return probed.get(model);
}
