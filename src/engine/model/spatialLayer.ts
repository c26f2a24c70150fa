/**
 * The layer of a layers model whose output is a spatial feature map [b, h, w, c] (h, w > 1): the one
 * named, or by default the last such layer in execution order (looking inside nested models),
 * skipping dropout and noise layers (identities at inference) and, for callers that want
 * resolution (Grad-CAM), pooling layers too.
 */
import * as tf from '@tensorflow/tfjs';
import { LensError } from '../errors';
import { flatLayers, outputShapeOf } from './layerTap';

const IDENTITIES = new Set(['InputLayer', 'Dropout', 'SpatialDropout2D', 'GaussianNoise', 'GaussianDropout', 'AlphaDropout']);
const POOLING = new Set(['MaxPooling2D', 'AveragePooling2D', 'MaxPool2D', 'AvgPool2D']);

/** Whether a shape is a spatial feature map [b, h, w, c] with h, w > 1. */
export function isSpatial(shape: (number | null)[] | null): boolean {
  return !!shape && shape.length === 4 && (shape[1] === null || shape[1] > 1) && (shape[2] === null || shape[2] > 1);
}

/** `name` if given (searched in nested models too), else the last spatial layer; `what` names the method in errors. */
export function spatialLayer(model: tf.LayersModel, name: string | undefined, what: string, options: { skipPooling: boolean }): tf.layers.Layer {
  const layers = flatLayers(model);
  const skipped = (l: tf.layers.Layer) => IDENTITIES.has(l.getClassName()) || (options.skipPooling && POOLING.has(l.getClassName()));
  const spatial = layers.filter((l) => isSpatial(outputShapeOf(l)) && !skipped(l));
  if (name === undefined) {
    const last = spatial[spatial.length - 1];
    if (!last) {
      throw new LensError('INVALID_INPUT', `${what} needs a layer with a 4-D [batch, height, width, channels] output, and this model has none (it is not convolutional).`);
    }
    return last;
  }
  const layer = layers.find((l) => l.name === name) ?? (model.layers.find((l) => l.name === name) as tf.layers.Layer | undefined);
  const choices = spatial.map((l) => l.name).join(', ') || 'none';
  if (!layer) throw new LensError('INVALID_INPUT', `The model has no layer named '${name}'; layers with 4-D outputs: ${choices}.`);
  const shape = outputShapeOf(layer);
  if (!shape || shape.length !== 4) {
    throw new LensError('INVALID_INPUT', `${what} needs a layer with a 4-D [batch, height, width, channels] output; '${name}' outputs [${shape ? shape.map((d) => d ?? '?').join(', ') : '?'}]. Layers with 4-D outputs: ${choices}.`);
  }
  return layer;
}
