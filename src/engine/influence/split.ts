/**
 * Splits a layers model at the first scoped layer: the prefix (everything before it) is fixed for
 * influence, so its output over the training set is computed once and every gradient, loss and
 * Hessian-vector product afterwards runs only the suffix. This is what makes exact Hessians and
 * per-example gradients of a last-layer scope cheap. Only chains (each layer feeds the next) are
 * split; other topologies run whole.
 */
import * as tf from '@tensorflow/tfjs';

export interface SplitModel {
  /** Training inputs → the suffix's inputs. The caller owns the result. */
  prefix(x: tf.Tensor): tf.Tensor;
  /** The model's output from the suffix's inputs. */
  suffix(features: tf.Tensor): tf.Tensor;
  /** Name of the layer the suffix starts at, or null when the model runs whole. */
  cutAt: string | null;
  /** The suffix's layers in order, when the model is a chain (null: it runs as one model). */
  suffixLayers: tf.layers.Layer[] | null;
}

export function splitModel(model: tf.LayersModel, firstScoped: string): SplitModel {
  const layers = chain(model);
  const cut = layers?.findIndex((l) => l.name === firstScoped) ?? -1;
  if (!layers || cut < 0) return { prefix: (x) => x.clone(), suffix: (f) => single(model.apply(f)), cutAt: null, suffixLayers: null };
  const run = (from: number, to: number) => (t: tf.Tensor) =>
    layers.slice(from, to).reduce((out, layer) => single(layer.apply(out)), t);
  return {
    prefix: (x) => tf.tidy(() => run(0, cut)(x).clone()),
    suffix: run(cut, layers.length),
    cutAt: cut === 0 ? null : firstScoped,
    suffixLayers: layers.slice(cut),
  };
}

/** The model's layers in order when each takes exactly the previous one's output; else null. */
function chain(model: tf.LayersModel): tf.layers.Layer[] | null {
  const layers = model.layers.filter((l) => l.getClassName() !== 'InputLayer');
  for (let i = 0; i < layers.length; i++) {
    const inbound = layers[i].inboundNodes;
    if (inbound.length !== 1) return null;
    const from = inbound[0].inboundLayers;
    const expected = i === 0 ? ['InputLayer'] : [layers[i - 1].name];
    const got = i === 0 ? from.map((l) => l.getClassName()) : from.map((l) => l.name);
    if (from.length !== 1 || got[0] !== expected[0]) return null;
  }
  const outputs = model.outputs;
  return outputs.length === 1 && layers.length > 0 && outputs[0].sourceLayer === layers[layers.length - 1] ? layers : null;
}

function single(out: tf.Tensor | tf.Tensor[] | tf.SymbolicTensor | tf.SymbolicTensor[]): tf.Tensor {
  return (Array.isArray(out) ? out[0] : out) as tf.Tensor;
}
