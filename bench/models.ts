/**
 * The benchmark's two models, written once as checkpoint folders under the OS temp dir so that every
 * process (the bench, its per-method children, workers, the CLI) loads them by path like any model:
 * - cnn32: the notes' 32×32×3 CNN (133k params, seeded random weights);
 * - mobilenetv2: the real MobileNetV2 shipped in nsfwjs@4.4.0 (224×224×3 → 5). Its classes are
 *   adult-content categories: benchmarks feed it synthetic inputs only.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { saveLayersModel } from '../src/engine/checkpoint/save';

const CACHE = path.join(os.tmpdir(), 'model-lens-bench');

export const BENCH_MODELS = ['cnn32', 'mobilenetv2'] as const;
export type BenchModel = (typeof BENCH_MODELS)[number];

/** conv 16 → BN → ReLU → maxpool → depthwise → ReLU → separable 32 → BN → ReLU → maxpool → dense 64 → dropout → dense 10. */
function cnn32(): tf.LayersModel {
  let seed = 100;
  const init = () => tf.initializers.glorotUniform({ seed: seed++ });
  const bn = () => tf.layers.batchNormalization({
    movingMeanInitializer: tf.initializers.randomUniform({ minval: -0.1, maxval: 0.1, seed: seed++ }),
    movingVarianceInitializer: tf.initializers.randomUniform({ minval: 0.5, maxval: 1.5, seed: seed++ }),
  });
  return tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [32, 32, 3], filters: 16, kernelSize: 3, padding: 'same', kernelInitializer: init() }),
      bn(),
      tf.layers.reLU(),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.depthwiseConv2d({ kernelSize: 3, padding: 'same', activation: 'relu', depthwiseInitializer: init() }),
      tf.layers.separableConv2d({ filters: 32, kernelSize: 3, padding: 'same', depthwiseInitializer: init(), pointwiseInitializer: init() }),
      bn(),
      tf.layers.reLU(),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 64, activation: 'relu', kernelInitializer: init() }),
      tf.layers.dropout({ rate: 0.5 }),
      tf.layers.dense({ units: 10, activation: 'softmax', kernelInitializer: init() }),
    ],
  });
}

/** nsfwjs ships model.json and its one shard as JS modules (the shard as base64). */
function writeMobileNetV2(dir: string): string {
  const shipped = path.join(path.dirname(require.resolve('nsfwjs')), '../models/mobilenet_v2');
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the model ships as CommonJS modules, loaded by path
  const json = require(path.join(shipped, 'model.min.js')) as { modelTopology: object; weightsManifest: Array<{ weights: object[] }> };
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the model ships as CommonJS modules, loaded by path
  const shard = require(path.join(shipped, 'group1-shard1of1.min.js')) as string;
  fs.mkdirSync(dir, { recursive: true });
  const weights = json.weightsManifest.flatMap((group) => group.weights);
  const file = path.join(dir, 'model.json');
  fs.writeFileSync(path.join(dir, 'weights.bin'), Buffer.from(shard, 'base64'));
  fs.writeFileSync(file, JSON.stringify({ format: 'layers-model', modelTopology: json.modelTopology, weightsManifest: [{ paths: ['weights.bin'], weights }] }));
  return file;
}

/** The model.json path of a bench model, written on first use. */
export async function benchModelPath(name: BenchModel): Promise<string> {
  const dir = path.join(CACHE, name);
  const file = path.join(dir, 'model.json');
  if (fs.existsSync(file)) return file;
  if (name === 'mobilenetv2') return writeMobileNetV2(dir);
  const model = cnn32();
  await saveLayersModel(model, dir);
  model.dispose();
  return file;
}
