import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { disposeCheckpoint, loadCheckpoint } from '../../../../src/engine/checkpoint/load';
import { forward } from '../../../../src/engine/checkpoint/forward';
import { summarize } from '../../../../src/engine/checkpoint/summary';
import { rejectsLens } from '../../../helpers/assertLens';
import { tempDir } from '../../../helpers/tempDir';
import { saveLayersModel } from '../../../../src/engine/checkpoint/save';
import { cnn, mlp, writeGraphModel } from '../../../helpers/models';

describe('checkpoint/load', () => {
  before(() => tf.setBackend('cpu'));

  describe('layers models', () => {
    it('names inputs and outputs the same on every load of the same model', async () => {
      const file = await saveLayersModel(mlp(), tempDir());
      const first = await loadCheckpoint(file);
      const second = await loadCheckpoint(file);
      try {
        // tfjs uniquifies symbolic tensors process-wide (probs/probs_1, then probs/probs_2): the layers' names do not drift.
        assert.deepStrictEqual(first.inputs.map((t) => t.name), ['hidden_input']);
        assert.deepStrictEqual(first.outputs.map((t) => t.name), ['probs']);
        assert.deepStrictEqual(summarize(second, 'cpu').outputs, summarize(first, 'cpu').outputs);
        assert.deepStrictEqual(summarize(second, 'cpu').inputs, summarize(first, 'cpu').inputs);
      } finally {
        disposeCheckpoint(first);
        disposeCheckpoint(second);
      }
    });

    it('loads weights exactly and summarises layers, shapes and parameter counts', async () => {
      const model = mlp();
      const file = await saveLayersModel(model, tempDir());
      const checkpoint = await loadCheckpoint(file);
      const x = tf.tensor2d([[0.1, -2, 3, 0.5]]);
      const expected = (model.predict(x) as tf.Tensor).arraySync();
      const actual = (checkpoint.model.predict(x) as tf.Tensor).arraySync();
      assert.deepStrictEqual(actual, expected);

      const s = summarize(checkpoint, 'cpu');
      assert.strictEqual(s.format, 'layers-model');
      assert.deepStrictEqual(s.inputs.map((t) => t.shape), [[null, 4]]);
      assert.deepStrictEqual(s.outputs.map((t) => t.shape), [[null, 3]]);
      assert.deepStrictEqual(
        s.layers.map((l) => [l.name, l.className, l.outputShape, l.params]),
        [
          ['hidden', 'Dense', [[null, 8]], 4 * 8 + 8],
          ['probs', 'Dense', [[null, 3]], 8 * 3 + 3],
        ],
      );
      assert.strictEqual(s.params, 67);
      assert.strictEqual(s.weightBytes, 67 * 4);
      assert.strictEqual(s.backend, 'cpu');
      disposeCheckpoint(checkpoint);
      x.dispose();
      model.dispose();
    });

    it('summarises a CNN with spatial output shapes', async () => {
      const checkpoint = await loadCheckpoint(await saveLayersModel(cnn(), tempDir()));
      const s = summarize(checkpoint, 'cpu');
      assert.deepStrictEqual(s.layers.map((l) => l.outputShape[0]), [[null, 6, 6, 2], [null, 3, 3, 2], [null, 18], [null, 2]]);
      assert.strictEqual(s.params, 3 * 3 * 1 * 2 + 2 + 18 * 2 + 2);
      disposeCheckpoint(checkpoint);
    });

    it('loads a fully convolutional model whose height and width are free', async () => {
      const model = tf.sequential({ layers: [tf.layers.conv2d({ inputShape: [null, null, 1], filters: 2, kernelSize: 5, name: 'conv' })] });
      const checkpoint = await loadCheckpoint(await saveLayersModel(model, tempDir()));
      assert.deepStrictEqual(checkpoint.inputs[0].shape, [null, null, null, 1]);
      disposeCheckpoint(checkpoint);
      model.dispose();
    });

    it('leaks no tensors: load, predict and dispose return to the baseline', async () => {
      const file = await saveLayersModel(mlp(), tempDir());
      const before = tf.memory().numTensors;
      const checkpoint = await loadCheckpoint(file);
      tf.tidy(() => { forward(checkpoint, tf.ones([2, 4])); });
      disposeCheckpoint(checkpoint);
      assert.strictEqual(tf.memory().numTensors, before);
    });
  });

  describe('graph models', () => {
    it('loads a GraphDef model and computes softmax(x·W) exactly', async () => {
      const checkpoint = await loadCheckpoint(writeGraphModel(tempDir()));
      const y = (checkpoint.model.predict(tf.tensor2d([[1, 1]])) as tf.Tensor).dataSync();
      // logits [1, 2] → softmax = [1/(1+e), e/(1+e)]
      const e = Math.E;
      assert.ok(Math.abs(y[0] - 1 / (1 + e)) < 1e-6 && Math.abs(y[1] - e / (1 + e)) < 1e-6);
      const s = summarize(checkpoint, 'cpu');
      assert.strictEqual(s.format, 'graph-model');
      assert.deepStrictEqual(s.inputs, [{ name: 'x', shape: [null, 2], dtype: 'float32' }]);
      // The GraphDef declares no output shape: it is probed at load.
      assert.deepStrictEqual(s.outputs, [{ name: 'probs', shape: [null, 2], dtype: 'float32', kind: 'softmax', kindReason: 'softmax activation', activation: 'softmax' }]);
      assert.deepStrictEqual(s.layers.map((l) => [l.name, l.className, l.params]), [['logits', 'MatMul', 4], ['probs', 'Softmax', 0]]);
      assert.strictEqual(s.params, 4);
      disposeCheckpoint(checkpoint);
    });

    it('lets gradients flow through the graph model', async () => {
      const checkpoint = await loadCheckpoint(writeGraphModel(tempDir()));
      const g = tf.grad((x: tf.Tensor) => (checkpoint.model.predict(x) as tf.Tensor).slice([0, 1], [1, 1]).sum())(tf.tensor2d([[0, 0]]));
      // d softmax_1 / d x = p1 (1 − p1) · (W[:,1] − W[:,0]) with p = [½, ½] at x = 0 → ¼ · [−1, 2]
      assert.deepStrictEqual(Array.from(g.dataSync()).map((v) => +v.toFixed(6)), [-0.25, 0.5]);
      disposeCheckpoint(checkpoint);
    });
  });

  describe('bad input', () => {
    it('missing model.json', async () => {
      await rejectsLens(() => loadCheckpoint(path.join(tempDir(), 'model.json')), 'FILE_NOT_FOUND', /does not exist/);
    });

    it('a folder instead of model.json', async () => {
      await rejectsLens(() => loadCheckpoint(tempDir()), 'INVALID_MODEL', /is a folder/);
    });

    it('truncated model.json', async () => {
      const file = await saveLayersModel(mlp(), tempDir());
      const text = fs.readFileSync(file, 'utf8');
      fs.writeFileSync(file, text.slice(0, text.length / 2));
      await rejectsLens(() => loadCheckpoint(file), 'INVALID_JSON', /model\.json is not valid JSON.*truncated/);
    });

    it('empty model.json', async () => {
      const file = path.join(tempDir(), 'model.json');
      fs.writeFileSync(file, '');
      await rejectsLens(() => loadCheckpoint(file), 'INVALID_JSON', /empty/);
    });

    it('JSON that is not a model', async () => {
      const file = path.join(tempDir(), 'model.json');
      fs.writeFileSync(file, JSON.stringify({ hello: 'world' }));
      await rejectsLens(() => loadCheckpoint(file), 'INVALID_MODEL', /no "modelTopology"/);
      fs.writeFileSync(file, JSON.stringify({ modelTopology: {}, weightsManifest: 'x' }));
      await rejectsLens(() => loadCheckpoint(file), 'INVALID_MODEL', /weightsManifest/);
    });

    it('missing weight shard', async () => {
      const file = await saveLayersModel(mlp(), tempDir());
      fs.unlinkSync(path.join(path.dirname(file), 'weights.bin'));
      await rejectsLens(() => loadCheckpoint(file), 'MISSING_WEIGHTS', /'weights\.bin'.*missing/);
    });

    it('short (truncated) weight shard', async () => {
      const file = await saveLayersModel(mlp(), tempDir());
      const shard = path.join(path.dirname(file), 'weights.bin');
      fs.writeFileSync(shard, fs.readFileSync(shard).subarray(0, 100));
      await rejectsLens(() => loadCheckpoint(file), 'WEIGHTS_MISMATCH', /100 bytes but model\.json lists 268.*truncated/);
    });

    it('weight shapes that do not match the topology', async () => {
      const file = await saveLayersModel(mlp(), tempDir());
      const json = JSON.parse(fs.readFileSync(file, 'utf8'));
      // Same number of bytes, transposed kernel: only the topology check can catch it.
      json.weightsManifest[0].weights[0].shape = [8, 4];
      fs.writeFileSync(file, JSON.stringify(json));
      await rejectsLens(() => loadCheckpoint(file), 'WEIGHTS_MISMATCH', /do not match the topology/);
    });

    it('NaN and Inf weights load with a warning naming them', async () => {
      const file = await saveLayersModel(mlp(), tempDir());
      const shard = path.join(path.dirname(file), 'weights.bin');
      const values = new Float32Array(new Uint8Array(fs.readFileSync(shard)).buffer);
      values[0] = NaN;
      values[values.length - 1] = Infinity;
      fs.writeFileSync(shard, Buffer.from(values.buffer));
      const checkpoint = await loadCheckpoint(file);
      const warning = checkpoint.warnings.find((w) => w.includes('NaN or Inf'));
      assert.ok(warning, checkpoint.warnings.join('; '));
      assert.match(warning, /2 weight\(s\): hidden\/kernel, probs\/bias/);
      disposeCheckpoint(checkpoint);
    });

    it('unsupported layer class', async () => {
      const file = await saveLayersModel(mlp(), tempDir());
      const json = JSON.parse(fs.readFileSync(file, 'utf8'));
      json.modelTopology.config.layers[1].class_name = 'MyCustomDense';
      fs.writeFileSync(file, JSON.stringify(json));
      await rejectsLens(() => loadCheckpoint(file), 'UNSUPPORTED_OP', /Unsupported layer class 'MyCustomDense'/);
    });

    it('unsupported graph op', async () => {
      await rejectsLens(() => loadCheckpoint(writeGraphModel(tempDir(), 'FancyOp')), 'UNSUPPORTED_OP', /Unsupported op 'FancyOp'/);
    });

    it('a failed load leaks no tensors', async () => {
      const before = tf.memory().numTensors;
      await assert.rejects(loadCheckpoint(writeGraphModel(tempDir(), 'FancyOp')));
      assert.strictEqual(tf.memory().numTensors, before);
    });
  });
});
