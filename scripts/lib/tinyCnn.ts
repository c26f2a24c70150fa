/**
 * The small CNN of the influence validation, LeNet-style with smooth activations:
 * conv 3×3 (8 filters, valid) → 2×2 average pooling → tanh → flatten → dense 10 softmax.
 * tanh and average pooling keep the loss twice differentiable everywhere (no ReLU or max-pool
 * kinks), which the influence functions' second-order expansion assumes; Koh & Liang used smooth
 * activations for the same reason.
 *
 * Training and retraining run this model many thousands of times, so they use an equivalent
 * forward: conv → average pool is linear in the input, so it equals a matrix product of the
 * filters with each pooled cell's mean 3×3 patch, computed once per data set.
 */
import * as tf from '@tensorflow/tfjs';

const KERNEL = 3;
const POOL = 2;
const FILTERS = 8;
const CLASSES = 10;

export function buildTinyCnn(size: number, seed: number): tf.Sequential {
  let next = seed;
  const init = () => tf.initializers.glorotUniform({ seed: next++ });
  return tf.sequential({
    name: 'tiny_cnn',
    layers: [
      tf.layers.conv2d({ name: 'conv', inputShape: [size, size, 1], filters: FILTERS, kernelSize: KERNEL, kernelInitializer: init() }),
      tf.layers.averagePooling2d({ name: 'pool', poolSize: POOL }),
      tf.layers.activation({ name: 'tanh', activation: 'tanh' }),
      tf.layers.flatten({ name: 'flatten' }),
      tf.layers.dense({ name: 'probs', units: CLASSES, activation: 'softmax', kernelInitializer: init() }),
    ],
  });
}

/**
 * [n, cells, 9]: for each image and each pooled output cell (row-major, as flatten orders them),
 * the mean over the cell's 2×2 conv positions of the 3×3 input patch at that position.
 */
export function pooledPatches(x: tf.Tensor4D): tf.Tensor3D {
  const [n, size] = x.shape;
  const out = Math.floor((size - KERNEL + 1) / POOL);
  const pixels = x.dataSync();
  const patches = new Float32Array(n * out * out * KERNEL * KERNEL);
  let k = 0;
  for (let img = 0; img < n; img++) {
    const base = img * size * size;
    for (let r = 0; r < out; r++) {
      for (let c = 0; c < out; c++) {
        for (let a = 0; a < KERNEL; a++) {
          for (let b = 0; b < KERNEL; b++) {
            let sum = 0;
            for (let u = 0; u < POOL; u++) for (let v = 0; v < POOL; v++) sum += pixels[base + (r * POOL + u + a) * size + c * POOL + v + b];
            patches[k++] = sum / (POOL * POOL);
          }
        }
      }
    }
  }
  return tf.tensor3d(patches, [n, out * out, KERNEL * KERNEL]);
}

/** The model's pre-softmax outputs from {@link pooledPatches} of its inputs, using its own weights. */
export function tinyCnnLogits(model: tf.LayersModel, patches: tf.Tensor3D): tf.Tensor2D {
  const [convKernel, convBias, denseKernel, denseBias] = model.trainableWeights.map((w) => w.read());
  const [n, cells, taps] = patches.shape;
  const filters = convKernel.shape[3] as number;
  const pooled = tf.add(tf.matMul(tf.reshape(patches, [n * cells, taps]), tf.reshape(convKernel, [taps, filters])), convBias);
  const features = tf.reshape(tf.tanh(pooled), [n, cells * filters]);
  return tf.add(tf.matMul(features, denseKernel as tf.Tensor2D), denseBias) as tf.Tensor2D;
}
