/**
 * Whether a model's logits are affine in its input (logistic and softmax regression, stacks of
 * linear dense layers), and if so the map itself, read off the model: z(x) = Wᵀx + b on the
 * model's input. A layers model is checked layer by layer first, so a refusal names the layer that
 * is not affine; any model is then checked numerically at random points, with log-probabilities
 * standing in for logits where the model outputs a distribution (their class margins are equal).
 */
import * as tf from '@tensorflow/tfjs';
import type { Checkpoint } from '../checkpoint/load';
import { forward } from '../checkpoint/forward';
import { flatLayers } from '../model/layerTap';
import { outputKind, type OutputKind } from '../model/probabilities';
import { scoreFunction } from './decision';
import { makeRng } from '../common/random';

export interface AffineLogits {
  /** d × k, row-major: ∂z_j/∂x_i on the model's input. */
  weights: Float64Array;
  bias: Float64Array;
  classes: number;
}

/** Layers that are affine at inference (dropout and noise layers are the identity there). */
const AFFINE_LAYERS = new Set(['InputLayer', 'Dense', 'Dropout', 'SpatialDropout1D', 'GaussianNoise', 'GaussianDropout', 'AlphaDropout', 'Flatten', 'Reshape', 'BatchNormalization', 'Activation']);
/** Activations a final layer may apply to its logits (a sigmoid unit's class margin, log p − log(1 − p), is its logit). */
const OUTPUT_ACTIVATIONS = new Set(['linear', 'softmax', 'sigmoid']);

/** Largest disagreement with the fitted map allowed at a probe, relative to the logits' scale. */
const TOLERANCE = 1e-3;
const PROBES = 8;

/** The affine map of the model's logits over its d inputs, or why it is not affine. */
export function affineLogits(checkpoint: Checkpoint, d: number): AffineLogits | { reason: string } {
  const structural = checkpoint.model instanceof tf.LayersModel ? nonAffineLayer(checkpoint.model) : null;
  if (structural) return { reason: structural };
  const rng = makeRng(17);
  const probes = Array.from({ length: PROBES }, () => Array.from({ length: d }, () => 4 * rng() - 2));
  // z(0) and z(eᵢ) give b and W; probes at random points check that nothing else is going on.
  const [atBasis, actual] = tf.tidy(() => {
    const logits = scoreFunction(checkpoint, modelOutputKind(checkpoint, d));
    return [logits(tf.concat([tf.zeros([1, d]), tf.eye(d)])).arraySync() as number[][], logits(tf.tensor2d(probes, [PROBES, d])).arraySync() as number[][]];
  });
  const k = atBasis[0].length;
  const bias = Float64Array.from(atBasis[0]);
  const weights = new Float64Array(d * k);
  for (let i = 0; i < d; i++) for (let j = 0; j < k; j++) weights[i * k + j] = atBasis[i + 1][j] - bias[j];
  let worst = 0;
  probes.forEach((p, r) => {
    const fitted = Array.from(bias, (b, j) => b + p.reduce((s, v, i) => s + v * weights[i * k + j], 0));
    // Class margins against class 0: log-probabilities differ from logits by a per-row constant.
    const scale = 1 + Math.max(...fitted.map(Math.abs));
    for (let j = 1; j < k; j++) worst = Math.max(worst, Math.abs(actual[r][j] - actual[r][0] - (fitted[j] - fitted[0])) / scale);
  });
  if (worst > TOLERANCE) return { reason: `its logits depart from an affine map by ${(worst * 100).toPrecision(2)}% at a random point` };
  return { weights, bias, classes: k };
}

/** Whether the model's output on the zero input is a distribution or logits. */
function modelOutputKind(checkpoint: Checkpoint, d: number): OutputKind {
  return tf.tidy(() => outputKind(forward(checkpoint, tf.zeros([1, d])).reshape([1, -1]) as tf.Tensor2D));
}

/** The first layer that is not affine, as a reason, or null. */
function nonAffineLayer(model: tf.LayersModel): string | null {
  const layers = flatLayers(model);
  for (const [n, layer] of layers.entries()) {
    const name = layer.getClassName();
    if (!AFFINE_LAYERS.has(name)) return `layer '${layer.name}' (${name}) is not affine`;
    const activation = (layer as tf.layers.Layer & { activation?: { getClassName(): string } }).activation?.getClassName();
    const last = n === layers.length - 1;
    if (activation && activation !== 'linear' && !(last && OUTPUT_ACTIVATIONS.has(activation))) return `layer '${layer.name}' applies ${activation}`;
  }
  return null;
}

