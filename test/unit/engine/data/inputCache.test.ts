/**
 * The input cache: one load and one forward pass per (checkpoint version, file version); a rewritten
 * input or sidecar is loaded again; at most a few entries; clear() returns every tensor.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { disposeCheckpoint, loadCheckpoint } from '../../../../src/engine/checkpoint/load';
import { saveLayersModel } from '../../../../src/engine/checkpoint/save';
import { InputCache } from '../../../../src/engine/data/inputCache';
import { tempDir } from '../../../helpers/tempDir';

/** y = 2x: its output shows which input was loaded. */
function doubler(): tf.LayersModel {
  const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [2], units: 2, useBias: false })] });
  model.layers[0].setWeights([tf.tensor2d([[2, 0], [0, 2]])]);
  return model;
}

describe('inputs/inputCache', () => {
  before(() => tf.setBackend('cpu'));

  it('loads and runs a file once, reloads it when it changes, and frees everything on clear()', async () => {
    const dir = tempDir();
    const checkpoint = await loadCheckpoint(await saveLayersModel(doubler(), dir));
    const file = path.join(dir, 'x.json');
    fs.writeFileSync(file, JSON.stringify([1, 2]));
    const before = tf.memory().numTensors;
    const cache = new InputCache();

    const first = await cache.get(checkpoint, file);
    assert.deepStrictEqual(Array.from(first.output.dataSync()), [2, 4]);
    assert.strictEqual(await cache.get(checkpoint, file), first, 'a second request reuses the entry');
    assert.strictEqual(tf.memory().numTensors, before + 2);

    fs.writeFileSync(file, JSON.stringify([10, 20]));
    fs.utimesSync(file, new Date(), new Date(Date.now() + 5000)); // a different mtime, whatever the clock's resolution
    const edited = await cache.get(checkpoint, file);
    assert.notStrictEqual(edited, first);
    assert.deepStrictEqual(Array.from(edited.output.dataSync()), [20, 40]);

    cache.clear();
    assert.strictEqual(tf.memory().numTensors, before);
    disposeCheckpoint(checkpoint);
  });

  it('keeps at most four entries, dropping the least recently used', async () => {
    const dir = tempDir();
    const checkpoint = await loadCheckpoint(await saveLayersModel(doubler(), dir));
    const files = Array.from({ length: 6 }, (_, i) => {
      const file = path.join(dir, `x${i}.json`);
      fs.writeFileSync(file, JSON.stringify([i, i]));
      return file;
    });
    const before = tf.memory().numTensors;
    const cache = new InputCache();
    const kept = await cache.get(checkpoint, files[0]);
    for (const file of files.slice(1)) {
      await cache.get(checkpoint, file);
      await cache.get(checkpoint, files[0]); // keeps x0 the most recent
    }
    assert.strictEqual(tf.memory().numTensors, before + 2 * 4);
    assert.strictEqual(await cache.get(checkpoint, files[0]), kept);
    cache.clear();
    assert.strictEqual(tf.memory().numTensors, before);
    disposeCheckpoint(checkpoint);
  });

  it('caches nothing for a file that fails to load', async () => {
    const dir = tempDir();
    const checkpoint = await loadCheckpoint(await saveLayersModel(doubler(), dir));
    const file = path.join(dir, 'bad.json');
    fs.writeFileSync(file, JSON.stringify([1, 2, 3]));
    const before = tf.memory().numTensors;
    const cache = new InputCache();
    await assert.rejects(cache.get(checkpoint, file), /shape/);
    assert.strictEqual(tf.memory().numTensors, before);
    disposeCheckpoint(checkpoint);
  });
});
