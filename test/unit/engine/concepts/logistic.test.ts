/**
 * The CAV classifier against the optimality conditions of its objective, checked in the primal
 * space (not the kernel form the solver works in), and the CAV against a separable concept.
 */
import * as assert from 'assert';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../../../src/engine/backend/select';
import { fitLogistic } from '../../../../src/engine/concepts/logistic';
import { cavSensitivities, SiteKernel, trainCav, type Row } from '../../../../src/engine/concepts/cav';
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

  const rows = (set: number, n: number): Row[] => Array.from({ length: n }, (_, row) => ({ set, row }));

  /** The CAV of a run as a vector: w = Σ a[k] x(train[k]), normalised. */
  function cavVector(sets: number[][][], run: { train: Row[]; a: Float64Array }): number[] {
    const w = sets[0][0].map((_, j) => run.train.reduce((s, x, k) => s + run.a[k] * sets[x.set][x.row][j], 0));
    const norm = Math.hypot(...w);
    return w.map((v) => v / norm);
  }

  it('a linearly separable concept: held-out accuracy ≥ 0.9, the CAV pointing toward the concept; S as ⟨∇h, v⟩ computed explicitly', () => {
    const before = tf.memory().numTensors;
    const rng = makeRng(5);
    // 64 features; the concept is shifted by +3 along feature 7, random examples are not.
    const examples = (shift: number) => Array.from({ length: 40 }, () => Array.from({ length: 64 }, (_, j) => rng() * 2 - 1 + (j === 7 ? shift : 0)));
    const sets = [examples(3), examples(0)];
    const gradients = Array.from({ length: 5 }, () => Array.from({ length: 64 }, () => rng() - 0.5));
    const [concept, random, g] = [tf.tensor2d(sets[0]), tf.tensor2d(sets[1]), tf.tensor2d(gradients)];
    const kernel = new SiteKernel([concept, random], g);
    const run = trainCav(kernel, rows(0, 40), rows(1, 40), makeRng(1), 0.01);
    const sensitivities = cavSensitivities(kernel, run);
    tf.dispose([concept, random, g]);
    assert.ok(run.accuracy >= 0.9, `accuracy ${run.accuracy}`);
    assert.strictEqual(run.size, 40);
    const v = cavVector(sets, run);
    assert.ok(v[7] > 0.5, `component along the concept's direction: ${v[7]}`);
    gradients.forEach((row, k) => {
      const explicit = row.reduce((s, gj, j) => s + gj * v[j], 0);
      assert.ok(Math.abs(sensitivities[k] - explicit) < 1e-4, `S ${sensitivities[k]} vs ⟨∇h, v⟩ ${explicit}`);
    });
    assert.strictEqual(tf.memory().numTensors, before, 'tensors leaked');
  });

  it('the larger set is subsampled to the smaller one; identical sets give chance accuracy, not NaN', () => {
    const [x, g] = [tf.tensor2d(Array.from({ length: 36 }, (_, i) => [i % 3, 1])), tf.tensor2d([[1, 0]])];
    const kernel = new SiteKernel([x], g);
    const run = trainCav(kernel, rows(0, 36).slice(0, 12), rows(0, 36).slice(12), makeRng(2), 0.01);
    const sensitivities = cavSensitivities(kernel, run);
    tf.dispose([x, g]);
    assert.strictEqual(run.size, 12);
    assert.ok(Number.isFinite(run.accuracy) && run.accuracy <= 0.75, `accuracy ${run.accuracy}`);
    assert.ok(Array.from(sensitivities).every(Number.isFinite));
  });
});
