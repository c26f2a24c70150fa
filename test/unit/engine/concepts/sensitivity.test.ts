/**
 * Conceptual sensitivity against hand-worked values: the toy (activation [0, 1, 2], CAV
 * [1, 2, 3]/‖·‖, ∇ = activation → S = 8/‖[1, 2, 3]‖), through the model machinery, for a layers
 * model and its graph twin; the gradient is of the logit, not the probability.
 */
import * as assert from 'assert';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../../../src/engine/backend/select';
import { disposeCheckpoint, loadCheckpoint } from '../../../../src/engine/checkpoint/load';
import { quietContext } from '../../../../src/engine/common/context';
import { directionalDerivatives, logitGradients, tcavScore } from '../../../../src/engine/concepts/sensitivity';
import { findSites } from '../../../../src/engine/model/sites';
import { layersCheckpoint } from '../../../helpers/cnnToys';
import { halfSquareModel, writeHalfSquareGraph } from '../../../helpers/conceptToys';

const EXPECTED = 8 / Math.hypot(1, 2, 3);

describe('concepts: conceptual sensitivity', () => {
  before(() => initBackend('wasm'));

  const cases = [
    { kind: 'layers model', site: 'layer', load: () => layersCheckpoint(halfSquareModel()) },
    { kind: 'graph model', site: 'layer/MatMul', load: () => loadCheckpoint(writeHalfSquareGraph()) },
    // The layer is the identity, so the input has the same activation and gradient.
    { kind: 'layers model at its input', site: 'x', load: () => layersCheckpoint(halfSquareModel()) },
    { kind: 'graph model at its input', site: 'x', load: () => loadCheckpoint(writeHalfSquareGraph()) },
  ];
  for (const { kind, site, load } of cases) {
    it(`${kind}: activation [0, 1, 2], CAV [1, 2, 3]/‖·‖ → S = 8/√14, the logit's (the softmax is not differentiated)`, async () => {
      const checkpoint = await load();
      const before = tf.memory().numTensors;
      const x = tf.tensor2d([[0, 1, 2], [1, -1, 0]]);
      const cav = tf.tidy(() => tf.div(tf.tensor2d([[1, 2, 3]]), Math.hypot(1, 2, 3)) as tf.Tensor2D);
      const [at] = findSites(checkpoint, [site]);
      const gradients = await logitGradients(checkpoint, at, x, 0, quietContext());
      assert.deepStrictEqual(Array.from(gradients.dataSync()), [0, 1, 2, 1, -1, 0], '∇ ½‖a‖² = a');
      const s = directionalDerivatives(gradients, cav);
      assert.ok(Math.abs(s[0] - EXPECTED) < 1e-6, `S = ${s[0]}, expected ${EXPECTED}`);
      assert.ok(Math.abs(s[1] - -1 / Math.hypot(1, 2, 3)) < 1e-6, `S = ${s[1]}`);
      tf.dispose([x, cav, gradients]);
      assert.strictEqual(tf.memory().numTensors, before, 'tensors leaked');
      disposeCheckpoint(checkpoint);
    });
  }

  it('the score counts S > 0; the magnitude is Σ max(S, 0) / Σ |S|, 0 (not NaN) when every S is 0', () => {
    assert.deepStrictEqual(tcavScore([2, -1, 0, 3]), { score: 0.5, magnitude: 5 / 6 });
    assert.deepStrictEqual(tcavScore([0, 0]), { score: 0, magnitude: 0 });
  });

  it('gradients come in batches that match the one-shot gradient (50 examples, batches of 7)', async () => {
    const checkpoint = await layersCheckpoint(halfSquareModel());
    const x = tf.randomNormal([50, 3], 0, 1, 'float32', 4);
    const [site] = findSites(checkpoint, ['layer']);
    const progress: number[] = [];
    const g = await logitGradients(checkpoint, site, x, 0, { signal: new AbortController().signal, onProgress: (done) => progress.push(done) }, { internalBatch: 7 });
    assert.deepStrictEqual(Array.from(g.dataSync()), Array.from(x.dataSync()));
    assert.deepStrictEqual(progress, [7, 14, 21, 28, 35, 42, 49, 50]);
    tf.dispose([x, g]);
    disposeCheckpoint(checkpoint);
  });
});
