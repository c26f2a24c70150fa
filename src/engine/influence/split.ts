/**
 * Splits a layers model at its parameter scope: every layer that no scoped layer feeds (directly
 * or through others) is fixed for influence, so its outputs over the training set are computed once
 * (the prefix) and every gradient, loss and Hessian-vector product afterwards runs only the layers
 * the scope feeds (the suffix). Residual networks split too: the suffix's inputs are whatever
 * tensors of the fixed part it reads (MobileNetV2 with a last-dense scope: the pooled features
 * only), packed side by side into one [n, Σ sizes] tensor. Models with shared layers run whole.
 */
import * as tf from '@tensorflow/tfjs';

export interface SplitModel {
  /** Training inputs → the suffix's inputs, [n, ...]. The caller owns the result. */
  prefix(x: tf.Tensor): tf.Tensor;
  /** The model's output from the suffix's inputs. */
  suffix(features: tf.Tensor): tf.Tensor;
  /** Name of the first layer the suffix runs, or null when the model runs whole. */
  cutAt: string | null;
  /** The suffix's layers in order when they form a chain from one input (null: they do not, or the model runs whole). */
  suffixLayers: tf.layers.Layer[] | null;
}

type Node = { inputTensors: tf.SymbolicTensor[]; outputTensors: tf.SymbolicTensor[]; callArgs?: Record<string, unknown> };

/** `output`: which of the model's outputs the suffix returns (default the first). */
export function splitModel(model: tf.LayersModel, scoped: readonly string[], output = 0): SplitModel {
  const whole: SplitModel = { prefix: (x) => x.clone(), suffix: (f) => pick(model.apply(f), output), cutAt: null, suffixLayers: null };
  const layers = model.layers;
  if (layers.some((l) => l.inboundNodes.length > 1)) return whole;
  // Top-level layers holding a scoped layer (a nested model holds its own).
  const holds = (l: tf.layers.Layer, name: string): boolean => l.name === name || (l instanceof tf.LayersModel && l.layers.some((inner) => holds(inner, name)));
  const suffixSet = new Set<tf.layers.Layer>();
  for (const layer of layers) {
    if (layer.getClassName() === 'InputLayer') continue;
    const node = layer.inboundNodes[0] as unknown as Node;
    if (scoped.some((name) => holds(layer, name)) || node.inputTensors.some((t) => suffixSet.has(t.sourceLayer as tf.layers.Layer))) suffixSet.add(layer);
  }
  const suffix = layers.filter((l) => suffixSet.has(l));
  const target = model.outputs[output];
  if (suffix.length === 0 || !suffixSet.has(target.sourceLayer as tf.layers.Layer)) return whole;
  // The fixed tensors the suffix reads, in first-use order.
  const inputs: tf.SymbolicTensor[] = [];
  for (const layer of suffix) {
    for (const t of (layer.inboundNodes[0] as unknown as Node).inputTensors) {
      if (!suffixSet.has(t.sourceLayer as tf.layers.Layer) && !inputs.some((s) => s.id === t.id)) inputs.push(t);
    }
  }
  if (inputs.length > 1 && inputs.some((t) => t.shape.slice(1).some((d) => d === null))) return whole;
  const sizes = inputs.map((t) => (t.shape.slice(1) as number[]).reduce((a, b) => a * b, 1));
  const isModelInput = (t: tf.SymbolicTensor) => model.inputs.some((i) => i.id === t.id);

  const prefix = (x: tf.Tensor): tf.Tensor =>
    tf.tidy(() => {
      const n = x.shape[0];
      const names = inputs.filter((t) => !isModelInput(t)).map((t) => t.name);
      const computed = names.length > 0 ? model.execute(x, names) : [];
      const list = Array.isArray(computed) ? computed : [computed];
      let k = 0;
      const parts = inputs.map((t) => (isModelInput(t) ? x : list[k++]));
      // One tensor keeps its shape (the dense path reads it as it is); several are packed side by side.
      return parts.length === 1 ? parts[0].clone() : tf.concat(parts.map((p) => p.reshape([n, -1])), 1);
    });

  const run = (features: tf.Tensor): tf.Tensor => {
    const n = features.shape[0];
    const values = new Map<number, tf.Tensor>();
    let offset = 0;
    inputs.forEach((t, i) => {
      values.set(t.id, inputs.length === 1 ? features : features.slice([0, offset], [n, sizes[i]]).reshape([n, ...(t.shape.slice(1) as number[])]));
      offset += sizes[i];
    });
    // What tfjs's executor does for the model, from the fixed tensors on: each layer's one call, in topological order.
    for (const layer of suffix) {
      const node = layer.inboundNodes[0] as unknown as Node;
      const args = node.inputTensors.map((t) => values.get(t.id) as tf.Tensor);
      const out = layer.apply(args.length === 1 ? args[0] : args, { ...(node.callArgs ?? {}), training: false });
      const outs = Array.isArray(out) ? out : [out];
      node.outputTensors.forEach((t, i) => values.set(t.id, outs[i] as tf.Tensor));
    }
    return values.get(target.id) as tf.Tensor;
  };
  const chain = inputs.length === 1 && suffix.every((l, i) => (l.inboundNodes[0] as unknown as Node).inputTensors.length === 1 && (i === 0 || (l.inboundNodes[0] as unknown as Node).inputTensors[0].sourceLayer === suffix[i - 1]));
  const first = suffix[0].name;
  const cutAtInput = inputs.length === 1 && isModelInput(inputs[0]);
  return { prefix, suffix: run, cutAt: cutAtInput ? null : first, suffixLayers: chain ? suffix : null };
}

function pick(out: tf.Tensor | tf.Tensor[] | tf.SymbolicTensor | tf.SymbolicTensor[], index: number): tf.Tensor {
  return (Array.isArray(out) ? out[index] : out) as tf.Tensor;
}
