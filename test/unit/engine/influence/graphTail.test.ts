/**
 * Influence on graph models through their trailing dense layer: on the iris graph model (the iris
 * MLP's weights as a hand-written GraphDef) it must give exactly what the layers model gives with
 * its last dense layer as the scope; graph models without one are refused with the reason.
 */
import * as assert from 'assert';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { Engine } from '../../../../src/engine/engine';
import { quietContext } from '../../../../src/engine/common/context';

const EXAMPLES = path.join(__dirname, '../../../../../examples');
const HUMAN = path.join(__dirname, '../../../../../node_modules/@vladmandic/human/models');

describe('influence on graph models: the trailing MatMul/BiasAdd constants as the scope', function () {
  this.timeout(120_000);
  const engine = new Engine(() => {}, { helper: false });
  before(() => engine.useBackend('cpu'));
  after(() => engine.dispose());

  for (const method of ['influence', 'self'] as const) {
    it(`${method}: the iris graph model scores every training example as the layers model does with its last dense layer`, async () => {
      const inputPath = path.join(EXAMPLES, 'iris-mlp/samples/virginica.csv');
      const common = { method, top: 60, ...(method === 'influence' ? { inputPath } : {}) };
      const graphRun = () => engine.run('influence', { modelPath: path.join(EXAMPLES, 'iris-graph/model.json'), ...common }, quietContext());
      const graph = await graphRun();
      const layers = await engine.run('influence', { modelPath: path.join(EXAMPLES, 'iris-mlp/model.json'), layers: ['probs'], ...common }, quietContext());
      assert.deepStrictEqual([graph.paramScope.layers, graph.paramScope.params], [['dense2/MatMul'], 51]);
      assert.match(graph.paramScope.reason, /trailing dense layer 'dense2\/MatMul' \(16×3 kernel and bias/);
      assert.strictEqual(graph.scores.length, layers.scores.length);
      const byIndex = new Map(layers.scores.map((s) => [s.index, s.score]));
      for (const s of graph.scores) {
        const expected = byIndex.get(s.index);
        assert.ok(expected !== undefined && Math.abs(s.score - expected) <= 1e-4 * Math.max(1, Math.abs(expected)), `example ${s.index}: ${s.score} vs ${expected}`);
      }
      // Again with the model and the training set loaded: only the engine's caches may hold tensors.
      const before = tf.memory().numTensors;
      await graphRun();
      assert.strictEqual(tf.memory().numTensors, before, 'no tensors left behind');
    });
  }

  it('a graph model without a trailing dense layer, and TracIn on a graph model, are refused with the reason', async () => {
    const modelPath = path.join(HUMAN, 'emotion.json');
    await assert.rejects(engine.run('influence', { modelPath, method: 'self', train: path.join(EXAMPLES, 'iris-mlp/data/train.csv') }, quietContext()), /graph model, and its last op before the output is Mean, not a dense layer: influence needs a trailing dense layer/);
    await assert.rejects(
      engine.run('influence', { modelPath: path.join(EXAMPLES, 'iris-graph/model.json'), method: 'tracin', inputPath: path.join(EXAMPLES, 'iris-mlp/samples/virginica.csv'), checkpoints: [{ path: 'x.json', learningRate: 1 }] }, quietContext()),
      /TracIn needs each checkpoint's trainable weights/,
    );
  });
});
