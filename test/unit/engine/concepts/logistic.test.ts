/**
 * The CAV classifier against the optimality conditions of its objective, checked in the primal
 * space (not the kernel form the solver works in), and the CAV against a separable concept.
 */
import * as assert from 'assert';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../../../src/engine/backend/select';
import { fitLogistic } from '../../../../src/engine/concepts/logistic';
import { siteKernel, trainCav } from '../../../../src/engine/concepts/cav';
import { makeRng } from '../../../../src/engine/common/random';

/** n rows of d Gaussian features (seeded) and their labels from a noisy linear rule. */
function data(n: number, d: number, seed: number): { x: number[][]; y: boolean[] } {
  const rng = makeRng(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
  const x = Array.from({ length: n }, () => Array.from({ length: d }, () => 2 * gauss() + 1));
  const y = x.map((row) => row[0] - row[1] + 0.5 * gauss() > 0);
  return { x, y };
}

/** ∇ of (1/n) Σ log(1 + exp(−yᵢ(w·xᵢ + b))) + (α/2)‖w‖² at w = Xᵀa, b, in the primal space: [∂w…, ∂b]. */
function primalGradient(x: number[][], y: boolean[], a: Float64Array, b: number, alpha: number): number[] {
  const n = x.length;
  const d = x[0].length;
  const w = Array.from({ length: d }, (_, j) => x.reduce((s, row, i) => s + a[i] * row[j], 0));
  const g = w.map((wj) => alpha * wj);
  let gb = 0;
  x.forEach((row, i) => {
    const z = row.reduce((s, v, j) => s + v * w[j], b);
    const r = 1 / (1 + Math.exp(-z)) - (y[i] ? 1 : 0);
    row.forEach((v, j) => (g[j] += (r * v) / n));
    gb += r / n;
  });
  return [...g, gb];
}

function gramOf(x: number[][]): number[] {
  return x.flatMap((u) => x.map((v) => u.reduce((s, ui, j) => s + ui * v[j], 0)));
}

describe('concepts: L2 logistic regression in kernel form', () => {
  for (const [n, d] of [
    [30, 200],
    [60, 4],
  ]) {
    it(`${n} examples × ${d} features: the primal gradient vanishes at the solution (α = 0.01)`, () => {
      const { x, y } = data(n, d, n + d);
      const fit = fitLogistic(gramOf(x), y, 0.01);
      const g = primalGradient(x, y, fit.a, fit.b, 0.01);
      const norm = Math.sqrt(g.reduce((s, v) => s + v * v, 0));
      assert.ok(norm < 1e-6, `|∇| = ${norm} after ${fit.iterations} iterations`);
      assert.ok(fit.iterations < 30, `${fit.iterations} Newton iterations`);
    });
  }

  it('a strong penalty shrinks w toward 0, and the optimum still satisfies its conditions', () => {
    const { x, y } = data(40, 10, 3);
    const fit = fitLogistic(gramOf(x), y, 100);
    const g = primalGradient(x, y, fit.a, fit.b, 100);
    assert.ok(Math.sqrt(g.reduce((s, v) => s + v * v, 0)) < 1e-8);
  });

  it('one class only: no direction (a = 0) and no NaN', () => {
    const fit = fitLogistic(gramOf([[1, 2], [3, 4], [5, 6]]), [true, true, true], 0.01);
    assert.ok(Array.from(fit.a).every((v) => Number.isFinite(v)) && Number.isFinite(fit.b));
  });
});

describe('concepts: CAV', () => {
  before(() => initBackend('cpu'));

  /** The CAV of a run as a vector: w = Σ a[k] x[train[k]], normalised. */
  function cavVector(examples: number[][], run: { train: number[]; a: Float64Array }): number[] {
    const w = examples[0].map((_, j) => run.train.reduce((s, i, k) => s + run.a[k] * examples[i][j], 0));
    const norm = Math.hypot(...w);
    return w.map((v) => v / norm);
  }

  it('a linearly separable concept: held-out accuracy ≥ 0.9, the CAV pointing toward the concept; S as ⟨∇h, v⟩ computed explicitly', () => {
    const before = tf.memory().numTensors;
    const rng = makeRng(5);
    // 64 features; the concept is shifted by +3 along feature 7, random examples are not.
    const rows = (shift: number) => Array.from({ length: 40 }, () => Array.from({ length: 64 }, (_, j) => rng() * 2 - 1 + (j === 7 ? shift : 0)));
    const examples = [...rows(3), ...rows(0)];
    const gradients = Array.from({ length: 5 }, () => Array.from({ length: 64 }, () => rng() - 0.5));
    const [x, g] = [tf.tensor2d(examples), tf.tensor2d(gradients)];
    const kernel = siteKernel(x, g);
    tf.dispose([x, g]);
    const concept = Array.from({ length: 40 }, (_, i) => i);
    const random = Array.from({ length: 40 }, (_, i) => 40 + i);
    const run = trainCav(kernel, concept, random, makeRng(1), 0.01);
    assert.ok(run.accuracy >= 0.9, `accuracy ${run.accuracy}`);
    assert.strictEqual(run.size, 40);
    const v = cavVector(examples, run);
    assert.ok(v[7] > 0.5, `component along the concept's direction: ${v[7]}`);
    gradients.forEach((row, k) => {
      const explicit = row.reduce((s, gj, j) => s + gj * v[j], 0);
      assert.ok(Math.abs(run.sensitivities[k] - explicit) < 1e-4, `S ${run.sensitivities[k]} vs ⟨∇h, v⟩ ${explicit}`);
    });
    assert.strictEqual(tf.memory().numTensors, before, 'tensors leaked');
  });

  it('the larger set is subsampled to the smaller one; identical sets give chance accuracy, not NaN', () => {
    const examples = Array.from({ length: 36 }, (_, i) => [i % 3, 1]);
    const [x, g] = [tf.tensor2d(examples), tf.tensor2d([[1, 0]])];
    const kernel = siteKernel(x, g);
    tf.dispose([x, g]);
    const run = trainCav(kernel, Array.from({ length: 12 }, (_, i) => i), Array.from({ length: 24 }, (_, i) => 12 + i), makeRng(2), 0.01);
    assert.strictEqual(run.size, 12);
    assert.ok(Number.isFinite(run.accuracy) && run.accuracy <= 0.75, `accuracy ${run.accuracy}`);
    assert.ok(Array.from(run.sensitivities).every(Number.isFinite));
  });
});
