/**
 * Which parameters influence is computed over. Influence functions invert a Hessian over the
 * scope's parameters, so large models default to their last dense layer(s), as is common practice
 * (Koh & Liang's own Inception experiments used only the top layer).
 */
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import type { Checkpoint } from '../checkpoint/load';
import { LensError } from '../errors';
import { flatLayers } from '../model/layerTap';

export interface ParamScope {
  /** Layer names, in model order. */
  layers: string[];
  variables: tf.LayerVariable[];
  /** Number of scalar parameters. */
  size: number;
  reason: string;
}

/** Parameter budget of the default scope: all of a small dense model, else its trailing dense layers. */
export const ALL_PARAMS_MAX = 5000;

/** The trainable layers of the model (flattening nested models), in execution order. */
function trainableLayers(model: tf.LayersModel): tf.layers.Layer[] {
  return flatLayers(model).filter((layer) => layer.trainable && layer.trainableWeights.length > 0);
}

export function chooseScope(model: tf.LayersModel, layers?: string[]): ParamScope {
  const candidates = trainableLayers(model);
  if (candidates.length === 0) throw new LensError('INVALID_MODEL', 'The model has no trainable weights, so training-data influence is undefined.');
  if (layers && layers.length > 0) {
    const byName = new Map(candidates.map((l) => [l.name, l]));
    const unknown = layers.filter((name) => !byName.has(name));
    if (unknown.length > 0) {
      throw new LensError('BAD_REQUEST', `No trainable layer named ${unknown.map((n) => `'${n}'`).join(', ')}; layers with trainable weights: ${candidates.map((l) => l.name).join(', ')}.`);
    }
    const chosen = candidates.filter((l) => layers.includes(l.name));
    return make(chosen, `chosen: ${chosen.map((l) => l.name).join(', ')}`);
  }
  const total = count(candidates);
  const isDense = (l: tf.layers.Layer) => l.getClassName() === 'Dense';
  if (total <= ALL_PARAMS_MAX && candidates.every(isDense)) return make(candidates, `all ${total} trainable parameters`);
  // The trailing dense layers within the budget (at least the last trainable layer): their
  // per-example gradients are batched, and their Hessian stays small enough to solve exactly.
  const tail: tf.layers.Layer[] = [candidates[candidates.length - 1]];
  for (let i = candidates.length - 2; i >= 0 && isDense(candidates[i]) && isDense(tail[0]) && count([candidates[i], ...tail]) <= ALL_PARAMS_MAX; i--) {
    tail.unshift(candidates[i]);
  }
  const which = tail.every(isDense) ? `the last ${tail.length === 1 ? 'dense layer' : `${tail.length} dense layers`}` : 'the last trainable layer';
  const why = total <= ALL_PARAMS_MAX ? 'it has non-dense trainable layers' : `it has ${total} trainable parameters, over ${ALL_PARAMS_MAX}`;
  return make(tail, `${which} (default: ${why})`);
}

function count(layers: tf.layers.Layer[]): number {
  return layers.reduce((sum, l) => sum + l.trainableWeights.reduce((s, w) => s + w.shape.reduce((a: number, b) => a * (b ?? 1), 1), 0), 0);
}

function make(layers: tf.layers.Layer[], reason: string): ParamScope {
  return { layers: layers.map((l) => l.name), variables: layers.flatMap((l) => l.trainableWeights), size: count(layers), reason };
}

/** The checkpoint's layers model: graph models have no trainable weights to differentiate. */
export function layersModel(checkpoint: Checkpoint): tf.LayersModel {
  if (checkpoint.model instanceof tf.LayersModel) return checkpoint.model;
  throw new LensError('INVALID_MODEL', `${path.basename(checkpoint.path)} is a graph model: it has no trainable weights, so training-data influence needs the Keras (layers) export of the model.`);
}
