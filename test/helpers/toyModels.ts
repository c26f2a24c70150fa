/**
 * tfjs layers models with fixed weights and hand-worked attributions (Captum's basic_models.py),
 * and a minimal Checkpoint around an in-memory model.
 */
import * as tf from '@tensorflow/tfjs';
import type { Checkpoint } from '../../src/engine/checkpoint/load';

/** forward() needs only `model`; the rest of a Checkpoint describes files these models never had. */
export function asCheckpoint(model: tf.LayersModel | tf.GraphModel): Checkpoint {
  return { model } as unknown as Checkpoint;
}

/** A dense layer whose kernel ([in, out], row-major) and bias are set after building. */
interface DenseSpec {
  kernel: number[][];
  bias: number[];
  activation?: 'relu' | 'linear';
}

/** A sequential stack of dense layers with the given weights. */
export function denseStack(inputs: number, specs: DenseSpec[]): tf.LayersModel {
  const layers = specs.map((spec, i) =>
    tf.layers.dense({ units: spec.bias.length, activation: spec.activation ?? 'linear', ...(i === 0 ? { inputShape: [inputs] } : {}) }),
  );
  const model = tf.sequential({ layers });
  tf.tidy(() => layers.forEach((layer, i) => layer.setWeights([tf.tensor2d(specs[i].kernel), tf.tensor1d(specs[i].bias)])));
  return model;
}

/** IG paper's example (Captum BasicModel2 with x1, x2 as one input): f(x) = ReLU(ReLU(x1) − 1 − ReLU(x2)). */
export function igPaperModel(): tf.LayersModel {
  return denseStack(2, [
    { kernel: [[1, 0], [0, 1]], bias: [0, 0], activation: 'relu' },
    { kernel: [[1], [-1]], bias: [-1], activation: 'relu' },
  ]);
}

/** The same function written differently (BasicModel3): f(x) = ReLU(ReLU(x1 − 1) − ReLU(x2)). */
export function igPaperInvariantModel(): tf.LayersModel {
  return denseStack(2, [
    { kernel: [[1, 0], [0, 1]], bias: [-1, 0], activation: 'relu' },
    { kernel: [[1], [-1]], bias: [0], activation: 'relu' },
  ]);
}

/** Σⱼ (1 − ReLU(1 − xⱼ)) over `n` inputs (Captum BasicModel, summed so one output unit explains all). */
export function oneMinusReluModel(n: number): tf.LayersModel {
  const eye = (scale: number) => Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? scale : 0)));
  return denseStack(n, [
    { kernel: eye(-1), bias: Array(n).fill(1), activation: 'relu' },
    { kernel: eye(-1), bias: Array(n).fill(1) },
    { kernel: Array.from({ length: n }, () => [1]), bias: [0] },
  ]);
}

/** y = x W + b with W [in, out]. */
export function linearModel(kernel: number[][], bias: number[]): tf.LayersModel {
  return denseStack(kernel.length, [{ kernel, bias }]);
}

/** f(x) = Σ xⱼ² over `n` inputs: x ⊙ x, then a dense layer of ones without bias. Gradient 2x. */
export function quadraticModel(n: number): tf.LayersModel {
  return powerSumModel(n, 2);
}

/** f(x) = Σ xⱼ⁴: (x ⊙ x) ⊙ (x ⊙ x), summed. Gradient 4x³, so IG's path integrand is cubic in α. */
export function quarticModel(n: number): tf.LayersModel {
  return powerSumModel(n, 4);
}

function powerSumModel(n: number, power: 2 | 4): tf.LayersModel {
  const input = tf.input({ shape: [n] });
  let product = tf.layers.multiply().apply([input, input]) as tf.SymbolicTensor;
  if (power === 4) product = tf.layers.multiply().apply([product, product]) as tf.SymbolicTensor;
  const sum = tf.layers.dense({ units: 1, useBias: false, kernelInitializer: 'ones' }).apply(product) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: sum });
}

/** A seeded 5 → 7 tanh → 6 relu → 3 MLP with random biases: smooth enough for finite differences. */
export function randomMlp(seed: number): tf.LayersModel {
  const init = (k: number) => tf.initializers.randomNormal({ mean: 0, stddev: 0.8, seed: seed + k });
  return tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [5], units: 7, activation: 'tanh', kernelInitializer: init(1), biasInitializer: init(2) }),
      tf.layers.dense({ units: 6, activation: 'relu', kernelInitializer: init(3), biasInitializer: init(4) }),
      tf.layers.dense({ units: 3, kernelInitializer: init(5), biasInitializer: init(6) }),
    ],
  });
}
