/**
 * The engine's `influence` request on the bundled examples: every method leaves no tensors behind,
 * the training set's own label structure shows in the ranking, and bad requests fail clearly.
 */
import * as assert from 'assert';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import type { RunContext } from '../../../../src/protocol/engine';
import { Engine } from '../../../../src/engine/engine';
import { rejectsLens } from '../../../helpers/assertLens';
import { tempDir } from '../../../helpers/tempDir';

const ROOT = path.join(__dirname, '../../../../..');
const IRIS = path.join(ROOT, 'examples/iris-mlp/model.json');
const VIRGINICA = path.join(ROOT, 'examples/iris-mlp/samples/virginica.csv');
const TEST_ROWS = path.join(ROOT, 'examples/iris-mlp/data/test.csv');

const quiet = (): RunContext => ({ signal: new AbortController().signal, onProgress: () => {} });

describe('influence request (iris example)', function () {
  this.timeout(300_000);
  const engine = new Engine();
  before(async () => {
    await engine.useBackend('wasm');
    await engine.run('info', { modelPath: IRIS }, quiet());
  });
  after(() => engine.dispose());

  for (const method of ['influence', 'tracin', 'self'] as const) {
    it(`${method}: ranked scores from the sidecar's training set, and no tensors left behind`, async () => {
      const ask = () => engine.run('influence', { modelPath: IRIS, method, top: 5, ...(method === 'self' ? {} : { inputPath: VIRGINICA }) }, quiet());
      await ask(); // loads TracIn's checkpoints into the engine's model cache, where they stay
      const before = tf.memory().numTensors;
      const result = await ask();
      assert.equal(tf.memory().numTensors, before, 'tensors leaked');
      assert.equal(result.trainSize, 120);
      assert.equal(result.scores.length, method === 'self' ? 5 : 10);
      result.scores.slice(1).forEach((s, i) => assert.ok(s.score <= result.scores[i].score, 'sorted, highest first'));
      if (method !== 'self') {
        // Proponents of a virginica prediction are virginica rows; opponents are not.
        assert.ok(result.scores.slice(0, 5).every((s) => s.labelName === 'virginica'), JSON.stringify(result.scores.map((s) => s.labelName)));
        assert.equal(result.test?.labelName, 'virginica');
      }
    });
  }

  it('says when the training gradients came from the cache', async () => {
    const cacheDir = tempDir();
    const ask = () => engine.run('influence', { modelPath: IRIS, method: 'influence', inputPath: VIRGINICA, cacheDir }, quiet());
    const first = await ask();
    const second = await ask();
    assert.deepEqual([first.cached, second.cached], [false, true]);
    assert.deepEqual(second.scores.map((s) => s.score), first.scores.map((s) => s.score));
  });

  it('refuses files of several rows, labels out of range and unknown layers, with what to do', async () => {
    await rejectsLens(() => engine.run('influence', { modelPath: IRIS, method: 'influence', inputPath: TEST_ROWS }, quiet()), 'INVALID_INPUT', /holds 30 examples.*one row/);
    await rejectsLens(() => engine.run('influence', { modelPath: IRIS, method: 'influence', inputPath: VIRGINICA, label: 7 }, quiet()), 'BAD_REQUEST', /label 7 is out of range/);
    await rejectsLens(() => engine.run('influence', { modelPath: IRIS, method: 'influence', inputPath: VIRGINICA, layers: ['nope'] }, quiet()), 'BAD_REQUEST', /No trainable layer named 'nope'/);
  });

  it('stops when cancelled', async () => {
    const abort = new AbortController();
    const before = tf.memory().numTensors;
    const ctx: RunContext = { signal: abort.signal, onProgress: () => abort.abort() };
    await assert.rejects(engine.run('influence', { modelPath: IRIS, method: 'self' }, ctx), { name: 'AbortError' });
    assert.equal(tf.memory().numTensors, before, 'tensors leaked');
  });
});
