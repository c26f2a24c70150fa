/**
 * Linear classifiers on activations [n, d]: the CAV (concept against random examples) and the
 * one-vs-rest probes, both L2-regularised logistic regression (logistic.ts) trained on a
 * stratified 2/3 and tested on the held-out 1/3. The Gram matrix and the weights are tfjs matrix
 * products; the Newton solve on the n×n Gram matrix runs in JavaScript.
 */
import * as tf from '@tensorflow/tfjs';
import { shuffleInPlace } from '../common/random';
import { fitLogistic } from './logistic';

/** Examples per class held out for testing: a third, at least one. */
function heldOut(count: number): number {
  return Math.max(1, Math.round(count / 3));
}

/** Indices split per class (labels ≥ 0) into a 2/3 training and 1/3 test part, shuffled by rng. */
export function stratifiedSplit(labels: ArrayLike<number>, rng: () => number): { train: number[]; test: number[] } {
  const byClass = new Map<number, number[]>();
  for (let i = 0; i < labels.length; i++) {
    if (!byClass.has(labels[i])) byClass.set(labels[i], []);
    byClass.get(labels[i])!.push(i);
  }
  const train: number[] = [];
  const test: number[] = [];
  for (const key of [...byClass.keys()].sort((a, b) => a - b)) {
    const members = shuffleInPlace(byClass.get(key) as number[], rng);
    const cut = members.length - heldOut(members.length);
    train.push(...members.slice(0, cut));
    test.push(...members.slice(cut));
  }
  return { train, test };
}

/** The Gram matrix X Xᵀ of rows, row-major. */
function gram(x: tf.Tensor2D): Float32Array {
  return tf.tidy(() => tf.matMul(x, x, false, true).dataSync() as Float32Array);
}

export interface LinearModel {
  /** [d, classes] for probes, [d, 1] for a binary classifier; owned by the caller. */
  weights: tf.Tensor2D;
  bias: number[];
}

/** A binary classifier of x's rows [n, d] (positive: true); its weight column points toward the positives. */
export function fitBinary(x: tf.Tensor2D, positive: readonly boolean[], alpha: number): LinearModel {
  const fit = fitLogistic(gram(x), positive, alpha);
  const weights = tf.tidy(() => tf.matMul(x, tf.tensor2d(Float32Array.from(fit.a), [fit.a.length, 1]), true, false) as tf.Tensor2D);
  return { weights, bias: [fit.b] };
}

/**
 * A linear classifier of x's rows into `classes` classes (labels 0 … classes − 1): one-vs-rest, one
 * logistic regression per class on the same Gram matrix; two classes take one regression.
 */
export function fitMulticlass(x: tf.Tensor2D, labels: readonly number[], classes: number, alpha: number): LinearModel {
  const k = gram(x);
  const fits = classes === 2 ? [fitLogistic(k, labels.map((l) => l === 1), alpha)] : Array.from({ length: classes }, (_, c) => fitLogistic(k, labels.map((l) => l === c), alpha));
  const n = labels.length;
  const a = new Float32Array(n * fits.length);
  fits.forEach((fit, c) => fit.a.forEach((v, i) => (a[i * fits.length + c] = v)));
  const weights = tf.tidy(() => {
    const w = tf.matMul(x, tf.tensor2d(a, [n, fits.length]), true, false) as tf.Tensor2D;
    // Two classes: class 0's score is the negation of class 1's.
    return classes === 2 ? (tf.concat([tf.neg(w), w], 1) as tf.Tensor2D) : w;
  });
  const bias = classes === 2 ? [-fits[0].b, fits[0].b] : fits.map((f) => f.b);
  return { weights, bias };
}

/** x [n, d] → each row's scores [n][classes] under the model. */
export function scores(model: LinearModel, x: tf.Tensor2D): number[][] {
  return tf.tidy(() => tf.add(tf.matMul(x, model.weights), tf.tensor1d(model.bias)).arraySync() as number[][]);
}

/** The fraction of rows whose highest score is their label's. */
export function accuracy(rows: number[][], labels: readonly number[]): number {
  const right = rows.filter((r, i) => r.indexOf(Math.max(...r)) === labels[i]).length;
  return rows.length === 0 ? 0 : right / rows.length;
}
