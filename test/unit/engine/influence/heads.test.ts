/**
 * Influence on the head a request names: on a model with a softmax head after a regression head,
 * influence through --output probs equals influence on the same layers built as a one-output model
 * (sigmoid and multilabel heads: sigmoid.test.ts).
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { Engine } from '../../../../src/engine/engine';
import { quietContext } from '../../../../src/engine/common/context';
import { saveLayersModel } from '../../../../src/engine/checkpoint/save';
import { makeRng } from '../../../../src/engine/common/random';
import { tempDir } from '../../../helpers/tempDir';

describe('influence: the selected output head', function () {
  this.timeout(120_000);
  const engine = new Engine(() => {}, { helper: false });
  before(() => engine.useBackend('cpu'));
  after(() => engine.dispose());

  it('--output probs on a two-head model equals the one-head model of the same layers (within float32 noise through the Hessian)', async () => {
    const x = tf.input({ shape: [3] });
    const age = tf.layers.dense({ units: 1, name: 'age', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }).apply(x) as tf.SymbolicTensor;
    const hidden = tf.layers.dense({ units: 4, activation: 'tanh', name: 'hidden', kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }).apply(x) as tf.SymbolicTensor;
    const probs = tf.layers.dense({ units: 3, activation: 'softmax', name: 'probs', kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }) }).apply(hidden) as tf.SymbolicTensor;
    const random = makeRng(4);
    const rows = Array.from({ length: 30 }, () => [random(), random(), random()].map((v) => 2 * v - 1));
    const write = async (model: tf.LayersModel) => {
      const dir = tempDir();
      const modelPath = await saveLayersModel(model, dir);
      fs.writeFileSync(path.join(dir, 'train.json'), JSON.stringify({ x: rows, y: rows.map((_, i) => i % 3) }));
      fs.writeFileSync(path.join(dir, 'x.json'), JSON.stringify([[0.2, -0.4, 0.6]]));
      fs.writeFileSync(path.join(dir, 'model.lens.json'), JSON.stringify({ input: { kind: 'tensor' }, data: { train: 'train.json' }, outputs: { age: { kind: 'regression' }, probs: { labels: ['a', 'b', 'c'] } } }));
      return { modelPath, inputPath: path.join(dir, 'x.json') };
    };
    const two = await write(tf.model({ inputs: x, outputs: [age, probs] }));
    const one = await write(tf.model({ inputs: x, outputs: probs }));
    const options = { method: 'influence' as const, layers: ['probs'], top: 15, solver: 'exact' as const };
    const viaHead = await engine.run('influence', { ...two, ...options, output: 'probs' }, quietContext());
    const alone = await engine.run('influence', { ...one, ...options }, quietContext());
    assert.deepStrictEqual(viaHead.scores.map((s) => s.index), alone.scores.map((s) => s.index));
    viaHead.scores.forEach((s, i) => assert.ok(Math.abs(s.score - alone.scores[i].score) <= 1e-4 * Math.max(1, Math.abs(s.score)), `${s.score} vs ${alone.scores[i].score}`));
    assert.strictEqual(viaHead.scores[0].labelName, ['a', 'b', 'c'][viaHead.scores[0].label], "the head's labels");
  });
});
