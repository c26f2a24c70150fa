/** Writes small checkpoints to disk with known weights, for loading and bad-input tests. */
import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';

/** A 4 → 8 relu → 3 softmax MLP with seeded weights. */
export function mlp(): tf.LayersModel {
  const init = (seed: number) => tf.initializers.glorotUniform({ seed });
  return tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [4], units: 8, activation: 'relu', name: 'hidden', kernelInitializer: init(1) }),
      tf.layers.dense({ units: 3, activation: 'softmax', name: 'probs', kernelInitializer: init(2) }),
    ],
  });
}

/** A tiny CNN: 8×8×1 → conv 2 filters 3×3 → maxpool → flatten → dense 2. */
export function cnn(): tf.LayersModel {
  return tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [8, 8, 1], filters: 2, kernelSize: 3, activation: 'relu', name: 'conv', kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }) }),
      tf.layers.maxPooling2d({ poolSize: 2, name: 'pool' }),
      tf.layers.flatten({ name: 'flat' }),
      tf.layers.dense({ units: 2, activation: 'softmax', name: 'out', kernelInitializer: tf.initializers.glorotUniform({ seed: 4 }) }),
    ],
  });
}

/**
 * A graph model computing softmax(x · W) for x of shape [-1, 2], W = [[1, 0], [0, 2]], written as
 * TensorFlow GraphDef JSON by hand; `op` replaces MatMul to test unsupported ops.
 */
export function writeGraphModel(dir: string, op = 'MatMul'): string {
  fs.mkdirSync(dir, { recursive: true });
  const float = { type: 'DT_FLOAT' };
  const dims = (...d: number[]) => ({ dim: d.map((size) => ({ size: String(size) })) });
  const topology = {
    node: [
      { name: 'x', op: 'Placeholder', attr: { dtype: float, shape: { shape: dims(-1, 2) } } },
      { name: 'W', op: 'Const', attr: { dtype: float, value: { tensor: { dtype: 'DT_FLOAT', tensorShape: dims(2, 2) } } } },
      { name: 'logits', op, input: ['x', 'W'], attr: { T: float, transpose_a: { b: false }, transpose_b: { b: false } } },
      { name: 'probs', op: 'Softmax', input: ['logits'], attr: { T: float } },
    ],
    versions: { producer: 1 },
  };
  const json = {
    format: 'graph-model',
    generatedBy: 'model-lens tests',
    modelTopology: topology,
    weightsManifest: [{ paths: ['weights.bin'], weights: [{ name: 'W', shape: [2, 2], dtype: 'float32' }] }],
  };
  fs.writeFileSync(path.join(dir, 'model.json'), JSON.stringify(json));
  fs.writeFileSync(path.join(dir, 'weights.bin'), Buffer.from(new Float32Array([1, 0, 0, 2]).buffer));
  return path.join(dir, 'model.json');
}
