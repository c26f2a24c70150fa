/**
 * Running a layers model from given values of one layer's output: [k, ...] values → the model's
 * first output [k, ...]. Where the layer sits in a plain chain (a Sequential's own layer), only the
 * layers after it run. Otherwise the whole model runs on the input x, with the layer's output
 * replaced by the values (layerTap.ts): the layers before it are recomputed, and branches that
 * bypass the layer see x. Synchronous and differentiable; call it inside a tidy.
 */
import * as tf from '@tensorflow/tfjs';
import { LensError } from '../errors';
import { withTap } from './layerTap';
import { withLogits } from './logits';
import { firstOutput } from './objective';

export interface FromLayer {
  model: tf.LayersModel;
  layer: tf.layers.Layer;
  /** The input [1, ...] that drives the layers before it (tiled to the values' batch where needed). */
  x: tf.Tensor;
  /** Run the output layer without its softmax (logits.ts). */
  logits?: boolean;
  /** The output read from what the model returns (default: its first output). */
  output?: (out: tf.Tensor | tf.Tensor[]) => tf.Tensor;
  /** The method, for messages. */
  what?: string;
}

export function runFromLayer({ model, layer, x, logits = false, output = firstOutput, what = 'The method' }: FromLayer, values: tf.Tensor): tf.Tensor {
  const run = () => output(chain(model, layer, values) ?? replaced(model, layer, x, values, what));
  return logits ? withLogits(model, run) : run();
}

/** The layers after `layer` applied to values, where the model is a Sequential holding it; else null. */
function chain(model: tf.LayersModel, layer: tf.layers.Layer, values: tf.Tensor): tf.Tensor | null {
  const at = model instanceof tf.Sequential ? model.layers.indexOf(layer) : -1;
  if (at < 0) return null;
  return model.layers.slice(at + 1).reduce((out, next) => next.apply(out, { training: false }) as tf.Tensor, values);
}

/** x for k points: x itself when it has k examples, else its one example repeated. */
export function repeated(x: tf.Tensor, k: number): tf.Tensor {
  return k === x.shape[0] ? x : tf.tile(x, [k, ...x.shape.slice(1).map(() => 1)]);
}

/** The whole model's outputs on x (repeated to the values' batch) with the layer's output replaced by values. */
function replaced(model: tf.LayersModel, layer: tf.layers.Layer, x: tf.Tensor, values: tf.Tensor, what: string): tf.Tensor | tf.Tensor[] {
  const xs = repeated(x, values.shape[0]);
  return withTap(
    layer,
    (out) => {
      if (!tf.util.arraysEqual(out.shape, values.shape)) {
        throw new LensError('INTERNAL', `Layer '${layer.name}' outputs [${out.shape}] but [${values.shape}] was given to replace it.`);
      }
      // A copy: the model disposes intermediate outputs, and `values` is the caller's.
      return tf.clone(values);
    },
    // apply(), not predict(): predict splits batches over 32 into chunks, and only the first call of the layer is tapped.
    () => model.apply(xs, { training: false }) as tf.Tensor | tf.Tensor[],
    what,
  );
}
