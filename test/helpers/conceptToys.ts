/**
 * Models whose conceptual sensitivities are known by construction (issue 12), as layers models and
 * as graph-model twins with the same weights, and writers for their example sets.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { makeRng } from '../../src/engine/common/random';
import { FLOAT, ints, str, writeGraphModel } from './graphDef';

/**
 * x [3] → 'layer' (dense, identity, linear) → a ⊙ a → 'head' (dense 2, softmax): logit 0 = ½ Σ aⱼ²,
 * logit 1 = 0. At 'layer', ∇ logit 0 = a itself (∇ of the probability would be p(1 − p)·a).
 */
export function halfSquareModel(): tf.LayersModel {
  const input = tf.input({ shape: [3], name: 'x' });
  const layer = tf.layers.dense({ units: 3, useBias: false, name: 'layer', kernelInitializer: 'identity' }).apply(input) as tf.SymbolicTensor;
  const squared = tf.layers.multiply({ name: 'square' }).apply([layer, layer]) as tf.SymbolicTensor;
  const head = tf.layers.dense({ units: 2, useBias: false, activation: 'softmax', name: 'head' });
  const out = head.apply(squared) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: out });
  tf.tidy(() => head.setWeights([tf.tensor2d([[0.5, 0], [0.5, 0], [0.5, 0]])]));
  return model;
}

/** halfSquareModel as a graph: x → layer/MatMul (identity) → square (Mul) → head/MatMul → probs (Softmax). */
export function writeHalfSquareGraph(): string {
  return writeGraphModel(
    [-1, 3],
    [
      { name: 'layer/kernel', shape: [3, 3], values: [1, 0, 0, 0, 1, 0, 0, 0, 1] },
      { name: 'head/kernel', shape: [3, 2], values: [0.5, 0, 0.5, 0, 0.5, 0] },
    ],
    [
      { name: 'layer/MatMul', op: 'MatMul', input: ['x', 'layer/kernel'], attr: { T: FLOAT, transpose_a: { b: false }, transpose_b: { b: false } } },
      { name: 'square', op: 'Mul', input: ['layer/MatMul', 'layer/MatMul'], attr: { T: FLOAT } },
      { name: 'head/MatMul', op: 'MatMul', input: ['square', 'head/kernel'], attr: { T: FLOAT, transpose_a: { b: false }, transpose_b: { b: false } } },
      { name: 'probs', op: 'Softmax', input: ['head/MatMul'], attr: { T: FLOAT } },
    ],
  );
}

export const PLANT_SIZE = 8;
/** Vertical-line detector (rows of [−1, 2, −1]) and its transpose, the horizontal one: [3, 3, 1, 2]. */
const DETECTORS = (() => {
  const out: number[] = [];
  for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) out.push(j === 1 ? 2 : -1, i === 1 ? 2 : -1);
  return out;
})();

/**
 * The planted concept by construction: x [8, 8, 1] → 'detector' (conv 3×3 valid, two fixed filters:
 * vertical and horizontal line detectors, ReLU) → 'gap' (global average) → 'head' (dense 2, softmax)
 * with logit 0 = the mean vertical response and logit 1 = the mean horizontal one. Class 0's logit
 * depends only on channel 0 of 'detector' (each position weighs 1/36) and on direction e₀ of 'gap'.
 */
export function plantedModel(): tf.LayersModel {
  const detector = tf.layers.conv2d({ inputShape: [PLANT_SIZE, PLANT_SIZE, 1], filters: 2, kernelSize: 3, activation: 'relu', useBias: false, name: 'detector' });
  const head = tf.layers.dense({ units: 2, useBias: false, activation: 'softmax', name: 'head' });
  const model = tf.sequential({ layers: [detector, tf.layers.globalAveragePooling2d({ name: 'gap' }), head] });
  tf.tidy(() => {
    detector.setWeights([tf.tensor4d(DETECTORS, [3, 3, 1, 2])]);
    head.setWeights([tf.tensor2d([[1, 0], [0, 1]])]);
  });
  return model;
}

/** plantedModel as a graph: x → detector/Conv2D → detector/Relu → gap (Mean over 1, 2) → head/MatMul → probs (Softmax). */
export function writePlantedGraph(): string {
  return writeGraphModel(
    [-1, PLANT_SIZE, PLANT_SIZE, 1],
    [
      { name: 'detector/kernel', shape: [3, 3, 1, 2], values: DETECTORS },
      { name: 'gap/axes', shape: [2], values: [1, 2], dtype: 'int32' },
      { name: 'head/kernel', shape: [2, 2], values: [1, 0, 0, 1] },
    ],
    [
      { name: 'detector/Conv2D', op: 'Conv2D', input: ['x', 'detector/kernel'], attr: { T: FLOAT, strides: ints(1, 1, 1, 1), dilations: ints(1, 1, 1, 1), padding: str('VALID'), data_format: str('NHWC') } },
      { name: 'detector/Relu', op: 'Relu', input: ['detector/Conv2D'], attr: { T: FLOAT } },
      { name: 'gap', op: 'Mean', input: ['detector/Relu', 'gap/axes'], attr: { T: FLOAT, Tidx: { type: 'DT_INT32' }, keep_dims: { b: false } } },
      { name: 'head/MatMul', op: 'MatMul', input: ['gap', 'head/kernel'], attr: { T: FLOAT, transpose_a: { b: false }, transpose_b: { b: false } } },
      { name: 'probs', op: 'Softmax', input: ['head/MatMul'], attr: { T: FLOAT } },
    ],
  );
}

export type Image = number[][][];

/** Images of the planted model's size, seeded: 'noise' (uniform), 'vertical' (bright columns over faint noise), 'flat' (uniform grey). */
export function plantedImages(kind: 'noise' | 'vertical' | 'flat', n: number, seed: number): Image[] {
  const rng = makeRng(seed);
  return Array.from({ length: n }, () => {
    const columns = new Set([Math.floor(rng() * PLANT_SIZE), Math.floor(rng() * PLANT_SIZE)]);
    const grey = 0.3 + 0.4 * rng();
    return Array.from({ length: PLANT_SIZE }, () =>
      Array.from({ length: PLANT_SIZE }, (_, j) => {
        if (kind === 'flat') return [grey];
        if (kind === 'vertical') return [columns.has(j) ? 1 : 0.2 * rng()];
        return [rng()];
      }),
    );
  });
}

/** Writes examples as tensor JSON {"x": [...]} at dir/name; returns the path. */
export function writeTensorSet(dir: string, name: string, x: unknown[]): string {
  const file = path.join(dir, name);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify({ x }));
  return file;
}
