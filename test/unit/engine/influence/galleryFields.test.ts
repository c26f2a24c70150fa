/**
 * What the influence galleries show beside the scores (issue 11), against the model itself: each
 * ranked example's predicted class and loss against predict on that CSV row and −log p(label);
 * the test point's preview against the CSV row and the MNIST sample's pixels.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import type { RunContext } from '../../../../src/protocol/engine';
import { Engine } from '../../../../src/engine/engine';
import { tempDir } from '../../../helpers/tempDir';

const ROOT = path.join(__dirname, '../../../../..');
const IRIS = path.join(ROOT, 'examples/iris-mlp/model.json');
const VIRGINICA = path.join(ROOT, 'examples/iris-mlp/samples/virginica.csv');
const TEXT = path.join(ROOT, 'examples/text-sentiment/model.json');
const SENTENCE = path.join(ROOT, 'examples/text-sentiment/samples/mixed-superb-terrible.txt');

const quiet = (): RunContext => ({ signal: new AbortController().signal, onProgress: () => {} });

describe('influence gallery fields', function () {
  this.timeout(300_000);
  const engine = new Engine();
  before(() => engine.useBackend('wasm'));
  after(() => engine.dispose());

  it("self-influence lists each example's predicted class and loss, as predict on its CSV row says", async () => {
    const r = await engine.run('influence', { modelPath: IRIS, method: 'self', top: 6 }, quiet());
    const lines = fs.readFileSync(path.join(ROOT, 'examples/iris-mlp/data/train.csv'), 'utf8').split(/\r?\n/);
    const dir = tempDir();
    for (const s of r.scores) {
      const row = path.join(dir, `row-${s.index}.csv`);
      fs.writeFileSync(row, `${lines[0]}\n${lines[s.location.line! - 1]}\n`);
      const p = await engine.run('predict', { modelPath: IRIS, inputPath: row, top: 3 }, quiet());
      const top = p.rows[0].top;
      assert.strictEqual(s.prediction?.index, top[0].index, `row ${s.index}`);
      assert.ok(Math.abs(s.prediction!.probability - top[0].probability) < 1e-5);
      const pLabel = top.find((c) => c.index === s.label)!.probability;
      assert.ok(Math.abs(s.loss! + Math.log(pLabel)) < 1e-3 * Math.max(1, s.loss!), `loss ${s.loss} vs −log ${pLabel}`);
    }
    // The most self-influential examples are the ones the model gets wrong or barely right: high loss.
    assert.ok(r.scores.some((s) => s.prediction!.index !== s.label || s.loss! > 0.5), JSON.stringify(r.scores.map((s) => [s.labelName, s.prediction?.label, s.loss])));
  });

  it('the test point comes with its preview (the row as written, the sentence without padding), and nothing leaks', async () => {
    await engine.run('influence', { modelPath: IRIS, method: 'influence', inputPath: VIRGINICA, top: 3 }, quiet());
    const before = tf.memory().numTensors;
    const r = await engine.run('influence', { modelPath: IRIS, method: 'influence', inputPath: VIRGINICA, top: 3 }, quiet());
    assert.strictEqual(tf.memory().numTensors, before);
    const [header, row] = fs.readFileSync(VIRGINICA, 'utf8').trim().split(/\r?\n/).map((l) => l.split(','));
    const preview = r.test?.preview;
    assert.ok(preview?.kind === 'row');
    for (const [k, v] of Object.entries(preview.cells)) assert.strictEqual(Number(v), Number(row[header.indexOf(k)]), k);
    assert.ok(r.scores.every((s) => s.prediction && Number.isFinite(s.loss)));
    const t = await engine.run('influence', { modelPath: TEXT, method: 'tracin', inputPath: SENTENCE, top: 2 }, quiet());
    assert.deepStrictEqual(t.test?.preview, { kind: 'text', text: 'the popcorn was superb but the ending was terrible' });
  });
});
