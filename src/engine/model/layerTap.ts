/**
 * Tapping a layer of a layers model while the model runs: the layer's `call` is wrapped so that its
 * output goes through a function of ours. Used by Grad-CAM (add δ = 0 to a conv layer's output
 * and differentiate with respect to δ: ∂y/∂A) and by subjects at a layer's output (subject.ts:
 * replace the layer's output with given values and differentiate with respect to them).
 *
 * The wrapper sits on the layer object, so it works wherever the layer runs: in a Sequential, a
 * functional graph with branches, or a model nested as a layer inside another model. Only the
 * layer's first call per run is tapped (later calls of a shared layer are left alone).
 */
import * as tf from '@tensorflow/tfjs';
import { LensError } from '../errors';

/** Every layer of the model in execution order, with nested models replaced by their layers. */
export function flatLayers(model: tf.LayersModel): tf.layers.Layer[] {
  return model.layers.flatMap((layer) => (layer instanceof tf.LayersModel ? flatLayers(layer) : [layer]));
}

/** The layer's single output shape, or null when it has several (or none known). */
export function outputShapeOf(layer: tf.layers.Layer): (number | null)[] | null {
  try {
    const shape = layer.outputShape;
    if (!Array.isArray(shape) || shape.length === 0) return null;
    return Array.isArray(shape[0]) ? null : (shape as (number | null)[]);
  } catch {
    return null;
  }
}

/**
 * Runs `body` with the layer's first call routed through `tap(output)`. Throws if the layer did not
 * run. Synchronous: the layer is restored before anything else can run. `what` names the method
 * for messages.
 */
export function withTap<T>(layer: tf.layers.Layer, tap: (out: tf.Tensor) => tf.Tensor, body: () => T, what = 'The method'): T {
  type Call = tf.layers.Layer['call'];
  const own = Object.prototype.hasOwnProperty.call(layer, 'call');
  const original: Call = layer.call;
  let fired = false;
  layer.call = function (this: tf.layers.Layer, ...args: Parameters<Call>) {
    const out = original.apply(this, args);
    if (fired) return out;
    fired = true;
    const single = Array.isArray(out) ? (out.length === 1 ? out[0] : null) : out;
    if (!single) throw new LensError('INVALID_INPUT', `${what} needs a layer with one output; '${layer.name}' has ${(out as tf.Tensor[]).length}.`);
    return tap(single);
  } as Call;
  try {
    const result = body();
    if (!fired) throw new LensError('INVALID_INPUT', `${what}'s layer '${layer.name}' did not run when the model computed its output.`);
    return result;
  } finally {
    if (own) layer.call = original;
    else Reflect.deleteProperty(layer, 'call');
  }
}

/** The layer's output for x, [b, ...] (the model runs to its output once). The caller owns it. */
export function layerOutput(model: tf.LayersModel, layer: tf.layers.Layer, x: tf.Tensor, what?: string): tf.Tensor {
  return layerOutputs(model, [layer], x, what)[0];
}

/**
 * The outputs of several (distinct) layers for x, from one run of the model, in the order given; the caller
 * owns them. apply(), not predict(): predict splits batches over 32 into chunks, and only the first
 * call of a layer is tapped.
 */
export function layerOutputs(model: tf.LayersModel, layers: tf.layers.Layer[], x: tf.Tensor, what?: string): tf.Tensor[] {
  const captured: (tf.Tensor | undefined)[] = layers.map(() => undefined);
  const tapped = (i: number): unknown =>
    i === layers.length
      ? model.apply(x, { training: false })
      : // A copy: the model disposes intermediate outputs once their consumers have run.
        withTap(layers[i], (out) => ((captured[i] = tf.keep(tf.clone(out))), out), () => tapped(i + 1), what);
  try {
    tf.tidy(() => {
      tapped(0);
    });
  } catch (err) {
    tf.dispose(captured.filter((t): t is tf.Tensor => t !== undefined));
    throw err;
  }
  // withTap has thrown for any layer that did not run.
  return captured as tf.Tensor[];
}
