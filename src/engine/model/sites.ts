/**
 * Where concept methods read a model's activations: its input, a layer of a layers model (nested
 * models' layers included) or a node of a graph model, named as the user names them. Activations
 * are read for a batch of examples in one run of the model, several sites at once, each flattened
 * to [batch, features].
 */
import * as tf from '@tensorflow/tfjs';
import type { RunContext } from '../../protocol/engine';
import type { Checkpoint } from '../checkpoint/load';
import { LensError } from '../errors';
import { batchSizeFor, concatOverBatches, exampleElements, type BatchLimits } from './batching';
import { activationNodes, graphInput, nodeOutputs } from './graph';
import { flatLayers, layerOutputs } from './layerTap';

export type Site =
  | { kind: 'input'; name: string }
  | { kind: 'layer'; name: string; layer: tf.layers.Layer }
  | { kind: 'node'; name: string };

type Model = Pick<Checkpoint, 'model' | 'topology'>;

/** How many names an error lists before it says how many more there are. */
const LISTED = 60;

/** Every site of the model in execution order: the input first. */
export function modelSites(checkpoint: Model, what = 'The method'): Site[] {
  const model = checkpoint.model;
  if (model instanceof tf.LayersModel) {
    if (model.inputs.length !== 1) throw new LensError('INVALID_INPUT', `${what} supports models with one input; this one has ${model.inputs.length}.`);
    const layers = flatLayers(model).filter((l) => l.getClassName() !== 'InputLayer');
    return [{ kind: 'input', name: model.inputs[0].sourceLayer.name }, ...layers.map((layer): Site => ({ kind: 'layer', name: layer.name, layer }))];
  }
  const input: Site = { kind: 'input', name: graphInput(model, what) };
  return [input, ...activationNodes(model, checkpoint.topology, what).map((n): Site => ({ kind: 'node', name: n.name }))];
}

/** The sites named, in the order given; an unknown name is an error that lists the model's sites. */
export function findSites(checkpoint: Model, names: readonly string[], what = 'The method'): Site[] {
  const sites = modelSites(checkpoint, what);
  return names.map((name) => {
    const site = sites.find((s) => s.name === name);
    if (site) return site;
    const noun = checkpoint.model instanceof tf.LayersModel ? 'layer' : 'node';
    const listed = sites.slice(0, LISTED).map((s) => s.name).join(', ');
    const more = sites.length > LISTED ? `, … (${sites.length - LISTED} more)` : '';
    throw new LensError('BAD_REQUEST', `The model has no ${noun} named '${name}'; its ${noun}s: ${listed}${more}.`);
  });
}

/** The sites' values for a batch x, each flattened to [batch, features]; the caller owns them. */
export function siteActivations(checkpoint: Model, sites: readonly Site[], x: tf.Tensor, what = 'The method'): tf.Tensor2D[] {
  const model = checkpoint.model;
  const computed = sites.filter((s) => s.kind !== 'input');
  const raw =
    computed.length === 0
      ? []
      : model instanceof tf.LayersModel
        ? layerOutputs(model, computed.map((s) => (s as Extract<Site, { kind: 'layer' }>).layer), x, what)
        : nodeOutputs(model, x, computed.map((s) => s.name), what);
  try {
    let k = 0;
    return tf.tidy(() => sites.map((s) => (s.kind === 'input' ? x : raw[k++]).reshape([x.shape[0], -1]).toFloat() as tf.Tensor2D));
  } finally {
    tf.dispose(raw);
  }
}

/**
 * siteActivations over the examples of x [n, ...] in batches (sized by `limits`, as gradients are),
 * with progress and cancellation between batches: one [n, features] tensor per site.
 */
export async function batchedActivations(checkpoint: Model, sites: readonly Site[], x: tf.Tensor, ctx: RunContext, limits: BatchLimits = {}, what?: string): Promise<tf.Tensor2D[]> {
  const n = x.shape[0];
  const batch = batchSizeFor(exampleElements(checkpoint.model, x.size / n), limits);
  let widths: number[] = [];
  // One tensor per batch: the sites side by side, split once all batches are in.
  const packed = await concatOverBatches(n, batch, ctx, (start, end) => {
    const acts = siteActivations(checkpoint, sites, x.slice(start, end - start), what);
    widths = acts.map((a) => a.shape[1]);
    return tf.concat(acts, 1);
  });
  try {
    return tf.split(packed, widths, 1) as tf.Tensor2D[];
  } finally {
    packed.dispose();
  }
}
