import * as assert from 'assert';
import * as tf from '@tensorflow/tfjs';
import { makeRng } from '../../../../src/engine/common/random';
import { defaultSensitivitySamples, maxSensitivity } from '../../../../src/engine/metrics/sensitivity';
import { quietContext } from '../../../../src/engine/common/context';

describe('max-sensitivity', () => {
  before(() => tf.setBackend('cpu'));

  it('is 0 for an explanation that ignores the input', async () => {
    const x = tf.tensor2d([[1, 2, 3]]);
    const attr = tf.tensor2d([[1, 1, 1]]);
    const before = tf.memory().numTensors;
    const s = await maxSensitivity(x, attr, async () => tf.ones([1, 3]), {}, quietContext());
    assert.strictEqual(s, 0);
    assert.strictEqual(tf.memory().numTensors, before);
    tf.dispose([x, attr]);
  });

  it('is max ‖δ‖ / ‖x‖ for attr(x) = 2x, with seeded δ uniform in the L∞ ball of radius 0.02 × range', async () => {
    const x = tf.tensor2d([[0, 1, 2, 3]]);
    const attr = tf.mul(x, 2);
    const calls: number[][] = [];
    const s = await maxSensitivity(x, attr, async (at) => (calls.push(Array.from(at.dataSync())), tf.mul(at, 2)), { samples: 5, seed: 7 }, quietContext());
    // Replay the same draws: radius 0.02 × (3 − 0) = 0.06.
    const rng = makeRng(7);
    let worst = 0;
    for (let n = 0; n < 5; n++) {
      const delta = Array.from({ length: 4 }, () => (2 * rng() - 1) * 0.06);
      assert.ok(delta.every((d, i) => Math.abs(calls[n][i] - ([0, 1, 2, 3][i] + d)) < 1e-6), 'perturbation replayed');
      worst = Math.max(worst, Math.hypot(...delta));
    }
    assert.strictEqual(calls.length, 5);
    assert.ok(calls.every((c) => c.every((v, i) => Math.abs(v - i) <= 0.06 + 1e-6)), 'inside the L∞ ball');
    assert.ok(Math.abs(s - worst / Math.hypot(0, 1, 2, 3)) < 1e-5, `${s} vs ${worst / Math.hypot(0, 1, 2, 3)}`);
    tf.dispose([x, attr]);
  });

  it('default samples: 10 on small models, 1 for the expensive methods on a 224² MobileNetV2, never 0', () => {
    const mobileNetV2 = 87_875_552; // floats one 224² example moves through nsfwjs' MobileNetV2 (exampleElements)
    const mnist = 38_152; // the example MNIST CNN
    assert.strictEqual(defaultSensitivitySamples(3, mobileNetV2), 10, 'input gradient, gradient × input, Grad-CAM');
    assert.strictEqual(defaultSensitivitySamples(3 * 64, mobileNetV2), 1, 'IG-64');
    assert.strictEqual(defaultSensitivitySamples(3 * 25, mobileNetV2), 1, 'SmoothGrad-25');
    assert.strictEqual(defaultSensitivitySamples(196, mobileNetV2), 1, 'occlusion, 196 windows');
    assert.strictEqual(defaultSensitivitySamples(3 * 10_000, mobileNetV2), 1, 'never 0');
    assert.strictEqual(defaultSensitivitySamples(3 * 64, mnist), 10);
    assert.strictEqual(defaultSensitivitySamples(784, mnist), 10, 'one-pixel occlusion on MNIST');
    // In between, as many re-runs as the budget holds: 3e9 / (3 · 64 · 3e6) = 5.2.
    assert.strictEqual(defaultSensitivitySamples(3 * 64, 3e6), 5);
  });

  it('honours an explicit radius and cancellation', async () => {
    const x = tf.tensor2d([[1, 1]]);
    const attr = tf.tensor2d([[1, 1]]);
    const s = await maxSensitivity(x, attr, async (at) => tf.clone(at), { radius: 0.5, samples: 20 }, quietContext());
    assert.ok(s > 0.1 && s <= 0.5, String(s));
    const abort = new AbortController();
    abort.abort();
    const before = tf.memory().numTensors;
    await assert.rejects(maxSensitivity(x, attr, async (at) => tf.clone(at), {}, quietContext(abort.signal)), { name: 'AbortError' });
    assert.strictEqual(tf.memory().numTensors, before);
    tf.dispose([x, attr]);
  });
});
