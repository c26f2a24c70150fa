/**
 * Models with fixed weights whose Grad-CAM and occlusion maps are worked out by hand (issue 3),
 * plus small CNNs for layer inference, nesting and batching tests.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import type { Checkpoint } from '../../src/engine/checkpoint/load';
import { loadCheckpoint } from '../../src/engine/checkpoint/load';
import { saveLayersModel } from '../../src/engine/checkpoint/save';
import { tempDir } from './tempDir';

/** Saves a layers model and loads it back as the engine does (so tests use loaded checkpoints). */
export async function layersCheckpoint(model: tf.LayersModel): Promise<Checkpoint> {
  const checkpoint = await loadCheckpoint(await saveLayersModel(model, tempDir()));
  model.dispose();
  return checkpoint;
}

/** Sets a layer's weights and frees the temporaries (the layer keeps its own copies). */
function setWeights(layer: tf.layers.Layer, weights: tf.Tensor[]): void {
  layer.setWeights(weights);
  tf.dispose(weights);
}

/**
 * Captum's occlusion toy (BasicModel_MultiLayer): y = Lin2(ReLU(Lin1(x))), Lin1 = ones(4×3) with
 * bias [−10, 1, 1, 1], Lin2 = ones(2×4) with bias [−1, 1]. Input [20, 50, 30]: hidden
 * [90, 101, 101, 101], y = [392, 394].
 */
export function occlusionToy(): tf.LayersModel {
  const lin1 = tf.layers.dense({ inputShape: [3], units: 4, activation: 'relu', name: 'lin1' });
  const lin2 = tf.layers.dense({ units: 2, name: 'lin2' });
  const model = tf.sequential({ layers: [lin1, lin2] });
  setWeights(lin1, [tf.ones([3, 4]), tf.tensor1d([-10, 1, 1, 1])]);
  setWeights(lin2, [tf.ones([4, 2]), tf.tensor1d([-1, 1])]);
  return model;
}

/** The Grad-CAM toy's input: one channel, 4×4, holding 0..15 row by row. */
export function gradCamToyInput(): tf.Tensor4D {
  return tf.tensor4d(Array.from({ length: 16 }, (_, i) => i), [1, 4, 4, 1]);
}

/**
 * The Grad-CAM toy's dense kernel [8, 4]; rows follow Flatten's order of the [2, 2, 2] conv output,
 * (row·2 + col)·2 + channel. Unit 0: +1 from every position of channel 0 and from channel 1 at
 * (0, 0), −1 from channel 1 elsewhere. Unit 1: the negation. Unit 2: +1 from everything. Unit 3: 0.
 */
export function gradCamToyDenseKernel(): number[][] {
  const rows: number[][] = [];
  for (let pos = 0; pos < 4; pos++) {
    for (let c = 0; c < 2; c++) {
      const unit0 = c === 0 || pos === 0 ? 1 : -1;
      rows.push([unit0, -unit0, 1, 0]);
    }
  }
  return rows;
}

/**
 * Issue 3's Grad-CAM toy as a layers model: conv 1→2 channels, 3×3 kernels of ones, valid padding,
 * biases [−50, −75], linear ('conv'); ReLU as its own layer ('conv_relu'); flatten ('flat');
 * dense 8→4, zero bias, ReLU ('dense').
 *
 * By hand, at input 0..15: window sums [[45, 54], [81, 90]], so conv channel 0 = [[−5, 4], [31, 40]]
 * and channel 1 = [[−30, −21], [6, 15]]. Unit 0 = 75 + 0 − 6 − 15 = 54 > 0, so ∂y0/∂conv is the
 * dense weight where the conv ReLU passes: channel 0 [[0, 1], [1, 1]] → α0 = 0.75, channel 1
 * [[0, 0], [−1, −1]] → α1 = −0.5. α0·A0 = [[−3.75, 3], [23.25, 30]], α1·A1 = [[15, 10.5], [−3, −7.5]],
 * signed Grad-CAM = [[11.25, 13.5], [20.25, 22.5]].
 */
export function gradCamToy(): tf.LayersModel {
  const conv = tf.layers.conv2d({ inputShape: [4, 4, 1], filters: 2, kernelSize: 3, padding: 'valid', name: 'conv' });
  const dense = tf.layers.dense({ units: 4, activation: 'relu', name: 'dense' });
  const model = tf.sequential({
    layers: [conv, tf.layers.activation({ activation: 'relu', name: 'conv_relu' }), tf.layers.flatten({ name: 'flat' }), dense],
  });
  setWeights(conv, [tf.ones([3, 3, 1, 2]), tf.tensor1d([-50, -75])]);
  setWeights(dense, [tf.tensor2d(gradCamToyDenseKernel()), tf.zeros([4])]);
  return model;
}

/**
 * The toy's conv ('conv', linear) and ReLU with free height and width ([null, null, 1]), then global
 * average pooling and a dense 2 → 1 with weights [1, −1], no bias: y = mean(relu(A0)) − mean(relu(A1)).
 * On the 4×4 input, ∂y/∂A = ¼·[[0, 1], [1, 1]] and −¼·[[0, 0], [1, 1]], so α = 3/16 and −1/8 and the
 * signed map at 'conv' is a quarter of the toy's: [[2.8125, 3.375], [5.0625, 5.625]].
 */
export function gradCamToyFreeSize(): tf.LayersModel {
  const conv = tf.layers.conv2d({ inputShape: [null, null, 1], filters: 2, kernelSize: 3, padding: 'valid', name: 'conv' });
  const dense = tf.layers.dense({ units: 1, useBias: false, name: 'diff' });
  const model = tf.sequential({
    layers: [conv, tf.layers.activation({ activation: 'relu', name: 'conv_relu' }), tf.layers.globalAveragePooling2d({ name: 'gap' }), dense],
  });
  setWeights(conv, [tf.ones([3, 3, 1, 2]), tf.tensor1d([-50, -75])]);
  setWeights(dense, [tf.tensor2d([[1], [-1]])]);
  return model;
}

/**
 * The same toy as a TensorFlow graph model (GraphDef JSON written by hand): x → conv/Conv2D →
 * conv/BiasAdd → conv/Relu → flat/Reshape → dense/MatMul → out (Relu). Returns model.json's path.
 */
export function writeGradCamToyGraph(dir: string = tempDir()): string {
  const float = { type: 'DT_FLOAT' };
  const dims = (...d: number[]) => ({ dim: d.map((size) => ({ size: String(size) })) });
  const ints = (...v: number[]) => ({ list: { i: v.map(String) } });
  const str = (s: string) => ({ s: Buffer.from(s).toString('base64') });
  const konst = (name: string, dtype: string, shape: number[]) => ({
    name,
    op: 'Const',
    attr: { dtype: { type: dtype }, value: { tensor: { dtype, tensorShape: dims(...shape) } } },
  });
  const topology = {
    node: [
      { name: 'x', op: 'Placeholder', attr: { dtype: float, shape: { shape: dims(-1, 4, 4, 1) } } },
      konst('conv/kernel', 'DT_FLOAT', [3, 3, 1, 2]),
      konst('conv/bias', 'DT_FLOAT', [2]),
      konst('flat/shape', 'DT_INT32', [2]),
      konst('dense/kernel', 'DT_FLOAT', [8, 4]),
      {
        name: 'conv/Conv2D',
        op: 'Conv2D',
        input: ['x', 'conv/kernel'],
        attr: { T: float, strides: ints(1, 1, 1, 1), dilations: ints(1, 1, 1, 1), padding: str('VALID'), data_format: str('NHWC') },
      },
      { name: 'conv/BiasAdd', op: 'BiasAdd', input: ['conv/Conv2D', 'conv/bias'], attr: { T: float, data_format: str('NHWC') } },
      { name: 'conv/Relu', op: 'Relu', input: ['conv/BiasAdd'], attr: { T: float } },
      { name: 'flat/Reshape', op: 'Reshape', input: ['conv/Relu', 'flat/shape'], attr: { T: float, Tshape: { type: 'DT_INT32' } } },
      { name: 'dense/MatMul', op: 'MatMul', input: ['flat/Reshape', 'dense/kernel'], attr: { T: float, transpose_a: { b: false }, transpose_b: { b: false } } },
      { name: 'out', op: 'Relu', input: ['dense/MatMul'], attr: { T: float } },
    ],
    versions: { producer: 1 },
  };
  const weights = [
    { name: 'conv/kernel', shape: [3, 3, 1, 2], dtype: 'float32' },
    { name: 'conv/bias', shape: [2], dtype: 'float32' },
    { name: 'flat/shape', shape: [2], dtype: 'int32' },
    { name: 'dense/kernel', shape: [8, 4], dtype: 'float32' },
  ];
  const data = Buffer.concat([
    Buffer.from(new Float32Array(18).fill(1).buffer),
    Buffer.from(new Float32Array([-50, -75]).buffer),
    Buffer.from(new Int32Array([-1, 8]).buffer),
    Buffer.from(new Float32Array(gradCamToyDenseKernel().flat()).buffer),
  ]);
  const json = { format: 'graph-model', generatedBy: 'model-lens tests', modelTopology: topology, weightsManifest: [{ paths: ['weights.bin'], weights }] };
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'model.json'), JSON.stringify(json));
  fs.writeFileSync(path.join(dir, 'weights.bin'), data);
  return path.join(dir, 'model.json');
}

/**
 * A functional model with a Sequential conv block used as one layer:
 * x [8, 8, 1] → block (block_conv1: 3 filters 3×3 same relu → block_conv2: 4 filters 3×3 valid relu)
 * → outer_pool (max 2) → outer_flat → head (dense 3). Seeded weights.
 */
export function nestedCnn(): tf.LayersModel {
  const init = (seed: number) => tf.initializers.glorotUniform({ seed });
  const block = tf.sequential({
    name: 'block',
    layers: [
      tf.layers.conv2d({ inputShape: [8, 8, 1], filters: 3, kernelSize: 3, padding: 'same', activation: 'relu', name: 'block_conv1', kernelInitializer: init(11), biasInitializer: tf.initializers.constant({ value: 0.1 }) }),
      tf.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'valid', activation: 'relu', name: 'block_conv2', kernelInitializer: init(12), biasInitializer: tf.initializers.constant({ value: 0.05 }) }),
    ],
  });
  const input = tf.input({ shape: [8, 8, 1], name: 'image' });
  const features = block.apply(input) as tf.SymbolicTensor;
  const pooled = tf.layers.maxPooling2d({ poolSize: 2, name: 'outer_pool' }).apply(features) as tf.SymbolicTensor;
  const flat = tf.layers.flatten({ name: 'outer_flat' }).apply(pooled) as tf.SymbolicTensor;
  const out = tf.layers.dense({ units: 3, name: 'head', kernelInitializer: init(13) }).apply(flat) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: out, name: 'nested_cnn' });
}

/** Finds a layer by name in a model and the models nested inside it. */
export function findLayer(model: tf.LayersModel, name: string): tf.layers.Layer {
  for (const layer of model.layers) {
    if (layer.name === name) return layer;
    if (layer instanceof tf.LayersModel) {
      try {
        return findLayer(layer, name);
      } catch {
        // not in this one
      }
    }
  }
  throw new Error(`no layer ${name}`);
}

/**
 * nestedCnn's forward written with plain ops from its weights, split at block_conv2's output:
 * head(x) = that activation, tail(a) = logits. Independent of tfjs-layers' execution.
 */
export function nestedCnnByHand(model: tf.LayersModel): { head(x: tf.Tensor4D): tf.Tensor4D; tail(a: tf.Tensor4D): tf.Tensor2D } {
  const [k1, b1] = findLayer(model, 'block_conv1').getWeights();
  const [k2, b2] = findLayer(model, 'block_conv2').getWeights();
  const [kd, bd] = findLayer(model, 'head').getWeights();
  return {
    head: (x) => {
      const h1 = tf.relu(tf.add(tf.conv2d(x, k1 as tf.Tensor4D, 1, 'same'), b1));
      return tf.relu(tf.add(tf.conv2d(h1 as tf.Tensor4D, k2 as tf.Tensor4D, 1, 'valid'), b2)) as tf.Tensor4D;
    },
    tail: (a) => {
      const pooled = tf.maxPool(a, 2, 2, 'valid');
      return tf.add(tf.matMul(pooled.reshape([a.shape[0], -1]), kd as tf.Tensor2D), bd) as tf.Tensor2D;
    },
  };
}

/**
 * Images [h, w, c] → 2 outputs, no bias: unit 0 = the sum of everything, unit 1 = the sum of the
 * rows [top, top+2) × columns [left, left+2) over all channels.
 */
export function regionSumModel(h: number, w: number, c: number, top: number, left: number): tf.LayersModel {
  const dense = tf.layers.dense({ units: 2, useBias: false, name: 'sums' });
  const model = tf.sequential({ layers: [tf.layers.flatten({ inputShape: [h, w, c], name: 'flat' }), dense] });
  const kernel: number[][] = [];
  for (let i = 0; i < h; i++) {
    for (let j = 0; j < w; j++) {
      for (let k = 0; k < c; k++) kernel.push([1, i >= top && i < top + 2 && j >= left && j < left + 2 ? 1 : 0]);
    }
  }
  setWeights(dense, [tf.tensor2d(kernel)]);
  return model;
}

/** A small CNN with seeded weights for batching and leak tests: [6, 7, 2] → conv → relu → pool → dense 3. */
export function smallCnn(): tf.LayersModel {
  const init = (seed: number) => tf.initializers.glorotUniform({ seed });
  return tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [6, 7, 2], filters: 3, kernelSize: 2, activation: 'relu', name: 'c1', kernelInitializer: init(21) }),
      tf.layers.maxPooling2d({ poolSize: 2, name: 'p1' }),
      tf.layers.flatten({ name: 'f' }),
      tf.layers.dense({ units: 3, activation: 'softmax', name: 'd', kernelInitializer: init(22) }),
    ],
  });
}
