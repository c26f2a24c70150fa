/**
 * Truth is retraining, non-convex case (issue #5; Koh & Liang 2017 §5.1): the lighter version of
 * `npm run validate:influence`. A small CNN on 200 MNIST digits, the 12 training digits most
 * influential on the hardest held-out digit each removed in turn and the CNN retrained from the
 * optimum; predicted and actual test-loss changes must correlate. First the retraining harness
 * itself is checked against known answers, since it is the truth the engine is judged by.
 */
import * as assert from 'assert';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../../../src/engine/backend/select';
import { validateInfluence, type ValidationConfig } from '../../../../scripts/lib/influenceValidation';
import { mnistSubset } from '../../../../scripts/lib/mnistSubset';
import { minimise } from '../../../../scripts/lib/retrain';
import { buildTinyCnn, pooledPatches, tinyCnnLogits } from '../../../../scripts/lib/tinyCnn';

const LIGHT: ValidationConfig = { trainPerClass: 20, testPerClass: 10, lambda: 0.01, removals: 12, gradientTolerance: 1e-5, seed: 1 };

describe('influence functions against leave-one-out retraining (non-convex: small CNN on MNIST)', function () {
  this.timeout(180_000);

  before(() => initBackend('wasm'));

  it('the retraining forward (pooled patches) computes the same probabilities as the model', () => {
    const { x } = mnistSubset(3, 0, 2, 5);
    const model = buildTinyCnn(14, 5);
    const before = tf.memory().numTensors;
    const gap = tf.tidy(() => {
      const patches = pooledPatches(x);
      return tf.max(tf.abs(tf.sub(model.predict(x) as tf.Tensor, tf.softmax(tinyCnnLogits(model, patches))))).dataSync()[0];
    });
    assert.equal(tf.memory().numTensors, before, 'tensors leaked');
    model.dispose();
    x.dispose();
    assert.ok(gap < 1e-6, `max |Δp| = ${gap}`);
  });

  it('minimise (L-BFGS) reaches the analytic minimum of an ill-conditioned quadratic and of Rosenbrock', () => {
    // f(θ) = ½ Σ d_k (θ_k − c_k)², d from 0.01 to 100: the minimum is c.
    const d = Float64Array.from({ length: 50 }, (_, k) => 0.01 * 10_000 ** (k / 49));
    const c = Float64Array.from({ length: 50 }, (_, k) => Math.sin(k));
    const quadratic = (theta: Float64Array) => ({
      value: theta.reduce((s, t, k) => s + 0.5 * d[k] * (t - c[k]) ** 2, 0),
      gradient: theta.map((t, k) => d[k] * (t - c[k])),
    });
    const q = minimise(quadratic, new Float64Array(50), { gradientTolerance: 1e-10, maxIterations: 1000, memory: 20 });
    assert.ok(q.theta.every((t, k) => Math.abs(t - c[k]) < 1e-7), `quadratic: ${q.gradientNorm} after ${q.iterations} iterations`);
    // Rosenbrock: minimum at (1, 1) at the end of a curved valley.
    const rosenbrock = ([a, b]: Float64Array) => ({
      value: (1 - a) ** 2 + 100 * (b - a * a) ** 2,
      gradient: Float64Array.of(-2 * (1 - a) - 400 * a * (b - a * a), 200 * (b - a * a)),
    });
    const r = minimise(rosenbrock, Float64Array.of(-1.2, 1), { gradientTolerance: 1e-9, maxIterations: 1000, memory: 5 });
    assert.ok(Math.abs(r.theta[0] - 1) < 1e-6 && Math.abs(r.theta[1] - 1) < 1e-6, `Rosenbrock: ${r.theta} after ${r.iterations} iterations`);
  });

  it(`the top ${LIGHT.removals} of 200 training digits: predicted and actual test-loss changes correlate with r ≥ 0.8`, async () => {
    const before = tf.memory().numTensors;
    const result = await validateInfluence(LIGHT);
    assert.equal(tf.memory().numTensors, before, 'tensors leaked');
    const predicted = result.retrainings.map((x) => x.predicted);
    const actual = result.retrainings.map((x) => x.actual);
    assert.ok(result.r >= 0.8, `Pearson r = ${result.r.toFixed(4)}; predicted ${predicted.map((p) => p.toFixed(4))}, actual ${actual.map((a) => a.toFixed(4))}`);
    // The harness and the engine evaluate the same loss at θ̂ (independent forwards).
    assert.ok(Math.abs(result.test.loss - result.test.engineLoss) < 1e-4 * result.test.loss, `test loss ${result.test.loss} vs engine ${result.test.engineLoss}`);
  });
});
