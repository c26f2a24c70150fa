/**
 * The examples' small image CNN (mnist-cnn, concepts-cnn): conv1 8 3×3 ReLU → pool1 max 2 → conv2
 * 16 3×3 ReLU → pool2 max 2 → flatten → dense1 32 ReLU → probs softmax, seeded initializers; and
 * its training tensors from square grayscale images.
 */
import * as tf from '@tensorflow/tfjs';

export function buildSmallCnn(name: string, size: number, classes: number, seed: number): tf.Sequential {
  let next = seed;
  const init = () => tf.initializers.glorotUniform({ seed: next++ });
  const model = tf.sequential({ name });
  model.add(tf.layers.conv2d({ name: 'conv1', inputShape: [size, size, 1], filters: 8, kernelSize: 3, activation: 'relu', kernelInitializer: init() }));
  model.add(tf.layers.maxPooling2d({ name: 'pool1', poolSize: 2 }));
  model.add(tf.layers.conv2d({ name: 'conv2', filters: 16, kernelSize: 3, activation: 'relu', kernelInitializer: init() }));
  model.add(tf.layers.maxPooling2d({ name: 'pool2', poolSize: 2 }));
  model.add(tf.layers.flatten({ name: 'flatten' }));
  model.add(tf.layers.dense({ name: 'dense1', units: 32, activation: 'relu', kernelInitializer: init() }));
  model.add(tf.layers.dense({ name: 'probs', units: classes, activation: 'softmax', kernelInitializer: init() }));
  return model;
}

/** Images (size × size values each) and their labels → xs [n, size, size, 1] and one-hot ys [n, classes]. */
export function imageTensors(images: ArrayLike<number>[], labels: number[], size: number, classes: number): { xs: tf.Tensor4D; ys: tf.Tensor2D } {
  const flat = new Float32Array(images.length * size * size);
  images.forEach((image, i) => flat.set(image, i * size * size));
  const xs = tf.tensor4d(flat, [images.length, size, size, 1]);
  const ys = tf.tidy(() => tf.oneHot(tf.tensor1d(labels, 'int32'), classes).toFloat() as tf.Tensor2D);
  return { xs, ys };
}
