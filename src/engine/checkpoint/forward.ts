import * as tf from '@tensorflow/tfjs';
import { LensError } from '../errors';
import type { Checkpoint } from './load';

/**
 * The output head a request reads (model/head.ts selects it): its index among the model's outputs,
 * its name (graph models execute only the nodes it needs), and how its raw values become what the
 * methods read (a sigmoid unit becomes the two-class distribution [1 − p, p]).
 */
export interface HeadView {
  index: number;
  name: string;
  /** Raw head output [batch, ...] → what methods read; synchronous and differentiable. Absent: as it is. */
  read?: (out: tf.Tensor) => tf.Tensor;
}

/** What forward() runs: the model, its compiled inference form where it has one, and the head it reads. */
export type Runnable = Pick<Checkpoint, 'model' | 'inference'> & { head?: HeadView; async?: string };

/**
 * The selected head's output for x (default: the model's first output), whatever shape predict()
 * returns (tensor, list or named map). Models that only run asynchronously are refused with why.
 */
export function forward(checkpoint: Runnable, x: tf.Tensor | tf.Tensor[]): tf.Tensor {
  if (checkpoint.async) throw asyncOnly(checkpoint.async);
  const { head } = checkpoint;
  if (checkpoint.inference && !Array.isArray(x) && !head?.index) return readHead(checkpoint, checkpoint.inference.predict(x));
  if (head && checkpoint.model instanceof tf.GraphModel) return readHead(checkpoint, checkpoint.model.execute(x, head.name) as tf.Tensor);
  return headOutput(checkpoint, checkpoint.model.predict(x));
}

/** forward(), also for graph models that need executeAsync (dynamic ops): for methods that need no gradient. The caller owns the result. */
export async function forwardAsync(checkpoint: Runnable, x: tf.Tensor | tf.Tensor[]): Promise<tf.Tensor> {
  if (!checkpoint.async) return tf.tidy(() => forward(checkpoint, x));
  const model = checkpoint.model as tf.GraphModel;
  const name = checkpoint.head?.name ?? model.outputs[0].name;
  const out = (await model.executeAsync(x, name)) as tf.Tensor;
  if (!checkpoint.head?.read) return out;
  const read = tf.tidy(() => readHead(checkpoint, out));
  out.dispose();
  return read;
}

/** The selected head of a model's outputs (a tensor, list or named map, as predict or apply return them), read. */
export function headOutput(checkpoint: Pick<Runnable, 'head'>, out: tf.Tensor | tf.Tensor[] | tf.NamedTensorMap | tf.SymbolicTensor | tf.SymbolicTensor[]): tf.Tensor {
  const index = checkpoint.head?.index ?? 0;
  const list = Array.isArray(out) ? out : isTensor(out) ? [out] : Object.values(out as tf.NamedTensorMap);
  return readHead(checkpoint, list[index] as tf.Tensor);
}

/** The head's raw output [batch, ...] as methods read it (HeadView.read). */
export function readHead(checkpoint: Pick<Runnable, 'head'>, out: tf.Tensor): tf.Tensor {
  return checkpoint.head?.read ? checkpoint.head.read(out) : out;
}

/** Why a model that runs only through executeAsync has no gradients. */
export function asyncOnly(why: string): LensError {
  return new LensError(
    'BAD_REQUEST',
    `This graph model runs only asynchronously (${why}), and TensorFlow.js computes no gradients through executeAsync: use occlusion, which needs forward passes only.`,
  );
}

function isTensor(value: unknown): value is tf.Tensor {
  return typeof value === 'object' && value !== null && 'dataId' in value && 'shape' in value;
}
