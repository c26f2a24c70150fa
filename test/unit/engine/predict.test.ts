import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { disposeCheckpoint, loadCheckpoint } from '../../../src/engine/checkpoint/load';
import { InputCache } from '../../../src/engine/data/inputCache';
import { predict } from '../../../src/engine/predict';
import { defaultOf } from '../../../src/protocol/options';
import { saveLayersModel } from '../../../src/engine/checkpoint/save';
import { writeGraphModel } from '../../helpers/models';
import { tempDir } from '../../helpers/tempDir';

/** y = x · W with no activation: its outputs are logits. */
function linearLogits(): tf.LayersModel {
  const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [2], units: 3, useBias: false, name: 'logits' })] });
  model.layers[0].setWeights([tf.tensor2d([[1, 0, -1], [0, 2, 0]])]);
  return model;
}

describe('predict', () => {
  const inputs = new InputCache();
  before(() => tf.setBackend('cpu'));
  afterEach(() => inputs.clear());

  it('ranks a probability output as-is, with sidecar labels', async () => {
    const dir = tempDir();
    const checkpoint = await loadCheckpoint(writeGraphModel(dir));
    fs.writeFileSync(path.join(dir, 'x.json'), JSON.stringify([2, 0]));
    checkpoint.sidecar.sidecar.labels = ['cat', 'dog'];
    const before = tf.memory().numTensors;
    const p = await predict(checkpoint, path.join(dir, 'x.json'), 'cpu', inputs, defaultOf('predict', 'top'));
    assert.strictEqual(tf.memory().numTensors, before + 2, 'the cache holds the input and the output, nothing more');
    inputs.clear();
    assert.strictEqual(tf.memory().numTensors, before);
    // logits x·W = [2, 0] → softmax = [e²/(e²+1), 1/(e²+1)]
    const e2 = Math.exp(2);
    assert.strictEqual(p.outputKind, 'probabilities');
    assert.deepStrictEqual(p.rows[0].top.map((c) => c.label), ['cat', 'dog']);
    assert.ok(Math.abs(p.rows[0].top[0].probability - e2 / (e2 + 1)) < 1e-6);
    assert.deepStrictEqual(p.input.shape, [1, 2]);
    disposeCheckpoint(checkpoint);
  });

  it('applies softmax to logits (a linear head with labels) and says so; --top limits the classes', async () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'model.lens.json'), JSON.stringify({ input: { kind: 'tensor' }, labels: ['a', 'b', 'c'] }));
    const checkpoint = await loadCheckpoint(await saveLayersModel(linearLogits(), dir));
    assert.deepStrictEqual([checkpoint.outputs[0].kind, checkpoint.outputs[0].kindReason], ['logits', 'linear output with labels']);
    fs.writeFileSync(path.join(dir, 'x.json'), JSON.stringify([[1, 1], [0, 0]]));
    const p = await predict(checkpoint, path.join(dir, 'x.json'), 'cpu', inputs, 2);
    assert.strictEqual(p.outputKind, 'logits');
    // row 1: logits [1, 2, −1]; row 2: all zero → uniform
    const z = Math.exp(1) + Math.exp(2) + Math.exp(-1);
    assert.deepStrictEqual(p.rows[0].top.map((c) => c.index), [1, 0]);
    assert.ok(Math.abs(p.rows[0].top[0].probability - Math.exp(2) / z) < 1e-6);
    assert.strictEqual(p.rows[0].top.length, 2);
    assert.ok(p.rows[1].top.every((c) => Math.abs(c.probability - 1 / 3) < 1e-6));
    disposeCheckpoint(checkpoint);
  });

  it('reads a linear head without labels as a regression: its values, not probabilities', async () => {
    const dir = tempDir();
    const checkpoint = await loadCheckpoint(await saveLayersModel(linearLogits(), dir));
    fs.writeFileSync(path.join(dir, 'x.json'), JSON.stringify([[1, 1]]));
    const p = await predict(checkpoint, path.join(dir, 'x.json'), 'cpu', inputs, 2);
    assert.deepStrictEqual([p.outputKind, p.output], ['values', { index: 0, name: 'logits', kind: 'regression' }]);
    assert.deepStrictEqual(p.rows[0], { top: [], values: [1, 2, -1] }, 'x·W = [1, 2, −1]');
    disposeCheckpoint(checkpoint);
  });

  it('reports an input of the wrong shape with both shapes', async () => {
    const dir = tempDir();
    const checkpoint = await loadCheckpoint(writeGraphModel(dir));
    fs.writeFileSync(path.join(dir, 'x.json'), JSON.stringify([1, 2, 3]));
    await assert.rejects(predict(checkpoint, path.join(dir, 'x.json'), 'cpu', inputs, defaultOf('predict', 'top')), /input has shape \[1,3\] but the model expects \[null,2\]/);
    disposeCheckpoint(checkpoint);
  });
});
