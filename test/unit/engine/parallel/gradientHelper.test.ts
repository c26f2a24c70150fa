/**
 * The gradient helper (a worker thread with its own tfjs) and the sum it shares with the engine:
 * IG and SmoothGrad with the helper equal them without it, the helper really takes batches, a broken helper leaves
 * the work to the engine, cancellation stops both, and nothing is left behind.
 */
import * as assert from 'assert';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import type { RunContext } from '../../../../src/protocol/engine';
import { Engine } from '../../../../src/engine/engine';
import { GradientHelper } from '../../../../src/engine/parallel/gradientHelper';
import { sharedSum } from '../../../../src/engine/parallel/sharedSum';
import { tensorsWithoutCachedInputs } from '../../../helpers/assertLens';

const ROOT = path.join(__dirname, '../../../../..');
const MNIST = path.join(ROOT, 'examples/mnist-cnn/model.json');
const SEVEN = path.join(ROOT, 'examples/mnist-cnn/samples/digit-7-0.png');
const quiet = (signal = new AbortController().signal): RunContext => ({ signal, onProgress: () => {} });
/** Enough steps on the MNIST CNN for the helper to be asked (steps × its per-example elements ≥ 25M). */
const LONG_PATH = { modelPath: MNIST, inputPath: SEVEN, method: 'integrated-gradients' as const, steps: 720 };

describe('parallel/gradientHelper', function () {
  this.timeout(120_000);
  const one = new Engine(() => {}, { helper: false });
  const two = new Engine(() => {}, { helper: true });
  before(async () => {
    await one.useBackend('wasm');
    await two.useBackend('wasm');
    await two.run('info', { modelPath: MNIST }, quiet()); // loaded before counting tensors
  });
  after(async () => {
    one.dispose();
    two.dispose();
    await tf.setBackend('cpu');
  });

  it('IG with the helper equals IG on one thread, the helper takes batches, and no tensor is left behind', async () => {
    const alone = await one.run('saliency', LONG_PATH, quiet());
    const before = tensorsWithoutCachedInputs(two);
    const shared = await two.run('saliency', LONG_PATH, quiet());
    assert.strictEqual(tensorsWithoutCachedInputs(two), before);
    assert.ok((two.helper?.jobsDone ?? 0) > 0, 'the helper evaluated no batch');
    const scale = Math.max(...alone.attribution.data.map(Math.abs));
    const gap = Math.max(...alone.attribution.data.map((v, i) => Math.abs(v - shared.attribution.data[i])));
    assert.ok(gap <= 1e-5 * scale, `attributions differ by ${gap} (largest ${scale})`);
    assert.ok(Math.abs((shared.completenessDelta ?? 1) - (alone.completenessDelta ?? 0)) < 1e-4);
  });

  for (const smoothVariant of ['smoothgrad', 'vargrad'] as const) {
    it(`${smoothVariant} with the helper equals ${smoothVariant} on one thread (the same seeded samples)`, async () => {
      const params = { modelPath: MNIST, inputPath: SEVEN, method: 'smoothgrad' as const, samples: 720, smoothVariant };
      const alone = await one.run('saliency', params, quiet());
      const done = two.helper?.jobsDone ?? 0;
      const before = tensorsWithoutCachedInputs(two);
      const shared = await two.run('saliency', params, quiet());
      assert.strictEqual(tensorsWithoutCachedInputs(two), before);
      assert.ok((two.helper?.jobsDone ?? 0) > done, 'the helper evaluated no batch');
      const scale = Math.max(...alone.attribution.data.map(Math.abs));
      const gap = Math.max(...alone.attribution.data.map((v, i) => Math.abs(v - shared.attribution.data[i])));
      assert.ok(gap <= 1e-4 * scale, `attributions differ by ${gap} (largest ${scale})`);
    });
  }

  it('a cancelled request stops both threads and the helper stays usable', async () => {
    const abort = new AbortController();
    let reports = 0;
    const ctx: RunContext = { signal: abort.signal, onProgress: () => (++reports === 2 ? abort.abort() : undefined) };
    const before = tensorsWithoutCachedInputs(two);
    await assert.rejects(two.run('saliency', LONG_PATH, ctx), { name: 'AbortError' });
    assert.strictEqual(tensorsWithoutCachedInputs(two), before);
    const again = await two.run('saliency', { ...LONG_PATH, steps: 740 }, quiet());
    assert.ok(again.attribution.data.every(Number.isFinite));
  });

  it('a helper that cannot start leaves every batch to the engine, which logs why once', async () => {
    const logged: string[] = [];
    const broken = new GradientHelper('wasm', (_level, message) => logged.push(message), path.join(__dirname, 'no-such-helper.js'));
    const shape = [1, 2];
    const local = (start: number, end: number) => tf.fill(shape, end - start);
    const run = (start: number, end: number, signal: AbortSignal) =>
      broken.run({ kind: 'path', modelPath: MNIST, target: 0, shape, x: new Float32Array(2), baseline: new Float32Array(2), nodes: [start], weights: [end] }, signal);
    const before = tf.memory().numTensors;
    const sum = await sharedSum(10, 2, quiet(), local, { sumShape: shape, run });
    assert.deepStrictEqual(Array.from(sum.dataSync()), [10, 10], 'every batch counted once');
    sum.dispose();
    assert.strictEqual(tf.memory().numTensors, before);
    assert.strictEqual(logged.length, 1);
    assert.match(logged[0], /gradient helper .*one core/);
    broken.dispose();
  });
});
