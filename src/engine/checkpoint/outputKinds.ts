/**
 * How each output head's values are read (protocol/model.ts OUTPUT_KINDS), decided at load: the
 * sidecar's `output`/`outputs` settings first, then the head's final activation (a Keras layer's
 * activation, a graph's last op through Identity/Reshape), then the labels: a linear head with
 * labels is a classifier's logits, without labels a regression. A linear head whose probe output is
 * already a distribution is a softmax the topology hides.
 */
import * as tf from '@tensorflow/tfjs';
import type { HeadSettings, OutputKindName, OutputSpec, Sidecar, TensorSpec } from '../../protocol/model';

/** Ops that only move values: the activation is found behind them. */
const PASS_THROUGH = new Set(['Identity', 'Reshape', 'Squeeze', 'ExpandDims', 'StopGradient', 'Snapshot']);

export type Activation = 'softmax' | 'sigmoid' | 'linear';

/** The final activation of every output: softmax, sigmoid, or anything else (linear for our purposes). */
export function finalActivations(model: tf.LayersModel | tf.GraphModel, topology: Record<string, unknown>): Activation[] {
  if (model instanceof tf.LayersModel) return model.outputs.map((t) => layerActivation(t.sourceLayer as tf.layers.Layer));
  const nodes = new Map<string, { op: string; input?: string[] }>();
  for (const node of (topology.node ?? []) as { name: string; op: string; input?: string[] }[]) nodes.set(node.name, node);
  return model.outputs.map((t) => {
    let node = nodes.get(t.name.replace(/:\d+$/, ''));
    for (let hops = 0; node && PASS_THROUGH.has(node.op) && hops < 16; hops++) node = nodes.get((node.input?.[0] ?? '').replace(/:\d+$/, ''));
    return node?.op === 'Softmax' ? 'softmax' : node?.op === 'Sigmoid' ? 'sigmoid' : 'linear';
  });
}

function layerActivation(layer: tf.layers.Layer): Activation {
  if (layer instanceof tf.LayersModel) return layerActivation(layer.outputs[0].sourceLayer as tf.layers.Layer);
  if (layer.getClassName() === 'Softmax') return 'softmax';
  const name = (layer as unknown as { activation?: { getClassName(): string } }).activation?.getClassName();
  return name === 'softmax' ? 'softmax' : name === 'sigmoid' ? 'sigmoid' : 'linear';
}

/** The sidecar's settings of head `index` named `name`: `outputs[name]`, `outputs[index]`, and for the first head `output`. */
export function headSettings(sidecar: Sidecar, index: number, name: string): HeadSettings {
  const own = sidecar.outputs?.[name] ?? sidecar.outputs?.[String(index)];
  const first = index === 0 ? { labels: sidecar.labels, ...sidecar.output } : {};
  return { ...first, ...own };
}

/**
 * Each output's kind and why. `distribution[i]` says whether output i's probe rows were already a
 * probability distribution (non-negative, summing to 1).
 */
export function outputKinds(outputs: TensorSpec[], activations: Activation[], sidecar: Sidecar, distribution: boolean[]): OutputSpec[] {
  return outputs.map((spec, i) => {
    const units = spec.shape.slice(1).reduce<number>((n, d) => n * (d ?? 1), 1);
    const settings = headSettings(sidecar, i, spec.name);
    const decided = ((): [OutputKindName, string] => {
      if (settings.kind) return [settings.kind, 'set in the sidecar'];
      if (activations[i] === 'softmax') return ['softmax', 'softmax activation'];
      if (activations[i] === 'sigmoid') return units === 1 ? ['sigmoid', 'sigmoid activation, one unit'] : ['multilabel', `sigmoid activation, ${units} units`];
      if (settings.labels) return ['logits', 'linear output with labels'];
      if (distribution[i] && units > 1) return ['softmax', 'its values form a distribution'];
      return ['regression', 'linear output without labels'];
    })();
    return { ...spec, kind: decided[0], kindReason: decided[1], activation: activations[i] };
  });
}
