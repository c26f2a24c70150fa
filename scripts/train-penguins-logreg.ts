/**
 * Trains the bundled example `examples/penguins-logreg/`: softmax regression on the Palmer
 * penguins (`penguins.json` of the `vega-datasets` npm package, read with fs: the package's
 * exports block require). Seeded and reproducible (cpu backend, seeded split, full-batch Adam from
 * zero weights). Run by hand, never in CI:
 *
 *   npx tsc -p . && node out/scripts/train-penguins-logreg.js
 *
 * Features: the four measurements (raw units: mm and g, standardised by the sidecar's training
 * mean/std) and one-hot island and sex columns (mean 0, std 1: fed as they are). The sidecar holds
 * the counterfactual constraints: island and sex immutable, body mass within the observed range,
 * flipper length a whole number of millimetres. Writes model.json + weights.bin, model.lens.json,
 * metrics.json, data/train.csv and data/test.csv (label column `species`) and samples/<species>.csv.
 */
import * as tf from '@tensorflow/tfjs';
import * as fs from 'fs';
import * as path from 'path';
import type { Sidecar } from '../src/protocol/model';
import { makeRng, shuffleInPlace } from '../src/engine/common/random';
import { writeJson } from './lib/json';
import { accuracy, writeMetrics } from './lib/metrics';
import { loadLayersModel, saveExampleModel } from './lib/modelFiles';
import { ROOT, exampleDir } from './lib/paths';
import { runScript, useCpuBackend } from './lib/run';

const SEED = 11;
const TEST_FRACTION = 0.2;
const EPOCHS = 2000;
const LEARNING_RATE = 0.02;
/** L2 strength on the kernel: the species are nearly separable, and unregularised weights would grow without end. */
const L2 = 1e-3;
const SPECIES = ['Adelie', 'Chinstrap', 'Gentoo'];
const ISLANDS = ['Biscoe', 'Dream', 'Torgersen'];
const SEXES = ['female', 'male'];
const MEASUREMENTS = ['beak_length_mm', 'beak_depth_mm', 'flipper_length_mm', 'body_mass_g'];
const FEATURES = [...MEASUREMENTS, ...ISLANDS.map((i) => `island_${i}`), ...SEXES.map((s) => `sex_${s}`)];
const LABEL_COLUMN = 'species';

const OUT_DIR = exampleDir('penguins-logreg');

interface Penguin {
  Species: string;
  Island: string;
  'Beak Length (mm)': number | null;
  'Beak Depth (mm)': number | null;
  'Flipper Length (mm)': number | null;
  'Body Mass (g)': number | null;
  Sex: string | null;
}

interface Row {
  index: number;
  x: number[];
  label: number;
}

/** The penguins with every measurement and a sex (333 of 344), as feature rows. */
function readPenguins(): Row[] {
  const file = path.join(ROOT, 'node_modules/vega-datasets/data/penguins.json');
  const penguins = JSON.parse(fs.readFileSync(file, 'utf8')) as Penguin[];
  const rows: Row[] = [];
  penguins.forEach((p, index) => {
    const measures = [p['Beak Length (mm)'], p['Beak Depth (mm)'], p['Flipper Length (mm)'], p['Body Mass (g)']];
    const sex = (p.Sex ?? '').toLowerCase();
    if (measures.some((m) => m === null) || !SEXES.includes(sex)) return;
    const x = [...(measures as number[]), ...ISLANDS.map((i) => (p.Island === i ? 1 : 0)), ...SEXES.map((s) => (sex === s ? 1 : 0))];
    rows.push({ index, x, label: SPECIES.indexOf(p.Species) });
  });
  if (rows.length !== 333 || rows.some((r) => r.label < 0)) throw new Error(`unexpected penguins data (${rows.length} complete rows)`);
  return rows;
}

function csv(rows: Row[]): string {
  return [[...FEATURES, LABEL_COLUMN].join(','), ...rows.map((r) => [...r.x.map(String), SPECIES[r.label]].join(','))].join('\n') + '\n';
}

async function main(): Promise<void> {
  await useCpuBackend();
  const started = Date.now();
  const rows = readPenguins();

  // Seeded stratified split: TEST_FRACTION of each species for testing.
  const rng = makeRng(SEED);
  const train: Row[] = [];
  const test: Row[] = [];
  SPECIES.forEach((_, c) => {
    const ofClass = shuffleInPlace(rows.filter((r) => r.label === c), rng);
    const n = Math.round(ofClass.length * TEST_FRACTION);
    test.push(...ofClass.slice(0, n));
    train.push(...ofClass.slice(n));
  });
  train.sort((a, b) => a.index - b.index);
  test.sort((a, b) => a.index - b.index);

  // The measurements are standardised with the training split (population std); one-hot columns enter as they are.
  const measured = (j: number) => j < MEASUREMENTS.length;
  const mean = FEATURES.map((_, j) => (measured(j) ? train.reduce((s, r) => s + r.x[j], 0) / train.length : 0));
  const std = FEATURES.map((_, j) => (measured(j) ? Math.sqrt(train.reduce((s, r) => s + (r.x[j] - mean[j]) ** 2, 0) / train.length) : 1));
  const round = (v: number) => Number(v.toFixed(6));
  const [sidecarMean, sidecarStd] = [mean.map(round), std.map(round)];
  const standardize = (rs: Row[]) => tf.tensor2d(rs.map((r) => r.x.map((v, j) => (v - sidecarMean[j]) / sidecarStd[j])));
  const xs = standardize(train);
  const ys = tf.oneHot(tf.tensor1d(train.map((r) => r.label), 'int32'), SPECIES.length).toFloat();

  const model = tf.sequential({ name: 'penguins_logreg' });
  model.add(tf.layers.dense({ name: 'probs', inputShape: [FEATURES.length], units: SPECIES.length, activation: 'softmax', kernelInitializer: 'zeros', kernelRegularizer: tf.regularizers.l2({ l2: L2 }) }));
  model.compile({ optimizer: tf.train.adam(LEARNING_RATE), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  const h = await model.fit(xs, ys, { epochs: EPOCHS, batchSize: train.length, shuffle: false, verbose: 0 });
  console.log(`final loss ${(h.history.loss.at(-1) as number).toFixed(4)}`);
  tf.dispose([xs, ys]);

  const accuracyOn = (rs: Row[]) => tf.tidy(() => accuracy(model, standardize(rs), rs.map((r) => r.label)));
  const testAccuracy = accuracyOn(test);
  const trainAccuracy = accuracyOn(train);
  console.log(`test accuracy ${testAccuracy} (${test.length} rows), train accuracy ${trainAccuracy} (${train.length} rows)`);

  const weightBytes = await saveExampleModel(model, OUT_DIR);
  fs.mkdirSync(path.join(OUT_DIR, 'data'), { recursive: true });
  const data = { train: 'data/train.csv', test: 'data/test.csv' };
  fs.writeFileSync(path.join(OUT_DIR, data.train), csv(train));
  fs.writeFileSync(path.join(OUT_DIR, data.test), csv(test));
  fs.mkdirSync(path.join(OUT_DIR, 'samples'), { recursive: true });
  const samples = SPECIES.map((name, c) => {
    const rel = `samples/${name.toLowerCase()}.csv`;
    fs.writeFileSync(path.join(OUT_DIR, rel), csv([test.find((r) => r.label === c)!]));
    return rel;
  });

  const mass = rows.map((r) => r.x[3]);
  const immutable = { immutable: true };
  const sidecar: Sidecar = {
    description:
      'Softmax regression on the Palmer penguins ("vega-datasets" npm package, the 333 penguins with every measurement and sex), ' +
      `trained on a seeded stratified split of ${train.length}; test accuracy ${(testAccuracy * 100).toFixed(1)}% on the other ${test.length}. ` +
      'Measurements are standardized with the training mean/std below; island and sex are one-hot.',
    input: {
      kind: 'tabular',
      features: FEATURES,
      labelColumn: LABEL_COLUMN,
      mean: sidecarMean,
      std: sidecarStd,
      constraints: {
        ...Object.fromEntries([...ISLANDS.map((i) => `island_${i}`), ...SEXES.map((s) => `sex_${s}`)].map((f) => [f, immutable])),
        flipper_length_mm: { integer: true },
        body_mass_g: { min: Math.min(...mass), max: Math.max(...mass) },
      },
      categorical: [ISLANDS.map((i) => `island_${i}`), SEXES.map((s) => `sex_${s}`)],
    },
    labels: SPECIES,
    data: { train: data.train, test: data.test, samples },
  };
  writeJson(path.join(OUT_DIR, 'model.lens.json'), sidecar);
  writeMetrics(path.join(OUT_DIR, 'metrics.json'), { train, test, testAccuracy, trainAccuracy, epochs: EPOCHS, batchSize: train.length, learningRate: LEARNING_RATE, seed: SEED }, { l2: L2, sourceRows: rows.length });

  const reloaded = await loadLayersModel(OUT_DIR);
  const diff = tf.tidy(() => {
    const all = standardize(rows);
    return (model.predict(all) as tf.Tensor).sub(reloaded.predict(all) as tf.Tensor).abs().max().dataSync()[0];
  });
  if (!(diff < 1e-6)) throw new Error(`reloaded model differs by ${diff}`);
  console.log(`wrote ${path.relative(ROOT, OUT_DIR)} (weights ${weightBytes} bytes) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

runScript(main);
