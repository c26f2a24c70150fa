/**
 * Trains the bundled example `examples/concepts-cnn/`: a small CNN on synthetic 32×32 images with a
 * planted concept. Three classes: 'zebra' (a blob filled with stripes), 'horse' (the same blob,
 * solid, as bright on average) and 'field' (no blob). One class always carries the concept
 * *striped*; the concept *shaded* (the background's brightness ramps across the image) appears in
 * half the images of every class, so it carries no information about any class. TCAV should find
 * striped → zebra and not shaded.
 * Seeded and reproducible (wasm backend, seeded initializers and data). Run by hand, never in CI:
 *
 *   npx tsc -p . && node out/scripts/train-concepts-cnn.js
 *
 * Writes model.json + weights.bin, model.lens.json, metrics.json, and as 32×32 grayscale PNGs:
 * concepts/striped/ and concepts/shaded/ (50 concept images each), random/set-00 … set-19/ (20
 * random sets of 50 images: flat backgrounds and solid shapes), data/test/<class>/ (50 test images
 * per class, the class inputs) and data/probe/{striped,plain}/ (60 each: blobs with and without
 * stripes, for probes).
 */
import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src/engine/backend/select';
import { makeRng, shuffleInPlace } from '../src/engine/common/random';
import type { Sidecar } from '../src/protocol/model';
import { writeGrayPng } from './lib/grayPng';
import { writeJson } from './lib/json';
import { writeMetrics } from './lib/metrics';
import { loadLayersModel, saveExampleModel } from './lib/modelFiles';
import { exampleDir, ROOT } from './lib/paths';
import { runScript } from './lib/run';
import { buildSmallCnn, imageTensors } from './lib/smallCnn';

const SEED = 12;
const SIZE = 32;
const CLASSES = ['zebra', 'horse', 'field'] as const;
type ClassName = (typeof CLASSES)[number];
const TRAIN_PER_CLASS = 600;
const TEST_PER_CLASS = 50;
const CONCEPT_SIZE = 50;
const RANDOM_SETS = 20;
const PROBE_PER_LABEL = 60;
const EPOCHS = 8;
const BATCH = 32;
const LEARNING_RATE = 0.003;
const OUT_DIR = exampleDir('concepts-cnn');

type Rng = () => number;
type Image = Float32Array;

/** Background: a grey level and pixel noise; shaded, a ramp of ±0.2 across the image in a random direction. */
function background(rng: Rng, shaded = false): Image {
  const level = 0.15 + 0.25 * rng();
  const angle = 2 * Math.PI * rng();
  const [di, dj] = shaded ? [(0.4 * Math.sin(angle)) / SIZE, (0.4 * Math.cos(angle)) / SIZE] : [0, 0];
  return Float32Array.from({ length: SIZE * SIZE }, (_, k) => {
    const [i, j] = [Math.floor(k / SIZE) - SIZE / 2, (k % SIZE) - SIZE / 2];
    return level + di * i + dj * j + 0.08 * (rng() - 0.5);
  });
}

/** A random ellipse: whether (i, j) is inside it. */
function blob(rng: Rng): (i: number, j: number) => boolean {
  const [ci, cj] = [10 + 12 * rng(), 10 + 12 * rng()];
  const [ri, rj] = [6 + 5 * rng(), 6 + 5 * rng()];
  return (i, j) => ((i - ci) / ri) ** 2 + ((j - cj) / rj) ** 2 <= 1;
}

/** A random rectangle: whether (i, j) is inside it. */
function rectangle(rng: Rng, min = 8, spread = 14): (i: number, j: number) => boolean {
  const [h, w] = [min + Math.floor(spread * rng()), min + Math.floor(spread * rng())];
  const [top, left] = [Math.floor((SIZE - h) * rng()), Math.floor((SIZE - w) * rng())];
  return (i, j) => i >= top && i < top + h && j >= left && j < left + w;
}

/** Stripes of a random orientation, period and phase: 1 on a bright band, 0 between. */
function stripes(rng: Rng): (i: number, j: number) => number {
  const angle = Math.PI * rng();
  const period = 4 + 3 * rng();
  const phase = period * rng();
  const [c, s] = [Math.cos(angle), Math.sin(angle)];
  return (i, j) => (((i * c + j * s + phase) % period) + period) % period < period / 2 ? 1 : 0;
}

function fill(image: Image, inside: (i: number, j: number) => boolean, value: (i: number, j: number) => number): void {
  for (let i = 0; i < SIZE; i++) for (let j = 0; j < SIZE; j++) if (inside(i, j)) image[i * SIZE + j] = value(i, j);
}

/** An image of a class: the blob striped (zebra) or solid at the stripes' mean brightness (horse), or none (field); shaded half the time. */
function classImage(label: ClassName, rng: Rng): Image {
  const image = background(rng, rng() < 0.5);
  const [dark, bright] = [0.05 + 0.1 * rng(), 0.75 + 0.2 * rng()];
  if (label !== 'field') {
    const inside = blob(rng);
    const band = stripes(rng);
    fill(image, inside, label === 'zebra' ? (i, j) => (band(i, j) ? bright : dark) : () => (dark + bright) / 2);
  }
  return image;
}

/** The concept striped: a striped rectangle on a background (no blob, so the concept is not the class's shape). */
function stripedImage(rng: Rng): Image {
  const image = background(rng);
  const [dark, bright] = [0.05 + 0.1 * rng(), 0.75 + 0.2 * rng()];
  const band = stripes(rng);
  fill(image, rectangle(rng, 12, 16), (i, j) => (band(i, j) ? bright : dark));
  return image;
}

/** The concept shaded: a shaded background with a solid shape, as random images have. */
function shadedImage(rng: Rng): Image {
  const image = background(rng, true);
  const value = rng();
  fill(image, rng() < 0.5 ? blob(rng) : rectangle(rng, 4, 20), () => value);
  return image;
}

/** A random image: background and one or two solid shapes of any brightness. */
function randomImage(rng: Rng): Image {
  const image = background(rng);
  const shapes = 1 + Math.floor(2 * rng());
  for (let k = 0; k < shapes; k++) {
    const value = rng();
    fill(image, rng() < 0.5 ? blob(rng) : rectangle(rng, 4, 20), () => value);
  }
  return image;
}

interface Example {
  image: Image;
  label: number;
}

function makeSet(perClass: number, rng: Rng): Example[] {
  return CLASSES.flatMap((c, label) => Array.from({ length: perClass }, () => ({ image: classImage(c, rng), label })));
}

function toTensors(examples: Example[]): { xs: tf.Tensor4D; ys: tf.Tensor2D } {
  return imageTensors(examples.map((e) => e.image), examples.map((e) => e.label), SIZE, CLASSES.length);
}

function accuracy(model: tf.LayersModel, examples: Example[]): number {
  const { xs, ys } = toTensors(examples);
  const pred = tf.tidy(() => (model.predict(xs) as tf.Tensor).argMax(-1).arraySync() as number[]);
  tf.dispose([xs, ys]);
  return pred.filter((p, i) => p === examples[i].label).length / examples.length;
}

/** Writes images as dir/<prefix>-<i>.png. */
function writeImages(dir: string, images: Image[], prefix: string): void {
  fs.mkdirSync(path.join(OUT_DIR, dir), { recursive: true });
  images.forEach((image, i) => writeGrayPng(path.join(OUT_DIR, dir, `${prefix}-${String(i).padStart(3, '0')}.png`), image, SIZE));
}

async function main(): Promise<void> {
  const { backend } = await initBackend('wasm');
  console.log(`backend ${backend}`);
  const started = Date.now();
  // One stream per kind of data, so that changing one set leaves the others as they were.
  const stream = (k: number) => makeRng(SEED * 1000 + k);
  const train = makeSet(TRAIN_PER_CLASS, stream(1));
  const test = makeSet(TEST_PER_CLASS, stream(2));

  const model = buildSmallCnn('concepts_cnn', SIZE, CLASSES.length, SEED);
  model.compile({ optimizer: tf.train.adam(LEARNING_RATE), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  model.summary();
  const order = stream(3);
  for (let epoch = 1; epoch <= EPOCHS; epoch++) {
    // A fresh seeded order every epoch; fit's own shuffle uses Math.random, so it is off.
    const { xs, ys } = toTensors(shuffleInPlace(train.slice(), order));
    const h = await model.fit(xs, ys, { epochs: 1, batchSize: BATCH, shuffle: false, verbose: 0 });
    tf.dispose([xs, ys]);
    console.log(`epoch ${epoch}/${EPOCHS}: loss ${(h.history.loss[0] as number).toFixed(4)}, train acc ${(h.history.acc[0] as number).toFixed(4)}, ${((Date.now() - started) / 1000).toFixed(0)} s`);
  }
  const testAccuracy = accuracy(model, test);
  const trainAccuracy = accuracy(model, train);
  console.log(`test accuracy ${testAccuracy}, train accuracy ${trainAccuracy}`);
  if (testAccuracy < 0.95) throw new Error(`test accuracy ${testAccuracy} < 0.95: not writing the example`);

  const weightBytes = await saveExampleModel(model, OUT_DIR);
  const conceptRng = stream(4);
  writeImages('concepts/striped', Array.from({ length: CONCEPT_SIZE }, () => stripedImage(conceptRng)), 'striped');
  writeImages('concepts/shaded', Array.from({ length: CONCEPT_SIZE }, () => shadedImage(conceptRng)), 'shaded');
  const randomRng = stream(5);
  for (let k = 0; k < RANDOM_SETS; k++) {
    writeImages(`random/set-${String(k).padStart(2, '0')}`, Array.from({ length: CONCEPT_SIZE }, () => randomImage(randomRng)), 'random');
  }
  CLASSES.forEach((c, label) => writeImages(`data/test/${c}`, test.filter((e) => e.label === label).map((e) => e.image), c));
  const probeRng = stream(6);
  writeImages('data/probe/striped', Array.from({ length: PROBE_PER_LABEL }, () => classImage('zebra', probeRng)), 'striped');
  writeImages('data/probe/plain', Array.from({ length: PROBE_PER_LABEL }, () => classImage(probeRng() < 0.5 ? 'horse' : 'field', probeRng)), 'plain');

  const sidecar: Sidecar = {
    description:
      "Small CNN (conv1 8×3×3 → pool → conv2 16×3×3 → pool → dense 32 → softmax 3) on synthetic 32×32 images with a planted concept: 'zebra' blobs are always striped, " +
      "'horse' blobs solid, 'field' images have none; half the images of every class have a shaded background. " +
      `Test accuracy ${(testAccuracy * 100).toFixed(1)}% on ${test.length} held-out images. Input: 32×32 grayscale, pixel values scaled to [0, 1].`,
    input: { kind: 'image', size: [SIZE, SIZE], channels: 1, scale: 1 / 255 },
    labels: [...CLASSES],
    data: { test: 'data/test', samples: ['data/test/zebra/zebra-000.png', 'data/test/horse/horse-000.png'], concepts: { striped: 'concepts/striped', shaded: 'concepts/shaded' }, random: 'random' },
  };
  writeJson(path.join(OUT_DIR, 'model.lens.json'), sidecar);
  writeMetrics(path.join(OUT_DIR, 'metrics.json'), { train, test, testAccuracy, trainAccuracy, epochs: EPOCHS, batchSize: BATCH, learningRate: LEARNING_RATE, seed: SEED }, {
    data: `synthetic, seeded: ${TRAIN_PER_CLASS} train and ${TEST_PER_CLASS} test images per class`,
  });

  // Round trip: what was written loads and predicts the same.
  const reloaded = await loadLayersModel(OUT_DIR);
  const reloadedAccuracy = accuracy(reloaded, test);
  if (reloadedAccuracy !== testAccuracy) throw new Error(`reloaded accuracy ${reloadedAccuracy} != ${testAccuracy}`);
  console.log(`wrote ${path.relative(ROOT, OUT_DIR)} (weights ${weightBytes} bytes) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

runScript(main);
